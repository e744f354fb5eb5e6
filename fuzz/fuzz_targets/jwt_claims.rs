//! Fuzzes the claim checks of the authorizer with *validly signed* tokens.
//!
//! Input: byte 0 holds flags, the rest is token material.
//! - bits 0-2 pick the signer: the IdP's RSA key with RS256, RS384, RS512 or
//!   PS256, its P-256 (ES256), P-384 (ES384) or Ed25519 (EdDSA) key, or the
//!   attacker's RSA key (RS256, claiming the IdP's kid);
//! - bit 3 set: the rest is `header 0x00 payload`, both fuzzed; clear: the
//!   header is the correct `{"alg":…,"kid":…,"typ":"JWT"}` for the signer
//!   and the rest is the payload;
//! - bit 4 set: the route requires the scope `read`.
//!
//! The token is minted over those bytes with `testkit::mint`, so the
//! signature is valid whenever header `alg`/`kid` name the signer.
//!
//! Properties beyond "no panic" — acceptance implies the rules hold:
//! - a token signed by the attacker key is never accepted;
//! - on `Ok`: the header `alg` is exactly the signing algorithm and the
//!   header `kid` the signer's (no algorithm or key confusion); the payload
//!   is a JSON object equal to the returned claims; `iss` is the configured
//!   issuer; `aud` (a string or array of strings) or, when `aud` is absent,
//!   `client_id` names a configured audience; `exp` is a finite number in
//!   the future (`now < exp + leeway`); `nbf`/`iat`, when present, are
//!   finite numbers not after `now + leeway`; the route's scope is among
//!   the token's scopes when one is required;
//! - tracing with `Recorder` never changes the decision;
//! - every refusal renders a real `WWW-Authenticate` challenge.
#![no_main]

mod common;

use common::testkit::{self, SigningKey};
use libfuzzer_sys::fuzz_target;
use portcullis::auth::{self, NoTrace, Recorder};
use serde_json::{Map, Value};

fn signer(flags: u8) -> (&'static SigningKey, &'static str, &'static str, bool) {
    let k = testkit::keys();
    match flags & 7 {
        0 => (&k.rsa, "RS256", common::KID_RSA, true),
        1 => (&k.rsa, "RS384", common::KID_RSA, true),
        2 => (&k.rsa, "RS512", common::KID_RSA, true),
        3 => (&k.rsa, "PS256", common::KID_RSA, true),
        4 => (&k.p256, "ES256", common::KID_P256, true),
        5 => (&k.p384, "ES384", common::KID_P384, true),
        6 => (&k.ed25519, "EdDSA", common::KID_ED25519, true),
        _ => (&k.attacker, "RS256", common::KID_RSA, false),
    }
}

fn number(claims: &Map<String, Value>, name: &str) -> Option<f64> {
    claims.get(name).map(|v| {
        let n = v.as_f64().unwrap_or_else(|| panic!("accepted non-numeric {name}: {v}"));
        assert!(n.is_finite(), "accepted non-finite {name}");
        n
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (key, alg, kid, trusted) = signer(flags);
    let fixed_header;
    let (header, payload): (&[u8], &[u8]) = if flags & 8 != 0 {
        match rest.iter().position(|b| *b == 0) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[]),
        }
    } else {
        fixed_header = format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"JWT"}}"#);
        (fixed_header.as_bytes(), rest)
    };
    let scopes: Vec<String> = match flags & 16 {
        0 => Vec::new(),
        _ => vec!["read".to_owned()],
    };

    let token = testkit::mint(key, alg, header, payload);
    let (keys, rules) = (common::keyset(), common::rules());
    let result = auth::authorize(&token, keys, rules, &scopes, common::NOW, &mut NoTrace);

    let mut recorder = Recorder::default();
    let traced = auth::authorize(&token, keys, rules, &scopes, common::NOW, &mut recorder);
    assert_eq!(result, traced, "tracing changed the decision");

    let claims = match result {
        Err(err) => {
            common::check_refusal(&err, &scopes);
            return;
        }
        Ok(claims) => claims,
    };
    assert!(trusted, "token signed by the attacker key accepted: {token}");

    let head: Value = serde_json::from_slice(header).expect("accepted header is not JSON");
    assert_eq!(
        head.get("alg").and_then(Value::as_str),
        Some(alg),
        "alg confusion: {head}"
    );
    assert_eq!(
        head.get("kid").and_then(Value::as_str),
        Some(kid),
        "kid confusion: {head}"
    );

    let body: Value = serde_json::from_slice(payload).expect("accepted payload is not JSON");
    assert_eq!(body.as_object(), Some(claims.map()), "claims differ from the payload");
    let map = claims.map();

    assert_eq!(
        map.get("iss").and_then(Value::as_str),
        Some(common::ISSUER),
        "wrong iss accepted"
    );

    let accepted = |s: &str| common::AUDIENCES.contains(&s);
    match map.get("aud") {
        Some(Value::String(aud)) => assert!(accepted(aud), "wrong aud accepted: {aud}"),
        Some(Value::Array(items)) => {
            let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            assert_eq!(strings.len(), items.len(), "aud with a non-string accepted");
            assert!(strings.into_iter().any(accepted), "wrong aud accepted: {items:?}");
        }
        Some(other) => panic!("aud of the wrong shape accepted: {other}"),
        None => {
            let id = map.get("client_id").and_then(Value::as_str);
            assert!(
                id.is_some_and(accepted),
                "no audience, wrong client_id accepted: {id:?}"
            );
        }
    }

    let (now, leeway) = (common::NOW as f64, common::LEEWAY as f64);
    let exp = number(map, "exp").expect("token without exp accepted");
    assert!(exp >= 0.0 && now < exp + leeway, "expired token accepted: exp={exp}");
    for name in ["nbf", "iat"] {
        if let Some(at) = number(map, name) {
            assert!(at <= now + leeway, "{name}={at} in the future accepted");
        }
    }

    if let Some(required) = scopes.first() {
        assert!(
            claims.scopes().contains(required),
            "scope {required} missing but accepted"
        );
    }
});
