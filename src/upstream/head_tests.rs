#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn parse(text: &str, method: &Method) -> Result<Option<ResponseHead>, HeadError> {
    let mut buf = BytesMut::from(text.as_bytes());
    read_response(&mut buf, method)
}

fn head(text: &str) -> ResponseHead {
    parse(text, &Method::GET).unwrap().unwrap()
}

#[test]
fn the_request_head_carries_our_framing_never_the_clients() {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("backend:8080"));
    headers.insert("content-length", HeaderValue::from_static("999"));
    headers.insert("transfer-encoding", HeaderValue::from_static("chunked"));
    headers.append("x-a", HeaderValue::from_static("1"));
    headers.append("x-a", HeaderValue::from_static("2"));
    let mut out = Vec::new();
    write_request(
        &mut out,
        &Method::POST,
        "/p?q=1",
        "ignored",
        &headers,
        RequestFraming::Length(5),
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "POST /p?q=1 HTTP/1.1\r\nhost: backend:8080\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 5\r\n\r\n"
    );
    let mut out = Vec::new();
    write_request(
        &mut out,
        &Method::GET,
        "",
        "b:1",
        &HeaderMap::new(),
        RequestFraming::Chunked,
    );
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "GET / HTTP/1.1\r\nhost: b:1\r\ntransfer-encoding: chunked\r\n\r\n"
    );
}

#[test]
fn request_framing_follows_the_body() {
    assert_eq!(
        RequestFraming::for_body(&Method::GET, true, Some(0)),
        RequestFraming::None
    );
    assert_eq!(
        RequestFraming::for_body(&Method::DELETE, true, Some(0)),
        RequestFraming::None
    );
    assert_eq!(
        RequestFraming::for_body(&Method::POST, true, Some(0)),
        RequestFraming::Length(0)
    );
    assert_eq!(
        RequestFraming::for_body(&Method::PUT, false, Some(7)),
        RequestFraming::Length(7)
    );
    assert_eq!(
        RequestFraming::for_body(&Method::POST, false, None),
        RequestFraming::Chunked
    );
}

#[test]
fn a_complete_head_is_consumed_and_the_body_stays() {
    let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nx-b: y\r\n\r\nbody"[..]);
    let h = read_response(&mut buf, &Method::GET).unwrap().unwrap();
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.framing, ResponseFraming::Length(4));
    assert!(h.reusable);
    assert_eq!(h.headers["x-b"], "y");
    assert_eq!(&buf[..], b"body");
}

#[test]
fn a_partial_head_asks_for_more_until_the_limit() {
    assert!(parse("HTTP/1.1 200 OK\r\ncontent-le", &Method::GET).unwrap().is_none());
    let huge = format!("HTTP/1.1 200 OK\r\nx: {}", "a".repeat(MAX_HEAD_BYTES + 1));
    assert!(parse(&huge, &Method::GET).is_err());
}

#[test]
fn interim_responses_are_skipped_and_101_is_refused() {
    let h = head(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n",
    );
    assert_eq!(h.status, StatusCode::CREATED);
    assert!(h.headers.get("link").is_none());
    assert!(
        parse(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n",
            &Method::GET
        )
        .is_err()
    );
}

#[test]
fn framing_follows_rfc_9112_section_6_3() {
    assert_eq!(
        parse("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n", &Method::HEAD)
            .unwrap()
            .unwrap()
            .framing,
        ResponseFraming::Length(0)
    );
    assert_eq!(
        head("HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n").framing,
        ResponseFraming::Length(0)
    );
    assert_eq!(
        head("HTTP/1.1 304 Not Modified\r\n\r\n").framing,
        ResponseFraming::Length(0)
    );
    assert_eq!(
        head("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n").framing,
        ResponseFraming::Chunked
    );
    let until_close = head("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n");
    assert_eq!(until_close.framing, ResponseFraming::UntilClose);
    assert!(!until_close.reusable);
    let no_length = head("HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(no_length.framing, ResponseFraming::UntilClose);
    assert!(!no_length.reusable);
}

#[test]
fn chunked_with_a_content_length_is_read_as_chunked_and_never_reused() {
    let h = head("HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n");
    assert_eq!(h.framing, ResponseFraming::Chunked);
    assert!(!h.reusable);
}

#[test]
fn content_length_must_be_one_number() {
    assert_eq!(
        head("HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\ncontent-length: 5\r\n\r\n").framing,
        ResponseFraming::Length(5)
    );
    for bad in ["5, 6", "-1", "+5", "0x10", "", "5 5", "99999999999999999999"] {
        let text = format!("HTTP/1.1 200 OK\r\ncontent-length: {bad}\r\n\r\n");
        assert!(parse(&text, &Method::GET).is_err(), "{bad:?}");
    }
}

#[test]
fn keep_alive_follows_version_and_connection() {
    assert!(!head("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").reusable);
    assert!(!head("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: x, Close\r\n\r\n").reusable);
    assert!(!head("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").reusable);
    let old = head("HTTP/1.0 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n");
    assert!(old.reusable);
    assert_eq!(old.version, http::Version::HTTP_10);
}

#[test]
fn every_field_is_kept_in_order_up_to_the_limit() {
    // Past the fields whose positions are kept on the stack (INLINE_FIELDS), and at the limit.
    // With content-length, the last case has MAX_HEADERS fields.
    for n in [INLINE_FIELDS, INLINE_FIELDS + 1, MAX_HEADERS - 1] {
        let fields: String = (0..n).map(|i| format!("x-{}: v{i}\r\n", i % 7)).collect();
        let text = format!("HTTP/1.1 200 OK\r\n{fields}content-length: 0\r\n\r\n");
        let got = head(&text);
        assert_eq!(got.headers.len(), n + 1, "{n} fields and content-length");
        let values = (0..7).flat_map(|k| got.headers.get_all(format!("x-{k}").as_str()).iter());
        let mut seen: Vec<usize> = values.map(|v| v.to_str().unwrap()[1..].parse().unwrap()).collect();
        let in_order = (0..7).flat_map(|k| (0..n).filter(move |i| i % 7 == k));
        assert_eq!(
            seen,
            in_order.collect::<Vec<_>>(),
            "{n} fields, each name's values in order"
        );
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
    }
}

#[test]
fn malformed_heads_are_errors() {
    for bad in [
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nx: a\0b\r\n\r\n",
        "garbage\r\n\r\n",
    ] {
        assert!(parse(bad, &Method::GET).is_err(), "{bad:?}");
    }
    let many: String = (0..=MAX_HEADERS).map(|i| format!("x-{i}: v\r\n")).collect();
    assert!(parse(&format!("HTTP/1.1 200 OK\r\n{many}\r\n"), &Method::GET).is_err());
}

#[test]
fn fields_are_read_from_the_head_in_order_and_the_body_is_left_in_the_buffer() {
    // After an interim 100, with repeated and custom names, odd spacing and an empty value;
    // the values share the head's buffer, so each must be exactly its own bytes.
    let wire = "HTTP/1.1 100 Continue\r\nx-interim: 1\r\n\r\n\
                HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Custom:  spaced value \r\nset-cookie: b=2\r\n\
                x-empty:\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 204 No Content\r\n\r\n";
    let mut buf = BytesMut::from(wire.as_bytes());
    let head = read_response(&mut buf, &Method::GET).unwrap().unwrap();
    assert_eq!(head.status, StatusCode::OK);
    let cookies: Vec<_> = head.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert_eq!(head.headers["x-custom"], "spaced value");
    assert_eq!(head.headers["x-empty"], "");
    assert_eq!(head.headers["content-length"], "4");
    assert!(head.headers.get("x-interim").is_none(), "the interim head is consumed");
    assert_eq!(head.framing, ResponseFraming::Length(4));
    assert_eq!(&buf[..], b"bodyHTTP/1.1 204 No Content\r\n\r\n");
    let _ = buf.split_to(4);
    assert_eq!(
        read_response(&mut buf, &Method::GET).unwrap().unwrap().status,
        StatusCode::NO_CONTENT
    );
    assert!(buf.is_empty());
}
