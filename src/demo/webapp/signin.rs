//! Signing in and out: `GET /login?tier=…` starts the authorization-code flow, the callback
//! finishes it (or records the issuer's refusal for the panel that asked), `GET /logout` ends the
//! app session and the issuer session.
//!
//! Invariants: a callback is accepted only for a `state` this session issued (once, within
//! [`super::session::PENDING_MAX_AGE`]); an `iss` parameter (RFC 9207), when present, must be the
//! issuer; the tokens are stored only after the ID token's `iss`, `aud` and `nonce` check out;
//! a completed sign-in moves the session to a fresh id. Every outcome ends in a redirect to `/`,
//! where the page shows the tokens or, in `#auth-error`, why there are none.
//!
//! May import: std, http, `super::{form, oidc, pages, session, tier}` and the response helpers
//! of `super`.

use std::time::Instant;

use http::{Response, StatusCode};

use super::oidc::{self, OidcError};
use super::session::{AuthError, SignedIn};
use super::tier::Tier;
use super::{Body, WebApp, form, html, pages, redirect};

/// `GET /login?tier=…`.
pub(super) async fn login(app: &WebApp, session: Option<String>, query: &str) -> Response<Body> {
    let Some(tier) = form::get(query, "tier").and_then(|t| Tier::parse(&t)) else {
        let page = pages::error_page(
            "Unknown tier",
            "Authenticate with tier=bronze, tier=silver or tier=gold.",
        );
        return html(StatusCode::BAD_REQUEST, page);
    };
    let now = Instant::now();
    let (id, cookie) = match live_session(app, session, now) {
        Ok(found) => found,
        Err(why) => return server_error(&why),
    };
    match authorize_location(app, &id, tier, now).await {
        Ok(location) => redirect(&location, cookie),
        Err(err) => {
            record(app, &id, Some(tier), err, now);
            redirect("/", cookie)
        }
    }
}

async fn authorize_location(app: &WebApp, id: &str, tier: Tier, now: Instant) -> Result<String, OidcError> {
    let inner = &app.inner;
    let discovery = inner.discovery.get(&inner.client).await?;
    let login = oidc::start_login(tier, now).map_err(|why| OidcError::new("server_error", why))?;
    let location = oidc::authorize_url(&discovery, &inner.config, &login);
    inner.sessions.update(id, now, |s| {
        s.auth_error = None;
        s.remember(login);
    });
    Ok(location)
}

/// The callback at `REDIRECT_URI`'s path.
pub(super) async fn callback(app: &WebApp, session: Option<String>, query: &str) -> Response<Body> {
    let now = Instant::now();
    let (id, cookie) = match live_session(app, session, now) {
        Ok(found) => found,
        Err(why) => return server_error(&why),
    };
    match complete(app, &id, query, now).await {
        Ok(signed_in) => sign_in(app, &id, signed_in, now),
        Err((tier, err)) => {
            record(app, &id, tier, err, now);
            redirect("/", cookie)
        }
    }
}

type Refusal = (Option<Tier>, OidcError);

async fn complete(app: &WebApp, id: &str, query: &str, now: Instant) -> Result<SignedIn, Refusal> {
    let inner = &app.inner;
    let state = form::get(query, "state").unwrap_or_default();
    let pending = inner
        .sessions
        .update(id, now, |s| s.take_pending(&state, now))
        .flatten()
        .ok_or_else(|| {
            let why = "This answer does not belong to a sign-in this app started (unknown, reused or expired \
state), so it was refused. Press authenticate again.";
            (None, OidcError::new("state_mismatch", why))
        })?;
    let tier = Some(pending.tier);
    let refuse = |err: OidcError| (tier, err);
    if let Some(error) = form::get(query, "error") {
        return Err(refuse(OidcError {
            error,
            description: form::get(query, "error_description").unwrap_or_default(),
        }));
    }
    if form::get(query, "iss").is_some_and(|iss| iss != inner.config.issuer) {
        return Err(refuse(OidcError::new(
            "issuer_mismatch",
            "The answer came from another issuer (RFC 9207).",
        )));
    }
    let code = form::get(query, "code").filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| {
        refuse(OidcError::new(
            "invalid_response",
            "The issuer sent neither a code nor an error.",
        ))
    })?;
    let discovery = inner.discovery.get(&inner.client).await.map_err(refuse)?;
    let tokens = oidc::exchange_code(&inner.client, &discovery, &inner.config, &code, &pending.verifier);
    let tokens = tokens.await.map_err(refuse)?;
    let id_token = tokens.id_token.ok_or_else(|| {
        refuse(OidcError::new(
            "invalid_id_token",
            "The token response has no ID token although openid was asked.",
        ))
    })?;
    oidc::check_id_token(&id_token, &discovery.issuer, &inner.config.client_id, &pending.nonce).map_err(refuse)?;
    Ok(SignedIn {
        tier: pending.tier,
        access_token: tokens.access_token,
        id_token: Some(id_token),
        scope: tokens.scope,
    })
}

/// Stores the tokens and moves the session to a fresh id.
fn sign_in(app: &WebApp, id: &str, signed_in: SignedIn, now: Instant) -> Response<Body> {
    let sessions = &app.inner.sessions;
    sessions.update(id, now, |s| {
        s.signed_in = Some(signed_in);
        s.auth_error = None;
    });
    match sessions.rotate(id, now) {
        Ok(Some(new_id)) => redirect("/", Some(sessions.set_cookie(&new_id))),
        Ok(None) => redirect("/", None),
        Err(why) => server_error(&why),
    }
}

/// Records why a sign-in gave no token. An answer tied to a sign-in (a known `state`) also
/// ends the previous sign-in: with `prompt=login`, whoever signed in at the issuer got nothing.
fn record(app: &WebApp, id: &str, tier: Option<Tier>, err: OidcError, now: Instant) {
    tracing::info!(error = %err.error, description = %err.description, "test web app: sign-in gave no token");
    app.inner.sessions.update(id, now, |s| {
        if tier.is_some() {
            s.signed_in = None;
        }
        s.auth_error = Some(AuthError {
            tier,
            error: err.error,
            description: err.description,
        });
    });
}

/// `GET /logout`.
pub(super) async fn logout(app: &WebApp, session: Option<String>) -> Response<Body> {
    let sessions = &app.inner.sessions;
    let now = Instant::now();
    let found = session.as_deref().and_then(|id| sessions.get(id, now));
    let id_token = found.and_then(|s| s.signed_in).and_then(|s| s.id_token);
    if let Some(id) = &session {
        sessions.remove(id);
    }
    let location = match id_token {
        Some(token) => end_session_location(app, &token).await,
        None => None,
    };
    redirect(location.as_deref().unwrap_or("/"), Some(sessions.clear_cookie()))
}

async fn end_session_location(app: &WebApp, id_token: &str) -> Option<String> {
    let inner = &app.inner;
    let discovery = inner.discovery.get(&inner.client).await.ok()?;
    let endpoint = discovery.end_session_endpoint.as_deref()?;
    let origin = inner.config.origin();
    Some(form::with_query(
        endpoint,
        &[("id_token_hint", id_token), ("post_logout_redirect_uri", origin)],
    ))
}

/// The live session and, when it had to be created, the cookie that hands it out.
fn live_session(app: &WebApp, session: Option<String>, now: Instant) -> Result<(String, Option<String>), String> {
    let sessions = &app.inner.sessions;
    match session.filter(|id| sessions.get(id, now).is_some()) {
        Some(id) => Ok((id, None)),
        None => {
            let id = sessions.create(now)?;
            let cookie = sessions.set_cookie(&id);
            Ok((id, Some(cookie)))
        }
    }
}

fn server_error(why: &str) -> Response<Body> {
    tracing::error!(%why, "test web app: internal error");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        pages::error_page("Something went wrong", why),
    )
}
