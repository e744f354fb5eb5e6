//! The invoke URL of an API (`apiEndpoint`) and the `Host` names that select an API on the
//! data plane: `{prefix}{apiId}{suffix}`, as AWS's `{apiId}.execute-api.{region}.amazonaws.com`.
//!
//! May import: std.

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
