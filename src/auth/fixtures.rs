//! Shared fixtures for the auth unit tests: a trusted JWKS built from the
//! testkit keys, default rules, good claims, and helpers to mint and judge.
//!
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use serde_json::{Value, json};

use super::testkit::{self, SigningKey, keys};
use super::{AuthError, Claims, KeySet, NoTrace, Rules, authorize};

/// The fixed clock of every test.
pub const NOW: i64 = 1_800_000_000;
/// The configured issuer.
pub const ISS: &str = "https://idp.test";
/// The configured audience.
pub const AUD: &str = "api://orders";
/// The kid of the trusted RSA key.
pub const KID: &str = "rsa-1";

/// The trusted JWKS: RSA `rsa-1`, P-256 `ec-1`, P-384 `ec-384`, Ed25519 `ed-1`.
pub fn jwks_bytes() -> Vec<u8> {
    let k = keys();
    testkit::jwks(&[
        k.rsa.public_jwk(KID),
        k.p256.public_jwk("ec-1"),
        k.p384.public_jwk("ec-384"),
        k.ed25519.public_jwk("ed-1"),
    ])
}

/// The trusted key set.
pub fn key_set() -> KeySet {
    KeySet::from_jwks(&jwks_bytes()).unwrap().0
}

/// A key set from explicit JWKs.
pub fn key_set_of(jwks: &[Value]) -> KeySet {
    KeySet::from_jwks(&testkit::jwks(jwks)).unwrap().0
}

/// Default rules (RS256/384/512, no leeway, any typ).
pub fn rules() -> Rules {
    Rules::new(ISS, vec![AUD.to_owned()])
}

/// Rules allowing every supported algorithm.
pub fn rules_all_algs() -> Rules {
    Rules {
        algorithms: super::Alg::ALL.to_vec(),
        ..rules()
    }
}

/// Claims that pass the default rules at [`NOW`].
pub fn claims() -> Value {
    json!({
        "iss": ISS,
        "aud": AUD,
        "sub": "user-1",
        "exp": NOW + 3600,
        "iat": NOW - 60,
        "scope": "orders:read orders:write",
    })
}

/// [`claims`] with `name` set to `value` (or removed when `value` is `None`).
pub fn claims_with(name: &str, value: Option<Value>) -> Value {
    let mut c = claims();
    let map = c.as_object_mut().unwrap();
    match value {
        Some(v) => map.insert(name.to_owned(), v),
        None => map.remove(name),
    };
    c
}

/// A header naming `alg` and `kid`.
pub fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "typ": "JWT", "kid": kid})
}

/// An RS256 token by the trusted RSA key over `claims`.
pub fn rs256(claims: &Value) -> String {
    testkit::mint_json(&keys().rsa, "RS256", &header("RS256", KID), claims)
}

/// A token signed by `key` with `alg`, with the given header and claims.
pub fn signed(key: &SigningKey, alg: &str, header: &Value, claims: &Value) -> String {
    testkit::mint_json(key, alg, header, claims)
}

/// An RS256 token over raw header bytes (signed by the trusted key).
pub fn rs256_raw(header: &[u8], payload: &[u8]) -> String {
    testkit::mint(&keys().rsa, "RS256", header, payload)
}

/// Judges `token` with the trusted keys, default rules, no route scopes.
pub fn run(token: &str) -> Result<Claims, AuthError> {
    run_with(token, &rules(), &[])
}

/// Judges `token` with the trusted keys and the given rules and scopes.
pub fn run_with(token: &str, rules: &Rules, scopes: &[&str]) -> Result<Claims, AuthError> {
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    authorize(token, &key_set(), rules, &scopes, NOW, &mut NoTrace)
}

/// The description of the error `token` gets with the default rules.
pub fn refusal(token: &str) -> String {
    run(token).unwrap_err().description.into_owned()
}
