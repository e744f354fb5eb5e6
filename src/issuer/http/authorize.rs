//! `/v1/authorize` and the sign-in form (Okta §1.3, A-01, A-05, A-07, A-11, A-17, A-19).
//!
//! Errors that cannot trust the redirect (unknown client, unregistered redirect URI) are an
//! HTML page; every later error is sent back to the client in its response mode with `state`
//! and `iss`. The user signs in (or reuses the session), then the access policy is evaluated
//! and a single-use code (5 minutes) is issued.

use std::time::Instant;

use http::{Response, StatusCode, header::HeaderValue};
use serde_json::json;

use super::Call;
use super::cookies;
use super::form::{Form, build};
use super::pages::{self, SignIn};
use super::respond::{self, Body};
use crate::issuer::core::{self, PolicyRequest};
use crate::issuer::state::Interaction;
use crate::model::issuer::{Client, GrantType, User};
use crate::store::CodeRecord;

/// Authorization code lifetime (Okta: 300 s).
pub const CODE_LIFETIME: i64 = 300;
/// Browser session lifetime.
pub const SESSION_LIFETIME: i64 = 2 * 3600;

/// How the response goes back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// `?code=…` (default for `code`).
    Query,
    /// `#code=…`.
    Fragment,
    /// An auto-submitting POST form.
    FormPost,
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The client.
    pub client_id: String,
    /// The registered redirect URI it named.
    pub redirect_uri: String,
    /// Response mode.
    pub mode: ResponseMode,
    /// `state`, echoed byte for byte.
    pub state: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// Requested scopes (empty: the server's defaults).
    pub scopes: Vec<String>,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// `prompt=login`: always sign in again.
    pub force_login: bool,
    /// `prompt=none`: never show the form.
    pub no_prompt: bool,
    /// `login_hint`.
    pub login_hint: Option<String>,
}

/// Compares redirect URIs exactly, except that an empty path equals `/` (openid-client turns
/// `http://localhost:8080` into `http://localhost:8080/`).
pub fn same_redirect(registered: &str, given: &str) -> bool {
    registered == given || with_root_path(registered) == with_root_path(given)
}

fn with_root_path(uri: &str) -> String {
    match uri.parse::<http::Uri>() {
        Ok(u) if u.path() == "/" && u.query().is_none() && !uri.ends_with('/') => format!("{uri}/"),
        _ => uri.to_owned(),
    }
}

/// An error that goes back to the client.
struct Refusal {
    error: &'static str,
    description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal {
        error,
        description: description.into(),
    }
}

/// `GET /v1/authorize`.
pub fn start(call: &Call<'_>) -> Response<Body> {
    let form = match Form::parse(call.query.as_deref().unwrap_or("")) {
        Ok(f) => f,
        Err(e) => return bad_page(&e.to_string()),
    };
    let client = match form.get("client_id").and_then(|id| call.state.tenant.client(id)) {
        Some(c) => c,
        None => return bad_page("The 'client_id' parameter is missing or names no client application."),
    };
    let Some(redirect_uri) = form
        .get("redirect_uri")
        .filter(|r| client.redirect_uris.iter().any(|reg| same_redirect(reg, r)))
    else {
        return bad_page("The 'redirect_uri' parameter must be a Login redirect URI in the client app settings");
    };
    let mode = match form.get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            let req = minimal(client, redirect_uri, ResponseMode::Query, &form);
            return send(
                call,
                &req,
                Err(refuse(
                    "unsupported_response_mode",
                    "The response_mode is not supported.",
                )),
            );
        }
    };
    let req = match validate(call, client, redirect_uri, mode, &form) {
        Ok(req) => req,
        Err(refusal) => return send(call, &minimal(client, redirect_uri, mode, &form), Err(refusal)),
    };
    let session = current_session(call);
    match (session, req.force_login, req.no_prompt) {
        (Some((user, auth_time, sid)), false, _) => finish(call, &req, &user, auth_time, Some(sid)),
        (_, _, true) => send(
            call,
            &req,
            Err(refuse(
                "login_required",
                "The client specified not to prompt, but the user is not logged in.",
            )),
        ),
        _ => show_sign_in(call, req, None, None),
    }
}

fn minimal(client: &Client, redirect_uri: &str, mode: ResponseMode, form: &Form) -> AuthRequest {
    AuthRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        mode,
        state: form.get("state").map(str::to_owned),
        nonce: None,
        scopes: Vec::new(),
        code_challenge: None,
        force_login: false,
        no_prompt: false,
        login_hint: None,
    }
}

fn validate(
    call: &Call<'_>,
    client: &Client,
    redirect_uri: &str,
    mode: ResponseMode,
    form: &Form,
) -> Result<AuthRequest, Refusal> {
    match form.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "The response type is not supported by the authorization server. Configured response types: [code].",
            ));
        }
        None => return Err(refuse("invalid_request", "The 'response_type' parameter is missing.")),
    }
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(refuse(
            "unauthorized_client",
            "The client is not authorized to use the provided grant type.",
        ));
    }
    let scope_text = form.get("scope").unwrap_or("");
    if scope_text.len() > 1024 {
        return Err(refuse(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ));
    }
    let scopes: Vec<String> = scope_text
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.iter().any(|s| !call.server.config.has_scope(s)) {
        return Err(refuse(
            "invalid_scope",
            "One or more scopes are not configured for the authorization server resource.",
        ));
    }
    let code_challenge = pkce(client, form)?;
    let prompts: Vec<&str> = form
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return Err(refuse(
            "invalid_request",
            "The 'prompt' value 'none' cannot be combined with other values.",
        ));
    }
    Ok(AuthRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        mode,
        state: form.get("state").map(str::to_owned),
        nonce: form.get("nonce").map(str::to_owned),
        scopes,
        code_challenge,
        force_login: prompts.contains(&"login"),
        no_prompt: prompts.contains(&"none"),
        login_hint: form.get("login_hint").map(str::to_owned),
    })
}

fn pkce(client: &Client, form: &Form) -> Result<Option<String>, Refusal> {
    let challenge = form.get("code_challenge");
    match form.get("code_challenge_method") {
        None | Some("S256") => {}
        Some(_) => {
            return Err(refuse(
                "invalid_request",
                "The code_challenge_method is not supported. Only S256 is supported.",
            ));
        }
    }
    if form.get("code_challenge_method").is_some() && challenge.is_none() {
        return Err(refuse("invalid_request", "The 'code_challenge' parameter is missing."));
    }
    match challenge {
        Some(c) if !core::valid_challenge(c) => Err(refuse(
            "invalid_request",
            "The 'code_challenge' parameter is malformed.",
        )),
        Some(c) => Ok(Some(c.to_owned())),
        None if client.pkce_required => Err(refuse(
            "invalid_request",
            "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.",
        )),
        None => Ok(None),
    }
}

fn bad_page(message: &str) -> Response<Body> {
    respond::html(StatusCode::BAD_REQUEST, pages::error("400 Bad Request", message))
}

/// The signed-in user of this browser, if the session cookie is live.
fn current_session(call: &Call<'_>) -> Option<(User, i64, String)> {
    let sid = cookies::get(&call.headers, cookies::SESSION)?;
    let now = crate::telemetry::unix_secs();
    let record = call.state.store.session(&core::token_hash(&sid), now).ok()??;
    let user = call.state.tenant.user(&record.user_id)?.clone();
    Some((user, record.auth_time, core::token_hash(&sid)))
}

fn show_sign_in(call: &Call<'_>, req: AuthRequest, error: Option<&str>, username: Option<&str>) -> Response<Body> {
    let (Ok(id), Ok(csrf)) = (core::random_token(24), core::random_token(24)) else {
        return respond::html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::error("Error", "Could not start a sign-in."),
        );
    };
    let client_name = call
        .state
        .tenant
        .client(&req.client_id)
        .map_or("the application", |c| c.name.as_str())
        .to_owned();
    let prefill = username.or(req.login_hint.as_deref()).unwrap_or("").to_owned();
    call.state.begin_interaction(
        Interaction {
            server: call.server.config.id.clone(),
            request: req,
            csrf: csrf.clone(),
            created: Instant::now(),
        },
        id.clone(),
    );
    let action = format!("{}/v1/login", call.base_path());
    let page = pages::sign_in(&SignIn {
        action: &action,
        interaction: &id,
        csrf: &csrf,
        client_name: &client_name,
        username: &prefill,
        error,
    });
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut response = respond::html(status, page);
    let cookie = cookies::set(
        cookies::INTERACTION,
        &id,
        &format!("{}/v1/", call.base_path()),
        Some(600),
        call.state.secure_cookies,
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(http::header::SET_COOKIE, value);
    }
    response
}

/// `POST /v1/login`: checks the interaction, its CSRF token and the credentials.
pub async fn sign_in(call: &Call<'_>) -> Response<Body> {
    let forbidden = || {
        respond::html(
            StatusCode::FORBIDDEN,
            pages::error(
                "403 Forbidden",
                "This sign-in form has expired or did not come from this site. Start again from the application.",
            ),
        )
    };
    let Ok(form) = Form::parse_bytes(&call.body) else {
        return forbidden();
    };
    let (Some(id), Some(csrf)) = (form.get("interaction"), form.get("csrf")) else {
        return forbidden();
    };
    let Some(interaction) = call.state.interaction(id).filter(|i| i.server == call.server.config.id) else {
        return forbidden();
    };
    let cookie_ok = cookies::get(&call.headers, cookies::INTERACTION)
        .is_some_and(|c| core::constant_time_eq(c.as_bytes(), id.as_bytes()));
    if !cookie_ok || !core::constant_time_eq(csrf.as_bytes(), interaction.csrf.as_bytes()) {
        return forbidden();
    }
    let username = form.get("username").unwrap_or("").trim().to_owned();
    let throttle_key = format!("{}|{}", username.to_ascii_lowercase(), call.ip());
    if let Err(wait) = call.state.login_throttle.check(&throttle_key, Instant::now()) {
        let mut r = respond::html(
            StatusCode::TOO_MANY_REQUESTS,
            pages::error(
                "Too many attempts",
                "Too many failed sign-in attempts. Wait a minute, then try again.",
            ),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
        return r;
    }
    let user = call.state.tenant.user_by_login(&username).cloned();
    let password = form.get("password").unwrap_or("").to_owned();
    if !check_password(user.as_ref(), password).await {
        call.state.login_throttle.fail(&throttle_key, Instant::now());
        call.state.end_interaction(id);
        return show_sign_in(call, interaction.request, Some("Unable to sign in"), Some(&username));
    }
    call.state.login_throttle.succeed(&throttle_key);
    call.state.end_interaction(id);
    let Some(user) = user else { return forbidden() };
    signed_in(call, &interaction.request, &user)
}

/// Verifies a password off the async workers (Argon2 is deliberately slow); an unknown user
/// is checked against a dummy hash so both cases take the same time.
async fn check_password(user: Option<&User>, password: String) -> bool {
    let hash = user.map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let known = user.is_some();
    tokio::task::spawn_blocking(move || core::verify_password(&password, &hash) && known)
        .await
        .unwrap_or(false)
}

/// A real Argon2id hash (made once per process) that unknown logins are checked against, so
/// they cost the same time as known ones and reveal nothing about which users exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| core::hash_password("portcullis-unknown-user").unwrap_or_default())
}

fn signed_in(call: &Call<'_>, req: &AuthRequest, user: &User) -> Response<Body> {
    let now = crate::telemetry::unix_secs();
    let Ok(sid) = core::random_token(32) else {
        return bad_page("Could not create a session.");
    };
    let sid_hash = core::token_hash(&sid);
    if let Err(err) = call
        .state
        .store
        .create_session(&sid_hash, &user.id, now, now + SESSION_LIFETIME)
    {
        tracing::error!(%err, "cannot store a session");
        return respond::html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::error("Error", "Could not create a session."),
        );
    }
    let mut response = finish(call, req, user, now, Some(sid_hash));
    let path = call.base_path();
    for cookie in [
        cookies::set(cookies::SESSION, &sid, &path, None, call.state.secure_cookies),
        cookies::clear(cookies::INTERACTION, &format!("{path}/v1/"), call.state.secure_cookies),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(http::header::SET_COOKIE, value);
        }
    }
    response
}

/// Evaluates the access policy for a signed-in user and issues a code (or the refusal).
fn finish(call: &Call<'_>, req: &AuthRequest, user: &User, auth_time: i64, session: Option<String>) -> Response<Body> {
    let result = issue_code(call, req, user, auth_time, session);
    send(call, req, result.map(|code| vec![("code".to_owned(), code)]))
}

fn issue_code(
    call: &Call<'_>,
    req: &AuthRequest,
    user: &User,
    auth_time: i64,
    session: Option<String>,
) -> Result<String, Refusal> {
    let client = call
        .state
        .tenant
        .client(&req.client_id)
        .ok_or_else(|| refuse("invalid_client", "The client is not available."))?;
    let policy_req = PolicyRequest {
        client,
        user: Some(user),
        grant: GrantType::AuthorizationCode,
        scopes: &req.scopes,
    };
    let grant =
        core::evaluate(&call.server.config, &policy_req).map_err(|e| refuse(e.error_code(), e.description()))?;
    let server_error = |_| {
        refuse(
            "server_error",
            "The authorization server encountered an unexpected error.",
        )
    };
    let code = core::random_token(32).map_err(server_error)?;
    let grant_id = core::random_token(16).map_err(server_error)?;
    let now = crate::telemetry::unix_secs();
    let rule = grant.rule;
    let record = CodeRecord {
        server: call.server.config.id.clone(),
        client_id: client.client_id.clone(),
        user_id: user.id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        scopes: grant.scopes.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        auth_time,
        session_id: session,
        grant_id,
        expires_at: now + CODE_LIFETIME,
        extra: json!({
            "access_lifetime": rule.access_token_lifetime.as_secs(),
            "refresh_lifetime": rule.refresh_token_lifetime.map(|d| d.as_secs()),
            "refresh_window": rule.refresh_token_window.as_secs(),
        }),
    };
    call.state
        .store
        .insert_code(&core::token_hash(&code), &record)
        .map_err(|e| {
            tracing::error!(err = %e, "cannot store an authorization code");
            refuse(
                "server_error",
                "The authorization server encountered an unexpected error.",
            )
        })?;
    Ok(code)
}

/// Sends a result (code or error) back to the client's redirect URI, with `state` and `iss`.
fn send(call: &Call<'_>, req: &AuthRequest, result: Result<Vec<(String, String)>, Refusal>) -> Response<Body> {
    let mut params: Vec<(String, String)> = match result {
        Ok(p) => p,
        Err(r) => vec![
            ("error".to_owned(), r.error.to_owned()),
            ("error_description".to_owned(), r.description),
        ],
    };
    if let Some(state) = &req.state {
        params.push(("state".to_owned(), state.clone()));
    }
    params.push(("iss".to_owned(), call.server.issuer.clone()));
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    match req.mode {
        ResponseMode::FormPost => respond::form_post(&req.redirect_uri, &pairs),
        ResponseMode::Query => {
            let sep = if req.redirect_uri.contains('?') { '&' } else { '?' };
            respond::redirect(&format!("{}{sep}{}", req.redirect_uri, build(pairs)))
        }
        ResponseMode::Fragment => respond::redirect(&format!("{}#{}", req.redirect_uri, build(pairs))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_users_are_checked_against_a_real_argon2id_hash() {
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(
            core::verify_password("portcullis-unknown-user", dummy_hash()),
            "a verifiable hash costs a full Argon2 run"
        );
    }

    #[test]
    fn redirect_uris_match_exactly_except_for_a_bare_origin() {
        assert!(same_redirect("http://localhost:8080", "http://localhost:8080/"));
        assert!(same_redirect("http://localhost:8080/cb", "http://localhost:8080/cb"));
        for bad in [
            "http://localhost:8080/cb/",
            "http://localhost:8080/cb?x=1",
            "http://localhost:8080/CB",
            "http://LOCALHOST:8080/cb",
            "https://localhost:8080/cb",
            "http://localhost:8081/cb",
            "http://localhost:8080.evil/cb",
            "http://localhost:8080@evil/cb",
            "http://localhost:8080/cb/../evil",
            "javascript:alert(1)",
        ] {
            assert!(!same_redirect("http://localhost:8080/cb", bad), "{bad}");
        }
    }
}
