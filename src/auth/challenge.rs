//! The `WWW-Authenticate` challenge sent with a 401/403.
//!
//! Forms: a missing token gets the bare `Bearer`; otherwise
//! `Bearer scope="…" error="…" error_description="…"` with the parameters
//! separated by one space (AWS style) or by `, ` (RFC 6750 style). `scope`
//! holds the route scopes joined by one space (`""` when there are none).
//!
//! Invariants: the header value is always valid: quoted strings escape `"`
//! and `\`, and any byte outside printable ASCII (controls, CR/LF, DEL,
//! non-ASCII) becomes `?`. Descriptions never hold raw token bytes (see
//! [`super::error`]).
//!
//! Allowed imports: std, http.

use http::HeaderValue;

use super::error::{AuthError, ErrorKind};

/// How challenge parameters are separated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChallengeStyle {
    /// One space, as Amazon API Gateway sends.
    #[default]
    Aws,
    /// `, ` as RFC 6750 §3 specifies.
    Rfc6750,
}

/// Builds the `WWW-Authenticate` value for `err` on a route requiring
/// `route_scopes`.
pub fn www_authenticate(err: &AuthError, route_scopes: &[String], style: ChallengeStyle) -> HeaderValue {
    if err.kind == ErrorKind::Missing {
        return HeaderValue::from_static("Bearer");
    }
    let separator = match style {
        ChallengeStyle::Aws => " ",
        ChallengeStyle::Rfc6750 => ", ",
    };
    // One buffer, no intermediate strings: this runs on every refused request.
    let mut text = String::with_capacity(64 + err.description.len());
    text.push_str("Bearer scope=\"");
    for (i, scope) in route_scopes.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        push_quoted_inner(&mut text, scope);
    }
    text.push('"');
    text.push_str(separator);
    text.push_str("error=");
    push_quoted(&mut text, err.kind.code());
    text.push_str(separator);
    text.push_str("error_description=");
    push_quoted(&mut text, &err.description);
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

/// An RFC 7230 quoted-string holding only printable ASCII.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_quoted(&mut out, value);
    out
}

fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    push_quoted_inner(out, value);
    out.push('"');
}

/// The inside of a quoted-string: `"` and `\` escaped, anything but printable ASCII as `?`.
fn push_quoted_inner(out: &mut String, value: &str) {
    let plain = |b: u8| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\';
    if value.bytes().all(plain) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
}

#[cfg(test)]
#[path = "challenge_tests.rs"]
mod tests;
