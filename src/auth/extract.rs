//! Finding the token in a request: the identity source is one header (e.g.
//! `authorization`) or one query-string parameter.
//!
//! Invariants: exactly one value may carry the identity; a token offered two
//! ways at once (decision D11: a header token plus an `access_token` query
//! parameter, or a query token plus an `Authorization: Bearer` header) is an
//! invalid request. A `Bearer` value (scheme case-insensitive, one or more
//! spaces) must hold one non-empty token without whitespace or comma; a
//! value without the `Bearer` scheme is handed on whole as the token (AWS
//! accepts a bare JWT; anything else then fails as invalid_token). Query
//! values are percent-decoded (`+` is a space).
//!
//! The token is handed on as bytes: the one pass over a header token (below)
//! already refuses every byte outside visible ASCII, and nothing after it
//! needs text (base64url is ASCII), so it is not checked again as UTF-8
//! (~500 instructions a request for a 1 KB token).
//!
//! Allowed imports: std, http.

use std::borrow::Cow;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName};

use super::error::{AuthError, Reason};

/// Where the token is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenLocation {
    /// A request header (its name parsed once, when the configuration is compiled).
    Header(HeaderName),
    /// A query-string parameter, by name.
    Query(String),
}

/// The query parameter whose presence next to a header token is refused.
pub const ACCESS_TOKEN_PARAM: &str = "access_token";

/// Extracts the raw token from the request, as bytes: from a header, visible ASCII (after
/// `Bearer`, without a space or comma; a value without the scheme whole); from the query
/// string, the percent-decoded parameter (UTF-8).
///
/// # Errors
/// `missing` when the identity source is absent or empty, `invalid_request`
/// when it is duplicated, malformed, or offered two ways at once.
pub fn extract<'a>(
    location: &TokenLocation,
    headers: &'a HeaderMap,
    query: Option<&'a str>,
) -> Result<Cow<'a, [u8]>, AuthError> {
    match location {
        TokenLocation::Header(name) => from_header(name, headers, query).map(Cow::Borrowed),
        TokenLocation::Query(name) => from_query(name, headers, query).map(|token| match token {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }),
    }
}

fn missing() -> AuthError {
    AuthError::new(Reason::TokenMissing, "")
}

fn from_header<'a>(name: &HeaderName, headers: &'a HeaderMap, query: Option<&str>) -> Result<&'a [u8], AuthError> {
    let mut values = headers.get_all(name).iter();
    let value = values.next().ok_or_else(missing)?;
    if values.next().is_some() {
        return Err(AuthError::new(
            Reason::MultipleTokens,
            format!("several {name} headers"),
        ));
    }
    let bytes = value.as_bytes();
    let scan = Scan::of(bytes);
    if !scan.visible {
        return Err(AuthError::new(Reason::MalformedAuthorization, "non-ASCII header value"));
    }
    // Visible ASCII, spaces and tabs only: `trim_ascii` trims what `str::trim` would.
    if bytes.trim_ascii().is_empty() {
        return Err(missing());
    }
    if matching(query.unwrap_or_default(), ACCESS_TOKEN_PARAM).next().is_some() {
        return Err(AuthError::new(
            Reason::MultipleTokens,
            "header token and access_token parameter",
        ));
    }
    let Some(token) = scan.token_at.and_then(|at| bytes.get(at..)) else {
        // No `Bearer` scheme: the value is handed on whole.
        return Ok(bytes);
    };
    let malformed = |why: &'static str| AuthError::new(Reason::MalformedAuthorization, why);
    if token.is_empty() {
        return Err(malformed("no token after Bearer"));
    }
    if scan.separated {
        return Err(malformed("whitespace or comma in the Bearer token"));
    }
    Ok(token)
}

/// One pass over a header value's token (~1 KB on every request) with two folds the compiler
/// vectorizes, where early-exit searches would go byte by byte.
struct Scan {
    /// Whether the value is visible ASCII (or tab, or space), as `HeaderValue::to_str` decides.
    visible: bool,
    /// Where the token starts, after `Bearer` and the spaces that follow it; `None` without the
    /// scheme.
    token_at: Option<usize>,
    /// Whether the token (from `token_at`, else the whole value) holds a tab, a space or a comma
    /// (other whitespace is invisible: `visible` is false).
    separated: bool,
}

impl Scan {
    fn of(bytes: &[u8]) -> Self {
        let token_at = has_bearer_scheme(bytes).then(|| 6 + bytes.iter().skip(6).take_while(|b| **b == b' ').count());
        let token = bytes.get(token_at.unwrap_or(0)..).unwrap_or(bytes);
        // The scheme part is `Bearer` and spaces, visible by construction: only the token is scanned.
        let classes = classes(token);
        Self {
            visible: classes & INVISIBLE == 0,
            token_at,
            separated: classes & SEPARATOR != 0,
        }
    }
}

/// The [`class`]es of every byte of `bytes`, ORed.
///
/// A token is nearly always [`plain`] throughout, which holds neither class and is a cheaper
/// fold; only a value that is not pays for the classes byte by byte.
///
/// Never inlined, so that its code does not depend on its caller's: inlined, the loop was
/// vectorized or not depending on changes elsewhere in the crate (one build that only changed
/// the proxy's backend call took a 1 KB token from ~1 800 instructions to ~21 000 here).
#[inline(never)]
fn classes(bytes: &[u8]) -> u8 {
    if bytes.iter().fold(0u8, |odd, b| odd | u8::from(!plain(*b))) == 0 {
        return 0;
    }
    bytes.iter().fold(0u8, |seen, b| seen | class(*b))
}

/// Whether a byte is visible ASCII other than a comma: of neither [`class`]. One unsigned range
/// test and one equality, which vectorize in fewer instructions than the classes do.
fn plain(b: u8) -> bool {
    b.wrapping_sub(0x21) < 0x5e && b != b','
}

/// [`class`] of a byte outside visible ASCII and tab (what `HeaderValue::to_str` refuses).
const INVISIBLE: u8 = 1;
/// [`class`] of a tab, a space or a comma: with the invisible bytes (where the other ASCII
/// whitespace falls), every separator a Bearer token may not hold.
const SEPARATOR: u8 = 2;

/// The classes of a byte, as bits: branch-free, with only signed byte comparisons and
/// equalities, so a fold over a token vectorizes (16 bytes per step with SSE2, against ~5
/// instructions per byte for a pair of `bool` folds).
fn class(b: u8) -> u8 {
    let tab = b == b'\t';
    // As i8, 0x80..=0xff are negative: below 0x20 means a control byte or non-ASCII.
    let invisible = (!tab & ((b as i8) < 0x20)) | (b == 0x7f);
    let separator = tab | (b == b' ') | (b == b',');
    u8::from(invisible) | (u8::from(separator) << 1)
}

/// Whether `value` opens with the `Bearer` scheme: the word in any case, then whitespace or
/// the end. The one test of the scheme, for a header token and for a query token's rival.
fn has_bearer_scheme(value: &[u8]) -> bool {
    let scheme = value.get(..6).is_some_and(|word| word.eq_ignore_ascii_case(b"bearer"));
    scheme && value.get(6).is_none_or(u8::is_ascii_whitespace)
}

fn from_query<'a>(name: &str, headers: &HeaderMap, query: Option<&'a str>) -> Result<Cow<'a, str>, AuthError> {
    let mut values = matching(query.unwrap_or_default(), name);
    let value = values.next().ok_or_else(missing)?;
    if values.next().is_some() {
        return Err(AuthError::new(
            Reason::MultipleTokens,
            format!("several {name} parameters"),
        ));
    }
    let has_bearer = |v: &http::HeaderValue| v.to_str().is_ok_and(|text| has_bearer_scheme(text.as_bytes()));
    if headers.get_all(AUTHORIZATION).iter().any(has_bearer) {
        return Err(AuthError::new(Reason::MultipleTokens, "query token and Bearer header"));
    }
    let token = percent_decode(value).ok_or_else(|| AuthError::new(Reason::MalformedQuery, "bad percent-encoding"))?;
    match token.is_empty() {
        true => Err(missing()),
        false => Ok(token),
    }
}

/// The raw values of the parameters whose decoded name is `name`.
fn matching<'q, 'n>(query: &'q str, name: &'n str) -> impl Iterator<Item = &'q str> + use<'q, 'n> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(move |pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key)? == name).then_some(value)
        })
}

/// Decodes `%XX` and `+`; `None` on a bad escape or invalid UTF-8.
fn percent_decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains(['%', '+']) {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        out.push(match b {
            b'+' => b' ',
            b'%' => hex(bytes.next()?)? << 4 | hex(bytes.next()?)?,
            other => other,
        });
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
#[path = "extract_tests.rs"]
mod tests;
