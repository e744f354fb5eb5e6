//! The test web app of the reference scenario: Okta's "API Center" sample app, rebuilt. Bronze,
//! Silver and Gold panels sign in at the issuer for their tier's scopes (authorization-code flow
//! with state, nonce and PKCE), the page shows the decoded tokens, and the *show me …* buttons
//! call the gateway through this app's server with the session's access token.
//!
//! It talks HTTP only, like any user's app, so it works unchanged against a real Okta tenant and
//! a real AWS HTTP API (configured by the original sample app's variables, see [`config`]).
//!
//! | route | what it does |
//! |---|---|
//! | `GET /` | the page |
//! | `GET /login?tier=bronze\|silver\|gold` | starts a sign-in: 302 to the issuer's `authorization_endpoint` |
//! | `GET {REDIRECT_URI's path}` | the callback (`/authorization-code/callback` by default): code exchange, or the issuer's error, then 302 to `/` |
//! | `GET /api/{asteroids\|planets\|moons}` | calls `{GATEWAY_URI}/{name}`, answers `{status, outcome, body, www_authenticate}` |
//! | `GET /logout` | ends the session, then 302 to the issuer's `end_session_endpoint` (or `/`) |
//! | `GET /app.css`, `/app.js` | the assets |
//! | `GET /healthz` | `ok` (for a launcher waiting for the app) |
//!
//! Invariants: every response carries `Content-Security-Policy: default-src 'self';
//! frame-ancestors 'none'`, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`;
//! nothing here panics on input; tokens live only in the server-side session.
//!
//! May import: std, tokio, hyper, hyper-util, hyper-rustls, rustls, http, http-body-util, bytes,
//! serde, serde_json, base64, aws-lc-rs, tracing. Never the rest of the crate (gateway, issuer,
//! `crate::client`): the app is a stranger that speaks HTTP.

pub mod api;
pub mod assets;
pub mod client;
pub mod config;
pub mod form;
pub mod jwt;
pub mod oidc;
pub mod pages;
pub mod session;
mod signin;
pub mod tier;

#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub use config::{AppConfig, ConfigError};

use client::HttpClient;
use oidc::DiscoveryCache;
use session::Sessions;

/// The body of every response.
pub type Body = Full<Bytes>;

/// The `Content-Security-Policy` of every response: no inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'";

/// The test web app. Cheap to clone; [`WebApp::handle`] answers a request without sockets.
#[derive(Clone)]
pub struct WebApp {
    inner: Arc<Inner>,
}

struct Inner {
    config: AppConfig,
    sessions: Sessions,
    discovery: DiscoveryCache,
    client: HttpClient,
}

impl WebApp {
    /// The app for `config`; outbound calls (issuer, gateway) time out after 5 s.
    pub fn new(config: AppConfig) -> Self {
        Self::with_timeout(config, client::DEFAULT_TIMEOUT)
    }

    /// The app with another timeout for its outbound calls.
    pub fn with_timeout(config: AppConfig, timeout: Duration) -> Self {
        let sessions = Sessions::new(&config.session_secret, config.session_max_age, config.is_https());
        let discovery = DiscoveryCache::new(&config.issuer);
        let inner = Inner {
            sessions,
            discovery,
            client: HttpClient::new(timeout),
            config,
        };
        WebApp { inner: Arc::new(inner) }
    }

    /// The configuration in use.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// Answers one request (its body is ignored: every route is a GET).
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Body> {
        let mut response = self.route(request.method(), request.uri(), request.headers()).await;
        add_security_headers(response.headers_mut());
        response
    }

    async fn route(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response<Body> {
        if method != Method::GET && method != Method::HEAD {
            let mut response = html(
                StatusCode::METHOD_NOT_ALLOWED,
                pages::error_page("Method not allowed", "Use GET."),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let (path, query) = (uri.path(), uri.query().unwrap_or(""));
        let session = self.inner.sessions.id_from_headers(headers);
        match path {
            p if self.is_callback(p, query) => signin::callback(self, session, query).await,
            "/" => self.home(session),
            "/login" => signin::login(self, session, query).await,
            "/logout" => signin::logout(self, session).await,
            "/app.css" => asset("text/css; charset=utf-8", assets::CSS),
            "/app.js" => asset("text/javascript; charset=utf-8", assets::JS),
            "/healthz" => text(StatusCode::OK, "ok"),
            "/favicon.ico" => text(StatusCode::NO_CONTENT, ""),
            p => match p.strip_prefix("/api/") {
                Some(resource) => self.api(resource, session).await,
                None => html(
                    StatusCode::NOT_FOUND,
                    pages::error_page("Not found", &format!("Nothing at {p}.")),
                ),
            },
        }
    }

    /// The callback route is `REDIRECT_URI`'s path; when that is `/` (the original demo's
    /// `http://localhost:8080`), only requests carrying an OAuth answer are callbacks.
    fn is_callback(&self, path: &str, query: &str) -> bool {
        let callback = self.inner.config.callback_path();
        path == callback
            && (callback != "/" || ["code", "state", "error"].iter().any(|n| form::get(query, n).is_some()))
    }

    fn home(&self, session: Option<String>) -> Response<Body> {
        let session = session.and_then(|id| self.inner.sessions.get(&id, Instant::now()));
        html(StatusCode::OK, pages::home(&self.inner.config, session.as_ref()))
    }

    async fn api(&self, resource: &str, session: Option<String>) -> Response<Body> {
        if !tier::is_resource(resource) {
            let message = format!("no such resource: {resource} (try asteroids, planets or moons)");
            return json(StatusCode::NOT_FOUND, &serde_json::json!({ "message": message }));
        }
        let session = session.and_then(|id| self.inner.sessions.get(&id, Instant::now()));
        let token = session.and_then(|s| s.signed_in).map(|s| s.access_token);
        let answer = api::call_gateway(
            &self.inner.client,
            &self.inner.config.gateway_uri,
            resource,
            token.as_deref(),
        );
        json(StatusCode::OK, &answer.await)
    }

    /// Serves HTTP/1.1 on `listener` until `shutdown` completes, then lets open requests finish
    /// for up to a second.
    pub async fn serve_on(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> Result<(), String> {
        let address = listener
            .local_addr()
            .map_err(|err| format!("test web app listener: {err}"))?;
        tracing::info!(%address, issuer = %self.inner.config.issuer, "test web app listening");
        let (stop, stopped) = watch::channel(false);
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => drop(connections.spawn(serve_connection(self.clone(), stream, stopped.clone()))),
                    Err(err) => {
                        tracing::warn!(%err, "test web app: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        let _ = stop.send(true);
        let drain = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(1), drain).await.is_err() {
            connections.abort_all();
        }
        Ok(())
    }
}

/// Serves the test web app for `config` on `listener` (bound by the caller, who reports a taken
/// port) until `shutdown` completes.
///
/// ```no_run
/// # async fn demo() -> Result<(), String> {
/// use portcullis::demo::webapp::{AppConfig, serve};
/// let config = AppConfig::demo("http://localhost:8100/oauth2/default", "http://localhost:8000", 8080)
///     .map_err(|e| e.to_string())?;
/// let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await
///     .map_err(|e| format!("port 8080 (--app-port): {e}"))?;
/// serve(config, listener, async { let _ = tokio::signal::ctrl_c().await; }).await
/// # }
/// ```
pub async fn serve(config: AppConfig, listener: TcpListener, shutdown: impl Future<Output = ()>) -> Result<(), String> {
    WebApp::new(config).serve_on(listener, shutdown).await
}

async fn serve_connection(app: WebApp, stream: TcpStream, mut stop: watch::Receiver<bool>) {
    let service = service_fn(move |request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.handle(request).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(%err, "test web app: connection ended");
            }
        }
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

fn add_security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn html(status: StatusCode, page: String) -> Response<Body> {
    respond(status, "text/html; charset=utf-8", page)
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    respond(status, "text/plain; charset=utf-8", body)
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    respond(status, "application/json", body)
}

fn asset(content_type: &'static str, body: &'static str) -> Response<Body> {
    let mut response = respond(StatusCode::OK, content_type, body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A `302 Found` to `location`, with an optional `Set-Cookie`.
fn redirect(location: &str, cookie: Option<String>) -> Response<Body> {
    let Ok(value) = HeaderValue::from_str(location) else {
        let why = format!("cannot redirect to {location:?}: not a valid header value");
        return html(StatusCode::BAD_GATEWAY, pages::error_page("Bad redirect", &why));
    };
    let mut response = respond(StatusCode::FOUND, "text/plain; charset=utf-8", Bytes::new());
    response.headers_mut().insert(header::LOCATION, value);
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
