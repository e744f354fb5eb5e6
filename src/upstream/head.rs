//! The pure halves of HTTP/1.1 framing for the backend client: writing a request head and
//! reading a response head, with the body framing RFC 9112 §6.3 derives from it.
//!
//! Invariants: a response head is at most [`MAX_HEAD_BYTES`] and [`MAX_HEADERS`] fields; any
//! malformed head, header name or value, `content-length` or framing is an error value (the
//! client answers 502), never a guess that could desynchronise a pooled connection; a response
//! whose framing is ambiguous (`transfer-encoding` with `content-length`) or that ends at close is
//! never reused.
//!
//! May import: std, bytes, http, httparse.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

/// The largest response head accepted (status line and fields).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most response header fields accepted.
pub const MAX_HEADERS: usize = 128;
/// Fields the gateway adds to every backend answer: `apigw-requestid`. (An API with CORS adds
/// a few more and may regrow the map; room for them on every request would make the typical
/// map too big for the allocator's fast path.)
const ADDED_BY_GATEWAY: usize = 1;

/// Responses with up to this many fields are read without allocating their positions.
const INLINE_FIELDS: usize = 32;

/// How the request body is framed on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestFraming {
    /// No body and no framing header (GET, HEAD, DELETE, … without a body).
    None,
    /// `content-length: n`.
    Length(u64),
    /// `transfer-encoding: chunked`.
    Chunked,
}

impl RequestFraming {
    /// The framing for a body of `exact` length (None: unknown) sent with `method`: methods that
    /// carry a body say `content-length: 0` even when it is empty, as browsers and hyper do.
    pub fn for_body(method: &Method, empty: bool, exact: Option<u64>) -> Self {
        let carries_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
        match (empty, exact) {
            (true, _) if carries_body => Self::Length(0),
            (true, _) => Self::None,
            (false, Some(n)) => Self::Length(n),
            (false, None) => Self::Chunked,
        }
    }
}

/// Writes the request line and fields into `out`. `headers` must already be the backend's
/// (hop-by-hop fields removed); any `content-length` or `transfer-encoding` in it is replaced by
/// `framing`, and `host` is added from `authority` when absent.
pub fn write_request(
    out: &mut Vec<u8>,
    method: &Method,
    target: &str,
    authority: &str,
    headers: &HeaderMap,
    framing: RequestFraming,
) {
    // Sized once: a bearer token alone outgrows any fixed guess, and each regrowth copies the
    // head written so far.
    let fields: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    out.reserve(method.as_str().len() + target.len() + authority.len() + fields + 64);
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(if target.is_empty() { b"/" } else { target.as_bytes() });
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if !headers.contains_key(header::HOST) {
        field(out, b"host", authority.as_bytes());
    }
    for (name, value) in headers {
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        field(out, name.as_str().as_bytes(), value.as_bytes());
    }
    match framing {
        RequestFraming::None => {}
        RequestFraming::Length(n) => {
            out.extend_from_slice(b"content-length: ");
            out.extend_from_slice(n.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        RequestFraming::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
    }
    out.extend_from_slice(b"\r\n");
}

fn field(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// How the response body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFraming {
    /// Exactly this many bytes (0: no body).
    Length(u64),
    /// `transfer-encoding: chunked`.
    Chunked,
    /// Everything until the backend closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug)]
pub struct ResponseHead {
    /// The status (never 1xx).
    pub status: StatusCode,
    /// HTTP/1.0 or HTTP/1.1.
    pub version: http::Version,
    /// The fields, as sent.
    pub headers: HeaderMap,
    /// How the body is delimited.
    pub framing: ResponseFraming,
    /// Whether the connection may carry another request after this response.
    pub reusable: bool,
}

/// Why a response head was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadError(pub String);

impl std::fmt::Display for HeadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad(text: impl Into<String>) -> HeadError {
    HeadError(text.into())
}

/// Reads one final response head from the front of `buf`, skipping (consuming) interim 1xx
/// responses. `Ok(None)`: more bytes are needed. On success the head's bytes are consumed and
/// `buf` starts with the body.
///
/// # Errors
/// A malformed or oversized head, `101 Switching Protocols` (no upgrades through the gateway), or
/// a framing that cannot be trusted.
pub fn read_response(buf: &mut BytesMut, method: &Method) -> Result<Option<ResponseHead>, HeadError> {
    loop {
        // Uninitialized slots: httparse writes the ones it fills, and zeroing all of them
        // (4 KiB) cost more than parsing a typical head.
        let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut []);
        let parsed =
            httparse::ParserConfig::default().parse_response_with_uninit_headers(&mut response, buf, &mut fields);
        let consumed = match parsed {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => {
                return Err(bad("response head too large"));
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(bad(format!("invalid response head: {e}"))),
        };
        let code = response.code.unwrap_or(0);
        let status = StatusCode::from_u16(code).map_err(|_| bad(format!("invalid status {code}")))?;
        if status == StatusCode::SWITCHING_PROTOCOLS {
            return Err(bad("the backend switched protocols"));
        }
        if status.is_informational() {
            let _ = buf.split_to(consumed);
            continue;
        }
        let version = match response.version {
            Some(0) => http::Version::HTTP_10,
            _ => http::Version::HTTP_11,
        };
        // The values are kept as slices of the head's own bytes, not copies: where each field
        // lies is noted while the parse borrows `buf`, then the head is split off and frozen.
        let base = buf.as_ptr() as usize;
        let at = |bytes: &[u8]| Span {
            start: u32::try_from((bytes.as_ptr() as usize).wrapping_sub(base)).unwrap_or(u32::MAX),
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        };
        let count = response.headers.len();
        let mut inline = [(Span::EMPTY, Span::EMPTY); INLINE_FIELDS];
        let spilled: Vec<(Span, Span)>;
        let spans = if count <= INLINE_FIELDS {
            for (span, f) in inline.iter_mut().zip(response.headers.iter()) {
                *span = (at(f.name.as_bytes()), at(f.value));
            }
            inline.get(..count).unwrap_or_default()
        } else {
            spilled = response
                .headers
                .iter()
                .map(|f| (at(f.name.as_bytes()), at(f.value)))
                .collect();
            spilled.as_slice()
        };
        let head = buf.split_to(consumed).freeze();
        // Room for what the gateway adds to every answer, so that adding it does not regrow the
        // map (a rehash of every field).
        let mut headers = HeaderMap::with_capacity(count + ADDED_BY_GATEWAY);
        for (name, value) in spans {
            let name = name.of(&head).and_then(|n| HeaderName::from_bytes(&n).ok());
            let name = name.ok_or_else(|| bad("invalid header name"))?;
            let value = value.of(&head).and_then(|v| HeaderValue::from_maybe_shared(v).ok());
            let value = value.ok_or_else(|| bad(format!("invalid value of {name}")))?;
            headers.append(name, value);
        }
        let (framing, ambiguous) = framing(&headers, status, method)?;
        let reusable = !ambiguous && framing != ResponseFraming::UntilClose && keep_alive(&headers, version);
        return Ok(Some(ResponseHead {
            status,
            version,
            headers,
            framing,
            reusable,
        }));
    }
}

/// Where a field's name or value lies in the head (heads are far below 4 GiB).
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    const EMPTY: Self = Self { start: 0, len: 0 };

    /// These bytes of `head`, sharing its buffer (`None` if out of range, which a span taken
    /// from the parse of this head never is).
    fn of(self, head: &Bytes) -> Option<Bytes> {
        let (start, len) = (self.start as usize, self.len as usize);
        let end = start.checked_add(len).filter(|end| *end <= head.len())?;
        Some(head.slice(start..end))
    }
}

/// RFC 9112 §6.3, in its order. The second value: `transfer-encoding` and `content-length`
/// both present (the connection is closed afterwards).
fn framing(headers: &HeaderMap, status: StatusCode, method: &Method) -> Result<(ResponseFraming, bool), HeadError> {
    if *method == Method::HEAD || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok((ResponseFraming::Length(0), false));
    }
    let has_length = headers.contains_key(header::CONTENT_LENGTH);
    if headers.contains_key(header::TRANSFER_ENCODING) {
        let last = headers
            .get_all(header::TRANSFER_ENCODING)
            .iter()
            .flat_map(|v| v.as_bytes().split(|b| *b == b','))
            .map(<[u8]>::trim_ascii)
            .rfind(|coding| !coding.is_empty());
        let chunked = last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"));
        let framing = if chunked {
            ResponseFraming::Chunked
        } else {
            ResponseFraming::UntilClose
        };
        return Ok((framing, has_length));
    }
    if has_length {
        return content_length(headers).map(|n| (ResponseFraming::Length(n), false));
    }
    Ok((ResponseFraming::UntilClose, false))
}

/// Every `content-length` value (fields and comma-separated members) must be the same number.
fn content_length(headers: &HeaderMap) -> Result<u64, HeadError> {
    let mut found: Option<u64> = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        for member in value.as_bytes().split(|b| *b == b',') {
            let member = member.trim_ascii();
            let n = parse_decimal(member).ok_or_else(|| bad("invalid content-length"))?;
            if found.is_some_and(|f| f != n) {
                return Err(bad("conflicting content-length values"));
            }
            found = Some(n);
        }
    }
    found.ok_or_else(|| bad("invalid content-length"))
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits
        .iter()
        .try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

fn keep_alive(headers: &HeaderMap, version: http::Version) -> bool {
    let mut close = false;
    let mut keep = false;
    for value in headers.get_all(header::CONNECTION) {
        for token in value.as_bytes().split(|b| *b == b',') {
            let token = token.trim_ascii();
            close |= token.eq_ignore_ascii_case(b"close");
            keep |= token.eq_ignore_ascii_case(b"keep-alive");
        }
    }
    !close && (version == http::Version::HTTP_11 || keep)
}

#[cfg(test)]
#[path = "head_tests.rs"]
mod tests;
