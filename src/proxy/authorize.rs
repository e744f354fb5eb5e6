//! The authorize phase: read the token where the authorizer says, get the issuer's keys, answer
//! from the verified-token cache (an acceptance, or a rejected signature) or run the claim checks (refetching the keys once when the
//! token names a `kid` we do not know), then check the route's scopes on every request.

use std::sync::Arc;

use http::Request;

use super::error::GatewayError;
use super::snapshot::CompiledAuth;
use crate::auth::cache::Remembered;
use crate::auth::{self, CacheKey, Claims, KeySet, NoTrace};
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
    let keys = match auth.keys.lookup().await {
        KeyLookup::Ready(keys) => keys,
        KeyLookup::Unavailable => {
            let why = auth
                .keys
                .last_error()
                .unwrap_or_else(|| "keys not fetched yet".to_owned());
            return Err(GatewayError::KeysUnavailable(why));
        }
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
    let claims = match (&auth.cache, &key) {
        (Some(cache), Some(key)) => match cache.recall(key, &keys, now) {
            Some(remembered) => {
                log.token_cache = Some(CacheUse::Hit);
                match remembered {
                    Remembered::Valid(claims) => claims,
                    Remembered::Refused(error) => return Err(refuse(error)),
                }
            }
            None => judged(strikes, log, verify(auth, &token, keys, now, Some(key)))
                .await
                .map_err(refuse)?,
        },
        _ => judged(strikes, log, verify(auth, &token, keys, now, None))
            .await
            .map_err(refuse)?,
    };
    auth::check_route_scopes(&claims, &auth.scopes, &mut NoTrace).map_err(refuse)?;
    Ok(claims)
}

/// Runs a verification for a connection: after the connection's forged signatures it waits
/// first (`conn::Strikes`), and its outcome updates the count.
async fn judged(
    strikes: &Strikes,
    log: &mut AccessLog,
    verification: impl Future<Output = Result<Arc<Claims>, auth::AuthError>>,
) -> Result<Arc<Claims>, auth::AuthError> {
    let wait = strikes.delay();
    if !wait.is_zero() {
        log.authorizer_wait_ms = Some(wait.as_millis());
        tokio::time::sleep(wait).await;
    }
    let result = verification.await;
    match &result {
        Ok(_) => strikes.clear(),
        Err(e) if e.reason == auth::Reason::Signature => strikes.record(),
        Err(_) => {}
    }
    result
}

/// The full pipeline (without scopes), with one refetch for an unknown `kid`; a success, or a
/// rejected signature, is remembered under `key` with the keys that decided it.
async fn verify(
    auth: &CompiledAuth,
    token: &str,
    keys: Arc<KeySet>,
    now: i64,
    key: Option<&CacheKey<'_>>,
) -> Result<Arc<Claims>, auth::AuthError> {
    let (result, keys) = match auth::verify_for_cache(token, &keys, &auth.rules, now, &mut NoTrace) {
        Err(refusal) if refusal.error.is_unknown_kid() => match auth.keys.refetch_for_unknown_kid().await {
            Some(fresh) => (
                auth::verify_for_cache(token, &fresh, &auth.rules, now, &mut NoTrace),
                fresh,
            ),
            None => return Err(refusal.error),
        },
        other => (other, keys),
    };
    let (Some(cache), Some(key)) = (&auth.cache, key) else {
        return result.map(Arc::new).map_err(|refusal| refusal.error);
    };
    match result {
        Ok(claims) => {
            let claims = Arc::new(claims);
            cache.insert(key, &keys, claims.clone(), &auth.rules, now);
            Ok(claims)
        }
        Err(refusal) => {
            cache.insert_refusal(key, &keys, &refusal, &auth.rules, now);
            Err(refusal.error)
        }
    }
}
