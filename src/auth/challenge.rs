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

use std::borrow::Cow;
use std::cell::RefCell;

use http::HeaderValue;

use super::error::{AuthError, ErrorKind};
use super::memo::{self, Recent};

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
    // Only fixed descriptions are remembered: one the token chose (an unregistered `alg`
    // name) would let a client churn the memo.
    let Cow::Borrowed(description) = err.description else {
        return build(err, route_scopes, style);
    };
    memo::recall(
        &CHALLENGES,
        |seen: &Inputs| {
            seen.kind == err.kind
                && seen.style == style
                && seen.description == description
                && *seen.scopes == *route_scopes
        },
        || build(err, route_scopes, style),
        || Inputs {
            kind: err.kind,
            style,
            description,
            scopes: route_scopes.to_vec(),
        },
    )
}

/// Challenges remembered per thread.
const CHALLENGE_MEMO: usize = 8;

/// Everything a challenge is built from.
struct Inputs {
    kind: ErrorKind,
    style: ChallengeStyle,
    description: &'static str,
    scopes: Vec<String>,
}

thread_local! {
    /// The last few challenges built on this thread. A challenge is a pure function of the
    /// refusal's kind and fixed description, the route's scopes and the style, and a flood of
    /// refusals repeats a handful of them: building one costs ~3k instructions (formatting,
    /// quoting, validating the header value), finding it costs a few comparisons.
    static CHALLENGES: RefCell<Recent<Inputs, HeaderValue, CHALLENGE_MEMO>> = const { RefCell::new(Recent::new()) };
}

fn build(err: &AuthError, route_scopes: &[String], style: ChallengeStyle) -> HeaderValue {
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
