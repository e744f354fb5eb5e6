//! The OpenID Connect relying party: discovery (fetched lazily, then cached), the
//! authorization request of the code flow (`state`, `nonce`, PKCE S256, `response_mode=query`,
//! `prompt=login` as the original demo, so switching users is easy), the code exchange with
//! `client_secret_basic`, and the display-level checks of the ID token.
//!
//! Invariants: discovery is fetched on first use, so the app starts before its issuer; a failed
//! fetch is not cached; the discovered `issuer` must equal `ISSUER` (OIDC Discovery §4.3). The ID
//! token's `iss`, `aud` and `nonce` are checked but not its signature: the page says so, and
//! verifying access tokens is the gateway's job.
//!
//! May import: std, tokio, http, bytes, http-body-util, serde, serde_json, base64, aws-lc-rs,
//! `super::{client, config, form, jwt, session, tier}`.

use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::Full;
use serde::Deserialize;

use super::client::{FetchError, HttpClient};
use super::config::AppConfig;
use super::form;
use super::jwt::{self, Decoded};
use super::session::{PendingLogin, random_token};
use super::tier::Tier;

/// The parts of the issuer's discovery document the app uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// The issuer identifier (`iss` of every token).
    pub issuer: String,
    /// Where the browser signs in (`/v1/authorize`).
    pub authorization_endpoint: String,
    /// Where the server exchanges the code (`/v1/token`).
    pub token_endpoint: String,
    /// Where the browser signs out (`/v1/logout`), if the issuer has one.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// A sign-in failure: the OAuth `error` code and its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcError {
    /// `access_denied`, `invalid_grant`, or the app's own (`issuer_unreachable`, `invalid_id_token`…).
    pub error: String,
    /// What happened, for a person.
    pub description: String,
}

impl OidcError {
    /// An error with its code and explanation.
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        OidcError {
            error: error.to_owned(),
            description: description.into(),
        }
    }
}

/// The issuer's discovery document, fetched on first use and kept.
pub struct DiscoveryCache {
    issuer: String,
    cached: tokio::sync::Mutex<Option<Arc<Discovery>>>,
}

impl DiscoveryCache {
    /// A cache for the issuer `issuer` (nothing is fetched yet).
    pub fn new(issuer: &str) -> Self {
        DiscoveryCache {
            issuer: issuer.to_owned(),
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The discovery document: the cached one, or a fresh fetch (concurrent callers share it).
    pub async fn get(&self, client: &HttpClient) -> Result<Arc<Discovery>, OidcError> {
        let mut cached = self.cached.lock().await;
        if let Some(found) = cached.as_ref() {
            return Ok(found.clone());
        }
        let fresh = Arc::new(fetch_discovery(client, &self.issuer).await?);
        *cached = Some(fresh.clone());
        Ok(fresh)
    }
}

/// `{issuer}/.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    format!("{issuer}/.well-known/openid-configuration")
}

async fn fetch_discovery(client: &HttpClient, issuer: &str) -> Result<Discovery, OidcError> {
    let url = discovery_url(issuer);
    let request = get_request(&url).map_err(|why| OidcError::new("issuer_unreachable", why))?;
    let fetched = client.send(request).await.map_err(|err| match err {
        FetchError::Unreachable(why) => OidcError::new(
            "issuer_unreachable",
            format!("The issuer could not be reached ({why}). Is it running?"),
        ),
        FetchError::Failed(why) => OidcError::new("issuer_error", why),
    })?;
    if !fetched.status.is_success() {
        return Err(OidcError::new(
            "issuer_error",
            format!("{url} answered {}", fetched.status),
        ));
    }
    let found: Discovery = serde_json::from_slice(&fetched.body)
        .map_err(|err| OidcError::new("issuer_error", format!("{url} is not a discovery document: {err}")))?;
    if found.issuer != issuer {
        let why = format!(
            "the discovery document names issuer {:?}, not ISSUER {issuer:?}",
            found.issuer
        );
        return Err(OidcError::new("issuer_error", why));
    }
    Ok(found)
}

fn get_request(url: &str) -> Result<Request<Full<Bytes>>, String> {
    Request::get(url)
        .header(header::ACCEPT, "application/json")
        .body(Full::new(Bytes::new()))
        .map_err(|err| format!("{url} is not a usable URL: {err}"))
}

/// A new sign-in for `tier`: fresh random `state`, `nonce` and PKCE verifier.
pub fn start_login(tier: Tier, now: Instant) -> Result<PendingLogin, String> {
    Ok(PendingLogin {
        tier,
        state: random_token(32)?,
        nonce: random_token(32)?,
        verifier: random_token(32)?,
        started: now,
    })
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// Where the browser goes to sign in for `login`.
pub fn authorize_url(discovery: &Discovery, config: &AppConfig, login: &PendingLogin) -> String {
    let scope = login.tier.scope_param(&config.extra_scopes);
    let challenge = pkce_challenge(&login.verifier);
    form::with_query(
        &discovery.authorization_endpoint,
        &[
            ("client_id", &config.client_id),
            ("response_type", "code"),
            ("response_mode", "query"),
            ("scope", &scope),
            ("redirect_uri", &config.redirect_uri),
            ("state", &login.state),
            ("nonce", &login.nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("prompt", "login"),
        ],
    )
}

/// `Basic base64(form(id):form(secret))` (RFC 6749 §2.3.1).
pub fn basic_credentials(client_id: &str, client_secret: &str) -> String {
    let pair = format!("{}:{}", form::encode(client_id), form::encode(client_secret));
    format!("Basic {}", STANDARD.encode(pair))
}

/// The token endpoint's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// The ID token (present when `openid` was granted).
    #[serde(default)]
    pub id_token: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Exchanges `code` (with its PKCE `verifier`) at the token endpoint.
pub async fn exchange_code(
    client: &HttpClient,
    discovery: &Discovery,
    config: &AppConfig,
    code: &str,
    verifier: &str,
) -> Result<TokenResponse, OidcError> {
    let body = form::encode_pairs(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &config.redirect_uri),
        ("code_verifier", verifier),
    ]);
    let request = Request::builder()
        .method(Method::POST)
        .uri(&discovery.token_endpoint)
        .header(
            header::AUTHORIZATION,
            basic_credentials(&config.client_id, &config.client_secret),
        )
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|err| OidcError::new("token_error", format!("bad token endpoint: {err}")))?;
    let fetched = client
        .send(request)
        .await
        .map_err(|err| OidcError::new("token_error", err.to_string()))?;
    if let Ok(refusal) = serde_json::from_slice::<ErrorBody>(&fetched.body) {
        let description = refusal
            .error_description
            .unwrap_or_else(|| format!("HTTP {}", fetched.status));
        return Err(OidcError {
            error: refusal.error,
            description,
        });
    }
    if !fetched.status.is_success() {
        let text = String::from_utf8_lossy(&fetched.body);
        return Err(OidcError::new(
            "token_error",
            format!("the token endpoint answered {}: {text}", fetched.status),
        ));
    }
    serde_json::from_slice(&fetched.body)
        .map_err(|err| OidcError::new("token_error", format!("the token response is not usable: {err}")))
}

/// Decodes the ID token and checks `iss`, `aud` and `nonce` (not the signature).
pub fn check_id_token(id_token: &str, issuer: &str, client_id: &str, nonce: &str) -> Result<Decoded, OidcError> {
    let refuse = |why: String| OidcError::new("invalid_id_token", why);
    let decoded = jwt::decode(id_token).map_err(|why| refuse(format!("The ID token cannot be read: {why}")))?;
    if decoded.str_claim("iss") != Some(issuer) {
        return Err(refuse(format!(
            "The ID token's iss is {:?}, not the issuer {issuer:?}.",
            decoded.claims.get("iss")
        )));
    }
    if !decoded.has_audience(client_id) {
        return Err(refuse(format!(
            "The ID token's aud does not name this client ({client_id})."
        )));
    }
    if decoded.str_claim("nonce") != Some(nonce) {
        return Err(refuse(
            "The ID token's nonce is not the one this sign-in sent (replayed token?).".to_owned(),
        ));
    }
    Ok(decoded)
}

#[cfg(test)]
#[path = "oidc_tests.rs"]
mod tests;
