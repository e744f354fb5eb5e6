//! Parsing of a compact JWS into header, claims and signature, without
//! verifying anything.
//!
//! Invariants: exactly three dot-separated segments (checked first, in
//! linear time); each segment is strict base64url without padding
//! (canonical trailing bits, no `=`, `+`, `/` or whitespace); header and
//! claims are strict JSON objects ([`super::strict_json`]); the signature is
//! non-empty. A header carrying `crit` or `b64` in any form is refused: we
//! understand no JWS extension. `jku`, `x5u`, `jwk` and `x5c` are not even
//! read: keys come only from the configured JWKS.
//!
//! [`parse_structure`] checks the segments and the header only; the payload
//! and the signature are decoded when asked for ([`Structure::payload`],
//! [`Structure::signature`]), so a token refused for its header costs no
//! decoding of the rest. [`parse`] does everything, in that order. The pipeline
//! decodes the payload in two steps ([`Structure::payload_gradually`]), so a
//! claim refusal decided by the first bytes costs no decoding of the rest.
//!
//! Allowed imports: std, memchr, serde_json.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::b64url::{Gradual, Invalid};
use super::error::{AuthError, Reason, log_value};
use super::memo::{self, Recent};
use super::strict_json::parse_object;

/// The JOSE header members we use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `alg`, or `None` when absent or not a string.
    pub alg: Option<String>,
    /// `kid`, or `None` when absent or not a string.
    pub kid: Option<String>,
    /// `typ`, or `None` when absent or not a string.
    pub typ: Option<String>,
}

/// A parsed, unverified compact JWS.
#[derive(Clone, Debug)]
pub struct Token<'a> {
    /// The header members we use.
    pub header: Arc<Header>,
    /// The claims object.
    pub claims: Map<String, Value>,
    /// The signing input: the `header.payload` bytes of the token.
    pub signing_input: &'a [u8],
    /// The decoded signature (never empty).
    pub signature: Vec<u8>,
}

/// A compact JWS whose outer structure is sound (three segments, a strict base64url JSON header
/// without `crit` or `b64`) but whose payload and signature are not decoded yet: the pipeline
/// judges the header (algorithm, kid, key) before it spends anything on the rest, and decodes
/// the signature only when it is about to verify it.
#[derive(Clone, Debug)]
pub struct Structure<'a> {
    /// The header members we use.
    pub header: Arc<Header>,
    /// The signing input: the `header.payload` bytes of the token.
    pub signing_input: &'a [u8],
    payload: &'a [u8],
    signature: &'a [u8],
}

impl<'a> Structure<'a> {
    /// The decoded payload bytes.
    ///
    /// # Errors
    /// `invalid_token` when the payload segment is not strict base64url.
    pub fn payload(&self) -> Result<Vec<u8>, AuthError> {
        self.payload_gradually()?.finish()
    }

    /// The payload, to be decoded a block at a time.
    ///
    /// # Errors
    /// `invalid_token` when the payload segment's length is not that of any base64url text.
    pub fn payload_gradually(&self) -> Result<Payload<'a>, AuthError> {
        Gradual::new(self.payload).map(Payload).map_err(payload_error)
    }

    /// The decoded signature (never empty).
    ///
    /// # Errors
    /// `invalid_token` when the signature segment is not strict base64url, or is empty.
    pub fn signature(&self) -> Result<Vec<u8>, AuthError> {
        let signature = decode(self.signature, Reason::SignatureBase64)?;
        if signature.is_empty() {
            return Err(AuthError::new(Reason::Signature, "empty signature"));
        }
        Ok(signature)
    }

    /// The whole token: payload, claims (a strict JSON object) and signature, in that order.
    ///
    /// # Errors
    /// The first of [`Structure::payload`], the claims JSON and [`Structure::signature`] to fail.
    pub fn into_token(self) -> Result<Token<'a>, AuthError> {
        let claims = claims_of(&self.payload()?)?;
        let signature = self.signature()?;
        Ok(Token {
            header: self.header,
            claims,
            signing_input: self.signing_input,
            signature,
        })
    }
}

/// A payload segment decoded a block at a time ([`Gradual`]), with the errors of
/// [`Structure::payload`]: whatever was decoded of it when it is judged
/// ([`Payload::check_rest`]), it is refused for what `payload` refuses it for.
#[derive(Debug)]
pub struct Payload<'a>(Gradual<'a>);

impl Payload<'_> {
    /// Decodes about `chars` more characters.
    ///
    /// # Errors
    /// `invalid_token` for what is not strict base64url in them.
    pub fn more(&mut self, chars: usize) -> Result<(), AuthError> {
        self.0.more(chars).map_err(payload_error)
    }

    /// The payload's bytes decoded so far.
    pub fn decoded(&self) -> &[u8] {
        self.0.decoded()
    }

    /// Whether the whole payload is decoded.
    pub fn is_complete(&self) -> bool {
        self.0.is_complete()
    }

    /// Judges the characters not decoded yet, without decoding them.
    ///
    /// # Errors
    /// `invalid_token` for what is not strict base64url in them.
    pub fn check_rest(&self) -> Result<(), AuthError> {
        self.0.check_rest().map_err(payload_error)
    }

    /// The whole payload, decoded.
    ///
    /// # Errors
    /// `invalid_token` for what is not strict base64url in the rest.
    pub fn finish(self) -> Result<Vec<u8>, AuthError> {
        self.0.finish().map_err(payload_error)
    }
}

fn payload_error(e: Invalid) -> AuthError {
    AuthError::new(Reason::PayloadBase64, e.to_string())
}

/// The claims: `payload` as a strict JSON object.
///
/// # Errors
/// `invalid_token` when the payload is not a strict JSON object.
pub fn claims_of(payload: &[u8]) -> Result<Map<String, Value>, AuthError> {
    parse_object(payload).map_err(|e| AuthError::new(Reason::ClaimsJson, log_value(&e)))
}

/// Parses a compact JWS (its bytes, or text): structure, payload, claims, signature.
///
/// # Errors
/// An `invalid_token` [`AuthError`] naming the first malformed part.
pub fn parse<T: AsRef<[u8]> + ?Sized>(token: &T) -> Result<Token<'_>, AuthError> {
    parse_structure(token)?.into_token()
}

/// Checks a compact JWS's outer structure and decodes its header, leaving payload and
/// signature undecoded.
///
/// # Errors
/// An `invalid_token` [`AuthError`] for the wrong number of segments or a malformed header;
/// a malformed payload or signature is reported only by [`Structure::payload`] and
/// [`Structure::signature`].
pub fn parse_structure<T: AsRef<[u8]> + ?Sized>(token: &T) -> Result<Structure<'_>, AuthError> {
    let token = token.as_ref();
    let (head, body, sig) = split(token)?;
    let header = decode_header(head)?;
    let signing_input = token.get(..head.len() + 1 + body.len()).unwrap_or_default();
    Ok(Structure {
        header,
        signing_input,
        payload: body,
        signature: sig,
    })
}

/// A compact JWS's header, payload and signature segments, undecoded.
type Segments<'t> = (&'t [u8], &'t [u8], &'t [u8]);

/// The three segments of a compact JWS, else how many segments the token has (not three).
/// The dots are found with SIMD (`memchr`), not byte by byte: this runs on every request. A
/// token with fewer than two dots has been scanned whole when that shows, so only one with
/// more is scanned on, to count them.
fn segments(token: &[u8]) -> Result<Segments<'_>, usize> {
    let mut dots = memchr::memchr_iter(b'.', token);
    let first = dots.next().ok_or(1_usize)?;
    let second = dots.next().ok_or(2_usize)?;
    if dots.next().is_some() {
        return Err(4 + dots.count());
    }
    // Never `None`: the dots are within the token.
    let segment = |range: std::ops::Range<usize>| token.get(range).ok_or(3_usize);
    Ok((
        segment(0..first)?,
        segment(first + 1..second)?,
        segment(second + 1..token.len())?,
    ))
}

fn split(token: &[u8]) -> Result<Segments<'_>, AuthError> {
    segments(token).map_err(|count| AuthError::new(Reason::Segments, segment_count(count)))
}

/// "<n> segments" for the log, without formatting for the counts malformed tokens usually
/// have (a refusal that needs no key should cost little: bench/README, scenario (c)).
fn segment_count(count: usize) -> Cow<'static, str> {
    Cow::Borrowed(match count {
        1 => "1 segments",
        2 => "2 segments",
        4 => "4 segments",
        5 => "5 segments",
        other => return Cow::Owned(format!("{other} segments")),
    })
}

fn decode(segment: &[u8], reason: Reason) -> Result<Vec<u8>, AuthError> {
    super::b64url::decode(segment).map_err(|e| AuthError::new(reason, e.to_string()))
}

fn decode_json(segment: &[u8], b64: Reason, json: Reason) -> Result<Map<String, Value>, AuthError> {
    let bytes = decode(segment, b64)?;
    parse_object(&bytes).map_err(|e| AuthError::new(json, log_value(&e)))
}

/// Headers decoded recently on this thread, by segment. Decoding is a pure function of the
/// segment's bytes, and the tokens of an issuer share a handful of headers (one per signing
/// key), so the base64 and strict JSON work of a header is done once per thread rather than
/// once per token. Bounded: [`HEADER_MEMO`] entries of at most [`HEADER_MEMO_MAX_LEN`] bytes,
/// replaced in turn; a longer segment is decoded every time.
const HEADER_MEMO: usize = 8;
/// The longest header segment remembered.
const HEADER_MEMO_MAX_LEN: usize = 512;

type Decoded = Result<Arc<Header>, AuthError>;

thread_local! {
    static HEADERS: RefCell<Recent<Box<[u8]>, Decoded, HEADER_MEMO>> = const { RefCell::new(Recent::new()) };
}

fn decode_header(segment: &[u8]) -> Decoded {
    if segment.len() > HEADER_MEMO_MAX_LEN {
        return decode_header_now(segment).map(Arc::new);
    }
    memo::recall(
        &HEADERS,
        |seen| **seen == *segment,
        || decode_header_now(segment).map(Arc::new),
        || Box::from(segment),
    )
}

fn decode_header_now(segment: &[u8]) -> Result<Header, AuthError> {
    let map = decode_json(segment, Reason::HeaderBase64, Reason::HeaderJson)?;
    for name in ["crit", "b64"] {
        if map.contains_key(name) {
            return Err(AuthError::new(Reason::CriticalHeader, format!("header has {name}")));
        }
    }
    Ok(Header {
        alg: string(&map, "alg"),
        kid: string(&map, "kid"),
        typ: string(&map, "typ"),
    })
}

fn string(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.get(name).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
