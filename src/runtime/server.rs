//! The listener: accepts connections (plain or TLS), speaks HTTP/1.1 and HTTP/2 (h2c with
//! prior knowledge, or ALPN `h2` over TLS), enforces AWS's header limits, gives a request up
//! when its client hangs up (on plaintext HTTP/1 through [`hangup`](super::hangup)), and drains
//! connections on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
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

use super::hangup::SharedTcp;
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

/// The HTTP/1 settings of both builders, written once: hyper's HTTP/1-only builder and the
/// automatic builder's HTTP/1 half are different types with the same setters. Among them, a
/// response is written flattened into one buffer, not as a vectored write of its head and body
/// chunks ([`VECTORED_WRITES`]).
macro_rules! with_http1_settings {
    ($builder:expr) => {
        $builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES.max(8192))
            .max_headers(MAX_HEADERS)
            .writev(VECTORED_WRITES)
    };
}

/// HTTP/1 only, for plaintext connections that do not open with the HTTP/2 preface: the
/// automatic builder's HTTP/1 settings, in a smaller connection state (about 3 KiB less per
/// idle connection than the automatic one, measured). One more: `half_close`, because on these
/// connections hang-ups are noticed by [`hangup`](super::hangup), not by hyper's read-ahead.
fn http1_builder() -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    with_http1_settings!(builder).half_close(true);
    builder
}

/// `writev(false)` on every HTTP/1 connection: hyper copies each response's head and body into
/// one buffer and writes that, instead of queueing the body's chunks behind the head for a
/// vectored write. Measured (bench/README, "Flattened writes"): ~380–500 fewer instructions a
/// request with the benchmark's 297-byte body, and less CPU a response with a 1 MiB body too,
/// so no response size was found worse off (plaintext; over TLS, not measured here, hyper's docs
/// name flattening the better choice for most TLS implementations). hyper's own default
/// guesses from the transport.
const VECTORED_WRITES: bool = false;

/// The HTTP/2 connection preface (RFC 9113 §3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether a plaintext connection's first bytes (peeked, not consumed) rule out HTTP/2 with
/// prior knowledge: `Some(true)` HTTP/1, `Some(false)` maybe HTTP/2 (the preface, or a prefix
/// of it so far), `None` closed or silent past the header timeout.
async fn is_http1(stream: &tokio::net::TcpStream) -> Option<bool> {
    let mut first = [0u8; 24];
    let n = tokio::time::timeout(HEADER_READ_TIMEOUT, stream.peek(&mut first))
        .await
        .ok()?
        .ok()?;
    match first.get(..n) {
        None | Some([]) => None,
        Some(seen) => Some(!H2_PREFACE.starts_with(seen)),
    }
}

fn http_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    with_http1_settings!(builder.http1());
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
    let http1 = Arc::new(http1_builder());
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
        let state = conn.state.clone();
        let answer = move |req| {
            conn.state.requested.store(true, Ordering::Relaxed);
            handler(conn.clone(), req)
        };
        match &listener.tls {
            None => {
                // Sniffed in the connection's own task, never in the accept loop. HTTP/2 (rare
                // in plaintext) keeps the automatic builder, boxed so that the HTTP/1 task stays
                // small.
                let (builder, http1, watcher) = (builder.clone(), http1.clone(), graceful.watcher());
                tokio::spawn(async move {
                    let ended = match is_http1(&stream).await {
                        None => return,
                        Some(true) => {
                            let io = SharedTcp::new(stream);
                            let socket = io.clone();
                            let service = service_fn(move |req: Request<Incoming>| {
                                socket.until_hang_up(!http_body::Body::is_end_stream(req.body()), answer(req))
                            });
                            let h1 = http1.serve_connection(TokioIo::new(io), service);
                            watcher.watch(h1).await.map_err(|e| e.to_string())
                        }
                        Some(false) => {
                            let service = service_fn(answer);
                            let auto = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                            let first = first_request_in_time(Box::pin(watcher.watch(auto)), &state);
                            first.await.map_err(|e| e.to_string())
                        }
                    };
                    if let Err(err) = ended {
                        tracing::debug!(%err, "connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                let (acceptor, builder) = (acceptor.clone(), builder.clone());
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await else {
                        return;
                    };
                    let fut = builder
                        .serve_connection(TokioIo::new(tls), service_fn(answer))
                        .into_owned();
                    let _ = first_request_in_time(watcher.watch(fut), &state).await;
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

/// Serves a connection of the automatic builder, or closes it (by dropping it) when no request
/// has arrived within [`HEADER_READ_TIMEOUT`] of the call. hyper's header timer starts only once
/// the builder has read enough bytes to choose HTTP/1, and HTTP/2 has none, so without this a
/// client stalled inside the HTTP/2 preface, or silent after a TLS handshake, would hold its
/// connection for ever (security case G-H10). The HTTP/1-only builder needs none of it.
async fn first_request_in_time<F, T>(
    connection: F,
    state: &crate::conn::ConnectionState,
) -> Result<T, Box<dyn std::error::Error + Send + Sync>>
where
    F: Future<Output = Result<T, Box<dyn std::error::Error + Send + Sync>>>,
{
    tokio::pin!(connection);
    tokio::select! {
        ended = &mut connection => return ended,
        () = tokio::time::sleep(HEADER_READ_TIMEOUT) => {}
    }
    if !state.requested.load(Ordering::Relaxed) {
        return Err("no request within the header read timeout".into());
    }
    connection.await
}

/// [`run`] on `workers` threads of their own, each a current-thread runtime accepting from the
/// same listening socket: a connection stays on the thread that accepted it, with its
/// backend connections (the backend pool is per thread, `upstream::pool`), so no request
/// pays for the work-stealing scheduler's queues, atomics and cross-thread wake-ups. Whichever
/// thread is idle accepts next. Returns when every thread has drained after `shutdown`.
pub async fn run_on_workers<F, Fut, B>(
    workers: usize,
    listener: Listener,
    handler: F,
    shutdown: super::Shutdown,
) -> Result<(), String>
where
    F: Fn(Connection, Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<B>, Infallible>> + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let Listener { tcp, tls } = listener;
    let shared = tcp.into_std().map_err(|e| format!("cannot share the listener: {e}"))?;
    let mut finished = Vec::with_capacity(workers);
    for index in 0..workers {
        let tcp = shared
            .try_clone()
            .map_err(|e| format!("cannot share the listener: {e}"))?;
        let (tls, handler, shutdown) = (tls.clone(), handler.clone(), shutdown.clone());
        let (done, finish) = tokio::sync::oneshot::channel();
        let worker = move || {
            let served = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start worker {index}: {e}"))
                .and_then(|runtime| {
                    runtime.block_on(async move {
                        let tcp = TcpListener::from_std(tcp).map_err(|e| format!("worker {index}: {e}"))?;
                        run(Listener { tcp, tls }, handler, super::stopped(shutdown)).await
                    })
                });
            let _ = done.send(served);
        };
        std::thread::Builder::new()
            .name(format!("portcullis-w{index}"))
            .spawn(worker)
            .map_err(|e| format!("cannot start worker {index}: {e}"))?;
        finished.push(finish);
    }
    drop(shared);
    let mut result = Ok(());
    for finish in finished {
        let served = finish.await.unwrap_or_else(|_| Err("a worker thread died".to_owned()));
        result = result.and(served);
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use tokio::io::AsyncWriteExt as _;

    use super::super::test_support::{Dropped, next_report};
    use super::*;

    #[test]
    fn both_builders_speak_http1_with_the_same_settings_and_write_flattened() {
        // hyper shows a builder's settings only through `Debug`. The automatic builder's shows
        // its HTTP/1 half as the HTTP/1-only builder's own, so every setting must agree but
        // `half_close`: the HTTP/1-only builder's connections notice hang-ups themselves.
        let (http1, auto) = (format!("{:?}", http1_builder()), format!("{:?}", http_builder()));
        assert!(http1.contains("h1_half_close: true"), "{http1}");
        assert!(auto.contains("h1_half_close: false"), "{auto}");
        let same = http1.replace("h1_half_close: true", "h1_half_close: false");
        assert!(auto.contains(&same), "{same}\nnot in\n{auto}");
        // A flattened write and a vectored one put the same bytes on the wire, so the setting is
        // what tells them apart; the CPU it saves is bench/callgrind's to count.
        assert!(http1.contains("h1_writev: Some(false)"), "{http1}");
    }

    /// What `is_http1` says about a connection whose client sent `first` (then closed).
    async fn sniffed(first: &[u8]) -> Option<bool> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(first).await.unwrap();
        client.shutdown().await.unwrap();
        let verdict = is_http1(&server).await;
        let mut rest = Vec::new();
        let n = tokio::io::AsyncReadExt::read_to_end(&mut TokioIo::new(server).into_inner(), &mut rest)
            .await
            .unwrap();
        assert_eq!(n, first.len(), "sniffing must not consume the bytes");
        verdict
    }

    /// A gateway-less server on [`run`] that answers every request with an empty 200.
    async fn serving() -> SocketAddr {
        let listener = bind("127.0.0.1:0".parse().unwrap(), None).await.unwrap();
        let addr = listener.local_addr();
        let answer = |_: Connection, _: Request<Incoming>| async {
            Ok::<_, Infallible>(Response::new(http_body_util::Empty::<bytes::Bytes>::new()))
        };
        tokio::spawn(run(listener, answer, std::future::pending()));
        addr
    }

    /// Reads one response head (the answers here have no body).
    async fn response_head(stream: &mut tokio::net::TcpStream) -> String {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            let n = tokio::io::AsyncReadExt::read(stream, &mut byte).await.unwrap();
            assert_eq!(n, 1, "closed after {:?}", String::from_utf8_lossy(&head));
            head.push(byte[0]);
        }
        String::from_utf8(head).unwrap()
    }

    /// How long (on the test's paused clock) until the server closes `stream`, and whether it
    /// sent anything first.
    async fn time_to_close(stream: &mut tokio::net::TcpStream) -> (Duration, Vec<u8>) {
        let start = tokio::time::Instant::now();
        let mut rest = Vec::new();
        let read = tokio::io::AsyncReadExt::read_to_end(stream, &mut rest);
        let closed = tokio::time::timeout(HEADER_READ_TIMEOUT * 6, read).await;
        assert!(closed.is_ok(), "still open after {:?}", start.elapsed());
        (start.elapsed(), rest)
    }

    // Security case G-H10 (slowloris): a head that never ends costs a connection for
    // HEADER_READ_TIMEOUT, not for ever. The clock is tokio's paused one.
    #[tokio::test(start_paused = true)]
    async fn a_head_unfinished_within_the_timeout_closes_the_connection() {
        let addr = serving().await;
        let mut first = tokio::net::TcpStream::connect(addr).await.unwrap();
        first
            .write_all(b"GET / HTTP/1.1\r\nhost: a\r\nx-slow: 1")
            .await
            .unwrap();
        let (waited, sent) = time_to_close(&mut first).await;
        assert!(sent.is_empty(), "{:?}", String::from_utf8_lossy(&sent));
        assert!(
            waited >= HEADER_READ_TIMEOUT && waited < HEADER_READ_TIMEOUT + Duration::from_secs(1),
            "{waited:?}"
        );

        // The same on a kept-alive connection: the timer starts again for each head.
        let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
        kept.write_all(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n").await.unwrap();
        assert!(response_head(&mut kept).await.starts_with("HTTP/1.1 200"));
        tokio::time::sleep(HEADER_READ_TIMEOUT * 3).await;
        kept.write_all(b"GET / HTTP/1.1\r\nhost: a\r\n").await.unwrap();
        let (waited, sent) = time_to_close(&mut kept).await;
        assert!(sent.is_empty(), "{:?}", String::from_utf8_lossy(&sent));
        assert!(waited < HEADER_READ_TIMEOUT + Duration::from_secs(1), "{waited:?}");
    }

    // The same for a connection that goes to the automatic (HTTP/1 or HTTP/2) builder: one
    // whose first bytes could still be the HTTP/2 preface ("P"), then nothing more.
    #[tokio::test(start_paused = true)]
    async fn a_connection_stalled_inside_the_http2_preface_is_closed() {
        let addr = serving().await;
        let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
        stalled.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
        let (waited, _) = time_to_close(&mut stalled).await;
        assert!(waited < HEADER_READ_TIMEOUT + Duration::from_secs(1), "{waited:?}");
    }

    /// A TLS listener (a fresh self-signed certificate for `localhost`), and a connector that
    /// trusts it.
    async fn tls_listener() -> (Listener, tokio_rustls::TlsConnector) {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
        let server = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.der().clone()], key)
            .unwrap();
        let listener = bind(
            "127.0.0.1:0".parse().unwrap(),
            Some(TlsAcceptor::from(Arc::new(server))),
        )
        .await
        .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert.cert.der().clone()).unwrap();
        let client = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        (listener, tokio_rustls::TlsConnector::from(Arc::new(client)))
    }

    async fn tls_connect(
        addr: SocketAddr,
        connector: &tokio_rustls::TlsConnector,
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        connector.connect(name, tcp).await.unwrap()
    }

    // And for a TLS connection whose client completes the handshake, then sends nothing.
    #[tokio::test(start_paused = true)]
    async fn a_tls_connection_silent_after_the_handshake_is_closed() {
        let (listener, connector) = tls_listener().await;
        let addr = listener.local_addr();
        let answer = |_: Connection, _: Request<Incoming>| async {
            Ok::<_, Infallible>(Response::new(http_body_util::Empty::<bytes::Bytes>::new()))
        };
        tokio::spawn(run(listener, answer, std::future::pending()));

        let mut tls = tls_connect(addr, &connector).await;
        let start = tokio::time::Instant::now();
        let mut rest = Vec::new();
        let read = tokio::io::AsyncReadExt::read_to_end(&mut tls, &mut rest);
        // A close without close_notify is an error to rustls; either way the connection ended.
        let ended = tokio::time::timeout(HEADER_READ_TIMEOUT * 6, read).await;
        assert!(ended.is_ok(), "still open after {:?}", start.elapsed());
        assert!(rest.is_empty());
        assert!(
            start.elapsed() < HEADER_READ_TIMEOUT + Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    /// Serves `listener` with a handler that reports `"started"` and never answers, its future
    /// reporting `"dropped"` when it goes; returns the reports.
    fn serve_never_answering(listener: Listener) -> tokio::sync::mpsc::UnboundedReceiver<&'static str> {
        let (report, reports) = tokio::sync::mpsc::unbounded_channel();
        let answer = move |_: Connection, _: Request<Incoming>| {
            let dropped = Dropped(report.clone());
            let _ = report.send("started");
            async move {
                let _dropped = dropped;
                std::future::pending::<Result<Response<http_body_util::Empty<bytes::Bytes>>, Infallible>>().await
            }
        };
        tokio::spawn(run(listener, answer, std::future::pending()));
        reports
    }

    // Over TLS, hyper's own read-ahead notices a hang-up (`half_close` off on the automatic
    // builder; plaintext HTTP/1 has `hangup`'s watch instead, tested there): the request's
    // future, which would never answer, is dropped.
    #[tokio::test]
    async fn a_tls_client_that_hangs_up_ends_its_request() {
        let (listener, connector) = tls_listener().await;
        let addr = listener.local_addr();
        let mut reports = serve_never_answering(listener);

        let mut tls = tls_connect(addr, &connector).await;
        tls.write_all(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n").await.unwrap();
        assert_eq!(next_report(&mut reports).await, "started");
        drop(tls);
        assert_eq!(next_report(&mut reports).await, "dropped");
    }

    // So does hyper's HTTP/2 (prior knowledge here, on the automatic builder): the end of the
    // client's connection ends the requests on it (docs/compat.md, "client hangs up").
    #[tokio::test]
    async fn an_http2_client_that_hangs_up_ends_its_request() {
        use std::os::fd::AsFd as _;

        let listener = bind("127.0.0.1:0".parse().unwrap(), None).await.unwrap();
        let addr = listener.local_addr();
        let mut reports = serve_never_answering(listener);

        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        // hyper's client keeps its socket in a task of its own, so the test hangs up through a
        // second descriptor of the same socket.
        let socket = std::net::TcpStream::from(stream.as_fd().try_clone_to_owned().unwrap());
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let request = Request::get("http://a/")
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        // The response is left waiting: dropping it would reset its stream, which ends the
        // request without any hang-up.
        let _response = tokio::spawn(sender.send_request(request));
        assert_eq!(next_report(&mut reports).await, "started");
        socket.shutdown(std::net::Shutdown::Both).unwrap();
        assert_eq!(next_report(&mut reports).await, "dropped");
    }

    // A prior-knowledge HTTP/2 connection that made its first request in time is not closed
    // by that deadline, however long it then stays quiet.
    #[tokio::test(start_paused = true)]
    async fn an_http2_connection_with_a_request_in_time_stays_open() {
        let addr = serving().await;
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let request = || {
            Request::get("http://a/")
                .body(http_body_util::Empty::<bytes::Bytes>::new())
                .unwrap()
        };
        assert_eq!(sender.send_request(request()).await.unwrap().status(), 200);
        tokio::time::sleep(HEADER_READ_TIMEOUT * 3).await;
        assert_eq!(sender.send_request(request()).await.unwrap().status(), 200);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_head_finished_within_the_timeout_is_served() {
        let addr = serving().await;
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nhost: a\r\n").await.unwrap();
        tokio::time::sleep(HEADER_READ_TIMEOUT - Duration::from_secs(1)).await;
        slow.write_all(b"\r\n").await.unwrap();
        assert!(response_head(&mut slow).await.starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn the_http2_preface_and_only_it_leaves_http1() {
        assert_eq!(sniffed(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n").await, Some(true));
        assert_eq!(
            sniffed(b"P").await,
            Some(false),
            "a prefix of the preface is not ruled out"
        );
        assert_eq!(sniffed(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0").await, Some(false));
        assert_eq!(sniffed(b"PRX").await, Some(true));
        assert_eq!(sniffed(b"").await, None);
    }
}
