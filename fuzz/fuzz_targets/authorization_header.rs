//! Fuzzes token extraction: `auth::extract` with arbitrary bytes as the
//! `Authorization` header value (when `http::HeaderValue` accepts them) and
//! as the query string, for a header identity source and for a query one.
//!
//! Input: byte 0 holds flags (bit 0: identity source is the
//! `access_token` query parameter rather than the `authorization` header;
//! bit 1: send the header twice; bit 2: no header at all), then
//! `header-bytes 0x00 query-bytes`.
//!
//! Properties beyond "no panic" — at most one token comes out:
//! - a token, when returned, is non-empty;
//! - header source: two `Authorization` headers, or an `access_token`
//!   parameter beside the header, are refused; the token is a substring of
//!   the header value; after a `Bearer` scheme it holds no whitespace or
//!   comma, and without one it is the whole value;
//! - query source: a parameter named `access_token` (after decoding)
//!   appearing twice, or a `Bearer` header beside it, is refused; the token
//!   is the percent-decoding (`+` as space) of the one parameter's value;
//! - every refusal renders a `WWW-Authenticate` challenge.
#![no_main]

use std::borrow::Cow;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use portcullis::auth::{self, ChallengeStyle, TokenLocation};

/// Independent decoder: `%XX` and `+`; `None` on a bad escape or bad UTF-8.
fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The raw values of the query parameters whose decoded name is `name`.
fn values<'q>(query: &'q str, name: &str) -> Vec<&'q str> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k).as_deref() == Some(name)).then_some(v)
        })
        .collect()
}

fn bearer_scheme(value: &str) -> bool {
    value.len() >= 6
        && value.is_char_boundary(6)
        && value[..6].eq_ignore_ascii_case("bearer")
        && value[6..].chars().next().is_none_or(|c| c.is_ascii_whitespace())
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (header, query) = match rest.iter().position(|b| *b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let query = String::from_utf8_lossy(query);
    let mut headers = HeaderMap::new();
    let mut header_count = 0;
    if flags & 4 == 0
        && let Ok(value) = HeaderValue::from_bytes(header)
    {
        headers.append(AUTHORIZATION, value.clone());
        header_count += 1;
        if flags & 2 != 0 {
            headers.append(AUTHORIZATION, value);
            header_count += 1;
        }
    }
    let location = match flags & 1 {
        0 => TokenLocation::Header(AUTHORIZATION),
        _ => TokenLocation::Query("access_token".to_owned()),
    };

    let result = auth::extract(&location, &headers, Some(&query));
    let bytes: Cow<'_, [u8]> = match result {
        Err(err) => {
            let _ = auth::www_authenticate(&err, &[], ChallengeStyle::Aws);
            return;
        }
        Ok(token) => token,
    };
    // Handed on as bytes, never checked as UTF-8 again: a header token is visible ASCII (a part
    // of a value `to_str` accepts, below) and a query token percent-decoded UTF-8, so both are text.
    let token = std::str::from_utf8(&bytes).expect("a token that is not text");
    assert!(!token.is_empty(), "empty token");
    let params = values(&query, "access_token");

    match location {
        TokenLocation::Header(_) => {
            assert_eq!(header_count, 1, "token from {header_count} headers");
            assert!(params.is_empty(), "header token beside an access_token parameter");
            let value = headers[AUTHORIZATION].to_str().expect("token from a non-ASCII header");
            assert!(value.contains(token), "token is not part of the header");
            if bearer_scheme(value) {
                assert!(
                    !token.contains(|c: char| c.is_ascii_whitespace() || c == ','),
                    "Bearer token with whitespace or comma: {token:?}"
                );
                assert!(value.ends_with(token));
            } else {
                assert_eq!(token, value, "bare value changed");
            }
        }
        TokenLocation::Query(_) => {
            assert_eq!(params.len(), 1, "token from {} parameters", params.len());
            let bearer_header = headers
                .get_all(AUTHORIZATION)
                .iter()
                .any(|v| v.to_str().is_ok_and(bearer_scheme));
            assert!(!bearer_header, "query token beside a Bearer header");
            assert_eq!(
                decode(params[0]).as_deref(),
                Some(token),
                "token is not the decoded value"
            );
        }
    }
});
