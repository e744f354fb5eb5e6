#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use super::super::server::{bind, run};
use super::super::test_support::{Dropped, next_report};
use crate::conn::Connection;

/// A plaintext server on [`run`] whose handler reports `"started"`, waits until `gate` is open
/// (reporting each poll meanwhile on `polls`), then reads the request's body and answers with
/// its length.
struct Server {
    addr: SocketAddr,
    events: mpsc::UnboundedReceiver<&'static str>,
    polls: mpsc::UnboundedReceiver<()>,
    gate: watch::Sender<bool>,
}

impl Server {
    async fn start() -> Self {
        let listener = bind("127.0.0.1:0".parse().unwrap(), None).await.unwrap();
        let addr = listener.local_addr();
        let (report, events) = mpsc::unbounded_channel();
        let (polled, polls) = mpsc::unbounded_channel();
        let (gate, opened) = watch::channel(false);
        let handler = move |_: Connection, req: Request<Incoming>| {
            let (report, polled, mut opened) = (report.clone(), polled.clone(), opened.clone());
            async move {
                let _dropped = Dropped(report.clone());
                let _ = report.send("started");
                let open = opened.wait_for(|open| *open);
                tokio::pin!(open);
                std::future::poll_fn(|cx| {
                    let _ = polled.send(());
                    open.as_mut().poll(cx).map(|_| ())
                })
                .await;
                let body = req.into_body().collect().await.unwrap().to_bytes();
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body.len().to_string()))))
            }
        };
        tokio::spawn(run(listener, handler, std::future::pending()));
        Self {
            addr,
            events,
            polls,
            gate,
        }
    }

    /// The handler's next report, within 5 s.
    async fn next(&mut self) -> &'static str {
        next_report(&mut self.events).await
    }

    /// Waits for the handler's next poll after `bytes` reach the server, and so (the test's
    /// runtime has one thread) for the end of that poll of the request's future, its watch
    /// included.
    async fn send_then_poll(&mut self, client: &mut TcpStream, bytes: &[u8]) {
        while self.polls.try_recv().is_ok() {}
        client.write_all(bytes).await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.polls.recv())
            .await
            .expect("not polled within 5 s")
            .unwrap();
    }

    fn open(&self) {
        self.gate.send_replace(true);
    }
}

/// A server, and a client whose request (`first`, its first bytes) the handler has started on.
async fn started(first: &[u8]) -> (Server, TcpStream) {
    let mut server = Server::start().await;
    let mut client = TcpStream::connect(server.addr).await.unwrap();
    client.write_all(first).await.unwrap();
    assert_eq!(server.next().await, "started");
    (server, client)
}

/// Everything the server sends until it closes the connection, within 5 s.
async fn rest(client: &mut TcpStream) -> String {
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut rest))
        .await
        .expect("the server kept the connection open")
        .unwrap();
    String::from_utf8(rest).unwrap()
}

#[tokio::test]
async fn a_request_is_given_up_when_its_client_closes_the_connection() {
    let (mut server, client) = started(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n").await;
    drop(client);
    assert_eq!(
        server.next().await,
        "dropped",
        "given up while still waiting for the gate"
    );
}

#[tokio::test]
async fn a_client_that_half_closes_after_its_request_gets_no_answer() {
    // docs/compat.md: the end of the client's side ends the request, as in nginx and Envoy.
    let (mut server, mut client) = started(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n").await;
    client.shutdown().await.unwrap();
    assert_eq!(server.next().await, "dropped");
    server.open();
    assert_eq!(rest(&mut client).await, "", "closed without an answer");
}

#[tokio::test]
async fn a_hang_up_after_the_request_body_is_noticed() {
    let (mut server, mut client) = started(b"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\n\r\nhello").await;
    client.shutdown().await.unwrap();
    assert_eq!(server.next().await, "dropped");
    assert_eq!(rest(&mut client).await, "");
}

#[tokio::test]
async fn body_bytes_still_to_be_read_are_not_a_hang_up() {
    // The second half of the body arrives while the handler waits at the gate, before it reads
    // the body: hyper does not read it yet, so the watch finds it on the socket.
    let (mut server, mut client) =
        started(b"POST / HTTP/1.1\r\nhost: a\r\nconnection: close\r\ncontent-length: 10\r\n\r\nhello").await;
    server.send_then_poll(&mut client, b"world").await;
    server.open();
    let answer = rest(&mut client).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("\r\n\r\n10"),
        "{answer}"
    );
}

#[tokio::test]
async fn pipelined_requests_are_all_answered() {
    // The first request's watch finds the second request on the socket: not a hang-up, and (as
    // with hyper's own read-ahead) nothing more to watch for that request.
    let (mut server, mut client) = started(b"GET /1 HTTP/1.1\r\nhost: a\r\n\r\n").await;
    let second = b"GET /2 HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n";
    server.send_then_poll(&mut client, second).await;
    server.open();
    let answers = rest(&mut client).await;
    assert_eq!(answers.matches("HTTP/1.1 200 OK").count(), 2, "{answers}");
}
