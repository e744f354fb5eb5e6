//! `GET /v1/logout` (RP-initiated logout; Okta §1.6, A-07): ends the browser session and
//! redirects only to a registered sign-out URI of the client the ID token was issued to.

use http::{Response, StatusCode, header::HeaderValue};
use serde_json::Value;

use super::Call;
use super::cookies;
use super::form::{Form, build};
use super::pages;
use super::respond::{self, Body};
use crate::issuer::core;
use crate::issuer::tokens::verify_own;

/// `GET /v1/logout?id_token_hint=…&post_logout_redirect_uri=…&state=…`.
pub fn logout(call: &Call<'_>) -> Response<Body> {
    let Ok(form) = Form::parse(call.query.as_deref().unwrap_or("")) else {
        return respond::html(
            StatusCode::BAD_REQUEST,
            pages::error("400 Bad Request", "The logout request is malformed."),
        );
    };
    let hint = form.get("id_token_hint").map(|t| verify_own(call.server, t));
    if matches!(hint, Some(None)) {
        return respond::html(
            StatusCode::BAD_REQUEST,
            pages::error(
                "400 Bad Request",
                "The 'id_token_hint' is not an ID token issued by this authorization server.",
            ),
        );
    }
    let claims = hint.flatten();
    let client = claims
        .as_ref()
        .and_then(|c| c.get("aud"))
        .and_then(Value::as_str)
        .and_then(|aud| call.state.tenant.client(aud));
    let target = match (form.get("post_logout_redirect_uri"), client) {
        (Some(uri), Some(c)) if c.post_logout_redirect_uris.iter().any(|r| r == uri) => Some(uri.to_owned()),
        (Some(_), _) => {
            return respond::html(
                StatusCode::BAD_REQUEST,
                pages::error(
                    "400 Bad Request",
                    "The 'post_logout_redirect_uri' is not a sign-out redirect URI of the client application.",
                ),
            );
        }
        (None, _) => None,
    };
    end_session(call, claims.as_ref().and_then(|c| c.get("sub")).and_then(Value::as_str));
    let mut response = match target {
        Some(uri) => {
            let query = form.get("state").map(|s| build([("state", s)]));
            let sep = if uri.contains('?') { '&' } else { '?' };
            respond::redirect(&query.map_or(uri.clone(), |q| format!("{uri}{sep}{q}")))
        }
        None => respond::html(StatusCode::OK, pages::signed_out()),
    };
    let clear = cookies::clear(cookies::SESSION, &call.base_path(), call.state.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().append(http::header::SET_COOKIE, v);
    }
    response
}

/// Deletes this browser's session (when it belongs to the hinted user, if any).
fn end_session(call: &Call<'_>, hinted_sub: Option<&str>) {
    let Some(sid) = cookies::get(&call.headers, cookies::SESSION) else {
        return;
    };
    let hash = core::token_hash(&sid);
    let now = crate::telemetry::unix_secs();
    let Ok(Some(session)) = call.state.store.session(&hash, now) else {
        return;
    };
    if hinted_sub.is_none_or(|sub| sub == session.user_id) {
        let _ = call.state.store.delete_session(&hash);
    }
}
