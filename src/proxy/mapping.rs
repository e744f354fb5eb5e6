//! Applies request parameter mappings (AWS §4.5) to the backend request.
//!
//! Values are rendered as AWS renders them; a claim value holding a control character makes the
//! request fail as `invalid_token` and non-ASCII text is percent-encoded (decision D10). A header
//! that a claim mapping writes is removed from the client's headers first, so the backend sees
//! only the gateway's value.

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::Claims;
use crate::model::mapping::{ContextVariable, TemplatePart, ValueSource};
use crate::model::{MappingAction, MappingTarget, ParameterMapping};

/// Everything a mapping value can select.
pub struct MappingContext<'a> {
    /// The client's headers (before any change).
    pub headers: &'a HeaderMap,
    /// The client's raw query string.
    pub query: Option<&'a str>,
    /// The request path without the stage.
    pub path: &'a str,
    /// The request path with the stage prefix.
    pub full_path: &'a str,
    /// Route path variables.
    pub params: &'a [(String, String)],
    /// Stage variables.
    pub stage_variables: &'a std::collections::HashMap<String, String>,
    /// Validated claims, on authorized routes.
    pub claims: Option<&'a Claims>,
    /// Request facts for `$context`.
    pub facts: &'a super::RequestFacts,
}

/// The parts of the backend request mappings may change.
pub struct BackendParts {
    /// Headers to send.
    pub headers: HeaderMap,
    /// Query parameters as raw `name=value` pairs, when a mapping touches the query.
    pub query: Option<Vec<(String, String)>>,
    /// A replacement path (`overwrite:path`).
    pub path: Option<String>,
}

/// A mapping that cannot be applied safely.
#[derive(Debug)]
pub struct MappingError {
    /// For the log.
    pub reason: String,
    /// Whether it was a claim value (an invalid token) rather than a request value.
    pub from_claim: bool,
}

/// Applies every mapping in order.
pub fn apply(
    mappings: &[ParameterMapping],
    ctx: &MappingContext<'_>,
    out: &mut BackendParts,
) -> Result<(), MappingError> {
    for m in mappings {
        if let (MappingTarget::Header(name), true) = (&m.target, m.value.uses_claims()) {
            out.headers.remove(name.as_str());
        }
    }
    for m in mappings {
        apply_one(m, ctx, out)?;
    }
    Ok(())
}

fn apply_one(m: &ParameterMapping, ctx: &MappingContext<'_>, out: &mut BackendParts) -> Result<(), MappingError> {
    match &m.target {
        MappingTarget::Header(name) => {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| err(e.to_string(), false))?;
            if m.action == MappingAction::Remove {
                out.headers.remove(&name);
                return Ok(());
            }
            let value = render_header_value(m, ctx)?;
            if m.action == MappingAction::Overwrite {
                out.headers.insert(name, value);
            } else {
                out.headers.append(name, value);
            }
        }
        MappingTarget::QueryString(name) => {
            let pairs = out.query.get_or_insert_with(|| parse_query(ctx.query));
            if m.action != MappingAction::Append {
                pairs.retain(|(n, _)| n != name);
            }
            if m.action != MappingAction::Remove {
                let value = percent_encode(&render(m, ctx)?, true);
                pairs.push((name.clone(), value));
            }
        }
        MappingTarget::Path => {
            let value = render(m, ctx)?;
            let path = if value.starts_with('/') {
                value
            } else {
                format!("/{value}")
            };
            out.path = Some(percent_encode(&path, false));
        }
    }
    Ok(())
}

fn err(reason: String, from_claim: bool) -> MappingError {
    MappingError { reason, from_claim }
}

fn render_header_value(m: &ParameterMapping, ctx: &MappingContext<'_>) -> Result<HeaderValue, MappingError> {
    let text = render(m, ctx)?;
    HeaderValue::from_str(&percent_encode_non_ascii(&text))
        .map_err(|_| err(format!("value for {:?} is not a valid header value", m.target), false))
}

/// Renders a template; control characters from a claim are an error (D10).
fn render(m: &ParameterMapping, ctx: &MappingContext<'_>) -> Result<String, MappingError> {
    let mut out = String::new();
    for part in &m.value.parts {
        match part {
            TemplatePart::Literal(s) => out.push_str(s),
            TemplatePart::Source(source) => {
                let value = select(source, ctx).unwrap_or_default();
                if value.chars().any(char::is_control) {
                    let from_claim = matches!(source, ValueSource::Context(ContextVariable::AuthorizerClaim(_)));
                    return Err(err(format!("{source:?} holds a control character"), from_claim));
                }
                out.push_str(&value);
            }
        }
    }
    Ok(out)
}

fn select(source: &ValueSource, ctx: &MappingContext<'_>) -> Option<String> {
    match source {
        ValueSource::RequestHeader(name) => joined(
            ctx.headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok()),
        ),
        ValueSource::RequestQueryString(name) => joined(
            parse_query(ctx.query)
                .into_iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| percent_decode(&v))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        ),
        ValueSource::RequestPath => Some(percent_decode(ctx.path)),
        ValueSource::RequestPathParameter(name) => ctx
            .params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| percent_decode(v)),
        ValueSource::StageVariable(name) => ctx.stage_variables.get(name).cloned(),
        ValueSource::Context(var) => context(var, ctx),
    }
}

fn context(var: &ContextVariable, ctx: &MappingContext<'_>) -> Option<String> {
    let f = ctx.facts;
    Some(match var {
        ContextVariable::AuthorizerClaim(name) => return ctx.claims.and_then(|c| c.render_claim(name)),
        ContextVariable::ApiId => f.api_id.to_string(),
        ContextVariable::DomainName => f.host()?.to_owned(),
        ContextVariable::HttpMethod => f.method.to_string(),
        ContextVariable::SourceIp => f.client.ip().to_string(),
        ContextVariable::UserAgent => f.user_agent()?.to_owned(),
        ContextVariable::Path => ctx.full_path.to_owned(),
        ContextVariable::Protocol => f.protocol.to_owned(),
        ContextVariable::RequestId => f.request_id.to_string(),
        ContextVariable::RequestTime => crate::telemetry::clf_time(f.start_unix_ms),
        ContextVariable::RequestTimeEpoch => f.start_unix_ms.to_string(),
        ContextVariable::RouteKey => f.route_key.to_string(),
        ContextVariable::Stage => f.stage.to_string(),
    })
}

fn joined<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let all: Vec<&str> = values.collect();
    (!all.is_empty()).then(|| all.join(","))
}

/// Splits a raw query string into raw (still encoded) pairs.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (percent_decode(n), v.to_owned()),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// Joins raw pairs back into a query string.
pub fn build_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={v}", percent_encode(n, true)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `%XX` escapes (and `+` as space); invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = || Some((hex_val(*bytes.get(i + 1)?)? << 4) | hex_val(*bytes.get(i + 2)?)?);
        match (b, hex()) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Percent-encodes everything but unreserved characters (and `/` when not a query component).
pub fn percent_encode(s: &str, query_component: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (!query_component && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes the UTF-8 bytes of non-ASCII characters (D10), keeping ASCII as is.
fn percent_encode_non_ascii(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_percent_encoded_for_headers() {
        assert_eq!(percent_encode_non_ascii("Jodie Fösterǃ"), "Jodie F%C3%B6ster%C7%83");
        assert_eq!(percent_encode_non_ascii("plain"), "plain");
    }

    #[test]
    fn query_round_trips_raw_values() {
        let pairs = parse_query(Some("a=1&b=x%20y&c"));
        assert_eq!(pairs[1], ("b".to_owned(), "x%20y".to_owned()));
        assert_eq!(build_query(&pairs), "a=1&b=x%20y&c=");
    }

    fn facts() -> crate::proxy::RequestFacts {
        crate::proxy::RequestFacts {
            request_id: crate::telemetry::RequestId::parse("Mc7UVioPPHcEKPA=").unwrap(),
            method: http::Method::GET,
            client: "127.0.0.9:5000".parse().unwrap(),
            host: Some(http::HeaderValue::from_static("api.test")),
            user_agent: None,
            protocol: "HTTP/1.1",
            start_unix_ms: 1_621_957_366_418,
            start: std::time::Instant::now(),
            api_id: "solar".into(),
            stage: "$default".into(),
            route_key: "GET /pets/{id}".into(),
            log_format: None,
        }
    }

    fn run(mappings: &[(&str, &str)], headers: &[(&str, &str)], query: Option<&str>) -> BackendParts {
        let mappings: Vec<ParameterMapping> = mappings
            .iter()
            .map(|(k, v)| ParameterMapping::parse(k, v).unwrap())
            .collect();
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(HeaderName::from_bytes(n.as_bytes()).unwrap(), v.parse().unwrap());
        }
        let facts = facts();
        let params = vec![("id".to_owned(), "a%20b".to_owned())];
        let vars = std::collections::HashMap::from([("env".to_owned(), "prod".to_owned())]);
        let ctx = MappingContext {
            headers: &map,
            query,
            path: "/pets/a%20b",
            full_path: "/pets/a%20b",
            params: &params,
            stage_variables: &vars,
            claims: None,
            facts: &facts,
        };
        let mut out = BackendParts {
            headers: map.clone(),
            query: None,
            path: None,
        };
        apply(&mappings, &ctx, &mut out).unwrap();
        out
    }

    #[test]
    fn header_mappings_append_overwrite_and_remove() {
        let out = run(
            &[
                ("append:header.x-a", "two"),
                ("overwrite:header.x-b", "${context.requestId}:${stageVariables.env}"),
                ("remove:header.x-c", ""),
            ],
            &[("x-a", "one"), ("x-b", "old"), ("x-c", "gone")],
            None,
        );
        let a: Vec<_> = out.headers.get_all("x-a").iter().collect();
        assert_eq!(a, ["one", "two"]);
        assert_eq!(out.headers["x-b"], "Mc7UVioPPHcEKPA=:prod");
        assert!(out.headers.get("x-c").is_none());
    }

    #[test]
    fn request_values_are_selected_like_aws() {
        let out = run(
            &[
                ("overwrite:header.x-h", "$request.header.x-in"),
                ("overwrite:header.x-q", "$request.querystring.q"),
                ("overwrite:header.x-id", "$request.path.id"),
            ],
            &[("x-in", "a"), ("x-in", "b")],
            Some("q=1&q=2"),
        );
        assert_eq!(out.headers["x-h"], "a,b", "several values are comma-joined");
        assert_eq!(out.headers["x-q"], "1,2");
        assert_eq!(out.headers["x-id"], "a b", "path parameters are decoded");
    }

    #[test]
    fn query_and_path_mappings_rewrite_the_backend_target() {
        let out = run(
            &[
                ("remove:querystring.secret", ""),
                ("append:querystring.via", "gw"),
                ("overwrite:path", "/v2${request.path}"),
            ],
            &[],
            Some("a=1&secret=x"),
        );
        assert_eq!(build_query(&out.query.unwrap()), "a=1&via=gw");
        assert_eq!(
            out.path.as_deref(),
            Some("/v2/pets/a%20b"),
            "decoded once, encoded once"
        );
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("a%2Fb%zz+c"), "a/b%zz c");
    }
}
