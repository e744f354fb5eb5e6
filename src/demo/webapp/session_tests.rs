//! Tests of the session store: cookie signing, tampering, expiry and pending sign-ins.

use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};

use super::*;

fn store() -> Sessions {
    Sessions::new("a session secret for tests", Duration::from_secs(60), false)
}

fn pending(state: &str, started: Instant) -> PendingLogin {
    let (nonce, verifier) = (format!("n-{state}"), format!("v-{state}"));
    PendingLogin {
        tier: Tier::Silver,
        state: state.to_owned(),
        nonce,
        verifier,
        started,
    }
}

fn cookie_headers(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(http::header::COOKIE, v);
    }
    headers
}

#[test]
fn makes_random_url_safe_tokens_of_the_asked_length() -> Result<(), String> {
    let (a, b) = (random_token(32)?, random_token(32)?);
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    Ok(())
}

#[test]
fn verifies_the_cookie_it_signed() -> Result<(), String> {
    let sessions = store();
    let id = sessions.create(Instant::now())?;
    assert_eq!(sessions.verify(&sessions.sign(&id)), Some(id.clone()));
    let headers = cookie_headers(&format!("theme=dark; {COOKIE_NAME}={}; other=1", sessions.sign(&id)));
    assert_eq!(sessions.id_from_headers(&headers), Some(id));
    Ok(())
}

#[test]
fn refuses_a_tampered_cookie() -> Result<(), String> {
    let sessions = store();
    let id = sessions.create(Instant::now())?;
    let signed = sessions.sign(&id);
    // A different first character: always "X" failed the test for the one id in 64 that
    // starts with X (then the "other" id was the same id).
    let first = if id.starts_with('X') { 'Y' } else { 'X' };
    let other_id = format!("{first}{}", &id[1..]);
    assert_ne!(other_id, id);
    let (_, tag) = signed.rsplit_once('.').unwrap_or_default();
    assert_eq!(
        sessions.verify(&format!("{other_id}.{tag}")),
        None,
        "id changed, tag kept"
    );
    assert_eq!(sessions.verify(&format!("{signed}A")), None, "tag changed");
    assert_eq!(sessions.verify(&id), None, "no tag at all");
    let foreign = Sessions::new("another secret entirely", Duration::from_secs(60), false);
    assert_eq!(foreign.verify(&signed), None, "signed with another secret");
    assert_eq!(
        sessions.id_from_headers(&cookie_headers(&format!("{COOKIE_NAME}={other_id}.{tag}"))),
        None
    );
    Ok(())
}

#[test]
fn sets_an_http_only_same_site_lax_cookie_that_lives_as_long_as_the_session() {
    let cookie = store().set_cookie("abc");
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=abc.")), "{cookie}");
    for part in ["Path=/", "Max-Age=60", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"));
    let https = Sessions::new("secret", Duration::from_secs(5), true);
    assert!(https.set_cookie("abc").ends_with("; Secure"));
    assert!(https.clear_cookie().contains("Max-Age=0"));
}

#[test]
fn forgets_a_session_after_its_max_age() -> Result<(), String> {
    let sessions = store();
    let start = Instant::now();
    let id = sessions.create(start)?;
    assert!(sessions.get(&id, start + Duration::from_secs(59)).is_some());
    assert!(sessions.get(&id, start + Duration::from_secs(60)).is_none());
    assert!(
        sessions.get(&id, start).is_none(),
        "an expired session is dropped, not revived"
    );
    Ok(())
}

#[test]
fn gives_a_signed_in_session_a_fresh_id() -> Result<(), String> {
    let sessions = store();
    let now = Instant::now();
    let id = sessions.create(now)?;
    sessions.update(&id, now, |s| s.remember(pending("s1", now)));
    let Some(new_id) = sessions.rotate(&id, now)? else {
        unreachable!("a live session was not rotated")
    };
    assert_ne!(new_id, id);
    assert!(sessions.get(&id, now).is_none());
    assert_eq!(sessions.get(&new_id, now).map(|s| s.pending.len()), Some(1));
    assert_eq!(sessions.rotate("unknown", now)?, None);
    Ok(())
}

#[test]
fn takes_a_pending_sign_in_only_once_and_only_for_its_state() {
    let now = Instant::now();
    let mut session = Session::default();
    session.remember(pending("s1", now));
    session.remember(pending("s2", now));
    assert!(session.take_pending("other", now).is_none());
    assert_eq!(
        session.take_pending("s2", now).map(|p| p.nonce),
        Some("n-s2".to_owned())
    );
    assert!(
        session.take_pending("s2", now).is_none(),
        "a state is good for one answer"
    );
    assert!(
        session
            .take_pending("s1", now + PENDING_MAX_AGE + Duration::from_secs(1))
            .is_none()
    );
}

#[test]
fn remembers_at_most_a_few_pending_sign_ins() {
    let now = Instant::now();
    let mut session = Session::default();
    for i in 0..(MAX_PENDING + 2) {
        session.remember(pending(&format!("s{i}"), now));
    }
    assert_eq!(session.pending.len(), MAX_PENDING);
    assert!(session.take_pending("s0", now).is_none(), "the oldest was forgotten");
    assert!(session.take_pending(&format!("s{}", MAX_PENDING + 1), now).is_some());
}
