//! The authorize phase: read the token where the authorizer says, get the issuer's keys, answer
//! from the verified-token cache (an acceptance, or a rejected signature) or run the claim
//! checks (refetching the keys once when the token names a `kid` we do not know), then check
//! the route's scopes on every request.
//!
//! One async function with plain steps around it. Its only waits are ones few requests make (a
//! cold key cache, a connection's strikes, an unknown `kid`), and each is boxed (`in_box`), so
//! the future every request builds, moves and keeps stays small.

use std::sync::Arc;

use http::Request;

use super::error::GatewayError;
use super::snapshot::CompiledAuth;
use crate::auth::cache::Remembered;
use crate::auth::{self, CacheKey, Claims, KeySet, NoTrace, Refusal};
use crate::boxed::in_box;
use crate::conn::Strikes;
use crate::jwks::KeyLookup;
use crate::telemetry::{AccessLog, CacheUse};

/// Authorizes a request for a route with a JWT authorizer.
pub async fn authorize<B>(
    auth: &CompiledAuth,
    req: &Request<B>,
    strikes: &Strikes,
    log: &mut AccessLog,
) -> Result<Arc<Claims>, GatewayError> {
    let refuse = |error: auth::AuthError| GatewayError::Auth {
        error,
        scopes: auth.scopes.clone(),
        style: auth.style,
    };
    let token = auth::extract(&auth.location, req.headers(), req.uri().query()).map_err(refuse)?;
    let keys = match auth.keys.current() {
        Some(keys) => keys,
        None => match in_box(|| auth.keys.lookup()).await {
            KeyLookup::Ready(keys) => keys,
            KeyLookup::Unavailable => {
                let why = auth.keys.last_error();
                return Err(GatewayError::KeysUnavailable(
                    why.unwrap_or_else(|| "keys not fetched yet".to_owned()),
                ));
            }
        },
    };
    let now = crate::telemetry::unix_secs();
    log.token_cache = Some(if auth.cache.is_some() {
        CacheUse::Miss
    } else {
        CacheUse::Off
    });
    // Any token gets a key (its length and last bytes: no pass over it); one that is not a JWS
    // finds no entry, since only tokens the pipeline got as far as the signature are kept.
    let key = auth.cache.as_ref().map(|_| CacheKey::new(&auth.rules_id, &token));
    let remembered = match (&auth.cache, &key) {
        (Some(cache), Some(key)) => cache.recall(key, &keys, now),
        _ => None,
    };
    if remembered.is_some() {
        log.token_cache = Some(CacheUse::Hit);
    }
    let claims = match remembered {
        Some(Remembered::Valid(claims)) => claims,
        Some(Remembered::Refused(error)) => return Err(refuse(error)),
        None => {
            // After the connection's forged signatures, a verification waits first
            // (`conn::Strikes`); its outcome updates the count.
            let wait = strikes.delay();
            if !wait.is_zero() {
                log.authorizer_wait_ms = Some(wait.as_millis());
                in_box(|| tokio::time::sleep(wait)).await;
            }
            let (outcome, keys) = match auth::verify_for_cache(&token, &keys, &auth.rules, now, &mut NoTrace) {
                Err(refusal) if refusal.error.is_unknown_kid() => {
                    match in_box(|| auth.keys.refetch_for_unknown_kid()).await {
                        Some(fresh) => (
                            auth::verify_for_cache(&token, &fresh, &auth.rules, now, &mut NoTrace),
                            fresh,
                        ),
                        None => (Err(refusal), keys),
                    }
                }
                other => (other, keys),
            };
            let result = remember(auth, key.as_ref(), &keys, outcome, now);
            match &result {
                Ok(_) => strikes.clear(),
                Err(e) if e.reason == auth::Reason::Signature => strikes.record(),
                Err(_) => {}
            }
            result.map_err(refuse)?
        }
    };
    auth::check_route_scopes(&claims, &auth.scopes, &mut NoTrace).map_err(refuse)?;
    Ok(claims)
}

/// The outcome of a full verification (without scopes): a success, or a rejected signature, is
/// remembered under `key` with the keys that decided it.
fn remember(
    auth: &CompiledAuth,
    key: Option<&CacheKey<'_>>,
    keys: &Arc<KeySet>,
    outcome: Result<Claims, Refusal>,
    now: i64,
) -> Result<Arc<Claims>, auth::AuthError> {
    let (Some(cache), Some(key)) = (&auth.cache, key) else {
        return outcome.map(Arc::new).map_err(|refusal| refusal.error);
    };
    match outcome {
        Ok(claims) => {
            let claims = Arc::new(claims);
            cache.insert(key, keys, claims.clone(), &auth.rules, now);
            Ok(claims)
        }
        Err(refusal) => {
            cache.insert_refusal(key, keys, &refusal, &auth.rules, now);
            Err(refusal.error)
        }
    }
}
