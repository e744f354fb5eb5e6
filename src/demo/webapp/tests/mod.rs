//! Tests of the whole app against stand-ins on `127.0.0.1:0`: a fake issuer (discovery, token
//! endpoint, logout) and a fake gateway that answers like an AWS HTTP API with a JWT authorizer
//! (401 without a token, 403 without the route's scope). No other network.
//!
//! Each stand-in is a tiny hyper server driven by a plain function of the request.

mod api;
mod fakes;
mod flow;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::{Body, WebApp};

/// What a stand-in server does with one request (its body already read).
pub(super) type Handler = Arc<dyn Fn(Parts, Bytes) -> Response<Full<Bytes>> + Send + Sync>;

/// A test's error: anything, with a message.
pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Starts a stand-in server on 127.0.0.1:0; it lives as long as the test's runtime.
pub(super) async fn spawn(handler: Handler) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    spawn_on(listener, handler)
}

/// Serves `handler` on a listener the test bound itself (to know its address first).
pub(super) fn spawn_on(listener: TcpListener, handler: Handler) -> std::io::Result<SocketAddr> {
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            let service = service_fn(move |request: Request<Incoming>| {
                let handler = handler.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    Ok::<_, Infallible>(handler(parts, body))
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    Ok(address)
}

/// An address where nothing listens (bound, then released).
pub(super) async fn closed_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    listener.local_addr()
}

/// `GET path` through the app, with the session cookie if any.
pub(super) async fn get(app: &WebApp, path: &str, cookie: Option<&str>) -> Result<Response<Body>, http::Error> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    Ok(app.handle(request.body(())?).await)
}

/// The `name=value` part of a response's `Set-Cookie`, if any.
pub(super) fn cookie_of(response: &Response<Body>) -> Option<String> {
    let value = response.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    value.split(';').next().map(str::to_owned)
}

/// A response's `Location`.
pub(super) fn location_of(response: &Response<Body>) -> String {
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok());
    location.unwrap_or_default().to_owned()
}

/// A response's body as text.
pub(super) async fn text_of(response: Response<Body>) -> String {
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A JSON response with `status`.
pub(super) fn json_response(status: u16, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
