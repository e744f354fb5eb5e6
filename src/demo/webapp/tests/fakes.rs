//! The stand-ins: an issuer that behaves like an Okta custom authorization server for the code
//! flow (it checks client_secret_basic, the redirect URI and PKCE, and mints unsigned tokens), and
//! a gateway that answers like an AWS HTTP API with the solar-system routes and scopes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::request::Parts;
use http::{Response, header};
use http_body_util::Full;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::super::config::AppConfig;
use super::super::tier::{GOLD_SCOPE, SILVER_SCOPE};
use super::super::{form, jwt, oidc};
use super::{Handler, json_response, spawn, spawn_on};

/// The fake tenant's web client.
pub(super) const CLIENT_ID: &str = "solar-system-app";
/// Its secret (with characters that `client_secret_basic` must form-encode).
pub(super) const CLIENT_SECRET: &str = "s3cret: with spaces+plus";

/// A code the fake issuer handed out.
struct Grant {
    login: String,
    nonce: String,
    challenge: String,
    scope: String,
    redirect_uri: String,
}

/// The fake issuer.
pub(super) struct FakeIssuer {
    /// Its issuer URL (`http://127.0.0.1:{port}/oauth2/default`).
    pub issuer: String,
    grants: Arc<Mutex<HashMap<String, Grant>>>,
}

impl FakeIssuer {
    /// Starts the fake issuer.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(TcpListener::bind("127.0.0.1:0").await?)
    }

    /// Starts the fake issuer on a listener the test bound earlier.
    pub fn start_on(listener: TcpListener) -> std::io::Result<Self> {
        let issuer = format!("http://{}/oauth2/default", listener.local_addr()?);
        let grants = Arc::new(Mutex::new(HashMap::new()));
        let (base, store) = (issuer.clone(), grants.clone());
        let handler: Handler = Arc::new(move |parts, body| issuer_answer(&base, &store, &parts, &body));
        spawn_on(listener, handler)?;
        Ok(FakeIssuer { issuer, grants })
    }

    /// The app's configuration for this issuer and `gateway_uri`.
    pub fn app_config(&self, gateway_uri: &str) -> Result<AppConfig, String> {
        let mut config = AppConfig::demo(&self.issuer, gateway_uri, 8080).map_err(|e| e.to_string())?;
        config.client_id = CLIENT_ID.to_owned();
        config.client_secret = CLIENT_SECRET.to_owned();
        Ok(config)
    }

    /// What the browser brings back after `login` signs in at `authorize_url`: the callback's
    /// query (`code=…&state=…`).
    pub fn approve(&self, authorize_url: &str, login: &str) -> String {
        let query = authorize_url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let param = |name: &str| form::get(query, name).unwrap_or_default();
        let code = format!(
            "code-{}",
            self.grants.lock().unwrap_or_else(PoisonError::into_inner).len()
        );
        let grant = Grant {
            login: login.to_owned(),
            nonce: param("nonce"),
            challenge: param("code_challenge"),
            scope: param("scope"),
            redirect_uri: param("redirect_uri"),
        };
        self.grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(code.clone(), grant);
        form::encode_pairs(&[("code", &code), ("state", &param("state"))])
    }
}

fn issuer_answer(
    issuer: &str,
    grants: &Mutex<HashMap<String, Grant>>,
    parts: &Parts,
    body: &[u8],
) -> Response<Full<Bytes>> {
    match parts.uri.path().strip_prefix("/oauth2/default") {
        Some("/.well-known/openid-configuration") => json_response(
            200,
            &json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/v1/authorize"),
                "token_endpoint": format!("{issuer}/v1/token"),
                "end_session_endpoint": format!("{issuer}/v1/logout"),
                "jwks_uri": format!("{issuer}/v1/keys"),
            }),
        ),
        Some("/v1/token") => token_answer(issuer, grants, parts, body),
        _ => json_response(404, &json!({"errorCode": "E0000007"})),
    }
}

fn token_answer(
    issuer: &str,
    grants: &Mutex<HashMap<String, Grant>>,
    parts: &Parts,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let refuse = |status, error: &str, description: &str| {
        json_response(status, &json!({"error": error, "error_description": description}))
    };
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if authorization != Some(oidc::basic_credentials(CLIENT_ID, CLIENT_SECRET).as_str()) {
        return refuse(401, "invalid_client", "Client authentication failed.");
    }
    let body = String::from_utf8_lossy(body);
    let param = |name: &str| form::get(&body, name).unwrap_or_default();
    let grant = grants
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&param("code"));
    let Some(grant) = grant.filter(|_| param("grant_type") == "authorization_code") else {
        return refuse(
            400,
            "invalid_grant",
            "The authorization code is invalid or has expired.",
        );
    };
    if grant.redirect_uri != param("redirect_uri") {
        return refuse(400, "invalid_grant", "The redirect_uri does not match.");
    }
    if oidc::pkce_challenge(&param("code_verifier")) != grant.challenge {
        return refuse(400, "invalid_grant", "PKCE verification failed.");
    }
    json_response(200, &tokens(issuer, &grant))
}

fn tokens(issuer: &str, grant: &Grant) -> Value {
    let header = json!({"alg": "RS256", "kid": "fake-key"});
    let scopes: Vec<&str> = grant.scope.split(' ').collect();
    let name = grant.login.split('@').next().unwrap_or_default().replace('.', " ");
    let access =
        json!({"ver": 1, "iss": issuer, "aud": "api://default", "sub": grant.login, "cid": CLIENT_ID, "scp": scopes});
    let id = json!({"iss": issuer, "aud": CLIENT_ID, "sub": "00u-fake", "nonce": grant.nonce,
        "name": name, "preferred_username": grant.login});
    json!({"token_type": "Bearer", "expires_in": 3600, "scope": grant.scope,
        "access_token": jwt::unsigned(&header, &access), "id_token": jwt::unsigned(&header, &id)})
}

/// Starts a gateway that protects the solar-system routes like the reference scenario.
pub(super) async fn start_gateway() -> std::io::Result<String> {
    let handler: Handler = Arc::new(|parts, _| gateway_answer(&parts));
    Ok(format!("http://{}", spawn(handler).await?))
}

fn gateway_answer(parts: &Parts) -> Response<Full<Bytes>> {
    let resource = parts.uri.path().trim_start_matches('/');
    let needed = match resource {
        "asteroids" => None,
        "planets" => Some(SILVER_SCOPE),
        "moons" => Some(GOLD_SCOPE),
        _ => return json_response(404, &json!({"message": "Not Found"})),
    };
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(claims) = authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .and_then(|t| jwt::decode(t).ok())
    else {
        return challenge(401, "Unauthorized", "Bearer");
    };
    let scopes = claims
        .claims
        .get("scp")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if needed.is_some_and(|scope| !scopes.iter().any(|s| s.as_str() == Some(scope))) {
        let why = "Bearer error=\"insufficient_scope\" error_description=\"the token lacks a scope of this route\"";
        return challenge(403, "Forbidden", why);
    }
    json_response(200, &json!({ resource: [{"name": "Ceres", "diameter_km": 939}] }))
}

fn challenge(status: u16, message: &str, www_authenticate: &'static str) -> Response<Full<Bytes>> {
    let mut response = json_response(status, &json!({ "message": message }));
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(www_authenticate),
    );
    response
}
