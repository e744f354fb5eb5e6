//! Fuzzes what a backend sends back: `upstream::head::read_response` on arbitrary bytes, then
//! the `upstream::chunked` decoder on what follows a chunked head.
//!
//! Input: byte 0 picks the request method (bit 0: HEAD, else GET) and the split size for the
//! piecewise run (bits 1–4, plus 1); the rest is the wire.
//!
//! Properties beyond "no panic":
//! - read whole or in pieces (as the network delivers), the head and the decoded body are the
//!   same, and so is the error;
//! - an accepted head is never 1xx, never 101; a HEAD answer and 204/304 have no body;
//!   an ambiguous or close-delimited framing is never reusable;
//! - the decoder never yields more bytes than it was given, and bytes after the last chunk stay
//!   in the buffer.
#![no_main]

use bytes::BytesMut;
use http::Method;
use libfuzzer_sys::fuzz_target;
use portcullis::upstream::chunked::{Chunked, Decoded};
use portcullis::upstream::head::{ResponseFraming, read_response};

#[derive(Debug, PartialEq)]
enum Outcome {
    NeedMore,
    Error,
    Head { status: u16, framing: ResponseFraming, reusable: bool, body: Result<Vec<u8>, &'static str>, rest: usize },
}

fn run(wire: &[u8], step: usize, method: &Method) -> Outcome {
    let mut buf = BytesMut::new();
    let mut fed = 0;
    let head = loop {
        match read_response(&mut buf, method) {
            Ok(Some(head)) => break head,
            Err(_) => return Outcome::Error,
            Ok(None) if fed == wire.len() => return Outcome::NeedMore,
            Ok(None) => {
                let end = (fed + step).min(wire.len());
                buf.extend_from_slice(&wire[fed..end]);
                fed = end;
            }
        }
    };
    // Everything else arrives at once from here: what matters is the decoder's own splitting.
    buf.extend_from_slice(&wire[fed..]);
    let body = match head.framing {
        ResponseFraming::Chunked => decode(&mut buf, step),
        _ => Ok(Vec::new()),
    };
    Outcome::Head {
        status: head.status.as_u16(),
        framing: head.framing,
        reusable: head.reusable,
        // After an error the connection is dropped: what is left unread does not matter.
        rest: if body.is_ok() { buf.len() } else { 0 },
        body,
    }
}

fn decode(buf: &mut BytesMut, step: usize) -> Result<Vec<u8>, &'static str> {
    let available = std::mem::take(buf);
    let mut decoder = Chunked::Size;
    let mut out = Vec::new();
    let mut fed = 0;
    loop {
        match decoder.decode(buf)? {
            Decoded::Data(d) => {
                assert!(!d.is_empty(), "empty data frame");
                out.extend_from_slice(&d);
            }
            Decoded::End => break,
            Decoded::NeedMore if fed == available.len() => return Err("incomplete"),
            Decoded::NeedMore => {
                let end = (fed + step).min(available.len());
                buf.extend_from_slice(&available[fed..end]);
                fed = end;
            }
        }
    }
    assert!(out.len() <= available.len(), "more body than bytes");
    buf.extend_from_slice(&available[fed..]);
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, wire)) = data.split_first() else {
        return;
    };
    let method = if flags & 1 == 1 { Method::HEAD } else { Method::GET };
    let step = usize::from((flags >> 1) & 0x0f) + 1;
    let whole = run(wire, wire.len().max(1), &method);
    let pieces = run(wire, step, &method);
    assert_eq!(whole, pieces, "the answer depends on how the bytes arrived");
    if let Outcome::Head { status, framing, reusable, .. } = whole {
        assert!(status >= 200, "interim status {status} accepted");
        if method == Method::HEAD || status == 204 || status == 304 {
            assert_eq!(framing, ResponseFraming::Length(0));
        }
        if framing == ResponseFraming::UntilClose {
            assert!(!reusable);
        }
    }
});
