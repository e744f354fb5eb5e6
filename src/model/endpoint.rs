//! The invoke URL of an API (`apiEndpoint`) and the `Host` names that select an API on the
//! data plane: `{prefix}{apiId}{suffix}`, as AWS's `{apiId}.execute-api.{region}.amazonaws.com`;
//! and the host and port of a backend's authority, which configuration checks and the backend
//! client reads the same way ([`host_and_port`]).
//!
//! May import: std.

/// Host (without IPv6 brackets) and port (80 when absent or empty) of an authority that
/// `http::Uri` has already accepted; `None` when the port is not a TCP port (0, or beyond
/// 65535, which `http`'s `port_u16` would read as no port at all, and so port 80). On bytes:
/// the backend client calls it on every proxied request.
pub fn host_and_port(authority: &str) -> Option<(&str, u16)> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, after)| after);
    let bytes = host_port.as_bytes();
    let (host, port) = match bytes.iter().rposition(|b| matches!(b, b':' | b']')) {
        Some(i) if bytes[i] == b':' => (&host_port[..i], &host_port[i + 1..]),
        _ => (host_port, ""),
    };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let port = match port {
        "" => 80,
        digits => digits.parse().ok().filter(|p| *p != 0)?,
    };
    Some((host, port))
}

/// The host names that address an API by id: `{prefix}{apiId}{suffix}`, compared without
/// the port and case-insensitively (e.g. `{apiId}.execute-api.localhost`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    prefix: String,
    suffix: String,
}

impl HostPattern {
    /// The default: `{apiId}.execute-api.localhost`, as AWS's `{apiId}.execute-api.{region}.amazonaws.com`.
    pub fn local() -> Self {
        Self {
            prefix: String::new(),
            suffix: ".execute-api.localhost".to_owned(),
        }
    }

    /// Reads the host part of an `apiEndpoint` template such as
    /// `https://{apiId}.api.example.com` or `http://{apiId}.execute-api.localhost:8000`.
    pub fn from_endpoint(template: &str) -> Result<Self, String> {
        let rest = template
            .strip_prefix("https://")
            .or_else(|| template.strip_prefix("http://"))
            .ok_or_else(|| format!("apiEndpoint '{template}' must start with http:// or https://"))?;
        let authority = rest.split('/').next().unwrap_or_default();
        let host = strip_port(authority).to_ascii_lowercase();
        let (prefix, suffix) = host
            .split_once("{apiid}")
            .ok_or_else(|| format!("apiEndpoint '{template}' must contain {{apiId}} in its host"))?;
        if suffix.contains("{apiid}") {
            return Err(format!("apiEndpoint '{template}' names {{apiId}} twice"));
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The API id a `Host` value names, if it has the pattern's shape.
    pub fn api_id<'h>(&self, host: &'h str) -> Option<&'h str> {
        let host = strip_port(host);
        let starts = host.len() > self.prefix.len() + self.suffix.len()
            && host.is_char_boundary(self.prefix.len())
            && host[..self.prefix.len()].eq_ignore_ascii_case(&self.prefix)
            && host.is_char_boundary(host.len() - self.suffix.len())
            && host[host.len() - self.suffix.len()..].eq_ignore_ascii_case(&self.suffix);
        let id = starts.then(|| &host[self.prefix.len()..host.len() - self.suffix.len()])?;
        (!id.is_empty() && !id.contains('.')).then_some(id)
    }
}

/// `host[:port]` or `[v6]:port` without the port.
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_agree_with_the_uri_parser_and_refuse_ports_that_are_not_tcp_ports() {
        for authority in [
            "localhost",
            "localhost:8200",
            "127.0.0.1:18000",
            "h:",
            "user:pw@h:81",
            "u@h",
            "[::1]",
            "[::1]:9",
            "[fe80::1%25eth0]:8080",
            "a.b.example:65535",
        ] {
            let parsed: http::uri::Authority = authority.parse().unwrap();
            let expected = (
                parsed.host().trim_start_matches('[').trim_end_matches(']'),
                parsed.port_u16().unwrap_or(80),
            );
            assert_eq!(host_and_port(authority), Some(expected), "{authority}");
        }
        assert_eq!(host_and_port("h:65536"), None, "not silently port 80");
        assert_eq!(host_and_port("h:0"), None, "no one listens on port 0");
    }
}
