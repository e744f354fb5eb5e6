//! `POST /v1/token` (Okta §1.4; RFC 6749; A-02… … … ):
//! authorization_code with PKCE, client_credentials, refresh_token with rotation, reuse
//! detection and the D13 grace period. Every answer carries `Cache-Control: no-store`.

use std::time::Instant;

use http::{Response, StatusCode, header::HeaderValue};
use serde_json::Value;

use super::Call;
use super::authorize::same_redirect;
use super::client_auth::{self, ClientAuthError};
use super::form::Form;
use super::respond::{self, Body};
use crate::issuer::core::{self, PolicyRequest};
use crate::issuer::tokens::{self, TokenRequest};
use crate::model::issuer::{Client, GrantType};
use crate::store::{CodeRecord, Redeem, RefreshRecord, RefreshUse, Rotation};

/// An RFC 6749 error answer.
pub struct Failure(Box<Response<Body>>);

impl Failure {
    /// The response to send.
    pub fn into_response(self) -> Response<Body> {
        *self.0
    }
}

fn fail(status: StatusCode, error: &str, description: &str) -> Failure {
    Failure(Box::new(respond::oauth_error(status, error, description)))
}

fn invalid_grant(description: &str) -> Failure {
    fail(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn server_error(err: impl std::fmt::Display) -> Failure {
    tracing::error!(%err, "token endpoint failure");
    fail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The authorization server encountered an unexpected error.",
    )
}

/// `POST /v1/token`.
pub fn token(call: &Call<'_>) -> Response<Body> {
    match grant(call) {
        Ok(body) => respond::no_store(respond::json(StatusCode::OK, &body)),
        Err(failure) => failure.into_response(),
    }
}

fn grant(call: &Call<'_>) -> Result<Value, Failure> {
    if !call.is_form() {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded.",
        ));
    }
    let form =
        Form::parse_bytes(&call.body).map_err(|e| fail(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string()))?;
    let client = authenticate(call, &form)?;
    let grant_type = form.get("grant_type").ok_or_else(|| {
        fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'grant_type' parameter is missing.",
        )
    })?;
    let grant = GrantType::parse(grant_type).ok_or_else(|| {
        fail(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )
    })?;
    if !client.allows(grant) {
        let configured: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
        let text = format!(
            "The client is not authorized to use the provided grant type. Configured grant types: [{}].",
            configured.join(", ")
        );
        return Err(fail(StatusCode::BAD_REQUEST, "unauthorized_client", &text));
    }
    match grant {
        GrantType::AuthorizationCode => authorization_code(call, client, &form),
        GrantType::ClientCredentials => client_credentials(call, client, &form),
        GrantType::RefreshToken => refresh(call, client, &form),
    }
}

/// Authenticates the client, with brute-force throttling per client and IP.
pub fn authenticate<'a>(call: &Call<'a>, form: &Form) -> Result<&'a Client, Failure> {
    let presented = client_auth::presented(&call.headers, form).map_err(auth_failure)?;
    let key = format!("{}|{}", presented.client_id, call.ip());
    if let Err(wait) = call.state.client_throttle.check(&key, Instant::now()) {
        let mut r = respond::oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            "Too many failed client authentications; try again later.",
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
        return Err(Failure(Box::new(r)));
    }
    match client_auth::authenticate(&call.state.tenant, &presented) {
        Ok(client) => {
            call.state.client_throttle.succeed(&key);
            Ok(client)
        }
        Err(err) => {
            call.state.client_throttle.fail(&key, Instant::now());
            Err(auth_failure(err))
        }
    }
}

fn auth_failure(err: ClientAuthError) -> Failure {
    match err {
        ClientAuthError::InvalidRequest(text) => fail(StatusCode::BAD_REQUEST, "invalid_request", text),
        ClientAuthError::InvalidClient {
            description,
            used_basic,
        } => Failure(Box::new(respond::invalid_client(description, used_basic))),
    }
}

fn authorization_code(call: &Call<'_>, client: &Client, form: &Form) -> Result<Value, Failure> {
    const BAD_CODE: &str = "The authorization code is invalid or has expired.";
    let code = form.get("code").ok_or_else(|| {
        fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'code' parameter is missing.",
        )
    })?;
    let now = crate::telemetry::unix_secs();
    let record = match call
        .state
        .store
        .redeem_code(&core::token_hash(code), now)
        .map_err(server_error)?
    {
        Redeem::Fresh(record) => *record,
        Redeem::Replayed { grant_id } => {
            // a replayed code revokes everything the first redemption produced.
            call.state.store.revoke_grant(&grant_id, now).map_err(server_error)?;
            tracing::warn!(client = %client.client_id, "authorization code replayed; its grant is revoked");
            return Err(invalid_grant(BAD_CODE));
        }
        Redeem::Expired | Redeem::Unknown => return Err(invalid_grant(BAD_CODE)),
    };
    if record.client_id != client.client_id || record.server != call.server.config.id {
        return Err(invalid_grant(BAD_CODE));
    }
    let redirect = form.get("redirect_uri").unwrap_or("");
    if !same_redirect(&record.redirect_uri, redirect) {
        return Err(invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    check_pkce(&record, form.get("code_verifier"))?;
    issue_for_user(
        call,
        client,
        &record.user_id,
        &record.scopes,
        record.auth_time,
        record.nonce.as_deref(),
        &record.grant_id,
        &record.extra,
    )
}

/// PKCE: a challenge needs a matching verifier; a verifier without a challenge
/// is a downgrade attempt. The code is already consumed either way.
fn check_pkce(record: &CodeRecord, verifier: Option<&str>) -> Result<(), Failure> {
    match (&record.code_challenge, verifier) {
        (None, None) => Ok(()),
        (Some(challenge), Some(v)) if core::valid_verifier(v) && core::verify_s256(v, challenge) => Ok(()),
        _ => Err(invalid_grant("PKCE verification failed.")),
    }
}

#[allow(clippy::too_many_arguments)]
fn issue_for_user(
    call: &Call<'_>,
    client: &Client,
    user_id: &str,
    scopes: &[String],
    auth_time: i64,
    nonce: Option<&str>,
    grant_id: &str,
    lifetimes: &Value,
) -> Result<Value, Failure> {
    let user = call
        .state
        .tenant
        .user(user_id)
        .ok_or_else(|| invalid_grant("The user is no longer active."))?;
    if !client.assignment.includes(user) {
        return Err(invalid_grant("User is not assigned to the client application."));
    }
    let now = crate::telemetry::unix_secs();
    let lifetime = lifetimes.get("access_lifetime").and_then(Value::as_i64).unwrap_or(3600);
    let req = TokenRequest {
        server: call.server,
        client,
        user: Some(user),
        scopes,
        access_lifetime: lifetime,
        auth_time: Some(auth_time),
        nonce,
        grant_id,
    };
    let issued = tokens::issue(call.state, &req, now).map_err(server_error)?;
    let refresh = if scopes.iter().any(|s| s == "offline_access") && client.allows(GrantType::RefreshToken) {
        let record = RefreshRecord {
            server: call.server.config.id.clone(),
            client_id: client.client_id.clone(),
            user_id: Some(user.id.clone()),
            scopes: scopes.to_vec(),
            grant_id: grant_id.to_owned(),
            auth_time,
            issued_at: now,
            absolute_expiry: lifetimes
                .get("refresh_lifetime")
                .and_then(Value::as_i64)
                .map(|s| now + s),
            idle_window: lifetimes
                .get("refresh_window")
                .and_then(Value::as_i64)
                .unwrap_or(604_800),
        };
        let token = core::random_token(32).map_err(server_error)?;
        match call.state.store.insert_refresh(&core::token_hash(&token), &record) {
            Ok(()) => Some(token),
            // Revoked meanwhile by a concurrent replay of the code: no refresh token.
            Err(crate::store::StoreError::GrantRevoked) => None,
            Err(e) => return Err(server_error(e)),
        }
    } else {
        None
    };
    Ok(tokens::response(&issued, scopes, lifetime, refresh.as_deref()))
}

fn client_credentials(call: &Call<'_>, client: &Client, form: &Form) -> Result<Value, Failure> {
    if client.is_public() {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "Public clients cannot use the client_credentials grant.",
        ));
    }
    let scopes: Vec<String> = form
        .get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes
        .iter()
        .any(|s| crate::model::issuer::OIDC_SCOPES.contains(&s.as_str()))
    {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The following scopes are not allowed: openid, profile, email, address, phone, offline_access, groups",
        ));
    }
    let req = PolicyRequest {
        client,
        user: None,
        grant: GrantType::ClientCredentials,
        scopes: &scopes,
    };
    // Okta answers a policy refusal at the token endpoint as 400 JSON (its exact status is
    // unconfirmed; 400 is what RFC 6749 §5.2 gives every error but invalid_client).
    let grant = core::evaluate(&call.server.config, &req)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, e.error_code(), e.description()))?;
    let now = crate::telemetry::unix_secs();
    let lifetime = i64::try_from(grant.rule.access_token_lifetime.as_secs()).unwrap_or(3600);
    let grant_id = core::random_token(16).map_err(server_error)?;
    let req = TokenRequest {
        server: call.server,
        client,
        user: None,
        scopes: &grant.scopes,
        access_lifetime: lifetime,
        auth_time: None,
        nonce: None,
        grant_id: &grant_id,
    };
    let issued = tokens::issue(call.state, &req, now).map_err(server_error)?;
    Ok(tokens::response(&issued, &grant.scopes, lifetime, None))
}

fn refresh(call: &Call<'_>, client: &Client, form: &Form) -> Result<Value, Failure> {
    const BAD_REFRESH: &str = "The refresh token is invalid or expired.";
    let token = form.get("refresh_token").ok_or_else(|| {
        fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'refresh_token' parameter is missing.",
        )
    })?;
    let now = crate::telemetry::unix_secs();
    let hash = core::token_hash(token);
    let grace = i64::try_from(client.refresh_grace.as_secs()).unwrap_or(30);
    let (record, within_grace) = match call.state.store.use_refresh(&hash, now, grace).map_err(server_error)? {
        RefreshUse::Active(r) => (r, false),
        RefreshUse::ReusedWithinGrace(r) => (r, true),
        RefreshUse::ReuseDetected { grant_id } => {
            call.state.store.revoke_grant(&grant_id, now).map_err(server_error)?;
            tracing::warn!(client = %client.client_id, "rotated refresh token reused; its family is revoked");
            return Err(invalid_grant(BAD_REFRESH));
        }
        RefreshUse::Expired | RefreshUse::Revoked | RefreshUse::Unknown => return Err(invalid_grant(BAD_REFRESH)),
    };
    if record.client_id != client.client_id || record.server != call.server.config.id {
        return Err(invalid_grant(BAD_REFRESH));
    }
    let scopes = narrowed_scopes(&record, form.get("scope"))?;
    let next = next_refresh_token(call, client, &record, &hash, token, within_grace, now)?;
    let user_id = record.user_id.clone().ok_or_else(|| invalid_grant(BAD_REFRESH))?;
    let lifetimes = serde_json::json!({ "access_lifetime": rule_lifetime(call, client, &user_id, &record.scopes) });
    let mut body = issue_for_user(
        call,
        client,
        &user_id,
        &scopes,
        record.auth_time,
        None,
        &record.grant_id,
        &lifetimes,
    )?;
    body["refresh_token"] = Value::String(next);
    Ok(body)
}

/// A `scope` on refresh must be a subset of the original grant.
fn narrowed_scopes(record: &RefreshRecord, asked: Option<&str>) -> Result<Vec<String>, Failure> {
    let Some(asked) = asked else {
        return Ok(record.scopes.clone());
    };
    let scopes: Vec<String> = asked.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if scopes.iter().any(|s| !record.scopes.contains(s)) {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ));
    }
    Ok(scopes)
}

/// ROTATE clients get a new token (the old one enters its grace period); STATIC clients keep
/// theirs. Losing a rotation race within the grace period still yields a fresh child (D13).
fn next_refresh_token(
    call: &Call<'_>,
    client: &Client,
    record: &RefreshRecord,
    hash: &str,
    token: &str,
    within_grace: bool,
    now: i64,
) -> Result<String, Failure> {
    if !client.refresh_rotation {
        call.state.store.touch_refresh(hash, now).map_err(server_error)?;
        return Ok(token.to_owned());
    }
    let fresh = core::random_token(32).map_err(server_error)?;
    let child = RefreshRecord {
        issued_at: now,
        ..record.clone()
    };
    let fresh_hash = core::token_hash(&fresh);
    if within_grace {
        call.state
            .store
            .insert_refresh(&fresh_hash, &child)
            .map_err(server_error)?;
        return Ok(fresh);
    }
    match call
        .state
        .store
        .rotate_refresh(hash, &fresh_hash, &child, now)
        .map_err(server_error)?
    {
        Rotation::Rotated => Ok(fresh),
        Rotation::AlreadyRotated { rotated_at }
            if now - rotated_at < i64::try_from(client.refresh_grace.as_secs()).unwrap_or(30) =>
        {
            call.state
                .store
                .insert_refresh(&fresh_hash, &child)
                .map_err(server_error)?;
            Ok(fresh)
        }
        Rotation::AlreadyRotated { .. } | Rotation::Inactive => {
            Err(invalid_grant("The refresh token is invalid or expired."))
        }
    }
}

/// The access-token lifetime for a refresh: that of the rule the original grant would match
/// (the rule is not stored with the token, so it is found again), else the one-hour default.
fn rule_lifetime(call: &Call<'_>, client: &Client, user_id: &str, scopes: &[String]) -> u64 {
    let Some(user) = call.state.tenant.user(user_id) else {
        return 3600;
    };
    let req = PolicyRequest {
        client,
        user: Some(user),
        grant: GrantType::AuthorizationCode,
        scopes,
    };
    core::evaluate(&call.server.config, &req).map_or(3600, |grant| grant.rule.access_token_lifetime.as_secs())
}
