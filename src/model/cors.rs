//! Cross-origin resource sharing for an HTTP API (AWS `corsConfiguration`, aws-http-api.md §6).
//!
//! [`Cors`] is the validated configuration; [`OriginPattern`] is one `allowOrigins` entry and
//! knows which `Origin` header values it admits. What the data plane answers with these values
//! lives in `proxy::cors`; what a configuration may contain is checked in
//! `config::validate::cors`, which is the only producer of these types.
//!
//! Invariants of every value handed out here:
//! - method names are AWS route-key methods in upper case, or `*`;
//! - header names are lower-case RFC 9110 tokens, or `*`;
//! - an [`OriginPattern`] prints back as the text it was parsed from.
//!
//! May import: std only.

use std::fmt;

/// The wildcard entry of every `corsConfiguration` list.
pub const WILDCARD: &str = "*";

/// The methods `allowMethods` may name besides `*` (AWS's route-key methods without `ANY`).
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `corsConfiguration`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cors {
    /// `allowOrigins`: whose requests may read responses.
    pub allow_origins: Vec<OriginPattern>,
    /// `allowMethods`: upper-case methods or `*`, in configuration order.
    pub allow_methods: Vec<String>,
    /// `allowHeaders`: lower-case header names or `*`, in configuration order.
    pub allow_headers: Vec<String>,
    /// `exposeHeaders`: lower-case header names or `*`, in configuration order.
    pub expose_headers: Vec<String>,
    /// `maxAge` in seconds (−1…86400); `None` sends no `Access-Control-Max-Age`.
    pub max_age: Option<i32>,
    /// `allowCredentials`: never together with the `*` origin.
    pub allow_credentials: bool,
}

impl Cors {
    /// Whether `allowOrigins` holds `*`.
    pub fn allows_any_origin(&self) -> bool {
        self.allow_origins.contains(&OriginPattern::Any)
    }

    /// Whether a request's `Origin` value is one of `allowOrigins`.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allow_origins.iter().any(|p| p.matches(origin))
    }

    /// Whether the answer depends on the request's `Origin` (so caches must key on it): true
    /// unless every origin gets the same answer (`*`) or none is allowed at all.
    pub fn depends_on_origin(&self) -> bool {
        !self.allows_any_origin() && !self.allow_origins.is_empty()
    }
}

/// Whether a configured list holds `*`.
pub fn has_wildcard(list: &[String]) -> bool {
    list.iter().any(|entry| entry == WILDCARD)
}

/// One `allowOrigins` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginPattern {
    /// `*`: every origin, `null` included.
    Any,
    /// `https://*` (or another scheme): every origin of that scheme (AWS documents `https://*`
    /// and `http://*`).
    Scheme(String),
    /// `https://*.example.com[:port]`: every origin one or more labels below `example.com`,
    /// with that scheme and port (Portcullis; AWS's support for it is unconfirmed).
    Subdomains {
        /// The scheme, e.g. `https`.
        scheme: String,
        /// The parent domain, e.g. `example.com`.
        parent: String,
        /// The port, when not the scheme's default.
        port: Option<u16>,
    },
    /// `https://www.example.com[:port]`: exactly that origin.
    Exact(String),
}

/// Why an `allowOrigins` entry was refused. The `String` is the entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginError {
    /// Not `scheme://host[:port]` at all.
    Malformed(String),
    /// A path, query or fragment after the host (even a lone `/`).
    HasPath(String),
    /// Upper-case letters: browsers send origins in lower case, so it could never match.
    UpperCase(String),
    /// `:443` on https or `:80` on http: browsers leave the default port out.
    DefaultPort(String),
    /// A `*` that is not `*`, `scheme://*` or a whole leftmost label.
    Wildcard(String),
}

/// A serialized origin, `scheme://host[:port]`, as browsers send it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<u16>,
}

impl OriginPattern {
    /// Parses an `allowOrigins` entry.
    pub fn parse(text: &str) -> Result<Self, OriginError> {
        if text == WILDCARD {
            return Ok(Self::Any);
        }
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(OriginError::UpperCase(text.to_owned()));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(OriginError::Malformed(text.to_owned()));
        };
        if !rest.contains('*') {
            let origin = Origin::parse(text).map_err(|e| e.with_text(text))?;
            return match (origin.scheme, origin.port) {
                ("https", Some(443)) | ("http", Some(80)) => Err(OriginError::DefaultPort(text.to_owned())),
                _ => Ok(Self::Exact(text.to_owned())),
            };
        }
        if !valid_scheme(scheme) {
            return Err(OriginError::Malformed(text.to_owned()));
        }
        if rest == WILDCARD {
            return Ok(Self::Scheme(scheme.to_owned()));
        }
        Self::subdomains(text, scheme, rest)
    }

    /// `scheme://*.parent[:port]`.
    fn subdomains(text: &str, scheme: &str, rest: &str) -> Result<Self, OriginError> {
        let wildcard = || OriginError::Wildcard(text.to_owned());
        let tail = rest.strip_prefix("*.").ok_or_else(wildcard)?;
        if tail.contains('*') {
            return Err(wildcard());
        }
        let base = format!("{scheme}://{tail}");
        let origin = Origin::parse(&base).map_err(|e| e.with_text(text))?;
        let is_domain = origin.host.contains('.') || origin.host == "localhost";
        if !is_domain || origin.host.starts_with('[') || is_ipv4(origin.host) {
            return Err(wildcard());
        }
        if matches!((scheme, origin.port), ("https", Some(443)) | ("http", Some(80))) {
            return Err(OriginError::DefaultPort(text.to_owned()));
        }
        Ok(Self::Subdomains {
            scheme: scheme.to_owned(),
            parent: origin.host.to_owned(),
            port: origin.port,
        })
    }

    /// Whether a request's `Origin` header value is admitted by this entry.
    pub fn matches(&self, origin: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(exact) => exact == origin,
            Self::Scheme(scheme) => Origin::parse(origin).is_ok_and(|o| o.scheme == scheme),
            Self::Subdomains { scheme, parent, port } => Origin::parse(origin).is_ok_and(|o| {
                o.scheme == scheme
                    && o.port == *port
                    && o.host
                        .strip_suffix(parent.as_str())
                        .is_some_and(|label| label.len() > 1 && label.ends_with('.'))
            }),
        }
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str(WILDCARD),
            Self::Scheme(scheme) => write!(f, "{scheme}://*"),
            Self::Subdomains { scheme, parent, port } => {
                write!(f, "{scheme}://*.{parent}")?;
                match port {
                    Some(port) => write!(f, ":{port}"),
                    None => Ok(()),
                }
            }
            Self::Exact(origin) => f.write_str(origin),
        }
    }
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(t) => write!(f, "'{}' is not an origin", t.escape_debug()),
            Self::HasPath(t) => write!(f, "'{}' has a path; an origin has none", t.escape_debug()),
            Self::UpperCase(t) => write!(
                f,
                "'{}' has upper-case letters; browsers send origins in lower case",
                t.escape_debug()
            ),
            Self::DefaultPort(t) => write!(
                f,
                "'{}' names the scheme's default port, which browsers leave out",
                t.escape_debug()
            ),
            Self::Wildcard(t) => write!(f, "'{}' uses '*' where no wildcard is allowed", t.escape_debug()),
        }
    }
}

impl OriginError {
    /// A one-line fix.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "write scheme://host[:port], e.g. https://www.example.com, or * for every origin",
            Self::HasPath(_) => "remove everything after the host and port, the final '/' included",
            Self::UpperCase(_) => "write the origin in lower case",
            Self::DefaultPort(_) => "remove the port (:443 for https, :80 for http)",
            Self::Wildcard(_) => "use *, https://* or http://*, or a whole leftmost label as in https://*.example.com",
        }
    }

    fn with_text(self, text: &str) -> Self {
        let text = text.to_owned();
        match self {
            Self::Malformed(_) => Self::Malformed(text),
            Self::HasPath(_) => Self::HasPath(text),
            Self::UpperCase(_) => Self::UpperCase(text),
            Self::DefaultPort(_) => Self::DefaultPort(text),
            Self::Wildcard(_) => Self::Wildcard(text),
        }
    }
}

impl<'a> Origin<'a> {
    /// Parses `scheme://host[:port]` in the lower-case form browsers send.
    fn parse(text: &'a str) -> Result<Self, OriginError> {
        let malformed = || OriginError::Malformed(text.to_owned());
        let (scheme, rest) = text.split_once("://").ok_or_else(malformed)?;
        if !valid_scheme(scheme) {
            return Err(malformed());
        }
        if rest.contains(['/', '?', '#']) {
            return Err(OriginError::HasPath(text.to_owned()));
        }
        let (host, port) = split_port(rest).ok_or_else(malformed)?;
        if !valid_host(host) {
            return Err(malformed());
        }
        Ok(Self { scheme, host, port })
    }
}

/// RFC 3986 scheme, lower case: a letter, then letters, digits, `+`, `-`, `.`.
fn valid_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

/// `host` or `host:port` (port 1–65535 without leading zeros); `[v6]` hosts keep their brackets.
fn split_port(rest: &str) -> Option<(&str, Option<u16>)> {
    let colon = match rest.rfind(']') {
        Some(close) => rest[close..].find(':').map(|i| close + i),
        None => rest.rfind(':'),
    };
    let Some(colon) = colon else {
        return Some((rest, None));
    };
    let digits = &rest[colon + 1..];
    let canonical = !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
    let port = digits.parse::<u16>().ok().filter(|_| canonical)?;
    Some((&rest[..colon], Some(port)))
}

/// A lower-case DNS name or IPv4 address (non-empty dot-separated labels of letters, digits and
/// `-`), or a bracketed IPv6 address.
fn valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok() && v6.bytes().all(|b| !b.is_ascii_uppercase());
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Whether `name` is an RFC 9110 token (a valid header name) without `*`.
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'+-.^_`|~".contains(&b))
}

#[cfg(test)]
#[path = "cors_tests.rs"]
mod tests;
