//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! `client_secret_basic` with form-decoded id and secret, `client_secret_post`, or `none`
//! for public clients. Exactly one method per request; the method must be the client's
//! registered one; secrets are compared in constant time; an unknown client and a wrong secret
//! get the same answer.

use base64::Engine;
use http::HeaderMap;

use super::form::{Form, decode};
use crate::model::issuer::{AuthMethod, Client, Issuer};

/// What the request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The claimed client id.
    pub client_id: String,
    /// The secret, unless a public client.
    pub secret: Option<String>,
    /// The method used.
    pub method: AuthMethod,
}

/// Why client authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuthError {
    /// Malformed or doubled credentials: 400 `invalid_request`.
    InvalidRequest(&'static str),
    /// No or wrong credentials: 401 `invalid_client`.
    InvalidClient {
        /// Okta's description.
        description: &'static str,
        /// Whether Basic was used (adds `WWW-Authenticate`).
        used_basic: bool,
    },
}

/// Okta's text for an unknown client or a wrong secret (the same for both).
pub const FAILED: &str = "Client authentication failed. Either the client or the client credentials are invalid.";
/// Okta's text when nothing was presented.
pub const MISSING: &str = "No client credentials found.";

/// Reads the credentials a request presents.
pub fn presented(headers: &HeaderMap, form: &Form) -> Result<Presented, ClientAuthError> {
    let basic = basic_credentials(headers)?;
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    match (basic, body_secret) {
        (Some(_), Some(_)) => Err(ClientAuthError::InvalidRequest(
            "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
        )),
        (Some((id, _)), _) if body_id.is_some_and(|b| b != id) => Err(ClientAuthError::InvalidRequest(
            "The client_id in the body does not match the Authorization header.",
        )),
        (Some((id, secret)), None) => Ok(Presented {
            client_id: id,
            secret: Some(secret),
            method: AuthMethod::ClientSecretBasic,
        }),
        (None, Some(secret)) => match body_id {
            Some(id) => Ok(Presented {
                client_id: id.to_owned(),
                secret: Some(secret.to_owned()),
                method: AuthMethod::ClientSecretPost,
            }),
            None => Err(ClientAuthError::InvalidClient {
                description: MISSING,
                used_basic: false,
            }),
        },
        (None, None) => match body_id {
            Some(id) => Ok(Presented {
                client_id: id.to_owned(),
                secret: None,
                method: AuthMethod::None,
            }),
            None => Err(ClientAuthError::InvalidClient {
                description: MISSING,
                used_basic: false,
            }),
        },
    }
}

/// `Authorization: Basic` → (id, secret), each form-decoded (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ClientAuthError> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else { return Ok(None) };
    let malformed = ClientAuthError::InvalidRequest("The Authorization header is malformed.");
    if values.next().is_some() {
        return Err(malformed);
    }
    let text = value.to_str().map_err(|_| malformed.clone())?;
    let Some((scheme, rest)) = text.split_once(' ') else {
        return Err(malformed);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| malformed.clone())?;
    let joined = String::from_utf8(bytes).map_err(|_| malformed.clone())?;
    let (id, secret) = joined.split_once(':').ok_or(malformed.clone())?;
    let id = decode(id).map_err(|_| malformed.clone())?;
    let secret = decode(secret).map_err(|_| malformed.clone())?;
    if id.is_empty() {
        return Err(malformed);
    }
    Ok(Some((id, secret)))
}

/// Checks presented credentials against the tenant's clients.
pub fn authenticate<'a>(tenant: &'a Issuer, p: &Presented) -> Result<&'a Client, ClientAuthError> {
    let used_basic = p.method == AuthMethod::ClientSecretBasic;
    let fail = ClientAuthError::InvalidClient {
        description: FAILED,
        used_basic,
    };
    let client = tenant.client(&p.client_id);
    let expected = client.and_then(|c| c.client_secret.as_deref()).unwrap_or("");
    let secret_ok = secrets_equal(expected, p.secret.as_deref().unwrap_or(""));
    let Some(client) = client else { return Err(fail) };
    if client.token_endpoint_auth_method != p.method {
        return Err(fail);
    }
    if p.method != AuthMethod::None && !secret_ok {
        return Err(fail);
    }
    Ok(client)
}

/// Constant-time comparison that does not leak the secret's length either.
fn secrets_equal(a: &str, b: &str) -> bool {
    use aws_lc_rs::digest::{SHA256, digest};
    let (da, db) = (digest(&SHA256, a.as_bytes()), digest(&SHA256, b.as_bytes()));
    aws_lc_rs::constant_time::verify_slices_are_equal(da.as_ref(), db.as_ref()).is_ok() && !a.is_empty()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    fn basic(id: &str, secret: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let p = presented(&headers(&basic("solar%2Dsystem%2Dapp", "a%3Ab%25c")), &Form::default()).unwrap();
        assert_eq!(p.client_id, "solar-system-app");
        assert_eq!(p.secret.as_deref(), Some("a:b%c"));
        assert_eq!(p.method, AuthMethod::ClientSecretBasic);
    }

    #[test]
    fn two_methods_at_once_are_an_invalid_request() {
        let form = Form::parse("client_id=a&client_secret=b").unwrap();
        assert!(matches!(
            presented(&headers(&basic("a", "b")), &form),
            Err(ClientAuthError::InvalidRequest(_))
        ));
    }

    #[test]
    fn post_and_public_credentials_are_recognised() {
        let p = presented(&HeaderMap::new(), &Form::parse("client_id=a&client_secret=b").unwrap()).unwrap();
        assert_eq!(p.method, AuthMethod::ClientSecretPost);
        let p = presented(&HeaderMap::new(), &Form::parse("client_id=a").unwrap()).unwrap();
        assert_eq!(p.method, AuthMethod::None);
    }

    #[test]
    fn nothing_presented_is_invalid_client() {
        assert!(matches!(
            presented(&HeaderMap::new(), &Form::default()),
            Err(ClientAuthError::InvalidClient {
                description: MISSING,
                ..
            })
        ));
    }

    #[test]
    fn malformed_basic_is_an_invalid_request() {
        for value in ["Basic", "Basic !!!", "Basic Zm9v", "Bearer x"] {
            assert!(
                matches!(
                    presented(&headers(value), &Form::default()),
                    Err(ClientAuthError::InvalidRequest(_))
                ),
                "{value}"
            );
        }
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(secrets_equal("solar-system-app-secret", "solar-system-app-secret"));
        assert!(!secrets_equal("solar-system-app-secret", "solar-system-app-secreT"));
        assert!(!secrets_equal("", ""));
    }
}
