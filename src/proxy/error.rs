//! Every way the data plane can refuse or fail a request, and the one function that turns each
//! into AWS's response (status, JSON body, headers). Details go to the access log, never into
//! response bodies.
//!
//! Errors are tagged by source (client / authorizer / upstream / internal), which picks the
//! status family and the log label, as pingora does.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use crate::auth::AuthError;
use crate::auth::ChallengeStyle;

/// Why the gateway answered instead of the backend.
#[derive(Debug)]
pub enum GatewayError {
    /// The request is malformed (path normalization, headers): 400.
    BadRequest(String),
    /// No stage or route matches: 404.
    NotFound,
    /// The authorizer refused the request: 401 or 403 with a challenge.
    Auth {
        /// What failed.
        error: AuthError,
        /// The route's scopes, echoed in the challenge.
        scopes: std::sync::Arc<[String]>,
        /// Challenge syntax of the API.
        style: ChallengeStyle,
    },
    /// The authorizer has no keys (issuer unreachable): 503 + Retry-After (decision D7).
    KeysUnavailable(String),
    /// The request body is larger than allowed: 413.
    PayloadTooLarge,
    /// The API's invoke endpoint is turned off (`disableExecuteApiEndpoint`): 403.
    EndpointDisabled,
    /// The route's throttle (stage `defaultRouteSettings`/`routeSettings`) has no token left:
    /// 429.
    TooManyRequests,
    /// The backend could not be reached or failed before answering: 502 (decision D15).
    BadGateway(String),
    /// The backend did not answer within the integration timeout: 503 (AWS).
    IntegrationTimeout,
    /// A bug or an impossible state: 500.
    Internal(String),
}

/// Where an error comes from (a log label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The client sent something wrong.
    Client,
    /// The authorizer refused.
    Authorizer,
    /// The backend or the issuer failed.
    Upstream,
    /// We failed.
    Internal,
}

impl GatewayError {
    /// The status the client gets.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Auth { error, .. } => StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNAUTHORIZED),
            Self::KeysUnavailable(_) | Self::IntegrationTimeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::EndpointDisabled => StatusCode::FORBIDDEN,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Where it comes from.
    pub fn source(&self) -> ErrorSource {
        match self {
            Self::BadRequest(_)
            | Self::NotFound
            | Self::PayloadTooLarge
            | Self::TooManyRequests
            | Self::EndpointDisabled => ErrorSource::Client,
            Self::Auth { .. } => ErrorSource::Authorizer,
            Self::KeysUnavailable(_) | Self::BadGateway(_) | Self::IntegrationTimeout => ErrorSource::Upstream,
            Self::Internal(_) => ErrorSource::Internal,
        }
    }

    /// AWS's body for this error.
    pub fn body(&self) -> &'static str {
        match self.status().as_u16() {
            400 => r#"{"message":"Bad Request"}"#,
            401 => r#"{"message":"Unauthorized"}"#,
            403 => r#"{"message":"Forbidden"}"#,
            404 => r#"{"message":"Not Found"}"#,
            413 => r#"{"message":"Request Entity Too Large"}"#,
            429 => r#"{"message":"Too Many Requests"}"#,
            502 => r#"{"message":"Bad Gateway"}"#,
            503 => r#"{"message":"Service Unavailable"}"#,
            _ => r#"{"message":"Internal Server Error"}"#,
        }
    }

    /// The `$context.authorizer.error` text, when the authorizer refused.
    pub fn authorizer_error(&self) -> Option<String> {
        match self {
            Self::Auth { error, .. } => Some(error.access_log_text()),
            Self::KeysUnavailable(why) => Some(format!("unavailable: {why}")),
            _ => None,
        }
    }

    /// The `$context.error.message` / integration error text for the log.
    pub fn log_text(&self) -> String {
        match self {
            Self::BadRequest(why) => format!("bad request: {why}"),
            Self::NotFound => "no route".to_owned(),
            Self::Auth { error, .. } => error.access_log_text(),
            Self::KeysUnavailable(why) => format!("no issuer keys: {why}"),
            Self::PayloadTooLarge => "request body too large".to_owned(),
            Self::TooManyRequests => "throttled: the route's token bucket is empty".to_owned(),
            Self::EndpointDisabled => "the API's execute-api endpoint is disabled".to_owned(),
            Self::BadGateway(why) => format!("backend failed: {why}"),
            Self::IntegrationTimeout => "backend timed out".to_owned(),
            Self::Internal(why) => format!("internal: {why}"),
        }
    }

    /// The full response (without `apigw-requestid`, which the caller adds to every response).
    pub fn into_response(self) -> Response<Bytes> {
        let body = self.body();
        let mut response = Response::new(Bytes::from_static(body.as_bytes()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        match &self {
            Self::Auth { error, scopes, style } => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    crate::auth::www_authenticate(error, scopes, *style),
                );
            }
            Self::KeysUnavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            Self::BadRequest(_) | Self::PayloadTooLarge => {
                // Whatever follows on this connection can no longer be trusted to be framed
                // the way we read it: answer, then close.
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_aws_byte_for_byte() {
        assert_eq!(GatewayError::NotFound.body(), r#"{"message":"Not Found"}"#);
        assert_eq!(GatewayError::IntegrationTimeout.body().len(), 33);
        assert_eq!(
            GatewayError::BadGateway("x".into()).body(),
            r#"{"message":"Bad Gateway"}"#
        );
    }

    #[test]
    fn too_many_requests_is_429_with_aws_body_and_no_retry_after() {
        let r = GatewayError::TooManyRequests.into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.body().as_ref(), br#"{"message":"Too Many Requests"}"#);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        assert!(r.headers().get(header::RETRY_AFTER).is_none());
        assert!(
            r.headers().get(header::CONNECTION).is_none(),
            "the connection stays usable"
        );
    }

    #[test]
    fn keys_unavailable_is_503_with_retry_after() {
        let r = GatewayError::KeysUnavailable("down".into()).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "5");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
    }
}
