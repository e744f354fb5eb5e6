#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The client against scripted backends on real loopback sockets.

use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, Empty, Full, StreamBody};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::*;

/// What the scripted backend does after reading a request.
#[derive(Clone)]
enum Act {
    Answer(&'static str),
    AnswerAndClose(&'static str),
    CloseSilently,
}

/// A backend on 127.0.0.1:0: `script(connection, request)` decides; every request (bytes) and
/// the number of accepted connections are recorded.
struct Backend {
    uri: String,
    requests: Arc<Mutex<Vec<String>>>,
    connections: Arc<Mutex<usize>>,
}

async fn backend(script: fn(usize, usize) -> Act) -> Backend {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let (reqs, conns) = (requests.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let index = {
                let mut n = conns.lock().unwrap();
                *n += 1;
                *n - 1
            };
            let reqs = reqs.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                for request in 0.. {
                    let Some(text) = read_request(&mut socket, &mut buf).await else {
                        return;
                    };
                    reqs.lock().unwrap().push(text);
                    match script(index, request) {
                        Act::Answer(r) => socket.write_all(r.as_bytes()).await.unwrap(),
                        Act::AnswerAndClose(r) => {
                            socket.write_all(r.as_bytes()).await.unwrap();
                            return;
                        }
                        Act::CloseSilently => return,
                    }
                }
            });
        }
    });
    Backend {
        uri,
        requests,
        connections,
    }
}

/// One request: the head, then a content-length or chunked body. Each read searches only the
/// bytes it added for the end of the head, so a head of megabytes costs no more than its length.
async fn read_request(socket: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    let complete = |b: &[u8], searched: &mut usize| -> Option<usize> {
        let from = (*searched).min(b.len());
        let Some(at) = b[from..].windows(4).position(|w| w == b"\r\n\r\n") else {
            *searched = b.len().saturating_sub(3);
            return None;
        };
        let end = from + at + 4;
        let head = String::from_utf8_lossy(&b[..end]).to_lowercase();
        if head.contains("transfer-encoding: chunked") {
            return b.windows(5).position(|w| w == b"0\r\n\r\n").map(|p| p + 5);
        }
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
        (b.len() >= end + length).then_some(end + length)
    };
    let mut searched = 0;
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        if let Some(n) = complete(buf, &mut searched) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            buf.drain(..n);
            return Some(text);
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A backend on 127.0.0.1:0 whose first connection (with the listener, for more) goes to
/// `serve`, a script of its own: returns its URI and `serve`'s result to await.
async fn raw_backend<F, Fut, T>(serve: F) -> (String, tokio::task::JoinHandle<T>)
where
    F: FnOnce(TcpListener, tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        serve(listener, socket).await
    });
    (uri, served)
}

const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";

async fn get(client: &Client, uri: &str, method: Method) -> Result<(http::StatusCode, Vec<u8>), Error> {
    get_at(client, uri, method, Instant::now()).await
}

/// [`get`], with the clock reading the caller hands the client.
async fn get_at(
    client: &Client,
    uri: &str,
    method: Method,
    now: Instant,
) -> Result<(http::StatusCode, Vec<u8>), Error> {
    let uri: Uri = uri.parse().unwrap();
    let response = client
        .send(Outgoing {
            method: &method,
            uri: &uri,
            headers: &HeaderMap::new(),
            body: Empty::<Bytes>::new(),
            now,
        })
        .await?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| Error::Response(e.to_string()))?;
    Ok((status, body.to_bytes().to_vec()))
}

#[tokio::test]
async fn keep_alive_connections_are_reused() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::default();
    for _ in 0..3 {
        let (status, body) = get(&client, &format!("{}/a?b=1", b.uri), Method::GET).await.unwrap();
        assert_eq!((status.as_u16(), body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(client.idle_connections(), 1);
    }
    assert_eq!(*b.connections.lock().unwrap(), 1);
    let first = b.requests.lock().unwrap()[0].clone();
    assert!(first.starts_with("GET /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:"), "{first}");
    assert!(!first.contains("content-length"), "{first}");
}

#[tokio::test]
async fn chunked_responses_are_decoded_and_the_connection_kept() {
    let b = backend(|_, _| {
        Act::Answer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nt: 1\r\n\r\n")
    })
    .await;
    let client = Client::default();
    for _ in 0..2 {
        let (_, body) = get(&client, &b.uri, Method::GET).await.unwrap();
        assert_eq!(body, b"abcde");
    }
    assert_eq!(*b.connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_body_until_close_is_read_to_the_end_and_the_connection_dropped() {
    let b = backend(|_, _| Act::AnswerAndClose("HTTP/1.1 200 OK\r\n\r\nall of it")).await;
    let client = Client::default();
    let (_, body) = get(&client, &b.uri, Method::GET).await.unwrap();
    assert_eq!(body, b"all of it");
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn head_and_no_content_answers_have_no_body() {
    let b = backend(|_, r| {
        if r == 0 {
            Act::Answer("HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n")
        } else {
            Act::Answer("HTTP/1.1 204 No Content\r\n\r\n")
        }
    })
    .await;
    let client = Client::default();
    assert_eq!(get(&client, &b.uri, Method::HEAD).await.unwrap().1, b"");
    assert_eq!(
        get(&client, &b.uri, Method::DELETE).await.unwrap(),
        (http::StatusCode::NO_CONTENT, vec![])
    );
    assert_eq!(*b.connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_backend_closing_a_pooled_connection_costs_no_failed_get() {
    // Each connection answers once (keep-alive promised), then reads the next request and
    // closes without a word: the GET is replayed on a new connection.
    let b = backend(|_, r| if r == 0 { Act::Answer(OK) } else { Act::CloseSilently }).await;
    let client = Client::default();
    for _ in 0..4 {
        let (status, _) = get(&client, &b.uri, Method::GET).await.unwrap();
        assert_eq!(status, 200);
    }
    assert!(*b.connections.lock().unwrap() >= 4);
}

#[tokio::test]
async fn a_request_with_a_body_is_never_replayed() {
    let b = backend(|_, r| if r == 0 { Act::Answer(OK) } else { Act::CloseSilently }).await;
    let client = Client::default();
    get(&client, &b.uri, Method::GET).await.unwrap();
    let uri: Uri = b.uri.parse().unwrap();
    let sent = client
        .send(Outgoing {
            method: &Method::POST,
            uri: &uri,
            headers: &HeaderMap::new(),
            body: Full::new(Bytes::from_static(b"pay")),
            now: Instant::now(),
        })
        .await;
    assert!(sent.is_err(), "a POST must not be sent twice");
    assert_eq!(b.requests.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_pooled_connection_keeps_a_head_sized_write_buffer_and_never_an_uploads() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::default();
    get(&client, &b.uri, Method::GET).await.unwrap();
    let kept = client.pool.idle_write_buffers();
    assert!(
        matches!(kept[..], [n] if n > 0 && n <= pool::KEPT_WRITE_BUFFER),
        "the head's buffer stays for the next request: {kept:?}"
    );
    let uri: Uri = b.uri.parse().unwrap();
    let upload = Bytes::from(vec![b'x'; 64 * 1024]);
    let response = client
        .send(Outgoing {
            method: &Method::POST,
            uri: &uri,
            headers: &HeaderMap::new(),
            body: Full::new(upload),
            now: Instant::now(),
        })
        .await
        .unwrap();
    response.into_body().collect().await.unwrap();
    let kept = client.pool.idle_write_buffers();
    assert!(
        matches!(kept[..], [n] if n <= pool::KEPT_WRITE_BUFFER),
        "the upload's buffer went with its request: {kept:?}"
    );
}

#[tokio::test]
async fn bodies_are_framed_by_the_gateway() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::default();
    let uri: Uri = b.uri.parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-length", http::HeaderValue::from_static("1000"));
    let known = Full::new(Bytes::from_static(b"12345"));
    let r = client
        .send(Outgoing {
            method: &Method::PUT,
            uri: &uri,
            headers: &headers,
            body: known,
            now: Instant::now(),
        })
        .await
        .unwrap();
    r.into_body().collect().await.unwrap();
    let frames: Vec<Result<http_body::Frame<Bytes>, std::convert::Infallible>> = vec![
        Ok(http_body::Frame::data(Bytes::from_static(b"ab"))),
        Ok(http_body::Frame::data(Bytes::from_static(b"cde"))),
    ];
    let streamed = StreamBody::new(futures_util::stream::iter(frames));
    let r = client
        .send(Outgoing {
            method: &Method::POST,
            uri: &uri,
            headers: &HeaderMap::new(),
            body: streamed,
            now: Instant::now(),
        })
        .await
        .unwrap();
    r.into_body().collect().await.unwrap();
    let requests = b.requests.lock().unwrap();
    assert!(
        requests[0].ends_with("content-length: 5\r\n\r\n12345"),
        "{}",
        requests[0]
    );
    assert!(!requests[0].contains("1000"));
    assert!(
        requests[1].ends_with("transfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"),
        "{}",
        requests[1]
    );
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_and_the_connection_is_not_reused() {
    let b = backend(|_, _| Act::AnswerAndClose("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort")).await;
    let client = Client::default();
    assert!(get(&client, &b.uri, Method::GET).await.is_err());
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn extra_bytes_after_a_response_retire_the_connection() {
    let b = backend(|_, _| Act::Answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n")).await;
    let client = Client::default();
    assert_eq!(get(&client, &b.uri, Method::GET).await.unwrap().1, b"ok");
    assert_eq!(
        client.idle_connections(),
        0,
        "a smuggled second response must never be read as the next answer"
    );
}

#[tokio::test]
async fn malformed_answers_and_refused_connections_are_errors() {
    let b = backend(|_, _| Act::Answer("HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\nx")).await;
    let client = Client::default();
    assert!(matches!(
        get(&client, &b.uri, Method::GET).await,
        Err(Error::Response(_))
    ));
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    assert!(matches!(
        get(&client, &format!("http://{closed}/"), Method::GET).await,
        Err(Error::Connect(_))
    ));
    assert!(matches!(
        get(&client, "https://127.0.0.1:1/", Method::GET).await,
        Err(Error::Uri(_))
    ));
}

#[tokio::test]
async fn idle_connections_expire() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::new(PoolLimits {
        idle_timeout: Duration::ZERO,
        max_idle_per_authority: 4,
    });
    get(&client, &b.uri, Method::GET).await.unwrap();
    get(&client, &b.uri, Method::GET).await.unwrap();
    assert_eq!(
        *b.connections.lock().unwrap(),
        2,
        "an expired connection is not handed out"
    );
}

#[tokio::test]
async fn a_pooled_connection_is_judged_idle_by_the_callers_clock_reading() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::new(PoolLimits {
        idle_timeout: Duration::from_secs(60),
        max_idle_per_authority: 4,
    });
    get(&client, &b.uri, Method::GET).await.unwrap();
    // The request's own reading, not the pool's: 59 s on, the connection is still fresh...
    let soon = Instant::now() + Duration::from_secs(59);
    get_at(&client, &b.uri, Method::GET, soon).await.unwrap();
    assert_eq!(*b.connections.lock().unwrap(), 1, "reused within the idle limit");
    // ...and 61 s on, it has been idle too long and a new one is opened.
    let late = Instant::now() + Duration::from_secs(61);
    get_at(&client, &b.uri, Method::GET, late).await.unwrap();
    assert_eq!(
        *b.connections.lock().unwrap(),
        2,
        "an expired connection is not handed out"
    );
}

#[tokio::test]
async fn a_burst_stays_pooled_until_the_sweep_trims_it_to_the_limit() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::new(PoolLimits {
        idle_timeout: Duration::from_secs(60),
        max_idle_per_authority: 2,
    });
    let uri: Uri = b.uri.parse().unwrap();
    // Three exchanges in flight at once need three connections.
    let burst = || async {
        let mut responses = Vec::new();
        for _ in 0..3 {
            let r = client
                .send(Outgoing {
                    method: &Method::GET,
                    uri: &uri,
                    headers: &HeaderMap::new(),
                    body: Empty::<Bytes>::new(),
                    now: Instant::now(),
                })
                .await
                .unwrap();
            responses.push(r);
        }
        assert_eq!(client.idle_connections(), 0, "bodies not read yet: nothing is idle");
        for r in responses {
            r.into_body().collect().await.unwrap();
        }
    };
    burst().await;
    assert_eq!(*b.connections.lock().unwrap(), 3);
    assert_eq!(client.idle_connections(), 3, "the whole burst waits for the next one");
    burst().await;
    assert_eq!(*b.connections.lock().unwrap(), 3, "the second burst reconnects nothing");
    client.sweep_at(Instant::now() + Duration::from_secs(1));
    assert_eq!(
        client.idle_connections(),
        2,
        "a sweep keeps at most the limit, the newest"
    );
}

#[tokio::test]
async fn concurrent_exchanges_on_one_thread_each_get_their_answer() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::default();
    let uris: Vec<String> = (0..16).map(|i| format!("{}/r{i}", b.uri)).collect();
    let answers = futures_util::future::join_all(uris.iter().map(|u| get(&client, u, Method::GET))).await;
    for answer in answers {
        let (status, body) = answer.unwrap();
        assert_eq!((status.as_u16(), body.as_slice()), (200, &b"hello"[..]));
    }
    let requests = b.requests.lock().unwrap().clone();
    for i in 0..16 {
        let line = format!("GET /r{i} HTTP/1.1\r\n");
        assert_eq!(requests.iter().filter(|r| r.starts_with(&line)).count(), 1, "{line}");
    }
}

#[tokio::test]
async fn a_request_dropped_before_its_write_went_out_is_never_sent() {
    let (uri, served) = raw_backend(|_, mut socket| async move {
        let mut buf = Vec::new();
        read_request(&mut socket, &mut buf).await.unwrap();
        socket.write_all(OK.as_bytes()).await.unwrap();
        // Whatever comes after the first exchange, up to the end of the connection.
        let mut rest = buf;
        socket.read_to_end(&mut rest).await.unwrap();
        rest
    })
    .await;
    let client = Client::default();
    get(&client, &format!("{uri}/first"), Method::GET).await.unwrap();
    assert_eq!(client.idle_connections(), 1);
    {
        // Another exchange waiting on this thread, so the head is queued, not written at once.
        let _busy = batch::Waiting::begin();
        // One poll: the pooled connection is taken and its request head queued; then the
        // exchange is dropped, as when the client hangs up.
        let target = format!("{uri}/dropped");
        let dropped = get(&client, &target, Method::GET);
        let mut dropped = std::pin::pin!(dropped);
        let polled = std::future::poll_fn(|cx| std::task::Poll::Ready(dropped.as_mut().poll(cx))).await;
        assert!(polled.is_pending());
    }
    let rest = served.await.unwrap();
    assert_eq!(String::from_utf8_lossy(&rest), "", "nothing after the first exchange");
}

/// A `GET /warm` (so the next exchange reuses the connection), then a `GET /big` whose 16 MiB
/// head is more than the socket takes at once while the backend (on this thread) is not reading:
/// the flusher's write (queued: another exchange counts as waiting) is partial. Expects a 200
/// within 20 s; returns the big header's value.
async fn warm_then_send_a_big_head(uri: &str) -> String {
    let client = Client::default();
    get(&client, &format!("{uri}/warm"), Method::GET).await.unwrap();
    let _busy = batch::Waiting::begin();
    let mut headers = HeaderMap::new();
    let big = "a".repeat(16 << 20);
    headers.insert("x-big", http::HeaderValue::from_str(&big).unwrap());
    let target: Uri = format!("{uri}/big").parse().unwrap();
    let sent = client.send(Outgoing {
        method: &Method::GET,
        uri: &target,
        headers: &headers,
        body: Empty::<Bytes>::new(),
        now: Instant::now(),
    });
    let response = tokio::time::timeout(Duration::from_secs(20), sent)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status(), 200);
    big
}

/// Asserts how many heads this thread's flusher wrote, in full and in part: the tests of the
/// queued path must not pass by an exchange having written its head itself.
fn assert_flushed(whole: usize, partial: usize) {
    assert_eq!(
        batch::flushed(),
        batch::Flushed { whole, partial },
        "heads the flusher wrote"
    );
}

#[tokio::test]
async fn a_head_larger_than_the_socket_buffer_is_written_in_full() {
    // More than the socket takes at once while the backend (on this thread) is not reading: the
    // flusher's write is partial, and the request's own task writes the rest.
    let (uri, served) = raw_backend(|_, mut socket| async move {
        let mut buf = Vec::new();
        let mut heads = Vec::new();
        for _ in 0..2 {
            heads.push(read_request(&mut socket, &mut buf).await.unwrap());
            socket.write_all(OK.as_bytes()).await.unwrap();
        }
        heads
    })
    .await;
    let big = warm_then_send_a_big_head(&uri).await;
    assert_flushed(0, 1);
    let heads = served.await.unwrap();
    let big_head = &heads[1];
    assert!(big_head.starts_with("GET /big HTTP/1.1\r\n"));
    assert!(big_head.contains(&big));
}

#[test]
fn a_later_runtime_on_the_same_thread_gets_its_own_flusher() {
    // The first runtime's flusher dies with it; the thread's queue must not keep waking it.
    for round in 1..=2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let b = backend(|_, _| Act::Answer(OK)).await;
            let client = Client::default();
            // Another exchange waiting on this thread: the heads go through the flusher.
            let _busy = batch::Waiting::begin();
            for _ in 0..2 {
                let got = tokio::time::timeout(Duration::from_secs(10), get(&client, &b.uri, Method::GET)).await;
                assert_eq!(got.unwrap().unwrap().0, 200);
            }
        });
        assert_flushed(2 * round, 0);
    }
}

#[tokio::test]
async fn a_retry_after_a_partial_write_sends_the_whole_head() {
    // The flusher's write of a big head is partial; the backend then drops the reused connection
    // while the task writes the rest, so the exchange is retried on a new connection, which must
    // get the whole head again, not what was left of it.
    let (uri, served) = raw_backend(|listener, mut socket| async move {
        let mut buf = Vec::new();
        read_request(&mut socket, &mut buf).await.unwrap();
        socket.write_all(OK.as_bytes()).await.unwrap();
        let mut some = vec![0u8; 1 << 16];
        assert!(socket.read(&mut some).await.unwrap() > 0);
        drop(socket);
        let (mut again, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let head = read_request(&mut again, &mut buf).await.unwrap();
        again.write_all(OK.as_bytes()).await.unwrap();
        head
    })
    .await;
    let big = warm_then_send_a_big_head(&uri).await;
    // The first attempt's head and the retried one: both partial.
    assert_flushed(0, 2);
    let head = served.await.unwrap();
    assert!(head.starts_with("GET /big HTTP/1.1\r\n"), "{}", &head[..64]);
    assert!(head.contains(&big), "the retried head is whole");
}

/// Counts its wake-ups.
#[derive(Default)]
struct Wakes(std::sync::atomic::AtomicUsize);

impl std::task::Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_head_the_flusher_wrote_in_full_costs_its_task_no_wake_up() {
    // What the batching is for: the request's task is polled once to queue its head and once
    // more for the response, never for the write.
    let (seen, head_seen) = tokio::sync::oneshot::channel();
    let (answer, answered) = tokio::sync::oneshot::channel::<()>();
    let (uri, served) = raw_backend(|_, mut socket| async move {
        let mut buf = Vec::new();
        read_request(&mut socket, &mut buf).await.unwrap();
        socket.write_all(OK.as_bytes()).await.unwrap();
        seen.send(read_request(&mut socket, &mut buf).await.unwrap()).unwrap();
        answered.await.unwrap();
        socket.write_all(OK.as_bytes()).await.unwrap();
    })
    .await;
    let client = Client::default();
    get(&client, &format!("{uri}/first"), Method::GET).await.unwrap();
    let _busy = batch::Waiting::begin();
    let target = format!("{uri}/second");
    let mut second = std::pin::pin!(get(&client, &target, Method::GET));
    let wakes = Arc::new(Wakes::default());
    let waker = std::task::Waker::from(wakes.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(
        second.as_mut().poll(&mut cx).is_pending(),
        "queued, nothing to read yet"
    );
    // Waiting here lets the flusher run; the backend then reads the head.
    assert!(head_seen.await.unwrap().starts_with("GET /second HTTP/1.1\r\n"));
    assert_eq!(
        wakes.0.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the write did not wake the task"
    );
    answer.send(()).unwrap();
    let (status, _) = tokio::time::timeout(Duration::from_secs(10), second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    assert_flushed(1, 0);
    served.await.unwrap();
}

#[test]
fn only_connections_opened_on_a_current_thread_runtime_are_batched() {
    // On a work-stealing runtime the flusher could run on another thread than the queue it
    // serves: connections there write their own requests.
    let opened = |runtime: tokio::runtime::Runtime| {
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let stream = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            batch::Shared::of(&stream).is_some()
        })
    };
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stealing = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    assert!(opened(current));
    assert!(!opened(stealing));
}

#[tokio::test]
async fn an_exchange_alone_on_its_thread_writes_its_head_at_once() {
    // Nothing else waiting on this thread: the head goes out during the exchange's first poll,
    // with no flusher pass. The backend runs on a thread of its own, and this thread blocks
    // (never yielding to a flusher) until the backend has seen the head, for at most 10 s.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let (seen, head_seen) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut chunk = [0u8; 4096];
        for _ in 0..2 {
            let mut buf = Vec::new();
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match std::io::Read::read(&mut socket, &mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            seen.send(String::from_utf8_lossy(&buf).into_owned()).unwrap();
            std::io::Write::write_all(&mut socket, OK.as_bytes()).unwrap();
        }
    });
    let client = Client::default();
    // A pooled connection for the exchange under test, so that its first poll gets that far.
    get(&client, &format!("{uri}/warm"), Method::GET).await.unwrap();
    assert!(head_seen.recv().unwrap().starts_with("GET /warm "));
    let target = format!("{uri}/alone");
    let mut alone = std::pin::pin!(get(&client, &target, Method::GET));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(alone.as_mut().poll(&mut cx).is_pending(), "no answer before the head");
    let head = head_seen
        .recv_timeout(Duration::from_secs(10))
        .expect("the head went out during the first poll");
    assert!(head.starts_with("GET /alone HTTP/1.1\r\n"), "{head}");
    let (status, _) = tokio::time::timeout(Duration::from_secs(10), alone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    assert_flushed(0, 0);
    server.join().unwrap();
}

#[test]
fn a_flusher_dropped_before_it_ever_ran_leaves_the_thread_usable() {
    // A head is queued (spawning the flusher), then the runtime shuts down before the flusher
    // is first polled. A later runtime on this thread must still get its heads written.
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    runtime().block_on(async {
        let b = backend(|_, _| Act::Answer(OK)).await;
        let client = Client::default();
        get(&client, &b.uri, Method::GET).await.unwrap();
        let _busy = batch::Waiting::begin();
        let mut queued = std::pin::pin!(get(&client, &b.uri, Method::GET));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(queued.as_mut().poll(&mut cx).is_pending());
    });
    runtime().block_on(async {
        let b = backend(|_, _| Act::Answer(OK)).await;
        let client = Client::default();
        let _busy = batch::Waiting::begin();
        for _ in 0..2 {
            let got = tokio::time::timeout(Duration::from_secs(10), get(&client, &b.uri, Method::GET)).await;
            assert_eq!(got.expect("written within 10 s").unwrap().0, 200);
        }
    });
    assert_flushed(2, 0);
}

#[tokio::test]
async fn an_answer_waits_for_the_pass_only_while_other_exchanges_wait() {
    let b = backend(|_, _| Act::Answer(OK)).await;
    let client = Client::default();
    // Alone on the thread: the response goes on at once (nothing else could be answered with it).
    for _ in 0..2 {
        assert_eq!(
            get(&client, &b.uri, Method::GET).await.unwrap(),
            (http::StatusCode::OK, b"hello".to_vec())
        );
    }
    assert_eq!(batch::yielded(), 0, "no yield without another exchange waiting");
    // Another exchange waiting on this thread: each answer yields once, then goes on whole.
    let _busy = batch::Waiting::begin();
    for n in 1..=2 {
        let got = tokio::time::timeout(Duration::from_secs(10), get(&client, &b.uri, Method::GET)).await;
        assert_eq!(
            got.expect("answered within 10 s").unwrap(),
            (http::StatusCode::OK, b"hello".to_vec())
        );
        assert_eq!(batch::yielded(), n);
    }
}
