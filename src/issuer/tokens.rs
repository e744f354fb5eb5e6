//! Issuing and recognising this issuer's tokens: access and ID tokens are minted by `core`,
//! signed with the server's ACTIVE key and recorded (by `jti`) in the store so introspection,
//! userinfo and revocation know their state; our own JWTs are verified against our published
//! keys with the same parser the gateway uses.

use serde_json::{Map, Value, json};

use super::core::{self, Issue};
use super::state::{IssuerState, ServerState};
use crate::auth::{self, Alg};
use crate::model::issuer::{Client, User};

/// What a token set is issued for.
pub struct TokenRequest<'a> {
    /// The authorization server.
    pub server: &'a ServerState,
    /// The client.
    pub client: &'a Client,
    /// The user (`None`: client credentials).
    pub user: Option<&'a User>,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// Access-token lifetime from the matching rule.
    pub access_lifetime: i64,
    /// When the user authenticated.
    pub auth_time: Option<i64>,
    /// OIDC nonce.
    pub nonce: Option<&'a str>,
    /// Token family.
    pub grant_id: &'a str,
}

/// A signed access token, and an ID token when `openid` was granted.
pub struct Issued {
    /// The access token.
    pub access_token: String,
    /// The ID token.
    pub id_token: Option<String>,
}

/// Mints, signs and records the tokens of one grant.
pub fn issue(state: &IssuerState, req: &TokenRequest<'_>, now: i64) -> Result<Issued, String> {
    let keys = req.server.keys();
    let key = keys.active().ok_or("no active signing key")?;
    let jti = core::random_token(18)?;
    let issue = Issue {
        issuer: &req.server.issuer,
        server: &req.server.config,
        client: req.client,
        user: req.user,
        groups: &state.tenant.groups,
        scopes: req.scopes,
        now,
        auth_time: req.auth_time,
        access_lifetime_secs: req.access_lifetime,
        nonce: req.nonce,
        jti_random: &jti,
    };
    let (header, claims) = core::access_token(&issue);
    let access_token = key.sign_jwt(&header, &claims)?;
    let recorded_jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
    let recorded = state.store.record_access_token(
        recorded_jti,
        req.grant_id,
        &req.client.client_id,
        now + req.access_lifetime,
    );
    match recorded {
        // The grant was revoked while this request was being served (a concurrent replay of
        // its code, A-08/A-09): the token is still issued, but it is unknown to
        // introspection, userinfo and refresh, i.e. inactive from the start.
        Err(crate::store::StoreError::GrantRevoked) => {
            tracing::warn!("issuing tokens of a grant revoked meanwhile; they are inactive")
        }
        other => other.map_err(|e| e.to_string())?,
    }
    let id_token = match (req.user, req.scopes.iter().any(|s| s == "openid")) {
        (Some(_), true) => {
            let id_jti = core::random_token(18)?;
            let claims = core::id_token(
                &Issue {
                    jti_random: &id_jti,
                    ..issue
                },
                Some(&access_token),
            );
            Some(key.sign_jwt(&Map::new(), &claims)?)
        }
        _ => None,
    };
    Ok(Issued { access_token, id_token })
}

/// The token endpoint's success body (RFC 6749 §5.1, Okta's fields).
pub fn response(issued: &Issued, scopes: &[String], lifetime: i64, refresh_token: Option<&str>) -> Value {
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "access_token": issued.access_token,
        "scope": scopes.join(" "),
    });
    if let Some(id) = &issued.id_token {
        body["id_token"] = json!(id);
    }
    if let Some(rt) = refresh_token {
        body["refresh_token"] = json!(rt);
    }
    body
}

/// The claims of a JWT this server signed, if its signature and issuer check out.
/// Expiry is left to the caller (logout accepts an expired ID token).
pub fn verify_own(server: &ServerState, token: &str) -> Option<Map<String, Value>> {
    let parsed = auth::parse(token).ok()?;
    let kid = parsed.header.kid.as_deref()?;
    if parsed.header.alg.as_deref() != Some("RS256") {
        return None;
    }
    let keys = server.verifier()?;
    let verdict = keys.verify(kid, Alg::RS256, parsed.signing_input, &parsed.signature);
    if verdict != auth::keys::Verdict::Valid {
        return None;
    }
    (parsed.claims.get("iss").and_then(Value::as_str) == Some(server.issuer.as_str())).then_some(parsed.claims)
}

/// Whether a claim set's `exp` is still in the future.
pub fn unexpired(claims: &Map<String, Value>, now: i64) -> bool {
    claims.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp > now)
}
