//! OIDC discovery (`/.well-known/openid-configuration`) and RFC 8414 metadata (appended and
//! path-inserted forms), with Okta's fields. The issuer comes from configuration, never from
//! the request; `authorization_response_iss_parameter_supported` is advertised because
//! every authorization response carries `iss` (RFC 9207).

use http::StatusCode;
use serde_json::{Value, json};

use super::Call;
use super::respond::{self, Body};
use crate::model::issuer::OIDC_SCOPES;

const AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post", "none"];

fn common(call: &Call<'_>) -> Value {
    let iss = &call.server.issuer;
    let mut scopes: Vec<&str> = OIDC_SCOPES.to_vec();
    scopes.extend(
        call.server
            .config
            .scopes
            .iter()
            .filter(|s| s.metadata_publish)
            .map(|s| s.name.as_str()),
    );
    json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/v1/authorize"),
        "token_endpoint": format!("{iss}/v1/token"),
        "jwks_uri": format!("{iss}/v1/keys"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "scopes_supported": scopes,
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "introspection_endpoint": format!("{iss}/v1/introspect"),
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint": format!("{iss}/v1/revoke"),
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "end_session_endpoint": format!("{iss}/v1/logout"),
        "request_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
    })
}

/// `{issuer}/.well-known/openid-configuration`.
pub fn openid(call: &Call<'_>) -> Response {
    let mut doc = common(call);
    let iss = &call.server.issuer;
    doc["userinfo_endpoint"] = json!(format!("{iss}/v1/userinfo"));
    doc["id_token_signing_alg_values_supported"] = json!(["RS256"]);
    doc["claims_supported"] = json!([
        "iss",
        "ver",
        "sub",
        "aud",
        "iat",
        "exp",
        "jti",
        "auth_time",
        "amr",
        "idp",
        "nonce",
        "name",
        "preferred_username",
        "given_name",
        "family_name",
        "email",
        "email_verified",
        "locale",
        "zoneinfo",
        "updated_at",
        "at_hash"
    ]);
    respond::json(StatusCode::OK, &doc)
}

/// `{issuer}/.well-known/oauth-authorization-server` and the path-inserted form.
pub fn oauth(call: &Call<'_>) -> Response {
    let mut doc = common(call);
    doc["claims_supported"] = json!(["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"]);
    respond::json(StatusCode::OK, &doc)
}

type Response = http::Response<Body>;
