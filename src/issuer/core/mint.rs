//! Claim sets of the tokens the authorization server mints (okta-issuer.md §2): Okta-shaped
//! access tokens (or the RFC 9068 profile), ID tokens and `/v1/userinfo` responses. No signing
//! and no clock here: the caller passes `now` and the random part of `jti`, then signs.
//!
//! Invariants: Okta access tokens have no `typ`, no `nbf`, `ver` 1, `jti` `AT.…`, a string
//! `aud`, `cid`, `uid` only with a user, `scp` = exactly the granted scopes, `sub` = login (or
//! client id); ID tokens and userinfo have `sub` = user id; ID tokens live 3600 s.
//!
//! May import: std, serde_json, `crate::model::issuer`, `super::{claims, secrets}`.

use serde_json::{Map, Value, json};

use super::claims::add_custom_claims;
use super::secrets::{b64url, sha256, stable_id};
use crate::model::issuer::{AuthorizationServer, ClaimToken, Client, Group, TokenProfile, User};

/// Fixed ID-token lifetime (Okta: 60 min).
pub const ID_TOKEN_LIFETIME_SECS: i64 = 3600;
/// `updated_at` of every userinfo response: profiles come from configuration, which has no
/// modification time (2025-01-01T00:00:00Z).
pub const PROFILE_UPDATED_AT: i64 = 1_735_689_600;

/// Everything a token's claims depend on.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    /// The authorization server's issuer URL.
    pub issuer: &'a str,
    /// The authorization server.
    pub server: &'a AuthorizationServer,
    /// The client the token is for.
    pub client: &'a Client,
    /// The user (`None` for client credentials).
    pub user: Option<&'a User>,
    /// The tenant's groups (the groups claim lists the user's, in this order).
    pub groups: &'a [Group],
    /// The granted scopes.
    pub scopes: &'a [String],
    /// Issue time (unix seconds).
    pub now: i64,
    /// When the user authenticated.
    pub auth_time: Option<i64>,
    /// The matching rule's access-token lifetime.
    pub access_lifetime_secs: i64,
    /// `nonce` sent to `/authorize`.
    pub nonce: Option<&'a str>,
    /// Random URL-safe text for `jti` (use a fresh value per token).
    pub jti_random: &'a str,
}

/// The header extras and claims of an access token in the server's token profile.
pub fn access_token(i: &Issue<'_>) -> (Map<String, Value>, Value) {
    let (header, mut claims) = match i.server.token_profile {
        TokenProfile::Okta => (Map::new(), okta_access_claims(i)),
        TokenProfile::Rfc9068 => (typ_at_jwt(), rfc9068_access_claims(i)),
    };
    add_custom_claims(&mut claims, i.server, ClaimToken::Access, i.user, i.groups, i.scopes);
    (header, Value::Object(claims))
}

/// Okta's access-token claims (§2.1).
fn okta_access_claims(i: &Issue<'_>) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("ver".into(), json!(1));
    c.insert("jti".into(), json!(format!("AT.{}", i.jti_random)));
    c.insert("iss".into(), json!(i.issuer));
    c.insert("aud".into(), json!(i.server.audience));
    c.insert("iat".into(), json!(i.now));
    c.insert("exp".into(), json!(access_exp(i)));
    c.insert("cid".into(), json!(i.client.client_id));
    if let Some(user) = i.user {
        c.insert("uid".into(), json!(user.id));
    }
    c.insert("scp".into(), json!(i.scopes));
    insert_user_auth_time(&mut c, i);
    c.insert("sub".into(), json!(access_subject(i)));
    c
}

/// RFC 9068 access-token claims (§2.2 of the RFC).
fn rfc9068_access_claims(i: &Issue<'_>) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("iss".into(), json!(i.issuer));
    c.insert("exp".into(), json!(access_exp(i)));
    c.insert("aud".into(), json!(i.server.audience));
    c.insert("sub".into(), json!(access_subject(i)));
    c.insert("client_id".into(), json!(i.client.client_id));
    c.insert("iat".into(), json!(i.now));
    c.insert("jti".into(), json!(format!("AT.{}", i.jti_random)));
    c.insert("scope".into(), json!(i.scopes.join(" ")));
    insert_user_auth_time(&mut c, i);
    c
}

fn typ_at_jwt() -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), json!("at+jwt"));
    header
}

fn access_exp(i: &Issue<'_>) -> i64 {
    i.now.saturating_add(i.access_lifetime_secs)
}

/// Okta's `(appuser != null) ? appuser.userName : app.clientId`.
fn access_subject(i: &Issue<'_>) -> String {
    i.user.map_or_else(|| i.client.client_id.clone(), |u| u.login.clone())
}

/// `auth_time` in access tokens: user flows only.
fn insert_user_auth_time(c: &mut Map<String, Value>, i: &Issue<'_>) {
    if let (Some(_), Some(at)) = (i.user, i.auth_time) {
        c.insert("auth_time".into(), json!(at));
    }
}

/// The claims of an ID token; `at_hash_of` is the access token issued with it, if any.
/// ID tokens are for user flows; without a user `sub` falls back to the client id.
pub fn id_token(i: &Issue<'_>, at_hash_of: Option<&str>) -> Value {
    let mut c = Map::new();
    c.insert(
        "sub".into(),
        json!(i.user.map_or(i.client.client_id.as_str(), |u| u.id.as_str())),
    );
    if let Some(user) = i.user {
        insert_profile_basics(&mut c, user, i.scopes);
    }
    c.insert("ver".into(), json!(1));
    c.insert("iss".into(), json!(i.issuer));
    c.insert("aud".into(), json!(i.client.client_id));
    c.insert("iat".into(), json!(i.now));
    c.insert("exp".into(), json!(i.now.saturating_add(ID_TOKEN_LIFETIME_SECS)));
    c.insert("jti".into(), json!(format!("ID.{}", i.jti_random)));
    c.insert("amr".into(), json!(["pwd"]));
    c.insert("idp".into(), json!(org_id(i.issuer)));
    c.insert("auth_time".into(), json!(i.auth_time.unwrap_or(i.now)));
    if let Some(nonce) = i.nonce {
        c.insert("nonce".into(), json!(nonce));
    }
    if let Some(token) = at_hash_of {
        c.insert("at_hash".into(), json!(at_hash(token)));
    }
    add_custom_claims(&mut c, i.server, ClaimToken::Id, i.user, i.groups, i.scopes);
    Value::Object(c)
}

/// `name`/`preferred_username` with `profile`, `email`/`email_verified` with `email`.
fn insert_profile_basics(c: &mut Map<String, Value>, user: &User, scopes: &[String]) {
    if granted(scopes, "profile") {
        c.insert("name".into(), json!(user.display_name()));
        c.insert("preferred_username".into(), json!(user.login));
    }
    if granted(scopes, "email") {
        c.insert("email".into(), json!(user.email));
        c.insert("email_verified".into(), json!(true));
    }
}

fn granted(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

/// OIDC Core §3.1.3.6: base64url of the left half of SHA-256 over the ASCII access token.
pub fn at_hash(access_token: &str) -> String {
    let digest = sha256(access_token.as_bytes());
    b64url(digest.get(..16).unwrap_or(&digest))
}

/// The Okta-org-like id (`00o…`) in the ID token's `idp`, stable for an issuer.
pub fn org_id(issuer: &str) -> String {
    stable_id("00o", issuer)
}

/// The `/v1/userinfo` claims for the scopes of an access token.
pub fn userinfo(user: &User, scopes: &[String], server: &AuthorizationServer, groups: &[Group]) -> Value {
    let mut c = Map::new();
    c.insert("sub".into(), json!(user.id));
    insert_profile_basics(&mut c, user, scopes);
    if granted(scopes, "profile") {
        c.insert("given_name".into(), json!(user.first_name));
        c.insert("family_name".into(), json!(user.last_name));
        c.insert("locale".into(), json!("en-US"));
        c.insert("zoneinfo".into(), json!("America/Los_Angeles"));
        c.insert("updated_at".into(), json!(PROFILE_UPDATED_AT));
    }
    add_custom_claims(&mut c, server, ClaimToken::Id, Some(user), groups, scopes);
    Value::Object(c)
}

#[cfg(test)]
#[path = "mint_tests.rs"]
mod tests;
