//! The issuer's HTTP surface, laid out as Okta's: `{base}/oauth2/{id}/v1/…` plus both
//! discovery documents and the RFC 8414 path-inserted metadata URL. One function routes;
//! each endpoint module turns its own errors into Okta's responses (`respond`).

pub mod authorize;
pub mod client_auth;
pub mod cookies;
pub mod discovery;
pub mod form;
pub mod logout;
pub mod pages;
pub mod resources;
pub mod respond;
pub mod token;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use super::state::{IssuerState, ServerState};
use crate::conn::Connection;
use respond::Body;

/// A request as the endpoints see it: the body already read (they are all small forms).
pub struct Call<'a> {
    /// Shared state.
    pub state: &'a IssuerState,
    /// The authorization server addressed.
    pub server: &'a ServerState,
    /// Method.
    pub method: Method,
    /// Raw query string.
    pub query: Option<String>,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes (empty for GET).
    pub body: Bytes,
    /// The connection.
    pub conn: Connection,
}

impl Call<'_> {
    /// Whether the body is declared as a form.
    pub fn is_form(&self) -> bool {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
    }

    /// The client's IP, for throttling keys.
    pub fn ip(&self) -> String {
        self.conn.client.ip().to_string()
    }

    /// The base path of this authorization server (`/oauth2/default`).
    pub fn base_path(&self) -> String {
        format!("/oauth2/{}", self.server.config.id)
    }
}

/// Serves one request.
pub async fn handle(
    state: Arc<IssuerState>,
    conn: Connection,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some((server_id, rest)) = split_path(&path) else {
        return Ok(respond::status_only(StatusCode::NOT_FOUND));
    };
    let Some(server) = state.servers.get(server_id) else {
        return Ok(respond::unknown_server(server_id));
    };
    let body = match Limited::new(body, form::MAX_FORM_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(respond::oauth_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "The request body is too large.",
            ));
        }
    };
    let call = Call {
        state: &state,
        server,
        method: parts.method,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        conn,
    };
    Ok(route(&call, &rest).await)
}

/// `/oauth2/{id}/rest` → (id, rest); `/.well-known/oauth-authorization-server/oauth2/{id}` →
/// (id, the legacy metadata path).
fn split_path(path: &str) -> Option<(&str, String)> {
    if let Some(id) = path.strip_prefix("/.well-known/oauth-authorization-server/oauth2/") {
        return Some((id, ".well-known/oauth-authorization-server".to_owned()));
    }
    let rest = path.strip_prefix("/oauth2/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    Some((id, tail.to_owned()))
}

async fn route(call: &Call<'_>, rest: &str) -> Response<Body> {
    let get = call.method == Method::GET || call.method == Method::HEAD;
    let post = call.method == Method::POST;
    match (rest, get, post) {
        (".well-known/openid-configuration", true, _) => discovery::openid(call),
        (".well-known/oauth-authorization-server", true, _) => discovery::oauth(call),
        ("v1/authorize", true, _) => authorize::start(call),
        ("v1/login", _, true) => authorize::sign_in(call).await,
        ("v1/token", _, true) => token::token(call),
        ("v1/keys", true, _) => resources::keys(call),
        ("v1/userinfo", true, _) | ("v1/userinfo", _, true) => resources::userinfo(call),
        ("v1/introspect", _, true) => resources::introspect(call),
        ("v1/revoke", _, true) => resources::revoke(call),
        ("v1/logout", true, _) => logout::logout(call),
        ("v1/token" | "v1/introspect" | "v1/revoke" | "v1/login", _, _) => {
            respond::status_only(StatusCode::METHOD_NOT_ALLOWED)
        }
        _ => respond::status_only(StatusCode::NOT_FOUND),
    }
}
