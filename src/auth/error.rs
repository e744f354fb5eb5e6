//! Authorization errors: what went wrong, what the client is told, and what
//! goes to the logs.
//!
//! Invariants: a [`AuthError::description`] never contains bytes taken from
//! the token or the request except a vetted `alg` name (see [`safe_alg`]) and
//! the configured route scopes; attacker-controlled values (kid, iss, …) go
//! only to [`AuthError::detail`], escaped and truncated by [`log_value`].
//!
//! Allowed imports: std only.
//!
//! # Descriptions (the `error_description` sent to clients)
//!
//! | reason | kind | description |
//! |---|---|---|
//! | `TokenMissing` | missing | `token not provided` |
//! | `MultipleTokens` | invalid_request | `the request has more than one token` |
//! | `MalformedAuthorization` | invalid_request | `the authorization header is malformed` |
//! | `MalformedQuery` | invalid_request | `the query string is malformed` |
//! | `Segments` | invalid_token | `token contains an invalid number of segments` |
//! | `HeaderBase64` | invalid_token | `token is malformed: could not base64 decode header` |
//! | `PayloadBase64` | invalid_token | `token is malformed: could not base64 decode payload` |
//! | `SignatureBase64` | invalid_token | `token is malformed: could not base64 decode signature` |
//! | `HeaderJson` | invalid_token | `token is malformed: could not JSON decode header` |
//! | `ClaimsJson` | invalid_token | `token is malformed: could not JSON decode claims` |
//! | `CriticalHeader` | invalid_token | `token has an unsupported critical header` |
//! | `Algorithm` | invalid_token | `signing method <alg> is invalid` / `signing method (invalid) is invalid` |
//! | `TokenType` | invalid_token | `the token type is not allowed` |
//! | `NoKid` | invalid_token | `token has no kid` |
//! | `UnknownKid` | invalid_token | `no key found for the token's kid` |
//! | `Signature` | invalid_token | `token signature is invalid` |
//! | `Issuer` | invalid_token | `the token does not have a valid issuer` |
//! | `Audience` | invalid_token | `the token does not have a valid audience` |
//! | `NoExpiration` | invalid_token | `the token has no expiration` |
//! | `InvalidExpiration` | invalid_token | `the token has an invalid expiration` |
//! | `Expired` | invalid_token | `the token has expired` |
//! | `InvalidNotBefore` | invalid_token | `the token has an invalid not-before time` |
//! | `NotYetValid` | invalid_token | `the token is not valid yet` |
//! | `InvalidIssuedAt` | invalid_token | `the token has an invalid issued-at time` |
//! | `IssuedInFuture` | invalid_token | `the token was issued in the future` |
//! | `UnsafeClaim` | invalid_token | `the token has a claim that cannot be forwarded` |
//! | `Scope` | insufficient_scope | `expected scopes: [<route scopes>]` |

use std::borrow::Cow;
use std::fmt;

/// The class of an authorization failure; decides status and challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No token in the request (challenge is the bare `Bearer`).
    Missing,
    /// The request carries tokens in a way we refuse (RFC 6750 invalid_request).
    InvalidRequest,
    /// The token is malformed, badly signed or its claims fail.
    InvalidToken,
    /// The token is valid but holds none of the route's scopes (403).
    InsufficientScope,
}

impl ErrorKind {
    /// The error code: `missing`, `invalid_request`, `invalid_token`,
    /// `insufficient_scope`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }
}

/// The precise reason of a failure (one row of the table in the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No token in the identity source.
    TokenMissing,
    /// More than one token offered.
    MultipleTokens,
    /// A `Bearer` value that is not exactly one token.
    MalformedAuthorization,
    /// The token parameter is not valid percent-encoding.
    MalformedQuery,
    /// Not exactly three segments.
    Segments,
    /// The header segment is not strict base64url.
    HeaderBase64,
    /// The payload segment is not strict base64url.
    PayloadBase64,
    /// The signature segment is not strict base64url.
    SignatureBase64,
    /// The header is not a strict JSON object.
    HeaderJson,
    /// The claims are not a strict JSON object.
    ClaimsJson,
    /// The header carries `crit` or `b64`.
    CriticalHeader,
    /// `alg` is absent, unknown or not allowed.
    Algorithm,
    /// `typ` is not the required type.
    TokenType,
    /// The header has no string `kid`.
    NoKid,
    /// No trusted key has the token's kid.
    UnknownKid,
    /// No trusted key with the kid verifies the signature.
    Signature,
    /// `iss` is not the configured issuer.
    Issuer,
    /// Neither `aud` nor `client_id` names a configured audience.
    Audience,
    /// `exp` is absent.
    NoExpiration,
    /// `exp` is not a finite, non-negative number.
    InvalidExpiration,
    /// `now >= exp + leeway`.
    Expired,
    /// `nbf` is not a finite number.
    InvalidNotBefore,
    /// `nbf > now + leeway`.
    NotYetValid,
    /// `iat` is not a finite number.
    InvalidIssuedAt,
    /// `iat > now + leeway`.
    IssuedInFuture,
    /// A claim mapped into a backend header holds characters that cannot be
    /// forwarded (decision D10; raised by the caller, not by the pipeline).
    UnsafeClaim,
    /// The token holds none of the route's scopes.
    Scope,
}

impl Reason {
    /// The error kind this reason belongs to.
    pub fn kind(self) -> ErrorKind {
        match self {
            Self::TokenMissing => ErrorKind::Missing,
            Self::MultipleTokens | Self::MalformedAuthorization | Self::MalformedQuery => ErrorKind::InvalidRequest,
            Self::Scope => ErrorKind::InsufficientScope,
            _ => ErrorKind::InvalidToken,
        }
    }

    /// The fixed description; `Algorithm` and `Scope` get theirs built by
    /// [`AuthError::algorithm`] and [`AuthError::scope`].
    pub fn text(self) -> &'static str {
        match self {
            Self::TokenMissing => "token not provided",
            Self::MultipleTokens => "the request has more than one token",
            Self::MalformedAuthorization => "the authorization header is malformed",
            Self::MalformedQuery => "the query string is malformed",
            Self::Segments => "token contains an invalid number of segments",
            Self::HeaderBase64 => "token is malformed: could not base64 decode header",
            Self::PayloadBase64 => "token is malformed: could not base64 decode payload",
            Self::SignatureBase64 => "token is malformed: could not base64 decode signature",
            Self::HeaderJson => "token is malformed: could not JSON decode header",
            Self::ClaimsJson => "token is malformed: could not JSON decode claims",
            Self::CriticalHeader => "token has an unsupported critical header",
            Self::Algorithm => "signing method (invalid) is invalid",
            _ => self.claim_text(),
        }
    }

    fn claim_text(self) -> &'static str {
        match self {
            Self::TokenType => "the token type is not allowed",
            Self::NoKid => "token has no kid",
            Self::UnknownKid => "no key found for the token's kid",
            Self::Signature => "token signature is invalid",
            Self::Issuer => "the token does not have a valid issuer",
            Self::Audience => "the token does not have a valid audience",
            Self::NoExpiration => "the token has no expiration",
            Self::InvalidExpiration => "the token has an invalid expiration",
            Self::Expired => "the token has expired",
            Self::InvalidNotBefore => "the token has an invalid not-before time",
            Self::NotYetValid => "the token is not valid yet",
            Self::InvalidIssuedAt => "the token has an invalid issued-at time",
            Self::IssuedInFuture => "the token was issued in the future",
            Self::UnsafeClaim => "the token has a claim that cannot be forwarded",
            _ => "insufficient scope",
        }
    }
}

/// Why a request was not authorized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// The precise reason.
    pub reason: Reason,
    /// The client-facing `error_description` (safe: no raw token bytes). Borrowed from the
    /// reason's fixed text except for `Algorithm` and `Scope`: a refusal allocates nothing it
    /// does not have to.
    pub description: Cow<'static, str>,
    /// Extra context for logs only (escaped, bounded); may be empty.
    pub detail: Cow<'static, str>,
}

impl AuthError {
    /// An error with the reason's fixed description.
    pub fn new(reason: Reason, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: reason.kind(),
            reason,
            description: Cow::Borrowed(reason.text()),
            detail: detail.into(),
        }
    }

    /// `signing method <alg> is invalid`, echoing `alg` only if [`safe_alg`].
    pub fn algorithm(alg: Option<&str>) -> Self {
        let shown = alg.filter(|a| safe_alg(a)).unwrap_or("(invalid)");
        let detail = match alg {
            None => Cow::Borrowed("alg absent or not a string"),
            Some(a) => {
                registered_alg_detail(a).map_or_else(|| Cow::Owned(format!("alg={}", log_value(a))), Cow::Borrowed)
            }
        };
        let mut err = Self::new(Reason::Algorithm, detail);
        err.description = match registered_alg_text(shown) {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(format!("signing method {shown} is invalid")),
        };
        err
    }

    /// `expected scopes: [a b]` for the route's scopes.
    pub fn scope(route_scopes: &[String], detail: impl Into<Cow<'static, str>>) -> Self {
        let mut err = Self::new(Reason::Scope, detail);
        err.description = Cow::Owned(format!("expected scopes: {}", super::render::go_slice(route_scopes)));
        err
    }

    /// A claim mapped into a backend header holds control characters (decision D10).
    pub fn unsafe_claim(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Reason::UnsafeClaim, detail)
    }

    /// True when the token names a kid absent from the key set: the caller
    /// may refetch the JWKS once and retry.
    pub fn is_unknown_kid(&self) -> bool {
        self.reason == Reason::UnknownKid
    }

    /// `<error>: <description>` for access logs, e.g.
    /// `invalid_token: the token has expired`.
    pub fn access_log_text(&self) -> String {
        format!("{}: {}", self.kind.code(), self.description)
    }

    /// The HTTP status: 403 for insufficient scope, else 401.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::InsufficientScope => 403,
            _ => 401,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.description)
    }
}

impl std::error::Error for AuthError {}

/// The registered algorithm names, listed once: they make [`registered_alg_text`],
/// [`registered_alg_detail`] and, for their test, [`REGISTERED_ALGS`].
macro_rules! registered_algs {
    ($($name:literal),*) => {
        /// The JWS algorithms registered by RFC 7518 (and EdDSA, RFC 8037), `none`, and the
        /// stand-in shown for an alg that may not be echoed.
        #[cfg(test)]
        const REGISTERED_ALGS: &[&str] = &[$($name),*];

        /// The description for a registered algorithm, without formatting: a flood of tokens
        /// with a refused algorithm builds no string for its answer.
        fn registered_alg_text(alg: &str) -> Option<&'static str> {
            match alg {
                $($name => Some(concat!("signing method ", $name, " is invalid")),)*
                _ => None,
            }
        }

        /// The log detail for a registered algorithm (`alg=<name>`, which [`log_value`] leaves
        /// as it is), without formatting.
        fn registered_alg_detail(alg: &str) -> Option<&'static str> {
            match alg {
                $($name => Some(concat!("alg=", $name)),)*
                _ => None,
            }
        }
    };
}

registered_algs!(
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "HS256",
    "HS384",
    "HS512",
    "EdDSA",
    "none",
    "(invalid)"
);

/// True if `alg` may be echoed: 1–32 chars of `[A-Za-z0-9_+-]`.
pub fn safe_alg(alg: &str) -> bool {
    let ok = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-');
    (1..=32).contains(&alg.len()) && alg.as_bytes().iter().all(ok)
}

/// Maximum bytes of an attacker-controlled value kept in logs.
pub const LOG_VALUE_MAX: usize = 256;

/// Escapes `value` for logs (Rust `escape_default`: printable ASCII only, no
/// controls, quotes escaped) and truncates the result to at most
/// [`LOG_VALUE_MAX`] bytes, ending in `...` when cut.
pub fn log_value(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_default).collect();
    if escaped.len() <= LOG_VALUE_MAX {
        return escaped;
    }
    let cut = LOG_VALUE_MAX - 3;
    let mut out: String = escaped.chars().take(cut).collect();
    out.push_str("...");
    out
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
