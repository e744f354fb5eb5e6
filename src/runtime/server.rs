//! The listener: accepts connections (plain or TLS), speaks HTTP/1.1 and HTTP/2 (h2c with
//! prior knowledge, or ALPN `h2` over TLS), enforces AWS's header limits, and drains
//! connections on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::convert::Infallible;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::conn::Connection;

/// AWS: request line plus headers at most 10 240 bytes.
const MAX_HEAD_BYTES: usize = 10_240;
const MAX_HEADERS: usize = 100;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound listener.
pub struct Listener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
}

impl Listener {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.tcp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Whether connections are TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }
}

/// Binds `addr`; the error names the address.
pub async fn bind(addr: SocketAddr, tls: Option<TlsAcceptor>) -> Result<Listener, String> {
    let tcp = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    Ok(Listener { tcp, tls })
}

fn http_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        .max_headers(MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(MAX_HEAD_BYTES * 2).unwrap_or(u32::MAX))
        .max_concurrent_streams(256);
    builder
}

/// Serves until `shutdown` completes, then drains open connections. `handler` answers each
/// request; it is called with the facts of the connection the request came on.
pub async fn run<F, Fut, B>(listener: Listener, handler: F, shutdown: impl Future<Output = ()>) -> Result<(), String>
where
    F: Fn(Connection, Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<B>, Infallible>> + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let builder = Arc::new(http_builder());
    let graceful = GracefulShutdown::new();
    let local = listener.local_addr();
    tokio::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.tcp.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let conn = Connection::new(client, stream.local_addr().unwrap_or(local), listener.tls.is_some());
        let handler = handler.clone();
        let service = service_fn(move |req| handler(conn.clone(), req));
        match &listener.tls {
            None => {
                let fut = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                spawn_watched(&graceful, fut);
            }
            Some(acceptor) => {
                let (acceptor, builder) = (acceptor.clone(), builder.clone());
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await else {
                        return;
                    };
                    let fut = builder.serve_connection(TokioIo::new(tls), service).into_owned();
                    let _ = watcher.watch(fut).await;
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections were still open after 10 s; closing them");
    }
    Ok(())
}

fn spawn_watched<F>(graceful: &GracefulShutdown, fut: F)
where
    F: hyper_util::server::graceful::GracefulConnection + Send + 'static,
    F::Error: std::fmt::Display,
{
    let fut = graceful.watch(fut);
    tokio::spawn(async move {
        if let Err(err) = fut.await {
            tracing::debug!(%err, "connection ended with an error");
        }
    });
}
