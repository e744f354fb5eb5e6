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
//! Allowed imports: std, base64, serde_json.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::error::{AuthError, Reason, log_value};
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
    pub header: Header,
    /// The claims object.
    pub claims: Map<String, Value>,
    /// The signing input: the `header.payload` bytes of the token.
    pub signing_input: &'a str,
    /// The decoded signature (never empty).
    pub signature: Vec<u8>,
}

/// A compact JWS whose structure is sound (three segments, strict base64url, a strict JSON
/// header, a non-empty signature) but whose claims are not parsed yet: the pipeline judges the
/// header (algorithm, kid, key) before it spends a JSON parse on the claims.
#[derive(Clone, Debug)]
pub struct Structure<'a> {
    /// The header members we use.
    pub header: Header,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// The signing input: the `header.payload` bytes of the token.
    pub signing_input: &'a str,
    /// The decoded signature (never empty).
    pub signature: Vec<u8>,
}

impl<'a> Structure<'a> {
    /// The claims: the payload as a strict JSON object.
    ///
    /// # Errors
    /// `invalid_token` when the payload is not a strict JSON object.
    pub fn claims(&self) -> Result<Map<String, Value>, AuthError> {
        parse_object(&self.payload).map_err(|e| AuthError::new(Reason::ClaimsJson, log_value(&e)))
    }

    /// The whole token, claims parsed.
    ///
    /// # Errors
    /// As [`Structure::claims`].
    pub fn into_token(self) -> Result<Token<'a>, AuthError> {
        let claims = self.claims()?;
        Ok(Token {
            header: self.header,
            claims,
            signing_input: self.signing_input,
            signature: self.signature,
        })
    }
}

/// Parses a compact JWS.
///
/// # Errors
/// An `invalid_token` [`AuthError`] naming the first malformed part.
pub fn parse(token: &str) -> Result<Token<'_>, AuthError> {
    parse_structure(token)?.into_token()
}

/// Checks a compact JWS's structure, leaving the claims undecoded as JSON.
///
/// # Errors
/// An `invalid_token` [`AuthError`] naming the first malformed part; a payload that is valid
/// base64url but not a JSON object is reported only by [`Structure::claims`].
pub fn parse_structure(token: &str) -> Result<Structure<'_>, AuthError> {
    let (head, body, sig) = split(token)?;
    let header = decode_header(head)?;
    let payload = decode(body, Reason::PayloadBase64)?;
    let signature = decode(sig, Reason::SignatureBase64)?;
    if signature.is_empty() {
        return Err(AuthError::new(Reason::Signature, "empty signature"));
    }
    let signing_input = token.get(..head.len() + 1 + body.len()).unwrap_or_default();
    Ok(Structure {
        header,
        payload,
        signing_input,
        signature,
    })
}

fn split(token: &str) -> Result<(&str, &str, &str), AuthError> {
    let dots = token.bytes().filter(|b| *b == b'.').count();
    let mut parts = token.splitn(3, '.');
    match (dots, parts.next(), parts.next(), parts.next()) {
        (2, Some(h), Some(p), Some(s)) => Ok((h, p, s)),
        _ => Err(AuthError::new(Reason::Segments, format!("{} segments", dots + 1))),
    }
}

fn decode(segment: &str, reason: Reason) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|e| AuthError::new(reason, e.to_string()))
}

fn decode_json(segment: &str, b64: Reason, json: Reason) -> Result<Map<String, Value>, AuthError> {
    let bytes = decode(segment, b64)?;
    parse_object(&bytes).map_err(|e| AuthError::new(json, log_value(&e)))
}

fn decode_header(segment: &str) -> Result<Header, AuthError> {
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
