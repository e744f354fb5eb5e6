//! `/v1/keys`, `/v1/userinfo`, `/v1/introspect` and `/v1/revoke` (Okta §1.5, §1.6).

use http::{Response, StatusCode, header::HeaderValue};
use serde_json::{Map, Value, json};

use super::Call;
use super::form::Form;
use super::respond::{self, Body};
use super::token::authenticate;
use crate::issuer::core;
use crate::issuer::tokens::{unexpired, verify_own};
use crate::store::RefreshState;

/// `GET /v1/keys`: the published keys, cacheable until the next planned rotation.
pub fn keys(call: &Call<'_>) -> Response<Body> {
    let ring = call.server.keys();
    let now = crate::telemetry::unix_secs();
    let period = i64::try_from(call.server.config.key_rotation.as_secs()).unwrap_or(i64::MAX);
    let mut r = respond::json(StatusCode::OK, &ring.jwks());
    let cache = format!("max-age={}, must-revalidate", ring.cache_max_age(now, period));
    if let Ok(v) = HeaderValue::from_str(&cache) {
        r.headers_mut().insert(http::header::CACHE_CONTROL, v);
    }
    r
}

fn bearer_error(status: StatusCode, error: &str, description: &str) -> Response<Body> {
    let mut r = respond::no_store(respond::json(
        status,
        &json!({"error": error, "error_description": description}),
    ));
    let challenge = format!("Bearer error=\"{error}\", error_description=\"{description}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(http::header::WWW_AUTHENTICATE, v);
    }
    r
}

/// An access token of ours that is signed, unexpired and not revoked.
fn live_access_token(call: &Call<'_>, token: &str) -> Option<Map<String, Value>> {
    let claims = verify_own(call.server, token)?;
    let now = crate::telemetry::unix_secs();
    let jti = claims.get("jti").and_then(Value::as_str)?;
    (unexpired(&claims, now)
        && jti.starts_with("AT.")
        && call.state.store.access_token_active(jti, now).unwrap_or(false))
    .then_some(claims)
}

fn token_scopes(claims: &Map<String, Value>) -> Vec<String> {
    match (claims.get("scp"), claims.get("scope")) {
        (Some(Value::Array(a)), _) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        (_, Some(Value::String(s))) => s.split(' ').filter(|x| !x.is_empty()).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// `GET|POST /v1/userinfo` with `Authorization: Bearer <access token>`.
pub fn userinfo(call: &Call<'_>) -> Response<Body> {
    const INVALID: &str = "The access token is invalid";
    let token = call
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(claims) = token.and_then(|t| live_access_token(call, t)) else {
        return bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", INVALID);
    };
    let scopes = token_scopes(&claims);
    let user = claims
        .get("uid")
        .and_then(Value::as_str)
        .and_then(|uid| call.state.tenant.user(uid));
    let Some(user) = user.filter(|_| scopes.iter().any(|s| s == "openid")) else {
        return bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", INVALID);
    };
    if !scopes
        .iter()
        .any(|s| matches!(s.as_str(), "profile" | "email" | "address" | "phone"))
    {
        return bearer_error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The access token must provide access to at least one of these scopes - profile, email, address or phone",
        );
    }
    respond::no_store(respond::json(
        StatusCode::OK,
        &core::userinfo(user, &scopes, &call.server.config, &call.state.tenant.groups),
    ))
}

fn client_form<'a>(call: &Call<'a>) -> Result<(Form, &'a crate::model::issuer::Client), Box<Response<Body>>> {
    let bad = |text: &str| Box::new(respond::oauth_error(StatusCode::BAD_REQUEST, "invalid_request", text));
    if !call.is_form() {
        return Err(bad("The request must be application/x-www-form-urlencoded."));
    }
    let form = Form::parse_bytes(&call.body).map_err(|e| bad(&e.to_string()))?;
    let client = authenticate(call, &form).map_err(|f| Box::new(f.into_response()))?;
    Ok((form, client))
}

/// `POST /v1/introspect` (RFC 7662): access tokens (by signature, expiry and the store) and
/// refresh tokens (by the store); anything else is `{"active":false}`.
pub fn introspect(call: &Call<'_>) -> Response<Body> {
    let (form, client) = match client_form(call) {
        Ok(pair) => pair,
        Err(r) => return *r,
    };
    let inactive = json!({"active": false});
    let Some(token) = form.get("token") else {
        return respond::oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'token' parameter is missing.",
        );
    };
    let body = access_introspection(call, token)
        .or_else(|| refresh_introspection(call, token, &client.client_id))
        .unwrap_or(inactive);
    respond::no_store(respond::json(StatusCode::OK, &body))
}

fn access_introspection(call: &Call<'_>, token: &str) -> Option<Value> {
    let claims = live_access_token(call, token)?;
    let scopes = token_scopes(&claims);
    let user = claims
        .get("uid")
        .and_then(Value::as_str)
        .and_then(|uid| call.state.tenant.user(uid));
    let mut body = json!({
        "active": true,
        "token_type": "Bearer",
        "scope": scopes.join(" "),
        "client_id": claims.get("cid").or_else(|| claims.get("client_id")),
        "exp": claims.get("exp"),
        "iat": claims.get("iat"),
        "sub": claims.get("sub"),
        "aud": claims.get("aud"),
        "iss": claims.get("iss"),
        "jti": claims.get("jti"),
    });
    if let Some(u) = user {
        body["username"] = json!(u.login);
        body["uid"] = json!(u.id);
    }
    Some(body)
}

fn refresh_introspection(call: &Call<'_>, token: &str, client_id: &str) -> Option<Value> {
    let now = crate::telemetry::unix_secs();
    let (record, state) = call.state.store.find_refresh(&core::token_hash(token), now).ok()??;
    if state != RefreshState::Active || record.client_id != client_id {
        return None;
    }
    let user = record.user_id.as_deref().and_then(|id| call.state.tenant.user(id));
    Some(json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": record.scopes.join(" "),
        "client_id": record.client_id,
        "iat": record.issued_at,
        "exp": record.absolute_expiry,
        "sub": user.map(|u| u.login.clone()),
        "username": user.map(|u| u.login.clone()),
        "uid": user.map(|u| u.id.clone()),
        "iss": call.server.issuer,
    }))
}

/// `POST /v1/revoke` (RFC 7009): always 200 with an empty body; a client revokes only its
/// own tokens. Revoking a refresh token revokes its whole grant.
pub fn revoke(call: &Call<'_>) -> Response<Body> {
    let (form, client) = match client_form(call) {
        Ok(pair) => pair,
        Err(r) => return *r,
    };
    let Some(token) = form.get("token") else {
        return respond::oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'token' parameter is missing.",
        );
    };
    let now = crate::telemetry::unix_secs();
    let store = &call.state.store;
    if let Some(claims) = verify_own(call.server, token) {
        let own = claims
            .get("cid")
            .or_else(|| claims.get("client_id"))
            .and_then(Value::as_str)
            == Some(client.client_id.as_str());
        if let (true, Some(jti)) = (own, claims.get("jti").and_then(Value::as_str)) {
            let _ = store.revoke_access_token(jti, now);
        }
    } else if let Ok(Some((record, _))) = store.find_refresh(&core::token_hash(token), now)
        && record.client_id == client.client_id
    {
        let _ = store.revoke_grant(&record.grant_id, now);
    }
    respond::no_store(Response::new(http_body_util::Full::new(bytes::Bytes::new())))
}
