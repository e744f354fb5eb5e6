//! Request parameter mapping (AWS `requestParameters` on an HTTP proxy integration).
//!
//! Keys are `append|overwrite|remove:header.<name>`, `append|overwrite|remove:querystring.<name>`
//! and `overwrite:path`; values are a static string, one selection expression
//! (`$request.header.x`) or text with `${…}` interpolations (`${request.path.id} tail`).
//! Parsing here is pure and total: every malformed input is an `Err(String)` with the reason.
//!
//! May import: std only.

/// What a mapping does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingAction {
    /// Add a value after the existing ones.
    Append,
    /// Replace every existing value.
    Overwrite,
    /// Delete the parameter.
    Remove,
}

/// What a mapping changes on the backend request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingTarget {
    /// A header, by lower-case name.
    Header(String),
    /// A query-string parameter, case-sensitive.
    QueryString(String),
    /// The whole backend path.
    Path,
}

/// One validated `requestParameters` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterMapping {
    /// Append, overwrite or remove.
    pub action: MappingAction,
    /// Header, query parameter or path.
    pub target: MappingTarget,
    /// The value to render (empty for `remove`).
    pub value: ValueTemplate,
}

/// A value: literal text and selection expressions, rendered left to right.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValueTemplate {
    /// The pieces in order.
    pub parts: Vec<TemplatePart>,
}

/// A piece of a value template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Copied as is.
    Literal(String),
    /// Replaced by the value it selects (empty when absent).
    Source(ValueSource),
}

/// A selection expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// `$request.header.<name>` (case-insensitive; several values comma-joined).
    RequestHeader(String),
    /// `$request.querystring.<name>` (case-sensitive; several values comma-joined).
    RequestQueryString(String),
    /// `$request.path`: the request path without the stage.
    RequestPath,
    /// `$request.path.<name>`: a route path variable.
    RequestPathParameter(String),
    /// `$stageVariables.<name>`.
    StageVariable(String),
    /// `$context.<name>`.
    Context(ContextVariable),
}

/// The `$context` variables a mapping (and the access log) can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextVariable {
    /// `$context.apiId`.
    ApiId,
    /// `$context.authorizer.claims.<name>`.
    AuthorizerClaim(String),
    /// `$context.domainName`.
    DomainName,
    /// `$context.httpMethod`.
    HttpMethod,
    /// `$context.identity.sourceIp`.
    SourceIp,
    /// `$context.identity.userAgent`.
    UserAgent,
    /// `$context.path` (with the stage prefix).
    Path,
    /// `$context.protocol`.
    Protocol,
    /// `$context.requestId`.
    RequestId,
    /// `$context.requestTime` (CLF format).
    RequestTime,
    /// `$context.requestTimeEpoch` (milliseconds).
    RequestTimeEpoch,
    /// `$context.routeKey`.
    RouteKey,
    /// `$context.stage`.
    Stage,
}

/// Headers AWS reserves: parameter mapping may not touch them.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "via",
    "host",
];

/// Whether AWS reserves this (lower-case) header name.
pub fn is_reserved_header(name: &str) -> bool {
    RESERVED_HEADERS.contains(&name)
        || name.starts_with("access-control-")
        || name.starts_with("apigw-")
        || name.starts_with("x-amz-")
        || name.starts_with("x-amzn-")
}

impl ParameterMapping {
    /// Parses one `requestParameters` entry.
    pub fn parse(key: &str, value: &str) -> Result<Self, String> {
        let (action, target) = parse_key(key)?;
        let value = match action {
            MappingAction::Remove => ValueTemplate::default(),
            _ => ValueTemplate::parse(value)?,
        };
        Ok(Self { action, target, value })
    }
}

fn parse_key(key: &str) -> Result<(MappingAction, MappingTarget), String> {
    let (action, rest) = key
        .split_once(':')
        .ok_or_else(|| format!("'{key}' is not of the form <action>:<location>"))?;
    let action = match action {
        "append" => MappingAction::Append,
        "overwrite" => MappingAction::Overwrite,
        "remove" => MappingAction::Remove,
        other => return Err(format!("unknown action '{other}': use append, overwrite or remove")),
    };
    let target = parse_target(rest)?;
    if target == MappingTarget::Path && action != MappingAction::Overwrite {
        return Err("the path can only be overwritten".to_owned());
    }
    Ok((action, target))
}

fn parse_target(rest: &str) -> Result<MappingTarget, String> {
    if rest == "path" {
        return Ok(MappingTarget::Path);
    }
    if let Some(name) = rest.strip_prefix("header.") {
        let name = name.to_ascii_lowercase();
        if !is_token(&name) {
            return Err(format!("'{name}' is not a valid header name"));
        }
        if is_reserved_header(&name) {
            return Err(format!("'{name}' is a reserved header and cannot be mapped"));
        }
        return Ok(MappingTarget::Header(name));
    }
    if let Some(name) = rest.strip_prefix("querystring.") {
        if name.is_empty() {
            return Err("the query-string parameter name is empty".to_owned());
        }
        return Ok(MappingTarget::QueryString(name.to_owned()));
    }
    Err(format!(
        "unknown location '{rest}': use header.<name>, querystring.<name> or path"
    ))
}

/// RFC 9110 token characters (header names).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl ValueTemplate {
    /// Parses a value: one whole `$…` expression, or text with `${…}` interpolations.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.starts_with('$') && !text.starts_with("${") {
            let source = ValueSource::parse(&text[1..])?;
            return Ok(Self {
                parts: vec![TemplatePart::Source(source)],
            });
        }
        parse_interpolated(text)
    }

    /// Whether any part reads a JWT claim.
    pub fn uses_claims(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                TemplatePart::Source(ValueSource::Context(ContextVariable::AuthorizerClaim(_)))
            )
        })
    }
}

fn parse_interpolated(text: &str) -> Result<ValueTemplate, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            parts.push(TemplatePart::Literal(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| format!("unclosed '${{' in '{text}'"))?;
        parts.push(TemplatePart::Source(ValueSource::parse(&after[..end])?));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Literal(rest.to_owned()));
    }
    Ok(ValueTemplate { parts })
}

impl ValueSource {
    /// Parses an expression without its leading `$` (`request.header.x`).
    pub fn parse(expr: &str) -> Result<Self, String> {
        let nonempty = |name: &str| -> Result<String, String> {
            if name.is_empty() {
                Err(format!("'${expr}' names nothing"))
            } else {
                Ok(name.to_owned())
            }
        };
        if let Some(name) = expr.strip_prefix("request.header.") {
            return Ok(Self::RequestHeader(nonempty(name)?.to_ascii_lowercase()));
        }
        if let Some(name) = expr.strip_prefix("request.querystring.") {
            return Ok(Self::RequestQueryString(nonempty(name)?));
        }
        if expr == "request.path" {
            return Ok(Self::RequestPath);
        }
        if let Some(name) = expr.strip_prefix("request.path.") {
            return Ok(Self::RequestPathParameter(nonempty(name)?));
        }
        if expr.starts_with("request.body") {
            return Err(
                "'$request.body' mappings are not supported yet (the body is streamed, never buffered)".to_owned(),
            );
        }
        if let Some(name) = expr.strip_prefix("stageVariables.") {
            return Ok(Self::StageVariable(nonempty(name)?));
        }
        if let Some(var) = expr.strip_prefix("context.") {
            return ContextVariable::parse(var).map(Self::Context);
        }
        Err(format!("unknown selection expression '${expr}'"))
    }
}

impl ContextVariable {
    /// Parses a name after `$context.`.
    pub fn parse(var: &str) -> Result<Self, String> {
        if let Some(claim) = var.strip_prefix("authorizer.claims.") {
            if claim.is_empty() {
                return Err("'$context.authorizer.claims.' names no claim".to_owned());
            }
            return Ok(Self::AuthorizerClaim(claim.to_owned()));
        }
        Ok(match var {
            "apiId" => Self::ApiId,
            "domainName" => Self::DomainName,
            "httpMethod" => Self::HttpMethod,
            "identity.sourceIp" => Self::SourceIp,
            "identity.userAgent" => Self::UserAgent,
            "path" => Self::Path,
            "protocol" => Self::Protocol,
            "requestId" | "extendedRequestId" => Self::RequestId,
            "requestTime" => Self::RequestTime,
            "requestTimeEpoch" => Self::RequestTimeEpoch,
            "routeKey" => Self::RouteKey,
            "stage" => Self::Stage,
            other => return Err(format!("unsupported context variable '$context.{other}'")),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_claim_to_header_mapping() {
        let m = ParameterMapping::parse("overwrite:header.x-user-sub", "$context.authorizer.claims.sub").unwrap();
        assert_eq!(m.target, MappingTarget::Header("x-user-sub".into()));
        assert!(m.value.uses_claims());
    }

    #[test]
    fn parses_interpolated_values_in_order() {
        let t = ValueTemplate::parse("id=${request.path.id} by ${context.requestId}!").unwrap();
        assert_eq!(t.parts.len(), 5);
        assert_eq!(t.parts[0], TemplatePart::Literal("id=".into()));
        assert_eq!(t.parts[4], TemplatePart::Literal("!".into()));
    }

    #[test]
    fn rejects_reserved_headers_like_aws() {
        for name in [
            "authorization",
            "x-amzn-trace-id",
            "apigw-requestid",
            "via",
            "Forwarded",
        ] {
            let key = format!("overwrite:header.{name}");
            assert!(ParameterMapping::parse(&key, "x").is_err(), "{name}");
        }
    }

    #[test]
    fn rejects_malformed_keys_and_values() {
        assert!(ParameterMapping::parse("replace:header.a", "x").is_err());
        assert!(ParameterMapping::parse("append:path", "x").is_err());
        assert!(ParameterMapping::parse("overwrite:body.a", "x").is_err());
        assert!(ParameterMapping::parse("overwrite:header.a", "${request.path.id").is_err());
        assert!(ParameterMapping::parse("overwrite:header.a", "$request.body.a").is_err());
        assert!(ParameterMapping::parse("overwrite:header.a b", "x").is_err());
    }

    #[test]
    fn static_values_are_literals() {
        let t = ValueTemplate::parse("plain text").unwrap();
        assert_eq!(t.parts, vec![TemplatePart::Literal("plain text".into())]);
    }
}
