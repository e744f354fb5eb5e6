//! OIDC discovery and JWKS download over HTTP, with AWS's limits: 1500 ms per request,
//! documents of at most 150 000 bytes, no redirects, the discovery `issuer` identical to the
//! configured one (OpenID Discovery §4.3), https unless the host is loopback or the
//! authorizer explicitly allows plain http.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};

use super::cache::{FetchFuture, Fetcher};
use crate::auth::KeySet;
use crate::client::HttpClient;

/// What identifies an issuer's key source, and how its cache behaves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuerSettings {
    /// The issuer URL; discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// How long keys are trusted before a refresh.
    pub ttl: Duration,
    /// Minimum time between unknown-kid refetches.
    pub unknown_kid_refetch_interval: Duration,
    /// Allow plain http to non-loopback hosts.
    pub allow_insecure_http: bool,
}

/// Per-request time limit (AWS: 1500 ms for discovery and for JWKS).
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(1_500);
/// Largest discovery or JWKS document accepted (AWS: 150 000 bytes).
pub const MAX_DOCUMENT_BYTES: usize = 150_000;

/// Fetches with the shared HTTP client.
#[derive(Clone)]
pub struct HttpFetcher {
    client: HttpClient,
}

impl HttpFetcher {
    /// A fetcher over `client`.
    pub fn new(client: HttpClient) -> Self {
        Self { client }
    }
}

impl Fetcher for HttpFetcher {
    fn fetch(&self, settings: &IssuerSettings) -> FetchFuture {
        let client = self.client.clone();
        let settings = settings.clone();
        Box::pin(async move { fetch_keys(&client, &settings).await })
    }
}

async fn fetch_keys(client: &HttpClient, settings: &IssuerSettings) -> Result<KeySet, String> {
    let discovery_url = format!(
        "{}/.well-known/openid-configuration",
        settings.issuer.trim_end_matches('/')
    );
    let (_, body) = get(client, &discovery_url, settings).await?;
    let jwks_uri = jwks_uri_from_discovery(&body, &settings.issuer)?;
    let (content_type, body) = get(client, &jwks_uri, settings).await?;
    if !is_json_content_type(content_type.as_deref()) {
        return Err(format!("{jwks_uri} answered content-type {content_type:?}, not JSON"));
    }
    let (keys, warnings) = KeySet::from_jwks(&body).map_err(|e| format!("{jwks_uri}: {e}"))?;
    for warning in warnings {
        tracing::warn!(issuer = %settings.issuer, %warning, "JWKS key ignored");
    }
    Ok(keys)
}

/// Fetches `{issuer}/.well-known/openid-configuration` and checks that it names this issuer
/// and a `jwks_uri` (what AWS checks when an authorizer is created).
pub async fn check_discovery(client: &HttpClient, issuer: &str, allow_insecure_http: bool) -> Result<(), String> {
    let settings = IssuerSettings {
        issuer: issuer.to_owned(),
        ttl: Duration::ZERO,
        unknown_kid_refetch_interval: Duration::ZERO,
        allow_insecure_http,
    };
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let (_, body) = get(client, &url, &settings).await?;
    jwks_uri_from_discovery(&body, issuer).map(|_| ())
}

/// Reads `jwks_uri` from a discovery document, checking its `issuer`.
pub fn jwks_uri_from_discovery(body: &[u8], issuer: &str) -> Result<String, String> {
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("discovery document is not JSON: {e}"))?;
    let found = doc.get("issuer").and_then(|v| v.as_str());
    if found != Some(issuer) {
        return Err(format!("discovery issuer {found:?} is not the configured issuer"));
    }
    doc.get("jwks_uri")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| "discovery document has no jwks_uri".to_owned())
}

fn is_json_content_type(value: Option<&str>) -> bool {
    let Some(value) = value else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence == "application/jwk-set+json"
}

fn check_scheme(uri: &http::Uri, settings: &IssuerSettings) -> Result<(), String> {
    match (uri.scheme_str(), uri.host()) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if settings.allow_insecure_http || crate::model::is_loopback_host(host) => Ok(()),
        _ => Err(format!("{uri} is not an https URL")),
    }
}

async fn get(client: &HttpClient, url: &str, settings: &IssuerSettings) -> Result<(Option<String>, Bytes), String> {
    let uri: http::Uri = url.parse().map_err(|_| format!("{url} is not a URL"))?;
    check_scheme(&uri, settings)?;
    let request = http::Request::get(uri)
        .header(http::header::ACCEPT, "application/json, application/jwk-set+json")
        .header(
            http::header::USER_AGENT,
            concat!("portcullis/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::new().map_err(|never| match never {}).boxed_unsync())
        .map_err(|e| e.to_string())?;
    let work = async {
        let response = client.request(request).await.map_err(|e| format!("{url}: {e}"))?;
        if response.status() != http::StatusCode::OK {
            return Err(format!("{url} answered {}", response.status()));
        }
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = Limited::new(response.into_body(), MAX_DOCUMENT_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    format!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes")
                } else {
                    format!("{url}: {e}")
                }
            })?;
        Ok((content_type, body.to_bytes()))
    };
    tokio::time::timeout(FETCH_TIMEOUT, work)
        .await
        .map_err(|_| format!("{url} did not answer within 1500 ms"))?
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn discovery_issuer_must_match_exactly() {
        let doc = br#"{"issuer":"https://idp.test/","jwks_uri":"https://idp.test/keys"}"#;
        assert!(jwks_uri_from_discovery(doc, "https://idp.test").is_err());
        assert_eq!(
            jwks_uri_from_discovery(doc, "https://idp.test/").unwrap(),
            "https://idp.test/keys"
        );
    }

    #[test]
    fn discovery_without_jwks_uri_or_not_json_is_refused() {
        assert!(jwks_uri_from_discovery(br#"{"issuer":"https://idp.test"}"#, "https://idp.test").is_err());
        assert!(jwks_uri_from_discovery(b"<html>", "https://idp.test").is_err());
    }

    #[test]
    fn accepts_both_json_content_types_only() {
        assert!(is_json_content_type(Some("application/json; charset=utf-8")));
        assert!(is_json_content_type(Some("application/jwk-set+json")));
        assert!(!is_json_content_type(Some("text/html")));
        assert!(!is_json_content_type(None));
    }
}
