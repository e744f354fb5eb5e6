//! Building the backend request and forwarding it (AWS §4.2–4.4, decision D15).
//!
//! Bodies stream both ways; the request body is capped at 10 MB (413 before any byte is sent
//! when `content-length` says so, a failed request when a chunked body passes the cap).
//! Timeouts answer 503 as AWS does; connection failures answer 502.

use std::sync::Arc;
use std::time::Instant;

use http::{Request, Response, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use super::body::ResponseBody;
use super::error::GatewayError;
use super::headers::{self, Forwarding};
use super::mapping::{self, BackendParts, MappingContext};
use super::snapshot::{CompiledIntegration, CompiledRoute, CompiledStage};
use super::{Connection, RequestFacts};
use crate::auth::{AuthError, Claims};
use crate::routing::NormalizedPath;
use crate::telemetry::{AccessLog, new_trace_id};

/// AWS's payload limit.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// What routing and authorization decided.
pub struct Prepared<'a> {
    /// The client connection.
    pub conn: Connection,
    /// The stage serving the request.
    pub stage: &'a Arc<CompiledStage>,
    /// The normalized request path (with any stage prefix).
    pub path: &'a NormalizedPath,
    /// The path without the stage prefix.
    pub route_path: &'a NormalizedPath,
    /// Path variables.
    pub params: &'a [(String, String)],
    /// The route.
    pub route: &'a CompiledRoute,
    /// The route's integration.
    pub integration: &'a CompiledIntegration,
    /// Validated claims, on authorized routes.
    pub claims: Option<&'a Claims>,
}

/// A backend request ready to go: what [`prepare`] built, for [`send`].
pub struct Ready {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Incoming,
    /// The one clock reading for the integration latency, the deadline and the pool's idle check.
    started: Instant,
    deadline: tokio::time::Instant,
}

/// Builds the backend request for the route's integration: everything before the first await,
/// so that the future [`send`] makes holds only what the exchange needs. The caller boxes that
/// future, to keep the request future hyper holds for each connection small, and builds it in
/// its box (`in_box`): built on the stack, all of it would be copied into the box on every
/// request (bench/README, "Instruction counts").
///
/// # Errors
/// 413 for a declared body over the limit; what the mappings and the target URI refuse.
pub fn prepare(prepared: Prepared<'_>, req: Request<Incoming>, facts: &RequestFacts) -> Result<Ready, GatewayError> {
    check_length(&req)?;
    let integration = prepared.integration;
    let (mut parts, body) = req.into_parts();
    // The whole path is text only for `$default` (appended to the target) and for mappings.
    let needs_path = prepared.route.is_default || !integration.mappings.is_empty();
    let full_path = needs_path.then(|| prepared.path.to_path_string());
    let full_path = full_path.as_deref().unwrap_or_default();
    let mut out = backend_parts(&prepared, &mut parts, full_path, facts)?;
    let append = prepared.route.is_default.then_some(full_path);
    let query = out.query.as_ref().map(|pairs| mapping::build_query(pairs));
    let client_query = query.as_deref().or(parts.uri.query());
    let mut uri = integration
        .uri
        .render(prepared.params, &prepared.stage.variables, append, client_query)
        .map_err(GatewayError::Internal)?;
    if let Some(path) = out.path.take() {
        uri = replace_path(&uri, &path)?;
    }
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    let trace = new_trace_id(facts.start_unix_ms);
    headers::to_backend(
        &mut out.headers,
        Forwarding {
            client: prepared.conn.client,
            local: prepared.conn.local,
            host: facts.host(),
            tls: prepared.conn.tls,
            backend_host: integration.uri.host_value(authority),
            trace_id: trace.as_str(),
            memo: &prepared.conn.state.forwarded,
        },
    );
    let method = backend_method(integration.method.as_ref(), &parts.method);
    // One clock reading for the integration latency, the deadline and the pool's idle check
    // (a helper future that awaited the timeout read it twice more).
    let started = Instant::now();
    // (A timeout past the end of time, which no configuration holds: 50 ms–30 s, would answer
    // 503 at once rather than panic.)
    let deadline = tokio::time::Instant::from_std(started.checked_add(integration.timeout).unwrap_or(started));
    Ok(Ready {
        method,
        uri,
        headers: out.headers,
        body,
        started,
        deadline,
    })
}

/// Sends a request [`prepare`]d for the route's integration and streams the answer back.
///
/// # Errors
/// 503 at the integration's timeout, 502 when the backend fails, 413 for a streamed body over
/// the limit.
///
/// A plain function returning an async block, not an `async fn`: an `async fn` keeps its
/// argument and the locals it is taken apart into side by side (the 280-byte [`Ready`] twice);
/// the block only moves the fields it uses out of the one it captures.
#[expect(clippy::manual_async_fn, reason = "an `async fn` would keep its argument twice")]
pub fn send<'a>(
    clients: Clients<'a>,
    ready: Ready,
    log: &'a mut AccessLog,
) -> impl Future<Output = Result<Response<ResponseBody>, GatewayError>> + use<'a> {
    async move {
        if ready.uri.scheme_str() == Some("http") {
            let outgoing = crate::upstream::Outgoing {
                method: &ready.method,
                uri: &ready.uri,
                headers: &ready.headers,
                body: Limited::new(ready.body, MAX_BODY_BYTES),
                now: ready.started,
            };
            let answer = tokio::time::timeout_at(ready.deadline, clients.upstream.send(outgoing)).await;
            return answered(answer, ready.started, log, ResponseBody::upstream);
        }
        let body = Limited::new(ready.body, MAX_BODY_BYTES)
            .map_err(|e| -> crate::client::BoxError { e })
            .boxed_unsync();
        let mut request = Request::new(body);
        *request.method_mut() = ready.method;
        *request.uri_mut() = ready.uri;
        *request.headers_mut() = ready.headers;
        let answer = tokio::time::timeout_at(ready.deadline, clients.tls.request(request)).await;
        answered(answer, ready.started, log, ResponseBody::streaming)
    }
}

/// The two backend clients: plain HTTP in the request's task, HTTPS through hyper-util's pool.
#[derive(Clone, Copy)]
pub struct Clients<'a> {
    /// `http://` integrations.
    pub upstream: &'a crate::upstream::Client,
    /// `https://` integrations.
    pub tls: &'a crate::client::HttpClient,
}

fn check_length(req: &Request<Incoming>) -> Result<(), GatewayError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(GatewayError::PayloadTooLarge),
        _ => Ok(()),
    }
}

/// The headers, query and path for the backend. Without mappings the client's header map is
/// moved, not copied; mappings read the client's headers as they arrived, so they get a copy.
fn backend_parts(
    prepared: &Prepared<'_>,
    parts: &mut http::request::Parts,
    full_path: &str,
    facts: &RequestFacts,
) -> Result<BackendParts, GatewayError> {
    let mappings = &prepared.integration.mappings;
    if mappings.is_empty() {
        return Ok(BackendParts {
            headers: std::mem::take(&mut parts.headers),
            query: None,
            path: None,
        });
    }
    let mut out = BackendParts {
        headers: parts.headers.clone(),
        query: None,
        path: None,
    };
    let route_path = prepared.route_path.to_path_string();
    let ctx = MappingContext {
        headers: &parts.headers,
        query: parts.uri.query(),
        path: &route_path,
        full_path,
        params: prepared.params,
        stage_variables: &prepared.stage.variables,
        claims: prepared.claims,
        facts,
    };
    mapping::apply(mappings, &ctx, &mut out).map_err(|e| mapping_error(e, prepared))?;
    Ok(out)
}

fn mapping_error(e: mapping::MappingError, prepared: &Prepared<'_>) -> GatewayError {
    match (&prepared.route.auth, e.from_claim) {
        (Some(auth), true) => GatewayError::Auth {
            error: AuthError::unsafe_claim(e.reason),
            scopes: auth.scopes.clone(),
            style: auth.style,
        },
        _ => GatewayError::BadRequest(e.reason),
    }
}

/// `integrationMethod`, except that a HEAD matched to a GET route stays a HEAD (decision D9).
fn backend_method(integration: Option<&http::Method>, client: &http::Method) -> http::Method {
    match integration {
        Some(m) if *m == http::Method::GET && *client == http::Method::HEAD => http::Method::HEAD,
        Some(m) => m.clone(),
        None => client.clone(),
    }
}

fn replace_path(uri: &http::Uri, path: &str) -> Result<http::Uri, GatewayError> {
    let mut parts = uri.clone().into_parts();
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    parts.path_and_query = Some(
        format!("{path}{query}")
            .parse()
            .map_err(|_| GatewayError::BadRequest("mapped path is invalid".to_owned()))?,
    );
    http::Uri::from_parts(parts).map_err(|e| GatewayError::Internal(e.to_string()))
}

/// Records the backend's answer (its head, within the integration's timeout, or none) in the
/// access log, and turns it into the client's response (or the gateway's error).
fn answered<B, E: std::error::Error + 'static>(
    result: Result<Result<Response<B>, E>, tokio::time::error::Elapsed>,
    started: Instant,
    log: &mut AccessLog,
    body: fn(B) -> ResponseBody,
) -> Result<Response<ResponseBody>, GatewayError> {
    log.integration_latency_ms = Some(started.elapsed().as_millis());
    let mut response = match result {
        Err(_) => return Err(GatewayError::IntegrationTimeout),
        Ok(Err(err)) => return Err(classify(&err)),
        Ok(Ok(response)) => response,
    };
    log.integration_status = Some(response.status().as_u16());
    headers::to_client(response.headers_mut());
    Ok(response.map(body))
}

fn classify(err: &(dyn std::error::Error + 'static)) -> GatewayError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
            return GatewayError::PayloadTooLarge;
        }
        source = e.source();
    }
    GatewayError::BadGateway(error_chain(err))
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
