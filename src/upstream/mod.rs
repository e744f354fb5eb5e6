//! The backend client for plain-HTTP integrations: HTTP/1.1 over pooled keep-alive
//! connections, driven inside the request's own task.
//!
//! Why not hyper-util's pooled client: it runs every backend connection as a task of its own
//! and hands each request and response across channels; on this path (every proxied request)
//! that cost more instructions than the rest of the request (bench/README.md). Here the
//! request's task writes the body itself, reads the response head, and the response body reads
//! the connection as the client consumes it. While other exchanges on the thread are waiting,
//! a request head without a body is written by the thread's flusher with the other heads of the
//! same scheduler pass ([`batch`]), which halves how often a backend on the same core preempts
//! the gateway; and a response that comes while others are still waiting goes on in the next
//! pass, with the others, so the client's side is woken once for several. HTTPS integrations
//! and the issuer fetches still use `crate::client` (TLS, rarely hot).
//!
//! Invariants: the request head is written once, with the gateway's framing (`content-length`
//! or `chunked`, never the client's); a reused connection that fails before any byte of the
//! response arrives is retried once on a new connection, and only for a request without a body
//! and with an idempotent method (nothing can have been acted on twice); every malformed
//! response is an [`Error`] (502 to the client), never a guess; the connect is bounded by
//! [`CONNECT_TIMEOUT`] and the caller bounds the whole exchange.
//!
//! May import: std, bytes, http, http-body, http-body-util, httparse, tokio, futures-util,
//! `crate::boxed` (futures built in their box), and
//! `crate::model::endpoint` (how a backend authority is read, shared with configuration checks).

mod body;
pub mod chunked;
pub mod head;
mod pool;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::{HeaderMap, Method, Response, Uri};
use http_body::Body;
use http_body_util::BodyExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

mod batch;
use crate::boxed::in_box;
pub use body::UpstreamBody;
use head::RequestFraming;
pub use pool::PoolLimits;
use pool::{Conn, Pool};

/// A boxed error, as bodies carry them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connecting to a backend may take this long (the integration's timeout still applies).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Written data is sent once this much is buffered, even if more body is ready.
const WRITE_CHUNK: usize = 64 * 1024;

/// Why an exchange failed.
#[derive(Debug)]
pub enum Error {
    /// The URI cannot be sent to (no host, not `http`).
    Uri(String),
    /// Connecting failed.
    Connect(std::io::Error),
    /// Reading or writing the connection failed.
    Io(std::io::Error),
    /// The client's request body failed (too large, or the client went away).
    RequestBody(BoxError),
    /// The backend's response is malformed or incomplete.
    Response(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Uri(why) => write!(f, "invalid backend URI: {why}"),
            Self::Connect(e) => write!(f, "connecting to the backend failed: {e}"),
            Self::Io(e) => write!(f, "backend connection error: {e}"),
            Self::RequestBody(e) => write!(f, "request body: {e}"),
            Self::Response(why) => write!(f, "invalid backend response: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect(e) | Self::Io(e) => Some(e),
            Self::RequestBody(e) => Some(e.as_ref()),
            Self::Uri(_) | Self::Response(_) => None,
        }
    }
}

/// The client: cheap to share (`Arc` inside).
#[derive(Clone)]
pub struct Client {
    pool: Arc<Pool>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new(PoolLimits::default())
    }
}

/// One request for a backend.
pub struct Outgoing<'a, B> {
    /// The method.
    pub method: &'a Method,
    /// An absolute `http://` URI.
    pub uri: &'a Uri,
    /// The backend's headers (hop-by-hop fields already removed).
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: B,
    /// The time now, as the caller read it (for the pool's idle limit).
    pub now: Instant,
}

impl Client {
    /// A client with an empty pool.
    pub fn new(limits: PoolLimits) -> Self {
        Self {
            pool: Arc::new(Pool::new(limits)),
        }
    }

    /// Idle pooled connections (for tests and diagnostics).
    pub fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }

    /// Runs the calling thread's pool sweep as if at `now`.
    #[cfg(test)]
    pub(crate) fn sweep_at(&self, now: Instant) {
        self.pool.sweep_at(now);
    }

    /// Sends one request and returns the response once its head has arrived; the body streams.
    ///
    /// # Errors
    /// See [`Error`].
    ///
    /// A plain function returning an async block, not an `async fn`, which would keep `request`
    /// twice in its future (captured, and taken apart into locals). The connect, which only a
    /// request without a pooled connection makes, is boxed: in place, its future widened every
    /// state of this one, the exchange's included.
    pub fn send<'s, 'a, B>(
        &'s self,
        request: Outgoing<'a, B>,
    ) -> impl Future<Output = Result<Response<UpstreamBody>, Error>> + use<'s, 'a, B>
    where
        B: Body<Data = Bytes> + Unpin,
        B::Error: Into<BoxError>,
    {
        // Taken apart here, outside the block, so that the block captures each part once.
        let Outgoing {
            method,
            uri,
            headers,
            mut body,
            now,
        } = request;
        async move {
            let (authority, host, port) = address(uri)?;
            let framing = RequestFraming::for_body(method, body.is_end_stream(), body.size_hint().exact());
            let target = uri.path_and_query().map_or("/", |p| p.as_str());
            let replayable = framing == RequestFraming::None && is_idempotent(method);
            // A pooled connection, else a new one (the pool key is allocated only then).
            let mut conn = match self.pool.checkout(authority, now) {
                Some(conn) => conn,
                None => in_box(|| connect(Arc::from(authority), host, port)).await?,
            };
            let mut out = std::mem::take(&mut conn.out);
            out.clear();
            head::write_request(&mut out, method, target, authority, headers, framing);
            loop {
                let result = exchange(&mut conn, &mut out, &mut body, framing, method).await;
                // Consumed here, so that it is not kept across the reconnect's await below.
                match result {
                    Ok(head) => {
                        if out.capacity() <= pool::KEPT_WRITE_BUFFER {
                            out.clear();
                            conn.out = out;
                        }
                        let mut response =
                            Response::new(UpstreamBody::new(conn, self.pool.clone(), head.framing, head.reusable));
                        *response.status_mut() = head.status;
                        *response.version_mut() = head.version;
                        *response.headers_mut() = head.headers;
                        return Ok(response);
                    }
                    // The backend closed a pooled connection as we reused it: once more, fresh.
                    Err(Failure::BeforeResponse(_)) if conn.reused && replayable => {}
                    Err(Failure::BeforeResponse(e) | Failure::Other(e)) => return Err(e),
                }
                conn = in_box(|| connect(conn.key.clone(), host, port)).await?;
            }
        }
    }
}

async fn connect(key: Arc<str>, host: &str, port: u16) -> Result<Conn, Error> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port)))
        .await
        .map_err(|_| Error::Connect(std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out")))?
        .map_err(Error::Connect)?;
    stream.set_nodelay(true).map_err(Error::Connect)?;
    Ok(Conn::new(stream, key))
}

/// `(authority, host, port)` of an `http://` URI; IPv6 hosts lose their brackets for
/// connecting.
fn address(uri: &Uri) -> Result<(&str, &str, u16), Error> {
    if uri.scheme_str() != Some("http") {
        return Err(Error::Uri(format!("not an http URI: {uri}")));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| Error::Uri("no host".to_owned()))?
        .as_str();
    let (host, port) = crate::model::endpoint::host_and_port(authority)
        .ok_or_else(|| Error::Uri(format!("invalid port in {authority}")))?;
    Ok((authority, host, port))
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

enum Failure {
    /// Nothing of the response arrived (EOF or an error on the first read, or the write failed).
    BeforeResponse(Error),
    Other(Error),
}

/// Writes the request (head already in `out`) and reads the response head.
async fn exchange<B>(
    conn: &mut Conn,
    out: &mut Vec<u8>,
    body: &mut B,
    framing: RequestFraming,
    method: &Method,
) -> Result<head::ResponseHead, Failure>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let (waiting, busy) = match &conn.shared {
        Some(_) => {
            let (waiting, busy) = batch::Waiting::begin();
            (Some(waiting), busy)
        }
        None => (None, false),
    };
    let batched = match (&conn.shared, framing) {
        (Some(shared), RequestFraming::None) if busy => Some(shared.clone()),
        _ => None,
    };
    let head = if let Some(shared) = &batched {
        std::mem::swap(out, &mut *shared.bytes.lock().unwrap_or_else(|e| e.into_inner()));
        batch::queue(shared);
        let result = read_head(conn, method, Some(shared)).await;
        std::mem::swap(out, &mut *shared.bytes.lock().unwrap_or_else(|e| e.into_inner()));
        shared.reset();
        result?
    } else {
        if framing == RequestFraming::None {
            conn.stream
                .write_all(out)
                .await
                .map_err(|e| Failure::BeforeResponse(Error::Io(e)))?;
        } else {
            let mut pending = std::mem::take(out);
            // Boxed: only a request with a body writes one, and in place its future would more
            // than double the size of every exchange's.
            let sent = in_box(|| write_body(conn, &mut pending, body, framing == RequestFraming::Chunked)).await;
            *out = pending;
            sent.map_err(Failure::Other)?;
        }
        read_head(conn, method, None).await?
    };
    if let Some(waiting) = waiting {
        waiting.answered().await;
    }
    Ok(head)
}

enum Step {
    Read(std::io::Result<usize>),
    Partial(usize),
    Failed,
}

async fn read_head(
    conn: &mut Conn,
    method: &Method,
    shared: Option<&Arc<batch::Shared>>,
) -> Result<head::ResponseHead, Failure> {
    loop {
        // Usually empty here, until the first read: nothing to parse yet.
        let nothing_yet = conn.buf.is_empty();
        if !nothing_yet {
            match head::read_response(&mut conn.buf, method) {
                Ok(Some(head)) => return Ok(head),
                Ok(None) => {}
                Err(e) => return Err(Failure::Other(Error::Response(e.0))),
            }
        }
        conn.buf.reserve(pool::READ_BUFFER / 2);
        let step = match shared {
            None => Step::Read(conn.stream.read_buf(&mut conn.buf).await),
            Some(shared) => {
                std::future::poll_fn(|cx| {
                    match shared.outcome(cx.waker()) {
                        batch::Outcome::Failed => return std::task::Poll::Ready(Step::Failed),
                        batch::Outcome::Partial(n) => return std::task::Poll::Ready(Step::Partial(n)),
                        batch::Outcome::Queued | batch::Outcome::Written => {}
                    }
                    let read = std::pin::pin!(conn.stream.read_buf(&mut conn.buf));
                    read.poll(cx).map(Step::Read)
                })
                .await
            }
        };
        let read = match step {
            Step::Read(read) => read,
            Step::Failed => {
                return Err(Failure::BeforeResponse(Error::Io(std::io::Error::other(
                    "the request could not be written",
                ))));
            }
            Step::Partial(n) => {
                if let Some(shared) = shared {
                    // A copy (partial writes are rare: a head bigger than the socket takes at
                    // once): the head itself stays whole for a retry on a new connection.
                    let rest = {
                        let head = shared.bytes.lock().unwrap_or_else(|e| e.into_inner());
                        head.get(n..).map(<[u8]>::to_vec).unwrap_or_default()
                    };
                    conn.stream
                        .write_all(&rest)
                        .await
                        .map_err(|e| Failure::BeforeResponse(Error::Io(e)))?;
                    shared.reset();
                }
                continue;
            }
        };
        match read {
            Ok(0) if nothing_yet => {
                return Err(Failure::BeforeResponse(Error::Response(
                    "the backend closed the connection without answering".to_owned(),
                )));
            }
            Ok(0) => return Err(Failure::Other(Error::Response("response head cut short".to_owned()))),
            Ok(_) => {}
            Err(e) if nothing_yet => return Err(Failure::BeforeResponse(Error::Io(e))),
            Err(e) => return Err(Failure::Other(Error::Io(e))),
        }
    }
}

/// Streams the body after the head (in `out`), coalescing whatever is ready into one write.
async fn write_body<B>(conn: &mut Conn, out: &mut Vec<u8>, body: &mut B, chunked: bool) -> Result<(), Error>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    loop {
        let frame = match body.frame().now_or_never() {
            Some(frame) => frame,
            None => {
                flush(conn, out).await?;
                body.frame().await
            }
        };
        match frame {
            None => break,
            Some(Err(e)) => return Err(Error::RequestBody(e.into())),
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else { continue };
                if data.is_empty() {
                    continue;
                }
                if chunked {
                    out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
                    out.extend_from_slice(&data);
                    out.extend_from_slice(b"\r\n");
                } else {
                    out.extend_from_slice(&data);
                }
                if out.len() >= WRITE_CHUNK {
                    flush(conn, out).await?;
                }
            }
        }
    }
    if chunked {
        out.extend_from_slice(b"0\r\n\r\n");
    }
    flush(conn, out).await
}

async fn flush(conn: &mut Conn, out: &mut Vec<u8>) -> Result<(), Error> {
    if !out.is_empty() {
        conn.stream.write_all(out).await.map_err(Error::Io)?;
        out.clear();
    }
    Ok(())
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
