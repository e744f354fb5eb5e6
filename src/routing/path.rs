//! Request path normalization (security decision D8).
//!
//! [`normalize`] turns the raw path of a request target into the one
//! canonical form that is both routed on and forwarded upstream, so the
//! gateway and the backend can never disagree about which resource was asked
//! for. Anything ambiguous is rejected; the caller answers every
//! [`PathError`] with HTTP 400 `{"message":"Bad Request"}`.
//!
//! Invariants of every [`NormalizedPath`]:
//! - segments are non-empty, never `.` or `..`, and contain no `/`;
//! - segments hold only unreserved characters, the sub-delimiters other than
//!   `;`, `:`, `@`, and `%XX` escapes with upper-case hex; an escape never
//!   encodes an unreserved character, `/`, `\`, NUL, CR or LF, and `%25` is
//!   never followed by (`25`)* `2E`, `2F` or `5C` in any case;
//! - fully decoded, the path is valid UTF-8;
//! - `normalize(&p.to_path_string()) == Ok(p)` (idempotence).
//!
//! Runs in time linear in the input and never panics.
//!
//! Imports: `std` only.

use std::fmt;

/// A request path in canonical form: what the router matches and what is
/// forwarded upstream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NormalizedPath {
    /// Each segment after a `/`: empty for `/`, else `/a/b` (without the trailing slash).
    /// Segments are non-empty and never contain `/`, so splitting gives them back exactly;
    /// one string instead of one per segment saves the request path an allocation per
    /// segment.
    joined: String,
    trailing_slash: bool,
}

/// The segments of a [`NormalizedPath`]. A byte scan: segments are a few bytes long, and
/// `str::split`'s searcher costs more than it saves on those (bench/callgrind).
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    /// `/`, then the next segment and the ones after it; empty at the end.
    rest: &'a str,
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let body = self.rest.get(1..)?;
        let end = body.bytes().position(|b| b == b'/').unwrap_or(body.len());
        self.rest = body.get(end..).unwrap_or_default();
        body.get(..end)
    }
}

/// Why a request path was rejected. Every variant means HTTP 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathError {
    /// The path does not start with `/`.
    NotAbsolute,
    /// A raw `#` (fragment) is in the path.
    Fragment,
    /// A raw `?` is in the path part (the caller should have split it off).
    QueryMark,
    /// A raw `\` is in the path.
    Backslash,
    /// A raw `;` (matrix parameters) is in the path.
    Semicolon,
    /// A raw space is in the path.
    Space,
    /// A raw ASCII control byte is in the path.
    ControlByte,
    /// A raw non-ASCII byte is in the path.
    NonAscii,
    /// A `%` is not followed by two hex digits.
    BadEscape,
    /// `%2F` (an encoded slash) is in the path.
    EncodedSlash,
    /// `%5C` (an encoded backslash) is in the path.
    EncodedBackslash,
    /// `%00` (an encoded NUL) is in the path.
    EncodedNul,
    /// `%0A` or `%0D` (an encoded line break) is in the path.
    EncodedNewline,
    /// A double-encoded dot, slash or backslash such as `%252e` is in the path.
    DoubleEncoded,
    /// The percent-decoded path is not valid UTF-8.
    InvalidUtf8,
}

impl NormalizedPath {
    /// The segments the router matches on, left to right; none for `/`.
    pub fn segments(&self) -> Segments<'_> {
        Segments { rest: &self.joined }
    }

    /// The first segment (a named stage's name, if there is one).
    pub fn first_segment(&self) -> Option<&str> {
        self.segments().next()
    }

    /// Whether the request path ended with `/` (never true for `/` itself).
    pub fn trailing_slash(&self) -> bool {
        self.trailing_slash
    }

    /// The same path without its first segment (a named stage's prefix); `/stage` becomes `/`.
    pub fn without_first_segment(&self) -> NormalizedPath {
        let after_first = self.joined.get(1..).and_then(|rest| rest.find('/')).map(|at| at + 1);
        let joined = after_first.and_then(|at| self.joined.get(at..)).unwrap_or_default();
        NormalizedPath {
            joined: joined.to_owned(),
            trailing_slash: self.trailing_slash && !joined.is_empty(),
        }
    }

    /// The canonical path to forward: `/`, `/a/b` or `/a/b/`.
    pub fn to_path_string(&self) -> String {
        let mut out = String::with_capacity(self.joined.len() + 1);
        out.push_str(&self.joined);
        if self.trailing_slash || out.is_empty() {
            out.push('/');
        }
        out
    }
}

impl fmt::Display for NormalizedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_path_string())
    }
}

impl PathError {
    /// A short reason for logs, e.g. `encoded slash in path`.
    pub fn reason(self) -> &'static str {
        match self {
            PathError::NotAbsolute => "path does not start with '/'",
            PathError::Fragment => "raw '#' in path",
            PathError::QueryMark => "raw '?' in path",
            PathError::Backslash => "raw backslash in path",
            PathError::Semicolon => "raw ';' (matrix parameter) in path",
            PathError::Space => "raw space in path",
            PathError::ControlByte => "control character in path",
            PathError::NonAscii => "raw non-ASCII byte in path",
            PathError::BadEscape => "malformed percent escape in path",
            PathError::EncodedSlash => "encoded slash in path",
            PathError::EncodedBackslash => "encoded backslash in path",
            PathError::EncodedNul => "encoded NUL in path",
            PathError::EncodedNewline => "encoded line break in path",
            PathError::DoubleEncoded => "double-encoded dot, slash or backslash in path",
            PathError::InvalidUtf8 => "percent-decoded path is not valid UTF-8",
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for PathError {}

/// Normalizes the path part of a request target (no query string).
///
/// Decodes escapes of unreserved characters, upper-cases the hex of all
/// other escapes, removes `.` and `..` segments (never above the root),
/// merges empty segments and remembers a trailing slash. See the module docs
/// for what is rejected.
pub fn normalize(raw: &str) -> Result<NormalizedPath, PathError> {
    match already_canonical(raw) {
        Some(path) => Ok(path),
        None => normalize_in_full(raw),
    }
}

/// The common case in one pass over the bytes: a path of non-empty segments, none of them `.`
/// or `..`, made only of bytes that [`normalize_in_full`] keeps as they are (no `%`, nothing it
/// would escape or refuse), is its own canonical form. `None` for anything else, which then
/// takes the full pass. About a tenth of the full pass's instructions on `/open/planets`.
fn already_canonical(raw: &str) -> Option<NormalizedPath> {
    let rest = raw.strip_prefix('/')?;
    let (body, trailing_slash) = match rest.strip_suffix('/') {
        Some(body) => (body, true),
        None => (rest, false),
    };
    if body.is_empty() {
        // `/` is the root; `//` merges, so it takes the full pass.
        return (!trailing_slash).then(NormalizedPath::default);
    }
    let is_dot_segment = |len: usize, dots: usize| len == dots && len <= 2;
    let (mut len, mut dots) = (0, 0);
    for b in body.bytes() {
        if b == b'/' {
            if len == 0 || is_dot_segment(len, dots) {
                return None;
            }
            (len, dots) = (0, 0);
        } else if is_unreserved(b) || is_raw_delimiter(b) {
            len += 1;
            dots += usize::from(b == b'.');
        } else {
            return None;
        }
    }
    // The last segment: also `len == 0` here, an empty segment before a trailing `//`.
    if is_dot_segment(len, dots) {
        return None;
    }
    let mut joined = String::with_capacity(body.len() + 1);
    joined.push('/');
    joined.push_str(body);
    Some(NormalizedPath { joined, trailing_slash })
}

/// [`normalize`] for any path: escapes decoded or upper-cased, dot segments resolved, empty
/// segments merged, and every refusal.
fn normalize_in_full(raw: &str) -> Result<NormalizedPath, PathError> {
    let rest = raw.strip_prefix('/').ok_or(PathError::NotAbsolute)?;
    // Canonical segments are never longer than raw ones (escapes of unreserved characters
    // shrink, nothing grows), so this is the only allocation.
    let mut joined = String::with_capacity(raw.len());
    let mut trailing_slash = false;
    let mut scratch = Vec::new();
    for raw_segment in rest.split('/') {
        let start = joined.len();
        joined.push('/');
        canonical_segment(raw_segment, &mut joined, &mut scratch)?;
        trailing_slash = true;
        match joined.get(start + 1..) {
            Some("" | ".") => joined.truncate(start),
            Some("..") => {
                joined.truncate(start);
                let parent = joined.rfind('/').unwrap_or(0);
                joined.truncate(parent);
            }
            _ => trailing_slash = false,
        }
    }
    trailing_slash &= !joined.is_empty();
    Ok(NormalizedPath { joined, trailing_slash })
}

/// Appends one raw segment, canonicalized, to `out`; `scratch` collects its decoded bytes.
fn canonical_segment(raw: &str, out: &mut String, scratch: &mut Vec<u8>) -> Result<(), PathError> {
    let start = out.len();
    scratch.clear();
    // The decoded bytes are kept only to check that they are UTF-8. Raw bytes are ASCII
    // (`check_raw`), so a segment without escapes has nothing to check and keeps nothing.
    let decodes = raw.as_bytes().contains(&b'%');
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        let (byte, escaped) = if b == b'%' {
            (decode_escape(bytes.next(), bytes.next())?, true)
        } else {
            check_raw(b)?;
            (b, false)
        };
        if decodes {
            scratch.push(byte);
        }
        push_canonical(out, byte, escaped);
    }
    if decodes {
        std::str::from_utf8(scratch).map_err(|_| PathError::InvalidUtf8)?;
    }
    check_double_encoding(out.as_bytes().get(start..).unwrap_or_default())
}

/// Decodes the two hex digits after a `%` and rejects forbidden bytes.
fn decode_escape(hi: Option<u8>, lo: Option<u8>) -> Result<u8, PathError> {
    let (Some(hi), Some(lo)) = (hi.and_then(hex_value), lo.and_then(hex_value)) else {
        return Err(PathError::BadEscape);
    };
    match (hi << 4) | lo {
        b'/' => Err(PathError::EncodedSlash),
        b'\\' => Err(PathError::EncodedBackslash),
        0 => Err(PathError::EncodedNul),
        b'\n' | b'\r' => Err(PathError::EncodedNewline),
        byte => Ok(byte),
    }
}

/// The value of one hex digit, either case.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|v| u8::try_from(v).ok())
}

/// Rejects raw bytes that are ambiguous or illegal in a path.
fn check_raw(b: u8) -> Result<(), PathError> {
    match b {
        b'#' => Err(PathError::Fragment),
        b'?' => Err(PathError::QueryMark),
        b'\\' => Err(PathError::Backslash),
        b';' => Err(PathError::Semicolon),
        b' ' => Err(PathError::Space),
        0x00..=0x1f | 0x7f => Err(PathError::ControlByte),
        0x80..=0xff => Err(PathError::NonAscii),
        _ => Ok(()),
    }
}

/// Appends `byte` in canonical form: unreserved characters as themselves,
/// legal raw delimiters as given, everything else as `%XX`.
fn push_canonical(out: &mut String, byte: u8, escaped: bool) {
    let keep_raw = !escaped && is_raw_delimiter(byte);
    if is_unreserved(byte) || keep_raw {
        out.push(char::from(byte));
    } else {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        out.push('%');
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

/// RFC 3986 unreserved: ALPHA / DIGIT / `-` / `.` / `_` / `~`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Raw path characters kept as sent: sub-delims other than `;`, `:` and `@`.
fn is_raw_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b'=' | b':' | b'@'
    )
}

/// Rejects `%25` followed by (`25`)* and then `2E`, `2F` or `5C` (any case):
/// a dot, slash or backslash encoded two or more times.
fn check_double_encoding(out: &[u8]) -> Result<(), PathError> {
    let mut i = 0;
    while let Some(pos) = find_pct25(out, i) {
        let mut j = pos + 3;
        while pair_is(out, j, b"25") {
            j += 2;
        }
        if pair_is(out, j, b"2E") || pair_is(out, j, b"2F") || pair_is(out, j, b"5C") {
            return Err(PathError::DoubleEncoded);
        }
        i = j;
    }
    Ok(())
}

/// The index of the next `%25` at or after `from`.
fn find_pct25(out: &[u8], from: usize) -> Option<usize> {
    let tail = out.get(from..)?;
    tail.windows(3).position(|w| w == b"%25").map(|p| p + from)
}

/// Whether `out[at..at + 2]` equals `pair`, ignoring ASCII case.
fn pair_is(out: &[u8], at: usize, pair: &[u8; 2]) -> bool {
    out.get(at..at + 2).is_some_and(|p| p.eq_ignore_ascii_case(pair))
}

#[cfg(test)]
mod tests;
