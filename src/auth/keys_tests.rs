//! Tests of JWKS loading and key selection.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::super::testkit::{self, b64, keys};
use super::*;

fn load(jwks: &[Value]) -> Result<(KeySet, Vec<String>), JwksError> {
    KeySet::from_jwks(&testkit::jwks(jwks))
}

/// Loads `bad` next to one good key and returns the single warning.
fn dropped(bad: Value) -> String {
    let (set, warnings) = load(&[keys().rsa.public_jwk("good"), bad]).unwrap();
    assert_eq!(set.len(), 1, "the bad key must not be kept");
    assert_eq!(warnings.len(), 1);
    warnings.into_iter().next().unwrap()
}

fn algs(set: &KeySet, kid: &str) -> Vec<Alg> {
    set.with_kid(kid).iter().flat_map(Jwk::algorithms).collect()
}

#[test]
fn loads_rsa_ec_and_ed25519_keys_without_warnings() {
    let k = keys();
    let (set, warnings) = load(&[
        k.rsa.public_jwk("r"),
        k.p256.public_jwk("p"),
        k.p384.public_jwk("q"),
        k.ed25519.public_jwk("e"),
    ])
    .unwrap();
    assert_eq!((set.len(), warnings.len()), (4, 0));
    assert_eq!(algs(&set, "r"), Alg::RSA.to_vec());
    assert_eq!(algs(&set, "p"), vec![Alg::ES256]);
    assert_eq!(algs(&set, "q"), vec![Alg::ES384]);
    assert_eq!(algs(&set, "e"), vec![Alg::EdDSA]);
}

#[test]
fn rejects_a_document_that_is_not_a_strict_object_with_a_keys_array() {
    for doc in [
        &b"[]"[..],
        b"{}",
        b"{\"keys\":{}}",
        b"{\"keys\":[],\"keys\":[]}",
        b"nope",
    ] {
        assert!(KeySet::from_jwks(doc).is_err(), "{}", String::from_utf8_lossy(doc));
    }
}

#[test]
fn a_set_without_usable_keys_is_an_error_carrying_the_warnings() {
    let err = load(&[json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"})]).unwrap_err();
    assert_eq!(err.message, "JWKS has no usable signing key");
    assert_eq!(err.warnings.len(), 1);
    assert!(load(&[]).is_err());
}

#[test]
fn drops_a_1024_bit_rsa_key() {
    let mut n = vec![0xC5; 128];
    n[127] = 0x01;
    let warning = dropped(json!({"kty": "RSA", "kid": "small", "n": b64(&n), "e": "AQAB"}));
    assert!(warning.contains("1024 bits"), "{warning}");
}

#[test]
fn drops_rsa_keys_with_a_weak_or_absurd_exponent() {
    let (n, _) = keys().rsa.rsa_n_e();
    for e in [vec![1], vec![0, 1], vec![1, 0, 0], vec![], vec![1; 9]] {
        let warning = dropped(json!({"kty": "RSA", "kid": "w", "n": b64(&n), "e": b64(&e)}));
        assert!(warning.contains("exponent"), "{e:?}: {warning}");
    }
}

#[test]
fn accepts_exponent_three_and_65537() {
    let (n, _) = keys().rsa.rsa_n_e();
    for e in [vec![3], vec![1, 0, 1]] {
        assert!(load(&[json!({"kty": "RSA", "kid": "e", "n": b64(&n), "e": b64(&e)})]).is_ok());
    }
}

#[test]
fn accepts_a_modulus_with_a_leading_zero_byte() {
    let (n, e) = keys().rsa.rsa_n_e();
    let padded = [&[0u8][..], &n].concat();
    let (set, _) = load(&[json!({"kty": "RSA", "kid": "z", "n": b64(&padded), "e": b64(&e)})]).unwrap();
    assert_eq!(set.len(), 1);
}

#[test]
fn ignores_symmetric_oct_keys() {
    let warning = dropped(json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0", "alg": "HS256"}));
    assert!(warning.contains("oct"), "{warning}");
}

#[test]
fn drops_unknown_key_types_and_curves() {
    dropped(json!({"kty": "XYZ", "kid": "x"}));
    dropped(json!({"kty": "EC", "kid": "x", "crv": "secp256k1", "x": "AA", "y": "AA"}));
    dropped(json!({"kty": "EC", "kid": "x", "crv": "P-521", "x": b64(&[1; 66]), "y": b64(&[1; 66])}));
    dropped(json!({"kty": "OKP", "kid": "x", "crv": "Ed448", "x": b64(&[1; 57])}));
    dropped(json!({"kty": "OKP", "kid": "x", "crv": "X25519", "x": b64(&[1; 32])}));
}

#[test]
fn drops_an_ec_key_without_y() {
    let mut jwk = keys().p256.public_jwk("ec");
    jwk.as_object_mut().unwrap().remove("y");
    dropped(jwk);
}

#[test]
fn drops_ec_keys_with_wrong_lengths_or_points_off_the_curve() {
    let mut jwk = keys().p256.public_jwk("ec");
    jwk["x"] = json!(b64(&[7; 33]));
    jwk["y"] = json!(b64(&[7; 31]));
    assert!(dropped(jwk.clone()).contains("wrong length"));
    jwk["x"] = json!(b64(&[7; 32]));
    jwk["y"] = json!(b64(&[9; 32]));
    assert!(dropped(jwk).contains("not on the curve"));
}

#[test]
fn drops_keys_meant_for_encryption() {
    let k = keys();
    let warning = dropped(k.p256.public_jwk_with("enc", json!({"use": "enc"})));
    assert!(warning.contains("use"), "{warning}");
    dropped(k.p256.public_jwk_with("ops", json!({"key_ops": ["encrypt"]})));
    dropped(k.p256.public_jwk_with("ops", json!({"key_ops": "verify"})));
}

#[test]
fn keeps_keys_marked_for_signature_verification() {
    let k = keys();
    let (set, warnings) = load(&[
        k.p256.public_jwk_with("a", json!({"use": "sig"})),
        k.p256.public_jwk_with("b", json!({"key_ops": ["sign", "verify"]})),
    ])
    .unwrap();
    assert_eq!((set.len(), warnings.len()), (2, 0));
}

#[test]
fn a_jwk_alg_restricts_the_key_to_exactly_that_algorithm() {
    let (set, _) = load(&[keys().rsa.public_jwk_with("r", json!({"alg": "RS256"}))]).unwrap();
    assert_eq!(algs(&set, "r"), vec![Alg::RS256]);
}

#[test]
fn drops_keys_whose_alg_is_unknown_or_does_not_fit_the_key_type() {
    let k = keys();
    dropped(k.rsa.public_jwk_with("r", json!({"alg": "RSA-OAEP"})));
    dropped(k.rsa.public_jwk_with("r", json!({"alg": "ES256"})));
    dropped(k.p256.public_jwk_with("p", json!({"alg": "ES384"})));
    dropped(k.ed25519.public_jwk_with("e", json!({"alg": "rs256"})));
}

#[test]
fn drops_keys_with_malformed_members() {
    let k = keys();
    dropped(json!("not an object"));
    dropped(k.rsa.public_jwk_with("r", json!({"n": 5})));
    dropped(k.rsa.public_jwk_with("r", json!({"e": "AQAB="})));
    dropped(k.rsa.public_jwk_with("r", json!({"kty": 1})));
    let mut no_kid = k.rsa.public_jwk("r");
    no_kid.as_object_mut().unwrap().remove("kid");
    let warning = dropped(no_kid);
    assert!(warning.contains("no kid"), "{warning}");
}

#[test]
fn warnings_escape_hostile_kids() {
    let warning = dropped(json!({"kty": "oct", "kid": "a\r\nb"}));
    assert!(!warning.contains('\n') && warning.contains("a\\r\\nb"), "{warning}");
}

#[test]
fn keeps_every_key_sharing_a_kid() {
    let k = keys();
    let (set, _) = load(&[k.rsa.public_jwk("same"), k.rsa2.public_jwk("same")]).unwrap();
    assert_eq!(set.with_kid("same").len(), 2);
}

#[test]
fn verify_reports_unknown_kid_and_keys_that_cannot_do_the_alg() {
    let (set, _) = load(&[keys().p256.public_jwk("p")]).unwrap();
    assert_eq!(set.verify("nope", Alg::ES256, b"m", b"s"), Verdict::UnknownKid);
    assert_eq!(set.verify("p", Alg::RS256, b"m", b"s"), Verdict::NoKeyForAlg);
    assert_eq!(set.verify("p", Alg::ES256, b"m", &[1; 64]), Verdict::BadSignature);
}

#[test]
fn verify_accepts_a_genuine_signature() {
    let k = keys();
    let (set, _) = load(&[k.ed25519.public_jwk("e")]).unwrap();
    let sig = k.ed25519.sign("EdDSA", b"message");
    assert_eq!(set.verify("e", Alg::EdDSA, b"message", &sig), Verdict::Valid);
    assert_eq!(set.verify("e", Alg::EdDSA, b"messagE", &sig), Verdict::BadSignature);
}
