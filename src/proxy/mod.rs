//! The data plane: one request, in the order a reader expects (STYLE habit 7):
//! normalize → select API and stage → match route → (answer a CORS preflight) → throttle →
//! authorize → build the backend request → forward → respond. Every refusal is a `GatewayError`, turned into
//! AWS's response in one place (`error`); every response carries `apigw-requestid`, the API's
//! CORS headers when it has a `corsConfiguration` (`cors`), and produces one access-log line.
//!
//! May import: `crate::model`, `crate::routing`, `crate::auth`, `crate::jwks`, `crate::client`,
//! `crate::telemetry`, `crate::boxed`, hyper and friends. Never `crate::issuer` or `crate::demo`.

mod authorize;
mod body;
pub mod cors;
pub mod error;
mod forward;
pub mod headers;
pub mod mapping;
pub mod snapshot;
pub mod target;
pub mod throttle;

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use http::{HeaderName, HeaderValue, Request, Response};
use http_body::Body as _;
use hyper::body::Incoming;

pub use body::ResponseBody;
pub use error::GatewayError;
pub use snapshot::{Shared, Snapshot};
pub use throttle::Buckets;

use crate::boxed::in_box;
use crate::client::HttpClient;
pub use crate::conn::Connection;
use crate::model::{MethodSel, RouteKey};
use crate::routing::{NormalizedPath, normalize};
use crate::telemetry::{AccessLog, RequestId, new_request_id};
use snapshot::{CompiledApi, CompiledRoute, CompiledStage};

/// Shared state of the data plane: the live snapshot and the backend client.
pub struct DataPlane {
    /// Swapped atomically on every configuration change.
    pub snapshot: ArcSwap<Snapshot>,
    /// Pooled client for HTTPS backends.
    pub client: HttpClient,
    /// Pooled client for plain-HTTP backends.
    pub upstream: crate::upstream::Client,
}

/// Facts about one request, for `$context` variables and the access log. Built for every
/// request, so it borrows what it can: the header values share the request's buffer, and the
/// API, stage and route start as one shared placeholder.
pub struct RequestFacts {
    /// `apigw-requestid`.
    pub request_id: RequestId,
    /// The client's method.
    pub method: http::Method,
    /// The TCP peer.
    pub client: SocketAddr,
    /// `Host` (or `:authority`), when it is visible ASCII.
    pub host: Option<HeaderValue>,
    /// `User-Agent`, when it is visible ASCII.
    pub user_agent: Option<HeaderValue>,
    /// Always `HTTP/1.1`, as AWS reports it.
    pub protocol: &'static str,
    /// Arrival time, Unix milliseconds.
    pub start_unix_ms: u128,
    /// Arrival, monotonic.
    pub start: Instant,
    /// The API that served it.
    pub api_id: Arc<str>,
    /// The stage.
    pub stage: Arc<str>,
    /// The matched route key.
    pub route_key: Arc<str>,
    /// The stage's access-log format, once the stage is known.
    pub log_format: Option<Arc<crate::model::AccessLogFormat>>,
}

impl RequestFacts {
    fn new<B>(req: &Request<B>, conn: &Connection) -> Self {
        let text = |v: &HeaderValue| v.to_str().is_ok();
        let header = |name: http::header::HeaderName| req.headers().get(name).filter(|v| text(v)).cloned();
        let host = match req.uri().authority() {
            Some(authority) => HeaderValue::from_str(authority.as_str()).ok(),
            None => header(http::header::HOST),
        };
        Self {
            request_id: new_request_id(),
            method: req.method().clone(),
            client: conn.client,
            host,
            user_agent: header(http::header::USER_AGENT),
            protocol: "HTTP/1.1",
            start_unix_ms: crate::telemetry::unix_ms(),
            start: Instant::now(),
            api_id: unknown(),
            stage: unknown(),
            route_key: unknown(),
            log_format: None,
        }
    }

    /// `Host` (or `:authority`) as text.
    pub fn host(&self) -> Option<&str> {
        self.host.as_ref().and_then(|v| v.to_str().ok())
    }

    /// `User-Agent` as text.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_ref().and_then(|v| v.to_str().ok())
    }
}

/// `-`, what AWS logs for an API, stage or route not (yet) known: one shared string, so a
/// request does not allocate three copies of it.
fn unknown() -> Arc<str> {
    static DASH: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from("-"));
    Arc::clone(&DASH)
}

/// The header every answer carries (AWS's request id).
static REQUEST_ID: HeaderName = HeaderName::from_static("apigw-requestid");

/// Serves one request. Never fails: every error becomes a response.
///
/// An `async` block rather than an `async fn`, here and in `serve`: an `async fn` keeps each
/// argument twice in its future (as captured and as a local), and this future is built, moved
/// into the connection's slot, and kept there for every request.
#[expect(clippy::manual_async_fn, reason = "an `async fn` would keep its arguments twice")]
pub fn handle(
    plane: Arc<DataPlane>,
    conn: Connection,
    req: Request<Incoming>,
) -> impl Future<Output = Result<Response<ResponseBody>, Infallible>> {
    async move {
        let snapshot = plane.snapshot.load_full();
        let mut facts = RequestFacts::new(&req, &conn);
        let mut log = AccessLog::default();
        // Looked up once: the CORS policy decorates whatever `serve` answers, errors included.
        let api = snapshot.api_for_host(facts.host());
        let cors = api.and_then(|api| api.cors.as_ref());
        let origin = cors::origin(req.headers());
        let clients = forward::Clients {
            upstream: &plane.upstream,
            tls: &plane.client,
        };
        let result = serve(api, clients, conn, req, &mut facts, &mut log).await;
        let (mut response, is_preflight_answer) = match result {
            Ok(Answer::Preflight(response)) => (response, true),
            Ok(Answer::Backend(response)) => (response, false),
            Err(err) => {
                if let GatewayError::Auth { error, .. } = &err {
                    tracing::debug!(reason = ?error.reason, detail = %error.detail, "request refused: {error}");
                }
                log.record_error(&err);
                (err.into_response().map(ResponseBody::full), false)
            }
        };
        // The backend's answers and the gateway's own errors alike (browsers can read a 401 only
        // with CORS headers); the preflight answer already has its own.
        if let (Some(cors), false) = (cors, is_preflight_answer) {
            cors.decorate(origin.as_ref(), response.headers_mut());
        }
        if let Ok(id) = HeaderValue::from_bytes(facts.request_id.as_bytes()) {
            response.headers_mut().insert(REQUEST_ID.clone(), id);
        }
        // With the access log off there is no line to write when the body ends, so the response
        // carries none (the facts and the log record end here).
        if !crate::telemetry::access_log_enabled() {
            return Ok(response);
        }
        log.status = response.status().as_u16();
        Ok(response.map(|body| body.logged(log.finish(facts))))
    }
}

/// What `serve` answered with.
enum Answer {
    /// The backend's response, still to be finished with the API's CORS headers.
    Backend(Response<ResponseBody>),
    /// The gateway's own answer to a CORS preflight, complete as it is.
    Preflight(Response<ResponseBody>),
}

#[expect(clippy::manual_async_fn, reason = "as `handle`")]
fn serve<'a>(
    api: Option<&'a CompiledApi>,
    clients: forward::Clients<'a>,
    conn: Connection,
    req: Request<Incoming>,
    facts: &'a mut RequestFacts,
    log: &'a mut AccessLog,
) -> impl Future<Output = Result<Answer, GatewayError>> + 'a {
    async move {
        check_host(&req)?;
        check_framing(&req)?;
        let path = normalize(req.uri().path()).map_err(|e| GatewayError::BadRequest(e.to_string()))?;
        let api = api.ok_or(GatewayError::NotFound)?;
        if api.endpoint_disabled {
            facts.api_id = api.api_id.clone();
            return Err(GatewayError::EndpointDisabled);
        }
        let (stage, route_path) = select_stage(api, &path)?;
        facts.api_id = api.api_id.clone();
        facts.stage = stage.name.clone();
        facts.log_format = stage.access_log.clone();
        let found = stage.table.find(req.method(), &route_path);
        if let Some(preflight) = answer_preflight(api, &req, found.as_ref().map(|f| f.key)) {
            return Ok(Answer::Preflight(preflight.map(ResponseBody::full)));
        }
        let found = found.ok_or(GatewayError::NotFound)?;
        let route: &CompiledRoute = found.value;
        facts.route_key = route.route_key.clone();
        // Before the authorizer, so a flood of bad tokens spends the bucket, not the key checks
        // (docs/compat.md, "Throttling").
        if !stage.admits(route, facts.start) {
            return Err(GatewayError::TooManyRequests);
        }
        // A route created through the admin API without a target yet serves nothing.
        let integration = route.integration.as_deref().ok_or(GatewayError::NotFound)?;
        let claims = match &route.auth {
            Some(auth) => Some(authorize::authorize(auth, &req, &conn.state.strikes, log).await?),
            None => None,
        };
        let request = forward::Prepared {
            conn,
            stage,
            path: &path,
            route_path: &route_path,
            params: &found.params,
            route,
            integration,
            claims: claims.as_deref(),
        };
        let ready = forward::prepare(request, req, facts)?;
        in_box(|| forward::send(clients, ready, log)).await.map(Answer::Backend)
    }
}

/// The gateway answers a CORS preflight itself, before any authorizer, when the API has a
/// CORS configuration and the route AWS would pick for `OPTIONS <path>` is not an `OPTIONS`
/// route: `ANY` routes and `$default` never capture preflights (docs/compat.md, "CORS").
fn answer_preflight(
    api: &CompiledApi,
    req: &Request<Incoming>,
    route: Option<&RouteKey>,
) -> Option<Response<bytes::Bytes>> {
    let policy = api.cors.as_ref()?;
    let has_body = !req.body().is_end_stream();
    if !cors::is_preflight(req.method(), req.headers(), has_body) {
        return None;
    }
    let claimed = route.is_some_and(|key| key.method() == Some(MethodSel::Options));
    (!claimed).then(|| policy.preflight(req.headers()))
}

/// Message framing must be unambiguous (RFC 9112 §6; security cases G-S01, G-S03): a
/// `transfer-encoding` other than exactly one `chunked`, or one together with
/// `content-length`, is refused even where the HTTP parser could pick a reading.
fn check_framing<B>(req: &Request<B>) -> Result<(), GatewayError> {
    let headers = req.headers();
    let encodings: Vec<&[u8]> = headers
        .get_all(http::header::TRANSFER_ENCODING)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    let ambiguous = match encodings.as_slice() {
        [] => false,
        [only] => !only.eq_ignore_ascii_case(b"chunked") || headers.contains_key(http::header::CONTENT_LENGTH),
        _ => true,
    };
    if ambiguous {
        return Err(GatewayError::BadRequest("ambiguous message framing".to_owned()));
    }
    Ok(())
}

/// A request must name exactly one host (RFC 9112 §3.2; security case G-H05).
fn check_host<B>(req: &Request<B>) -> Result<(), GatewayError> {
    let hosts = req.headers().get_all(http::header::HOST).iter().count();
    let http11 = req.version() == http::Version::HTTP_11;
    if hosts > 1 || (http11 && hosts == 0 && req.uri().authority().is_none()) {
        return Err(GatewayError::BadRequest("missing or repeated Host header".to_owned()));
    }
    let host = req.headers().get(http::header::HOST).map(|h| h.as_bytes());
    let authority = req.uri().authority().map(|a| a.as_str().as_bytes());
    if req.version() == http::Version::HTTP_2
        && matches!((host, authority), (Some(h), Some(a)) if !h.eq_ignore_ascii_case(a))
    {
        return Err(GatewayError::BadRequest(":authority and host disagree".to_owned()));
    }
    Ok(())
}

/// Named stages take the first path segment; everything else is the `$default` stage's.
/// The `$default` stage routes the path as it is, borrowed.
fn select_stage<'a, 'p>(
    api: &'a CompiledApi,
    path: &'p NormalizedPath,
) -> Result<(&'a Arc<CompiledStage>, Cow<'p, NormalizedPath>), GatewayError> {
    if let Some(stage) = path.first_segment().and_then(|first| api.named_stages.get(first)) {
        return Ok((stage, Cow::Owned(path.without_first_segment())));
    }
    let stage = api.default_stage.as_ref().ok_or(GatewayError::NotFound)?;
    Ok((stage, Cow::Borrowed(path)))
}
