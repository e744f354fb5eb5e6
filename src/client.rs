//! The one outbound HTTP client: backends (HTTP proxy integrations) and issuer discovery/JWKS.
//!
//! HTTP/1.1 with pooled keep-alive connections, plain or TLS (rustls with the aws-lc-rs
//! provider, the platform's root certificates). It never follows redirects.
//!
//! May import: std, hyper, hyper-util, hyper-rustls, rustls, bytes.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The body type sent to backends: anything that yields bytes.
pub type OutBody = UnsyncBoxBody<Bytes, BoxError>;
/// A boxed error for bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The shared client.
pub type HttpClient = Client<HttpsConnector<HttpConnector>, OutBody>;

/// Builds the client. Without readable platform roots, HTTPS backends fail their handshakes
/// (and a warning says why) while plain HTTP keeps working.
pub fn build() -> HttpClient {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        Err(err) => {
            tracing::warn!(%err, "no platform root certificates: https backends and issuers will fail");
            let config = rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    let https = builder.https_or_http().enable_http1().wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(https)
}
