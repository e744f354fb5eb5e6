//! The app's own small HTTP client, for issuer discovery, the token request and the calls to
//! the gateway. HTTP/1.1, plain or TLS (rustls with the aws-lc-rs provider and the platform's
//! root certificates, so a real Okta tenant or AWS HTTP API works too); it never follows
//! redirects.
//!
//! Invariants: every exchange (connect, request, whole response body) ends within the
//! client's timeout; bodies are capped at [`MAX_BODY`]; a failure says whether the peer could
//! not be reached at all ([`FetchError::Unreachable`]) or misbehaved ([`FetchError::Failed`]).
//!
//! May import: std, tokio, hyper, hyper-util, hyper-rustls, rustls, http-body-util, bytes.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The largest response body the app reads (discovery, tokens, the solar-system JSON).
pub const MAX_BODY: usize = 1024 * 1024;
/// The default time one exchange may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A whole response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

/// Why an exchange gave no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nothing answered: connection refused, unknown host, or no answer within the timeout.
    Unreachable(String),
    /// The peer answered but the exchange broke (bad HTTP, body too large, TLS failure…).
    Failed(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Unreachable(why) | FetchError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for FetchError {}

/// The client, cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose exchanges each end within `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let https = tls_builder().https_or_http().enable_http1().wrap_connector(http);
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        HttpClient { inner, timeout }
    }

    /// Sends `request` and reads the whole response.
    pub async fn send(&self, request: Request<Full<Bytes>>) -> Result<Fetched, FetchError> {
        let target = request.uri().to_string();
        let secs = self.timeout.as_secs_f32();
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Unreachable(format!(
                "{target} did not answer within {secs} s"
            ))),
        }
    }

    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<Fetched, FetchError> {
        let target = request.uri().to_string();
        let response = self.inner.request(request).await.map_err(|err| {
            let why = format!("{target}: {}", source_chain(&err));
            if err.is_connect() {
                FetchError::Unreachable(why)
            } else {
                FetchError::Failed(why)
            }
        })?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|err| FetchError::Failed(format!("{target}: reading the body: {err}")))?
            .to_bytes();
        Ok(Fetched {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// TLS with the platform's roots; without readable roots, https peers fail their handshakes
/// (and a warning says why) while plain http keeps working.
fn tls_builder() -> hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsSchemes> {
    match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(builder) => builder,
        Err(err) => {
            tracing::warn!(%err, "no platform root certificates: the test web app cannot reach https peers");
            let config = rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    }
}

/// An error and its causes on one line ("client error (Connect): tcp connect error: Connection
/// refused").
fn source_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
