//! Server-side sessions: an in-memory map keyed by a random session id, carried by an
//! `HttpOnly; SameSite=Lax` cookie whose value is the id plus its HMAC-SHA256 under
//! `SESSION_SECRET`. The tokens never leave the server; the browser only holds the signed id.
//!
//! Invariants: a cookie whose signature does not verify is ignored (as if absent); a session
//! expires `SESSION_MAX_AGE` after it was created (the cookie's `Max-Age` says the same); a
//! sign-in gets a fresh id (no session fixation); at most [`MAX_SESSIONS`] live at once (the
//! oldest go first) and at most [`MAX_PENDING`] unanswered sign-ins per session. Time is passed
//! in, so expiry is tested without sleeping.
//!
//! May import: std, aws-lc-rs, base64, http, `super::tier`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_lc_rs::{hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;

use super::tier::Tier;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "solar_session";
/// How many sessions may live at once.
pub const MAX_SESSIONS: usize = 10_000;
/// How many unanswered sign-ins a session remembers (one per open tab, say).
pub const MAX_PENDING: usize = 5;
/// How long the issuer has to send the browser back after a sign-in started.
pub const PENDING_MAX_AGE: Duration = Duration::from_secs(600);

/// `bytes` random bytes, base64url without padding (43 characters for 32 bytes): ids, `state`,
/// `nonce` and PKCE verifiers.
pub fn random_token(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf).map_err(|_| "the system random generator failed".to_owned())?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A sign-in the app started and the issuer has not answered yet.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    /// The panel that asked.
    pub tier: Tier,
    /// The `state` sent to the issuer, which must come back unchanged.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE `code_verifier` (its S256 challenge went to the issuer).
    pub verifier: String,
    /// When the sign-in started.
    pub started: Instant,
}

/// The tokens of a completed sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The panel that signed in.
    pub tier: Tier,
    /// The access token, sent to the gateway as `Authorization: Bearer …`.
    pub access_token: String,
    /// The ID token (kept for display and as the logout `id_token_hint`).
    pub id_token: Option<String>,
    /// The scopes the issuer granted, as it said them.
    pub scope: Option<String>,
}

/// Why the last sign-in gave no token, shown in the panel that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// The panel that asked; `None` when the answer could not be tied to a sign-in.
    pub tier: Option<Tier>,
    /// The OAuth `error` code, or the app's own (`state_mismatch`, `issuer_unreachable`, …).
    pub error: String,
    /// The human explanation (`error_description`).
    pub description: String,
}

/// What the app remembers about one browser.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Sign-ins waiting for the issuer's answer, oldest first.
    pub pending: Vec<PendingLogin>,
    /// The current tokens, if signed in.
    pub signed_in: Option<SignedIn>,
    /// The last sign-in's failure, until the next sign-in.
    pub auth_error: Option<AuthError>,
}

impl Session {
    /// Remembers a started sign-in, forgetting the oldest beyond [`MAX_PENDING`].
    pub fn remember(&mut self, login: PendingLogin) {
        self.pending.push(login);
        let excess = self.pending.len().saturating_sub(MAX_PENDING);
        self.pending.drain(..excess);
    }

    /// Takes the pending sign-in whose `state` is `state`, if it is not too old.
    pub fn take_pending(&mut self, state: &str, now: Instant) -> Option<PendingLogin> {
        self.pending
            .retain(|p| now.saturating_duration_since(p.started) <= PENDING_MAX_AGE);
        let index = self.pending.iter().position(|p| p.state == state)?;
        Some(self.pending.remove(index))
    }
}

struct Entry {
    session: Session,
    expires: Instant,
}

/// Every live session, and the key that signs their cookies.
pub struct Sessions {
    key: hmac::Key,
    max_age: Duration,
    secure: bool,
    map: Mutex<HashMap<String, Entry>>,
}

impl Sessions {
    /// An empty store signing with `secret`; sessions live `max_age`; `secure` adds the cookie's
    /// `Secure` attribute (for an app served over https).
    pub fn new(secret: &str, max_age: Duration, secure: bool) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        Sessions {
            key,
            max_age,
            secure,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The cookie value for `id`: `{id}.{base64url(HMAC-SHA256(id))}`.
    pub fn sign(&self, id: &str) -> String {
        let tag = hmac::sign(&self.key, id.as_bytes());
        format!("{id}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The session id in a cookie value, if its signature verifies.
    pub fn verify(&self, value: &str) -> Option<String> {
        let (id, tag) = value.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&self.key, id.as_bytes(), &tag).ok()?;
        Some(id.to_owned())
    }

    /// The verified session id from a request's `Cookie` headers.
    pub fn id_from_headers(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE_NAME)
            .find_map(|(_, value)| self.verify(value))
    }

    /// Starts an empty session and returns its id.
    pub fn create(&self, now: Instant) -> Result<String, String> {
        let id = random_token(32)?;
        let mut map = self.lock();
        make_room(&mut map, now);
        map.insert(
            id.clone(),
            Entry {
                session: Session::default(),
                expires: now + self.max_age,
            },
        );
        Ok(id)
    }

    /// A copy of the live session `id`.
    pub fn get(&self, id: &str, now: Instant) -> Option<Session> {
        self.update(id, now, |s| s.clone())
    }

    /// Runs `f` on the live session `id` (an expired one is dropped and gives `None`).
    pub fn update<R>(&self, id: &str, now: Instant, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let mut map = self.lock();
        match map.get_mut(id) {
            Some(entry) if entry.expires > now => Some(f(&mut entry.session)),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Moves the live session `id` to a fresh id (after a sign-in) and returns the new id.
    pub fn rotate(&self, id: &str, now: Instant) -> Result<Option<String>, String> {
        let new_id = random_token(32)?;
        let mut map = self.lock();
        let Some(entry) = map.remove(id).filter(|e| e.expires > now) else {
            return Ok(None);
        };
        map.insert(new_id.clone(), entry);
        Ok(Some(new_id))
    }

    /// Ends the session `id`.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// The `Set-Cookie` value that hands session `id` to the browser.
    pub fn set_cookie(&self, id: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        let max_age = self.max_age.as_secs();
        format!(
            "{COOKIE_NAME}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.sign(id)
        )
    }

    /// The `Set-Cookie` value that makes the browser forget its session.
    pub fn clear_cookie(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Drops expired sessions, then the oldest ones, until a new one fits.
fn make_room(map: &mut HashMap<String, Entry>, now: Instant) {
    if map.len() < MAX_SESSIONS {
        return;
    }
    map.retain(|_, e| e.expires > now);
    while map.len() >= MAX_SESSIONS {
        let oldest = map.iter().min_by_key(|(_, e)| e.expires).map(|(id, _)| id.clone());
        match oldest {
            Some(id) => map.remove(&id),
            None => break,
        };
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
