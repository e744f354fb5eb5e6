//! Tests of RSA signing keys: RFC 7638 kids, public-only JWKs, RS256 compact JWS.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::super::fixtures::key_pool;
use super::*;

fn key() -> SigningKey {
    SigningKey::from_pkcs8(&key_pool()[0]).unwrap()
}

fn segment(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn the_thumbprint_matches_the_rfc_7638_example() {
    let n = concat!(
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE",
        "CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q",
        "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6",
        "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    );
    assert_eq!(jwk_thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

#[test]
fn the_kid_is_the_43_character_thumbprint_of_the_published_key() {
    let key = key();
    let jwk = key.public_jwk();
    assert_eq!(key.kid().len(), 43);
    assert_eq!(
        key.kid(),
        jwk_thumbprint(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
    );
    assert_eq!(jwk["kid"], key.kid());
}

#[test]
fn the_public_jwk_has_exactly_the_public_members() {
    let jwk = key().public_jwk();
    let mut names: Vec<&str> = jwk.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap().len(), 256);
}

#[test]
fn a_generated_key_round_trips_through_pkcs8_with_the_same_kid() {
    let (key, der) = SigningKey::generate().unwrap();
    assert_eq!(SigningKey::from_pkcs8(&der).unwrap().kid(), key.kid());
}

#[test]
fn garbage_is_not_a_key() {
    assert!(SigningKey::from_pkcs8(b"not a key").is_err());
}

#[test]
fn debug_output_shows_the_kid_and_nothing_private() {
    let key = key();
    let text = format!("{key:?}");
    assert!(text.contains(key.kid()));
    assert!(!text.contains(key.public_jwk()["n"].as_str().unwrap()));
}

#[test]
fn the_header_carries_kid_alg_and_extras_which_cannot_override_them() {
    let key = key();
    let mut extra = Map::new();
    extra.insert("typ".to_owned(), json!("at+jwt"));
    extra.insert("alg".to_owned(), json!("none"));
    extra.insert("kid".to_owned(), json!("attacker"));
    let jwt = key.sign_jwt(&extra, &json!({"sub": "carl"})).unwrap();
    assert_eq!(
        segment(&jwt, 0),
        json!({"kid": key.kid(), "alg": "RS256", "typ": "at+jwt"})
    );
    assert_eq!(segment(&jwt, 1), json!({"sub": "carl"}));
}

#[test]
fn an_okta_header_is_just_kid_and_alg() {
    let key = key();
    let jwt = key.sign_jwt(&Map::new(), &json!({})).unwrap();
    assert_eq!(segment(&jwt, 0), json!({"kid": key.kid(), "alg": "RS256"}));
}

#[test]
fn the_signature_verifies_with_the_published_jwk_alone() {
    let key = key();
    let jwt = key.sign_jwt(&Map::new(), &json!({"iss": "x"})).unwrap();
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let jwk = key.public_jwk();
    let public = RsaPublicKeyComponents {
        n: URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap(),
        e: URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap(),
    };
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    assert_eq!(signature.len(), 256);
    assert!(
        public
            .verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &signature)
            .is_ok()
    );
}

#[test]
fn verify_jwt_returns_the_claims_of_an_untampered_token_only() {
    let key = key();
    let jwt = key.sign_jwt(&Map::new(), &json!({"scp": ["a"]})).unwrap();
    assert_eq!(key.verify_jwt(&jwt).unwrap(), json!({"scp": ["a"]}));
    let forged_claims = URL_SAFE_NO_PAD.encode(br#"{"scp":["a","b"]}"#);
    let parts: Vec<&str> = jwt.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    assert!(key.verify_jwt(&forged).is_err());
    assert!(key.verify_jwt(&format!("{jwt}.extra")).is_err());
}

#[test]
fn verify_jwt_refuses_a_token_of_another_key() {
    let other = SigningKey::from_pkcs8(&key_pool()[1]).unwrap();
    let jwt = other.sign_jwt(&Map::new(), &json!({})).unwrap();
    assert!(key().verify_jwt(&jwt).is_err());
}
