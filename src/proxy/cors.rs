//! CORS on the data plane (aws-http-api.md §6.2, decisions in docs/compat.md "CORS").
//!
//! For an API with a `corsConfiguration` the gateway owns CORS: it answers preflight requests
//! itself ([`CorsPolicy::preflight`], 204, never authorized or forwarded) unless an `OPTIONS`
//! route claims them, and it finishes every other response, the backend's and its own errors
//! alike, with [`CorsPolicy::decorate`]: the backend's `access-control-*` headers are dropped
//! (AWS ignores them) and the configured ones added for an allowed `Origin`.
//!
//! Pure functions over headers, tested without sockets; the request path calls them in `serve`
//! (the preflight answer) and `handle` (decoration).
//!
//! May import: std, `http`, `bytes`, `crate::model::cors`.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Response, StatusCode};

use crate::model::cors::{self, Cors, WILDCARD};

/// An API's `corsConfiguration`, with its header values rendered once.
#[derive(Debug)]
pub struct CorsPolicy {
    config: Cors,
    methods: Listed,
    headers: Listed,
    expose: Listed,
    max_age: Option<HeaderValue>,
}

/// How a configured list becomes a response header.
#[derive(Debug, PartialEq)]
enum Listed {
    /// Not configured: no header.
    Absent,
    /// The configured entries, comma-separated.
    Fixed(HeaderValue),
    /// `*`: what the request asks for (preflight), or the response's own header names
    /// (`exposeHeaders` with credentials, where browsers read `*` literally).
    Echo,
}

impl CorsPolicy {
    /// Renders a validated configuration.
    pub fn new(config: &Cors) -> Self {
        let credentials = config.allow_credentials;
        let expose = match listed(&config.expose_headers) {
            // Without credentials `*` is the Fetch wildcard and can be sent as it is.
            Listed::Echo if !credentials => Listed::Fixed(HeaderValue::from_static(WILDCARD)),
            other => other,
        };
        Self {
            config: config.clone(),
            methods: listed(&config.allow_methods),
            headers: listed(&config.allow_headers),
            expose,
            max_age: config.max_age.map(HeaderValue::from),
        }
    }

    /// The gateway's answer to a preflight: 204 with the CORS headers for an allowed origin,
    /// 204 without any for another one (the browser then refuses the actual request).
    pub fn preflight(&self, request: &HeaderMap) -> Response<Bytes> {
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let out = response.headers_mut();
        if self.config.depends_on_origin() {
            add_vary(out, "origin");
        }
        let Some(allow_origin) = self.allow_origin(origin(request).as_ref()) else {
            return response;
        };
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.config.allow_credentials {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let requested = |name| requested_tokens(request, name);
        self.methods.put(
            out,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            || requested(header::ACCESS_CONTROL_REQUEST_METHOD),
            "access-control-request-method",
        );
        self.headers.put(
            out,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            || requested(header::ACCESS_CONTROL_REQUEST_HEADERS),
            "access-control-request-headers",
        );
        if let Some(age) = &self.max_age {
            out.insert(header::ACCESS_CONTROL_MAX_AGE, age.clone());
        }
        response
    }

    /// Finishes an actual (non-preflight) response: drops the backend's CORS headers and adds
    /// the configured ones when the request's origin is allowed.
    pub fn decorate(&self, origin: Option<&HeaderValue>, out: &mut HeaderMap) {
        strip(out);
        if self.config.depends_on_origin() {
            add_vary(out, "origin");
        }
        let Some(allow_origin) = self.allow_origin(origin) else {
            return;
        };
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.config.allow_credentials {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let names = (self.expose == Listed::Echo)
            .then(|| response_header_names(out))
            .flatten();
        self.expose
            .put(out, header::ACCESS_CONTROL_EXPOSE_HEADERS, || names, "");
    }

    /// `Access-Control-Allow-Origin` for this request origin: `*` when every origin is allowed
    /// and no credentials are, the origin itself when it is allowed, else nothing.
    fn allow_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        let origin = origin?;
        if self.config.allows_any_origin() && !self.config.allow_credentials {
            return Some(HeaderValue::from_static(WILDCARD));
        }
        let text = origin.to_str().ok()?;
        self.config.allows_origin(text).then(|| origin.clone())
    }
}

impl Listed {
    /// Writes the header; `Echo` uses `echo()` and makes caches key on `vary` (when named).
    fn put(&self, out: &mut HeaderMap, name: HeaderName, echo: impl FnOnce() -> Option<HeaderValue>, vary: &str) {
        match self {
            Self::Absent => {}
            Self::Fixed(value) => {
                out.insert(name, value.clone());
            }
            Self::Echo => {
                if !vary.is_empty() {
                    add_vary(out, vary);
                }
                if let Some(value) = echo() {
                    out.insert(name, value);
                }
            }
        }
    }
}

fn listed(entries: &[String]) -> Listed {
    if cors::has_wildcard(entries) {
        return Listed::Echo;
    }
    if entries.is_empty() {
        return Listed::Absent;
    }
    // Validated entries are tokens, so the value is always valid; an empty header otherwise.
    HeaderValue::from_str(&entries.join(", ")).map_or(Listed::Absent, Listed::Fixed)
}

/// Whether a request is a CORS preflight the gateway may answer: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method` (AWS's definition), and, as browsers send them, without
/// `Authorization` and without a body (security case G-H07 (c): such a request is routed and
/// authorized like any other).
pub fn is_preflight(method: &Method, headers: &HeaderMap, has_body: bool) -> bool {
    *method == Method::OPTIONS
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        && !headers.contains_key(header::AUTHORIZATION)
        && !has_body
}

/// The request's `Origin`, when it sent exactly one.
pub fn origin(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut all = headers.get_all(header::ORIGIN).iter();
    match (all.next(), all.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

/// Removes every `access-control-*` header (a backend's CORS headers are ignored, AWS §6.2).
pub fn strip(out: &mut HeaderMap) {
    let names: Vec<HeaderName> = out
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        out.remove(name);
    }
}

/// The comma-separated tokens of a request header (every line of it), lower-case, or `None`
/// when it is absent, empty or holds anything but tokens (nothing hostile is echoed).
fn requested_tokens(request: &HeaderMap, name: HeaderName) -> Option<HeaderValue> {
    let mut tokens: Vec<String> = Vec::new();
    for value in request.get_all(name.clone()).iter() {
        for token in value.to_str().ok()?.split(',').map(str::trim) {
            if !cors::is_header_name(token) {
                return None;
            }
            tokens.push(token.to_owned());
        }
    }
    if name != header::ACCESS_CONTROL_REQUEST_METHOD {
        tokens.iter_mut().for_each(|t| t.make_ascii_lowercase());
    }
    if tokens.is_empty() {
        return None;
    }
    HeaderValue::from_str(&tokens.join(", ")).ok()
}

/// The names a response exposes with `exposeHeaders: ["*"]` and credentials: its own headers
/// except CORS headers and `set-cookie` (which browsers never expose).
fn response_header_names(headers: &HeaderMap) -> Option<HeaderValue> {
    let names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !n.starts_with("access-control-") && !n.starts_with("set-cookie"))
        .collect();
    if names.is_empty() {
        return None;
    }
    HeaderValue::from_str(&names.join(", ")).ok()
}

/// Adds `name` to `Vary` unless it (or `*`) is already there.
fn add_vary(out: &mut HeaderMap, name: &str) {
    let present = out
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|v| v == "*" || v.eq_ignore_ascii_case(name));
    if !present && let Ok(value) = HeaderValue::from_str(name) {
        out.append(header::VARY, value);
    }
}

#[cfg(test)]
#[path = "cors_tests.rs"]
mod tests;
