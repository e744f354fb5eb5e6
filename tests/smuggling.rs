//! Request smuggling and framing (security cases G-S01…G-S10, G-H13): the gateway either refuses
//! with 400 and closes, or frames the request itself; the backend never sees more requests than
//! the gateway answered, nor bytes the gateway did not frame.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Solar, raw, raw_status};

fn post(headers: &str, body: &str) -> String {
    format!("POST /upload HTTP/1.1\r\nHost: x\r\n{headers}\r\n{body}")
}

/// Sends `request` followed by a smuggled `GET /smuggled`, and checks that the backend never
/// saw the smuggled request and that the first answer is `expected`.
async fn assert_not_smuggled(s: &Solar, request: &str, expected: &[u16]) {
    let before = s.backend.count();
    let wire = format!("{request}GET /smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = raw(s.gateway.addr, wire.as_bytes());
    let status = raw_status(&answer);
    assert!(
        expected.contains(&status),
        "expected one of {expected:?}, got {status} for {request:?}:\n{answer}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let seen: Vec<String> = s.backend.requests()[before..].iter().map(|r| r.uri.clone()).collect();
    assert!(seen.is_empty(), "{request:?} was refused, yet the backend saw {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_with_transfer_encoding_is_never_ambiguous() {
    let s = Solar::start().await;
    // hyper drops the content-length and frames the body as chunked (RFC 9112 §6.3); the
    // stray `G` then spoils the next request line, so nothing else reaches the backend.
    for headers in [
        "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 6\r\n",
    ] {
        let before = s.backend.count();
        let wire = format!(
            "{}GET /smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            post(headers, "0\r\n\r\nG")
        );
        let answer = raw(s.gateway.addr, wire.as_bytes());
        assert!(matches!(raw_status(&answer), 200 | 400), "{answer}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let seen = &s.backend.requests()[before..];
        assert!(
            seen.iter().all(|r| r.uri == "/upload"
                && r.body.is_empty()
                && r.header("content-length").is_none_or(|v| v == "0")),
            "{seen:?}"
        );
        assert!(seen.len() <= 1, "{seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obfuscated_transfer_encodings_are_refused() {
    let s = Solar::start().await;
    for te in [
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: identity, chunked\r\nContent-Length: 5\r\n",
        "Transfer-Encoding : chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n",
        "Transfer-Encoding:\tchunked\r\n X: folded\r\n",
    ] {
        assert_not_smuggled(&s, &post(te, "0\r\n\r\n"), &[400, 501]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obfuscated_content_lengths_are_refused() {
    let s = Solar::start().await;
    for cl in [
        "Content-Length: +6\r\n",
        "Content-Length: 6, 7\r\n",
        "Content-Length: 6\r\nContent-Length: 7\r\n",
        "Content-Length: 0x6\r\n",
        "Content-Length: 18446744073709551616\r\n",
    ] {
        assert_not_smuggled(&s, &post(cl, "abcdef"), &[400]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_chunk_framing_never_reaches_the_backend_as_a_request() {
    let s = Solar::start().await;
    let before = s.backend.count();
    let answer = raw(
        s.gateway.addr,
        post(
            "Transfer-Encoding: chunked\r\nConnection: close\r\n",
            "ffffffffffffffff1\r\nx\r\n0\r\n\r\n",
        )
        .as_bytes(),
    );
    assert!(matches!(raw_status(&answer), 0 | 400 | 502), "{answer}");
    for r in &s.backend.requests()[before..] {
        assert!(r.body.len() < 8, "no oversized chunk is forwarded");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_header_values_and_spaces_in_names_are_refused() {
    let s = Solar::start().await;
    for header in ["X-A: a\0b\r\n", "X-A: a\rb\r\n", "Bad Name: x\r\n"] {
        let answer = raw(
            s.gateway.addr,
            format!("GET / HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(raw_status(&answer), 400, "{header:?}: {answer}");
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_host_headers_or_none_are_refused() {
    let s = Solar::start().await;
    let two = raw(
        s.gateway.addr,
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(raw_status(&two), 400, "{two}");
    let none = raw(s.gateway.addr, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(&none), 400, "{none}");
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_upgrade_requests_are_not_forwarded_as_upgrades() {
    let s = Solar::start().await;
    let answer = raw(s.gateway.addr, b"GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nConnection: Upgrade, HTTP2-Settings, close\r\n\r\n");
    assert_eq!(raw_status(&answer), 200, "{answer}");
    let seen = s.backend.last();
    assert!(seen.header("upgrade").is_none() && seen.header("http2-settings").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_continue_without_a_token_is_refused_before_the_body() {
    let s = Solar::start().await;
    let answer = raw(s.gateway.addr, b"GET /planets HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "no 100 Continue before the refusal: {answer}"
    );
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_very_long_request_line_is_refused() {
    let s = Solar::start().await;
    let path = format!("/{}", "a".repeat(20_000));
    let answer = support::raw_get(s.gateway.addr, &path, "");
    assert!(matches!(raw_status(&answer), 414 | 431 | 400), "{:.100}", answer);
    assert_eq!(s.backend.count(), 0);
}
