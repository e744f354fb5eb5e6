//! `GET /api/{asteroids|planets|moons}`: the app's server calls `{GATEWAY_URI}/{name}` with the
//! session's access token (`Authorization: Bearer …`, or no header when signed out) and tells the
//! page what happened, in one JSON shape:
//! `{"status": 403, "outcome": "forbidden", "body": {"message": "Forbidden"}, "www_authenticate": "Bearer …"}`.
//!
//! Invariants: `outcome` is `ok` (2xx), `unauthorized` (401), `forbidden` (403), `unreachable`
//! (nothing answered within the client's timeout; `status` is null) or `error` (anything else);
//! `body` is the gateway's JSON, or its text when it is not JSON.
//!
//! May import: std, http, bytes, http-body-util, serde, serde_json, `super::client`.

use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;
use serde_json::Value;

use super::client::{FetchError, Fetched, HttpClient};

/// What a call to the gateway came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// 2xx: the data.
    Ok,
    /// 401: no token, or one the gateway does not accept.
    Unauthorized,
    /// 403: a valid token without the route's scope.
    Forbidden,
    /// The gateway did not answer.
    Unreachable,
    /// Any other answer or failure.
    Error,
}

/// The JSON the page receives from `/api/{name}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiAnswer {
    /// The gateway's status, or null when it did not answer.
    pub status: Option<u16>,
    /// What it means.
    pub outcome: Outcome,
    /// The gateway's JSON body (or text), or the app's explanation.
    pub body: Value,
    /// The gateway's `www-authenticate` header, which explains a 401 or 403.
    pub www_authenticate: Option<String>,
}

/// The outcome of a gateway status.
pub fn outcome_of(status: StatusCode) -> Outcome {
    match status {
        s if s.is_success() => Outcome::Ok,
        StatusCode::UNAUTHORIZED => Outcome::Unauthorized,
        StatusCode::FORBIDDEN => Outcome::Forbidden,
        _ => Outcome::Error,
    }
}

/// The answer for a response the gateway gave.
pub fn answer_from(fetched: &Fetched) -> ApiAnswer {
    let body = serde_json::from_slice(&fetched.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&fetched.body).into_owned()));
    let www_authenticate = fetched
        .headers
        .get(header::WWW_AUTHENTICATE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    ApiAnswer {
        status: Some(fetched.status.as_u16()),
        outcome: outcome_of(fetched.status),
        body,
        www_authenticate,
    }
}

/// The answer when the call gave no response.
pub fn answer_from_failure(gateway_uri: &str, err: &FetchError) -> ApiAnswer {
    let (outcome, text) = match err {
        FetchError::Unreachable(why) => (
            Outcome::Unreachable,
            format!("The gateway at {gateway_uri} could not be reached ({why}). Is it running?"),
        ),
        FetchError::Failed(why) => (Outcome::Error, format!("The call to the gateway failed: {why}")),
    };
    ApiAnswer {
        status: None,
        outcome,
        body: Value::String(text),
        www_authenticate: None,
    }
}

/// Calls `GET {gateway_uri}/{resource}` with `access_token` as a bearer token, if any.
pub async fn call_gateway(
    client: &HttpClient,
    gateway_uri: &str,
    resource: &str,
    access_token: Option<&str>,
) -> ApiAnswer {
    let url = format!("{gateway_uri}/{resource}");
    let mut request = Request::get(&url).header(header::ACCEPT, "application/json");
    if let Some(token) = access_token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let result = match request.body(Full::new(Bytes::new())) {
        Ok(request) => client.send(request).await,
        Err(err) => Err(FetchError::Failed(format!("{url} is not a usable URL: {err}"))),
    };
    match result {
        Ok(fetched) => answer_from(&fetched),
        Err(err) => answer_from_failure(gateway_uri, &err),
    }
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};
    use serde_json::json;

    use super::*;

    fn fetched(status: u16, body: &str, www: Option<&'static str>) -> Fetched {
        let mut headers = HeaderMap::new();
        if let Some(value) = www {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Fetched {
            status,
            headers,
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn maps_gateway_statuses_to_outcomes() {
        let cases = [
            (200, Outcome::Ok),
            (204, Outcome::Ok),
            (401, Outcome::Unauthorized),
            (403, Outcome::Forbidden),
        ];
        for (status, outcome) in cases.into_iter().chain([(404, Outcome::Error), (502, Outcome::Error)]) {
            assert_eq!(
                outcome_of(StatusCode::from_u16(status).unwrap_or_default()),
                outcome,
                "{status}"
            );
        }
    }

    #[test]
    fn keeps_the_gateways_json_and_its_explanation() {
        let answer = answer_from(&fetched(
            403,
            r#"{"message":"Forbidden"}"#,
            Some("Bearer error=\"insufficient_scope\""),
        ));
        let expected = json!({"status": 403, "outcome": "forbidden", "body": {"message": "Forbidden"},
            "www_authenticate": "Bearer error=\"insufficient_scope\""});
        assert_eq!(serde_json::to_value(&answer).ok(), Some(expected));
    }

    #[test]
    fn passes_a_non_json_body_as_text() {
        let answer = answer_from(&fetched(502, "<html>bad gateway</html>", None));
        assert_eq!(answer.body, json!("<html>bad gateway</html>"));
        assert_eq!((answer.outcome, answer.www_authenticate), (Outcome::Error, None));
    }

    #[test]
    fn explains_an_unreachable_gateway_without_a_status() {
        let err = FetchError::Unreachable("connection refused".to_owned());
        let answer = answer_from_failure("http://localhost:8000", &err);
        assert_eq!((answer.status, answer.outcome), (None, Outcome::Unreachable));
        let text = answer.body.as_str().unwrap_or_default();
        assert!(
            text.contains("http://localhost:8000") && text.contains("connection refused"),
            "{text}"
        );
    }
}
