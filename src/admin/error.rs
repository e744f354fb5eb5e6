//! AWS's error responses for the admin API (spec §9.5): the status, the exception name in
//! `x-amzn-ErrorType`, and `{"message": …}` (plus `resourceType` for NotFound), with the
//! known AWS texts. Every refusal of the admin API is one of these.
//!
//! May import: std, `http`, `serde_json`, `crate::config` (diagnostics), `super::sigv4`.

use http::StatusCode;
use serde_json::{Value, json};

use crate::config::Diagnostics;

/// A refused admin request.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminError {
    /// HTTP status.
    pub status: StatusCode,
    /// `x-amzn-ErrorType`, e.g. `NotFoundException`.
    pub error_type: &'static str,
    /// `message`.
    pub message: String,
    /// `resourceType` of a NotFoundException.
    pub resource_type: Option<&'static str>,
}

/// The account id in AWS-style messages; a self-hosted gateway has no AWS account.
pub const ACCOUNT_ID: &str = "000000000000";

impl AdminError {
    /// 400 BadRequestException.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequestException", message)
    }

    /// 409 ConflictException.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ConflictException", message)
    }

    /// 404 NotFoundException for a resource of `kind` (`Api`, `Route`, …).
    pub fn not_found(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            resource_type: Some(kind),
            ..Self::new(StatusCode::NOT_FOUND, "NotFoundException", message)
        }
    }

    /// 404 for an unknown API id, with AWS's text.
    pub fn no_api(api_id: &str) -> Self {
        Self::not_found("Api", format!("Invalid API identifier specified {ACCOUNT_ID}:{api_id}"))
    }

    /// 404 for an unknown child resource, with AWS's text (`Invalid Route identifier specified …`).
    pub fn no_child(kind: &'static str, id: &str) -> Self {
        let noun = if kind == "Stage" { "stage" } else { kind };
        Self::not_found(kind, format!("Invalid {noun} identifier specified {ACCOUNT_ID}:{id}"))
    }

    /// 500 for a failure of the gateway itself (the store); the details go to the log only.
    pub fn internal(detail: &str) -> Self {
        tracing::error!(%detail, "admin API failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerErrorException",
            "Internal server error",
        )
    }

    fn new(status: StatusCode, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
            resource_type: None,
        }
    }

    /// The response body.
    pub fn body(&self) -> Value {
        match self.resource_type {
            Some(kind) => json!({ "message": self.message, "resourceType": kind }),
            None => json!({ "message": self.message }),
        }
    }

    /// A configuration the validator refused: the first problem, as AWS reports one at a
    /// time. Route-key collisions are ConflictException (409), everything else 400.
    pub fn from_diagnostics(diags: &Diagnostics) -> Self {
        let Some(first) = diags.0.first() else {
            return Self::bad_request("Invalid request");
        };
        let message = &first.message;
        if message.starts_with("Route with key") || message.starts_with("The provided route key") {
            return Self::conflict(message.clone());
        }
        let typed = ["missing field", "unknown field", "invalid type", "invalid value"];
        if typed.iter().any(|p| message.starts_with(p)) && !first.path.is_empty() {
            return Self::bad_request(format!("{}: {message}", first.path));
        }
        Self::bad_request(message.clone())
    }
}

/// A resource as the response body (serialising our own types fails only on a bug).
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, AdminError> {
    serde_json::to_value(v).map_err(|e| AdminError::internal(&e.to_string()))
}

impl From<super::sigv4::SigV4Error> for AdminError {
    fn from(err: super::sigv4::SigV4Error) -> Self {
        Self {
            status: StatusCode::from_u16(err.status()).unwrap_or(StatusCode::FORBIDDEN),
            error_type: err.error_type(),
            message: err.message(),
            resource_type: None,
        }
    }
}
