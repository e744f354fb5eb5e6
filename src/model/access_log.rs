//! A stage's access-log format (`accessLogSettings.format`): text with AWS's `$context`
//! variables, parsed once so each request only fills in values.
//!
//! May import: std.

use std::fmt;

/// A parsed `accessLogSettings.format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogFormat {
    /// Literal text and variables, in order.
    pub parts: Vec<FormatPart>,
}

/// One piece of a format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPart {
    /// Written as is.
    Text(String),
    /// Replaced by the request's value (`-` when it has none, as AWS writes).
    Var(ContextVar),
}

/// The `$context` variables an access-log line can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextVar {
    /// `$context.requestId` (also `$context.extendedRequestId`).
    RequestId,
    /// `$context.identity.sourceIp`.
    SourceIp,
    /// `$context.identity.userAgent`.
    UserAgent,
    /// `$context.requestTime` (CLF format).
    RequestTime,
    /// `$context.requestTimeEpoch` (milliseconds).
    RequestTimeEpoch,
    /// `$context.httpMethod`.
    HttpMethod,
    /// `$context.protocol`.
    Protocol,
    /// `$context.routeKey`.
    RouteKey,
    /// `$context.status`.
    Status,
    /// `$context.responseLength`.
    ResponseLength,
    /// `$context.responseLatency` (milliseconds).
    ResponseLatency,
    /// `$context.integrationStatus` / `$context.integration.status`.
    IntegrationStatus,
    /// `$context.integrationLatency` / `$context.integration.latency`.
    IntegrationLatency,
    /// `$context.integrationErrorMessage` / `$context.integration.error`.
    IntegrationError,
    /// `$context.authorizer.error`.
    AuthorizerError,
    /// `$context.error.message`.
    ErrorMessage,
    /// `$context.error.messageString` (the message in double quotes).
    ErrorMessageString,
    /// `$context.apiId`.
    ApiId,
    /// `$context.stage`.
    Stage,
    /// `$context.domainName`.
    DomainName,
    /// `$context.domainPrefix`.
    DomainPrefix,
}

const NAMES: &[(&str, ContextVar)] = &[
    ("requestId", ContextVar::RequestId),
    ("extendedRequestId", ContextVar::RequestId),
    ("identity.sourceIp", ContextVar::SourceIp),
    ("identity.userAgent", ContextVar::UserAgent),
    ("requestTime", ContextVar::RequestTime),
    ("requestTimeEpoch", ContextVar::RequestTimeEpoch),
    ("httpMethod", ContextVar::HttpMethod),
    ("protocol", ContextVar::Protocol),
    ("routeKey", ContextVar::RouteKey),
    ("status", ContextVar::Status),
    ("responseLength", ContextVar::ResponseLength),
    ("responseLatency", ContextVar::ResponseLatency),
    ("integrationStatus", ContextVar::IntegrationStatus),
    ("integration.status", ContextVar::IntegrationStatus),
    ("integrationLatency", ContextVar::IntegrationLatency),
    ("integration.latency", ContextVar::IntegrationLatency),
    ("integrationErrorMessage", ContextVar::IntegrationError),
    ("integration.error", ContextVar::IntegrationError),
    ("authorizer.error", ContextVar::AuthorizerError),
    ("error.message", ContextVar::ErrorMessage),
    ("error.messageString", ContextVar::ErrorMessageString),
    ("apiId", ContextVar::ApiId),
    ("stage", ContextVar::Stage),
    ("domainName", ContextVar::DomainName),
    ("domainPrefix", ContextVar::DomainPrefix),
];

/// Why a format was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// A `$context` variable Portcullis does not know.
    UnknownVariable(String),
    /// Neither `$context.requestId` nor `$context.extendedRequestId` (AWS requires one).
    NoRequestId,
    /// Longer than AWS's 3 000 characters, or a line break (one request, one line).
    BadText(&'static str),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownVariable(name) => write!(f, "access log format uses an unknown variable $context.{name}"),
            Self::NoRequestId => {
                f.write_str("Access log format must contain $context.requestId or $context.extendedRequestId")
            }
            Self::BadText(why) => f.write_str(why),
        }
    }
}

impl AccessLogFormat {
    /// Parses a format such as `{"id":"$context.requestId","status":"$context.status"}`.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        if text.chars().count() > 3_000 {
            return Err(FormatError::BadText(
                "the access log format is longer than 3000 characters",
            ));
        }
        if text.contains(['\n', '\r']) {
            return Err(FormatError::BadText("the access log format must be one line"));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("$context.") {
            literal.push_str(&rest[..at]);
            let after = &rest[at + "$context.".len()..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            let name = after[..len].trim_end_matches('.');
            let var = NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| FormatError::UnknownVariable(name.to_owned()))?;
            if !literal.is_empty() {
                parts.push(FormatPart::Text(std::mem::take(&mut literal)));
            }
            parts.push(FormatPart::Var(var));
            rest = &after[name.len()..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(FormatPart::Text(literal));
        }
        if !parts.contains(&FormatPart::Var(ContextVar::RequestId)) {
            return Err(FormatError::NoRequestId);
        }
        Ok(Self { parts })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_found_between_any_text() {
        let f =
            AccessLogFormat::parse(r#"{"id":"$context.requestId","ip":"$context.identity.sourceIp"} $context.status."#)
                .unwrap();
        assert_eq!(
            f.parts,
            [
                FormatPart::Text("{\"id\":\"".into()),
                FormatPart::Var(ContextVar::RequestId),
                FormatPart::Text("\",\"ip\":\"".into()),
                FormatPart::Var(ContextVar::SourceIp),
                FormatPart::Text("\"} ".into()),
                FormatPart::Var(ContextVar::Status),
                FormatPart::Text(".".into()),
            ]
        );
        let clf = "$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod $context.routeKey $context.protocol\" $context.status $context.responseLength $context.requestId";
        assert!(AccessLogFormat::parse(clf).is_ok());
    }

    #[test]
    fn unknown_variables_a_missing_request_id_and_line_breaks_are_refused() {
        assert_eq!(
            AccessLogFormat::parse("$context.requestId $context.nope"),
            Err(FormatError::UnknownVariable("nope".into()))
        );
        assert_eq!(AccessLogFormat::parse("$context.status"), Err(FormatError::NoRequestId));
        assert!(AccessLogFormat::parse("$context.requestId\n").is_err());
        assert!(AccessLogFormat::parse(&"x".repeat(3001)).is_err());
        assert!(AccessLogFormat::parse("$context.extendedRequestId").is_ok());
    }
}
