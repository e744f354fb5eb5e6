//! Headers between client and backend (AWS §4.3, security cases G-H02…G-H06, G-P15).
//!
//! To the backend: hop-by-hop headers and every header the client named in `Connection` are
//! removed *before* ours are added, so a client can never strip what the gateway sets;
//! spoofable forwarding and method-override headers are dropped; `Host` becomes the backend's;
//! `forwarded`, `via` and `x-amzn-trace-id` are added. From the backend: hop-by-hop headers are
//! removed and `apigw-requestid` is added.

use std::net::{IpAddr, SocketAddr};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::conn::HostMemo;

/// Hop-by-hop headers (RFC 9110 §7.6.1) and their common non-standard relatives.
fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "trailers"
            | "transfer-encoding"
            | "upgrade"
            | "http2-settings"
    )
}

/// Client headers that would let a client speak for the gateway or rewrite the request.
fn is_spoofable(name: &str) -> bool {
    matches!(
        name,
        "forwarded"
            | "x-forwarded-for"
            | "x-forwarded-host"
            | "x-forwarded-proto"
            | "x-forwarded-port"
            | "x-real-ip"
            | "x-original-url"
            | "x-rewrite-url"
            | "x-http-method-override"
            | "x-http-method"
            | "x-method-override"
            | "x-amzn-trace-id"
    )
}

/// Removes every header `doomed` names and every header named in `Connection`. The map is
/// walked once (names are already lower case); nothing is parsed or allocated when nothing goes.
fn strip(headers: &mut HeaderMap, doomed: impl Fn(&str) -> bool) {
    let mut names: Vec<HeaderName> = headers.keys().filter(|k| doomed(k.as_str())).cloned().collect();
    if headers.contains_key(header::CONNECTION) {
        names.extend(
            headers
                .get_all(header::CONNECTION)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok()),
        );
    }
    for name in names {
        headers.remove(name);
    }
}

/// Removes hop-by-hop headers and the ones named in `Connection`.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    strip(headers, is_hop_by_hop);
}

/// What the gateway tells the backend about the client.
pub struct Forwarding<'a> {
    /// The client's address (TCP peer).
    pub client: SocketAddr,
    /// Our address on that connection.
    pub local: SocketAddr,
    /// The Host the client asked for.
    pub host: Option<&'a str>,
    /// Whether the client connection is TLS.
    pub tls: bool,
    /// The backend's `Host` value (`None`: no Host is sent).
    pub backend_host: Option<HeaderValue>,
    /// This request's trace id.
    pub trace_id: &'a str,
    /// The connection's kept `forwarded` value.
    pub memo: &'a HostMemo,
}

/// Prepares client headers for the backend.
pub fn to_backend(headers: &mut HeaderMap, fwd: Forwarding<'_>) {
    strip(headers, |name| is_hop_by_hop(name) || is_spoofable(name));
    // Replaced rather than stripped first: every request has a Host, and a removal list would
    // be allocated for it each time.
    match fwd.backend_host.clone() {
        Some(host) => {
            headers.insert(header::HOST, host);
        }
        None => {
            headers.remove(header::HOST);
        }
    }
    // The same on every request of a connection with the same Host: made once, then shared.
    let forwarded = fwd.memo.get_or_make(fwd.host.map(str::as_bytes), || {
        HeaderValue::from_str(&forwarded_value(&fwd)).ok()
    });
    if let Some(value) = forwarded {
        headers.insert(header::FORWARDED, value);
    }
    headers.append(header::VIA, HeaderValue::from_static("HTTP/1.1 Portcullis"));
    if let Ok(value) = HeaderValue::from_str(fwd.trace_id) {
        headers.insert(HeaderName::from_static("x-amzn-trace-id"), value);
    }
}

/// RFC 7239 `forwarded: by=…;for=…;host=…;proto=…`.
fn forwarded_value(fwd: &Forwarding<'_>) -> String {
    let mut value = String::with_capacity(64);
    value.push_str("by=");
    push_node(&mut value, fwd.local.ip());
    value.push_str(";for=");
    push_node(&mut value, fwd.client.ip());
    if let Some(host) = fwd.host.filter(|h| {
        h.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b';' && b != b',')
    }) {
        value.push_str(";host=");
        value.push_str(host);
    }
    value.push_str(if fwd.tls { ";proto=https" } else { ";proto=http" });
    value
}

/// A node: an IPv4 address as is (written digit by digit: this runs on every request), an IPv6
/// address bracketed and quoted.
fn push_node(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(v6) => {
            use std::fmt::Write as _;
            let _ = write!(out, "\"[{v6}]\"");
        }
    }
}

/// Prepares backend response headers for the client.
pub fn to_client(headers: &mut HeaderMap) {
    strip_hop_by_hop(headers);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fwd() -> Forwarding<'static> {
        Forwarding {
            client: "127.0.0.9:5000".parse().unwrap(),
            local: "127.0.0.1:8000".parse().unwrap(),
            host: Some("localhost:8000"),
            tls: false,
            backend_host: Some(HeaderValue::from_static("localhost:8200")),
            trace_id: "Root=1-00000000-000000000000000000000000",
            memo: Box::leak(Box::default()),
        }
    }

    #[test]
    fn headers_named_in_connection_are_removed_before_ours_are_added() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            "X-Forwarded-For, Forwarded, Authorization, x-user".parse().unwrap(),
        );
        h.insert("x-user", "admin".parse().unwrap());
        h.insert("authorization", "Bearer t".parse().unwrap());
        to_backend(&mut h, fwd());
        assert!(h.get("x-user").is_none());
        assert!(h.get("authorization").is_none());
        assert_eq!(
            h["forwarded"],
            "by=127.0.0.1;for=127.0.0.9;host=localhost:8000;proto=http"
        );
        assert!(h.get("connection").is_none());
    }

    #[test]
    fn spoofed_forwarding_and_override_headers_never_reach_the_backend() {
        let mut h = HeaderMap::new();
        for name in [
            "x-forwarded-for",
            "x-real-ip",
            "x-original-url",
            "x-http-method-override",
            "forwarded",
        ] {
            h.insert(HeaderName::from_static(name), "evil".parse().unwrap());
        }
        to_backend(&mut h, fwd());
        assert!(h.get("x-forwarded-for").is_none() && h.get("x-real-ip").is_none());
        assert!(h.get("x-original-url").is_none() && h.get("x-http-method-override").is_none());
        assert!(h["forwarded"].to_str().unwrap().starts_with("by=127.0.0.1"));
    }

    #[test]
    fn forwarded_nodes_are_written_like_their_display_form() {
        let mut f = fwd();
        for (ip, shown) in [
            ("0.0.0.0", "0.0.0.0"),
            ("10.200.3.45", "10.200.3.45"),
            ("255.255.255.9", "255.255.255.9"),
            ("::1", "\"[::1]\""),
        ] {
            f.client = SocketAddr::new(ip.parse().unwrap(), 1);
            let value = forwarded_value(&f);
            assert!(value.starts_with(&format!("by=127.0.0.1;for={shown};")), "{value}");
        }
    }

    #[test]
    fn host_is_rewritten_and_via_added() {
        let mut h = HeaderMap::new();
        h.insert("host", "attacker".parse().unwrap());
        to_backend(&mut h, fwd());
        assert_eq!(h["host"], "localhost:8200");
        assert_eq!(h["via"], "HTTP/1.1 Portcullis");
    }

    #[test]
    fn hop_by_hop_headers_are_not_forwarded() {
        let mut h = HeaderMap::new();
        for name in [
            "keep-alive",
            "te",
            "trailer",
            "upgrade",
            "proxy-authorization",
            "proxy-connection",
        ] {
            h.insert(HeaderName::from_static(name), "x".parse().unwrap());
        }
        to_backend(&mut h, fwd());
        assert_eq!(h.len(), 4, "{h:?}");
    }
}
