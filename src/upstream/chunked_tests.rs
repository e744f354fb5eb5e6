#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

/// Feeds `wire` in pieces of `step` bytes; returns the body, or the first error.
fn decode_all(wire: &[u8], step: usize) -> Result<(Vec<u8>, BytesMut), &'static str> {
    let mut decoder = Chunked::Size;
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    let mut fed = 0;
    loop {
        match decoder.decode(&mut buf)? {
            Decoded::Data(d) => body.extend_from_slice(&d),
            Decoded::End => return Ok((body, buf)),
            Decoded::NeedMore => {
                if fed >= wire.len() {
                    return Err("incomplete");
                }
                let end = (fed + step).min(wire.len());
                buf.extend_from_slice(&wire[fed..end]);
                fed = end;
            }
        }
    }
}

#[test]
fn decodes_whatever_the_read_boundaries() {
    let wire = b"5\r\nhello\r\n1;name=value\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\nNEXT";
    for step in [1, 2, 3, 7, 100] {
        let (body, rest) = decode_all(wire, step).unwrap();
        assert_eq!(body, b"hello 0123456789", "step {step}");
        if step == 100 {
            assert_eq!(&rest[..], b"NEXT", "bytes after the body stay in the buffer");
        }
    }
}

#[test]
fn malformed_framing_is_an_error() {
    for bad in [
        &b"x\r\n"[..],
        b"5\r\nhelloXY0\r\n\r\n",
        b"5\nhello\r\n0\r\n\r\n",
        b"-1\r\n",
        b"10000000000000000\r\n",
        b"5 x\r\nhello\r\n0\r\n\r\n",
    ] {
        assert!(decode_all(bad, 1).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn endless_lines_and_trailers_are_bounded() {
    let long_line = format!("5;{}\r\n", "e".repeat(MAX_LINE + 10));
    assert_eq!(decode_all(long_line.as_bytes(), 1000), Err("chunk line too long"));
    let trailers = format!("0\r\n{}\r\n", "x-t: v\r\n".repeat(MAX_TRAILERS / 8 + 10));
    assert_eq!(decode_all(trailers.as_bytes(), 1000), Err("trailer section too large"));
}

#[test]
fn a_huge_declared_chunk_is_streamed_not_buffered() {
    let mut decoder = Chunked::Size;
    let mut buf = BytesMut::from(&b"ffffffffffffffff\r\nabc"[..]);
    assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Data(Bytes::from_static(b"abc"))));
    assert_eq!(decoder, Chunked::Data(u64::MAX - 3));
}
