//! Token verification (issue 6): cold key (the JWKS parsed for the call, what libraries that
//! parse per verification pay), warm key (keys parsed once per JWKS fetch, the gateway's
//! uncached path), a verified-token cache hit, and a forged token refused by the cheap checks.
//!
//! `cargo bench --bench auth`. Not run by CI; `cargo clippy --all-targets` keeps it compiling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../testkit/jwt.rs"]
mod jwt;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::auth::{CacheKey, CacheLimits, KeySet, NoTrace, Rules, RulesId, TokenCache, verify};
use serde_json::json;

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://dev-12345678.okta.com/oauth2/default";

/// An Okta-like access token (about 1 000 bytes, like the reference measurements').
fn token(claims_over: serde_json::Value) -> String {
    let mut claims = json!({
        "ver": 1, "jti": "AT.sLq3fUjYc2yqBJhQ0Wf9mXv7aZk1RtN4pEoG8hDsKcI", "iss": ISS,
        "aud": "api://planets", "iat": NOW - 60, "exp": NOW + 3600, "cid": "0oa8f5j3ecb5w3dF35d7",
        "uid": "00u1a2b3c4d5e6f7g8h9", "scp": ["openid", "profile", "email", "planets:read"],
        "scope": "openid profile email planets:read", "auth_time": NOW - 120,
        "sub": "jane.doe@example.com", "groups": ["Everyone", "planets-readers"],
    });
    if let (Some(map), Some(over)) = (claims.as_object_mut(), claims_over.as_object()) {
        map.extend(over.clone());
    }
    jwt::mint_json(
        &jwt::keys().rsa,
        "RS256",
        &json!({"alg": "RS256", "kid": "k1"}),
        &claims,
    )
}

fn verification(c: &mut Criterion) {
    let jwks = jwt::jwks(&[jwt::keys().rsa.public_jwk("k1")]);
    let rules = Rules::new(ISS, vec!["api://planets".to_owned()]);
    let keys = Arc::new(KeySet::from_jwks(&jwks).unwrap().0);
    let valid = token(json!({}));
    let expired = token(json!({"exp": NOW - 1}));
    let mut group = c.benchmark_group("token verification");
    group.bench_function("cold key (JWKS parsed per call)", |b| {
        b.iter(|| {
            let set = KeySet::from_jwks(black_box(&jwks)).unwrap().0;
            verify(black_box(&valid), &set, &rules, NOW, &mut NoTrace).is_ok()
        })
    });
    group.bench_function("warm key (parsed once per JWKS fetch)", |b| {
        b.iter(|| verify(black_box(&valid), &keys, &rules, NOW, &mut NoTrace).is_ok())
    });
    let cache = TokenCache::new(CacheLimits {
        max_entries: 10_000,
        max_bytes: 64 << 20,
    });
    let id = RulesId::of(&rules);
    let claims = Arc::new(verify(&valid, &keys, &rules, NOW, &mut NoTrace).unwrap());
    cache.insert(&CacheKey::new(&id, &valid), &keys, claims, &rules, NOW);
    group.bench_function("cache hit (lookup + token comparison + exp)", |b| {
        b.iter(|| cache.get(&CacheKey::new(&id, black_box(&valid)), &keys, NOW).is_some())
    });
    group.bench_function("expired token, refused before the crypto", |b| {
        b.iter(|| verify(black_box(&expired), &keys, &rules, NOW, &mut NoTrace).is_err())
    });
    group.finish();
}

criterion_group!(benches, verification);
criterion_main!(benches);
