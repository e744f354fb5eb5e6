//! The authorize phase: read the token where the authorizer says, get the issuer's keys, run
//! the claim checks, and refetch the keys once when the token names a `kid` we do not know.

use http::Request;

use super::error::GatewayError;
use super::snapshot::CompiledAuth;
use crate::auth::{self, Claims, NoTrace};
use crate::jwks::KeyLookup;

/// Authorizes a request for a route with a JWT authorizer.
pub async fn authorize<B>(auth: &CompiledAuth, req: &Request<B>) -> Result<Claims, GatewayError> {
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
    match auth::authorize(&token, &keys, &auth.rules, &auth.scopes, now, &mut NoTrace) {
        Err(err) if err.is_unknown_kid() => match auth.keys.refetch_for_unknown_kid().await {
            Some(fresh) => {
                auth::authorize(&token, &fresh, &auth.rules, &auth.scopes, now, &mut NoTrace).map_err(refuse)
            }
            None => Err(refuse(err)),
        },
        other => other.map_err(refuse),
    }
}
