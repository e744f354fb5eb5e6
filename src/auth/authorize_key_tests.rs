//! Pipeline tests: signatures, key selection and kid handling.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::fixtures::*;
use super::testkit::{self, b64, keys};
use super::{KeySet, NoTrace, Reason, authorize};

fn es256_input() -> String {
    testkit::signing_input(
        header("ES256", "ec-1").to_string().as_bytes(),
        claims().to_string().as_bytes(),
    )
}

fn es256_with_sig(sig: &[u8]) -> Result<super::Claims, super::AuthError> {
    run_with(&format!("{}.{}", es256_input(), b64(sig)), &rules_all_algs(), &[])
}

fn judge(token: &str, set: &KeySet) -> Result<super::Claims, super::AuthError> {
    authorize(token, set, &rules(), &[], NOW, &mut NoTrace)
}

#[test]
fn rejects_an_es256_signature_of_zeros() {
    let err = es256_with_sig(&[0; 64]).unwrap_err();
    assert_eq!(err.description, "token signature is invalid");
}

#[test]
fn rejects_the_der_form_of_a_zero_es256_signature() {
    let der_zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
    assert_eq!(es256_with_sig(&der_zero).unwrap_err().reason, Reason::Signature);
}

#[test]
fn rejects_a_genuine_ecdsa_signature_in_der_form() {
    let der = keys().p256.sign_ecdsa_der("ES256", es256_input().as_bytes());
    assert_eq!(es256_with_sig(&der).unwrap_err().reason, Reason::Signature);
}

#[test]
fn rejects_es256_signatures_of_the_wrong_length() {
    let good = keys().p256.sign("ES256", es256_input().as_bytes());
    assert!(es256_with_sig(&good).is_ok());
    let longer = [good.as_slice(), &[0]].concat();
    let shorter = &good[..63];
    let padded_es384 = [good.as_slice(), &[0; 32]].concat();
    for sig in [longer.as_slice(), shorter, &padded_es384, &[1]] {
        assert_eq!(
            es256_with_sig(sig).unwrap_err().reason,
            Reason::Signature,
            "{}",
            sig.len()
        );
    }
}

#[test]
fn rejects_a_stripped_signature_and_a_two_segment_token() {
    let token = rs256(&claims());
    let (input, _) = token.rsplit_once('.').unwrap();
    assert_eq!(refusal(&format!("{input}.")), "token signature is invalid");
    assert_eq!(refusal(input), "token contains an invalid number of segments");
}

#[test]
fn rejects_truncated_or_bit_flipped_signatures() {
    let token = rs256(&claims());
    let (input, sig_b64) = token.rsplit_once('.').unwrap();
    let sig = base64_decode(sig_b64);
    let mut flipped = sig.clone();
    flipped[10] ^= 0x01;
    for bad in [&sig[..sig.len() - 1], flipped.as_slice(), &testkit::garbage(256)] {
        assert_eq!(refusal(&format!("{input}.{}", b64(bad))), "token signature is invalid");
    }
}

#[test]
fn rejects_a_payload_changed_after_signing() {
    let token = rs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = claims_with("sub", Some(json!("admin"))).to_string();
    assert_eq!(
        refusal(&format!("{}.{}.{}", parts[0], b64(forged.as_bytes()), parts[2])),
        "token signature is invalid"
    );
    let mut flipped = base64_decode(parts[1]);
    let at = flipped.windows(6).position(|w| w == b"user-1").unwrap();
    flipped[at] ^= 0x01;
    assert_eq!(
        refusal(&format!("{}.{}.{}", parts[0], b64(&flipped), parts[2])),
        "token signature is invalid"
    );
    let mut payload = parts[1].to_owned();
    payload.pop();
    let truncated = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_eq!(run(&truncated).unwrap_err().kind, super::ErrorKind::InvalidToken);
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

#[test]
fn rejects_an_attacker_key_using_a_trusted_kid() {
    let err = run(&signed(&keys().attacker, "RS256", &header("RS256", KID), &claims())).unwrap_err();
    assert_eq!(err.description, "token signature is invalid");
    assert!(!err.is_unknown_kid());
}

#[test]
fn never_verifies_with_encryption_keys() {
    let k = keys();
    for extra in [json!({"use": "enc"}), json!({"key_ops": ["encrypt"]})] {
        let set = key_set_of(&[k.rsa.public_jwk_with("enc", extra.clone()), k.p256.public_jwk("other")]);
        let err = judge(&signed(&k.rsa, "RS256", &header("RS256", "enc"), &claims()), &set).unwrap_err();
        assert!(err.is_unknown_kid(), "{extra}");
    }
}

#[test]
fn a_jwk_alg_of_rs256_refuses_an_rs384_token() {
    let k = keys();
    let set = key_set_of(&[k.rsa.public_jwk_with(KID, json!({"alg": "RS256"}))]);
    assert!(judge(&rs256(&claims()), &set).is_ok());
    let rs384 = signed(&k.rsa, "RS384", &header("RS384", KID), &claims());
    let err = judge(&rs384, &set).unwrap_err();
    assert_eq!((err.reason, err.is_unknown_kid()), (Reason::Signature, false));
}

#[test]
fn a_dropped_1024_bit_key_is_never_found() {
    let small = json!({"kty": "RSA", "kid": "small", "n": b64(&[0xC5; 128]), "e": "AQAB"});
    let set = key_set_of(&[small, keys().p256.public_jwk("other")]);
    let token = signed(&keys().rsa, "RS256", &header("RS256", "small"), &claims());
    assert!(judge(&token, &set).unwrap_err().is_unknown_kid());
}

#[test]
fn an_oct_key_in_the_jwks_is_ignored() {
    let oct = json!({"kty": "oct", "kid": "hmac", "k": b64(b"secret"), "alg": "HS256"});
    let set = key_set_of(&[oct, keys().rsa.public_jwk(KID)]);
    let hs = json!({"alg": "HS256", "kid": "hmac"}).to_string();
    let token = testkit::mint_hs256(b"secret", hs.as_bytes(), claims().to_string().as_bytes());
    assert_eq!(judge(&token, &set).unwrap_err().reason, Reason::Algorithm);
    let rs = signed(&keys().rsa, "RS256", &header("RS256", "hmac"), &claims());
    assert!(judge(&rs, &set).unwrap_err().is_unknown_kid());
}

#[test]
fn tries_every_key_sharing_the_kid() {
    let k = keys();
    let set = key_set_of(&[k.rsa.public_jwk("shared"), k.rsa2.public_jwk("shared")]);
    for key in [&k.rsa2, &k.rsa] {
        assert!(judge(&signed(key, "RS256", &header("RS256", "shared"), &claims()), &set).is_ok());
    }
    let forged = signed(&k.attacker, "RS256", &header("RS256", "shared"), &claims());
    assert_eq!(judge(&forged, &set).unwrap_err().reason, Reason::Signature);
}

#[test]
fn rejects_a_token_without_kid() {
    for h in [
        json!({"alg": "RS256"}),
        json!({"alg": "RS256", "kid": 1}),
        json!({"alg": "RS256", "kid": null}),
    ] {
        let err = run(&signed(&keys().rsa, "RS256", &h, &claims())).unwrap_err();
        assert_eq!(err.description, "token has no kid", "{h}");
        assert!(!err.is_unknown_kid());
    }
}

#[test]
fn an_unknown_kid_is_reported_as_such() {
    let err = run(&signed(&keys().rsa, "RS256", &header("RS256", "rotated"), &claims())).unwrap_err();
    assert_eq!(err.description, "no key found for the token's kid");
    assert!(err.is_unknown_kid());
}

#[test]
fn hostile_kids_are_only_looked_up_and_never_echoed() {
    let huge = "k".repeat(16 * 1024);
    for kid in ["../../dev/null", "1", "a\r\nX-Injected: 1", "", huge.as_str()] {
        let err = run(&signed(&keys().rsa, "RS256", &header("RS256", kid), &claims())).unwrap_err();
        assert!(err.is_unknown_kid(), "{kid:.20}");
        assert_eq!(err.description, "no key found for the token's kid");
        assert!(
            err.detail.len() < 400 && !err.detail.contains(['\r', '\n']),
            "{:.40}",
            err.detail
        );
    }
}
