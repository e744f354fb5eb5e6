//! Pipeline tests: algorithm confusion, typ, crit and key-carrying headers.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::fixtures::*;
use super::testkit::{self, keys};
use super::{ErrorKind, Reason, Rules};

fn with_alg(alg: Value) -> String {
    let header = json!({"alg": alg, "kid": KID});
    signed(&keys().rsa, "RS256", &header, &claims())
}

#[test]
fn accepts_a_genuine_rs256_token() {
    let accepted = run(&rs256(&claims())).unwrap();
    assert_eq!(accepted.render_claim("sub").as_deref(), Some("user-1"));
}

#[test]
fn accepts_every_supported_algorithm_when_allowed() {
    let k = keys();
    let cases = [
        (&k.rsa, "RS256", KID),
        (&k.rsa, "RS384", KID),
        (&k.rsa, "RS512", KID),
        (&k.rsa, "PS256", KID),
        (&k.rsa, "PS384", KID),
        (&k.rsa, "PS512", KID),
        (&k.p256, "ES256", "ec-1"),
        (&k.p384, "ES384", "ec-384"),
        (&k.ed25519, "EdDSA", "ed-1"),
    ];
    for (key, alg, kid) in cases {
        let token = signed(key, alg, &header(alg, kid), &claims());
        assert!(run_with(&token, &rules_all_algs(), &[]).is_ok(), "{alg}");
    }
}

#[test]
fn rejects_alg_none_in_every_case_spelling() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let err = run(&with_alg(json!(alg))).unwrap_err();
        assert_eq!(err.description, format!("signing method {alg} is invalid"));
        let err = run_with(&with_alg(json!(alg)), &rules_all_algs(), &[]).unwrap_err();
        assert_eq!(err.reason, Reason::Algorithm, "{alg}");
    }
}

#[test]
fn rejects_alg_none_with_the_signature_stripped() {
    let header = json!({"alg": "none", "kid": KID}).to_string();
    let token = format!(
        "{}.",
        testkit::signing_input(header.as_bytes(), claims().to_string().as_bytes())
    );
    // The header is judged before the (empty) signature is decoded: refused for its alg.
    let err = run(&token).unwrap_err();
    assert_eq!(
        (err.kind, err.description.as_ref()),
        (ErrorKind::InvalidToken, "signing method none is invalid")
    );
}

#[test]
fn rejects_malformed_alg_values_without_echoing_them() {
    for alg in [
        json!("none "),
        json!(null),
        json!(256),
        json!(["RS256"]),
        json!(""),
        json!({"a": 1}),
    ] {
        assert_eq!(
            refusal(&with_alg(alg.clone())),
            "signing method (invalid) is invalid",
            "{alg}"
        );
    }
    let header = json!({"kid": KID});
    assert_eq!(
        refusal(&signed(&keys().rsa, "RS256", &header, &claims())),
        "signing method (invalid) is invalid"
    );
}

#[test]
fn rejects_hs256_using_the_rsa_public_key_as_hmac_secret() {
    let k = keys();
    let (n, _) = k.rsa.rsa_n_e();
    let secrets = [
        k.rsa.public_pem().into_bytes(),
        k.rsa.public_spki_der(),
        k.rsa.public_jwk(KID).to_string().into_bytes(),
        n,
    ];
    let header = json!({"alg": "HS256", "kid": KID}).to_string();
    for secret in secrets {
        let token = testkit::mint_hs256(&secret, header.as_bytes(), claims().to_string().as_bytes());
        assert_eq!(refusal(&token), "signing method HS256 is invalid");
        assert!(run_with(&token, &rules_all_algs(), &[]).is_err());
    }
}

#[test]
fn rejects_an_rs256_signature_presented_as_ps256_or_rs512() {
    for alg in ["PS256", "RS512"] {
        let token = signed(&keys().rsa, "RS256", &header(alg, KID), &claims());
        let err = run_with(&token, &rules_all_algs(), &[]).unwrap_err();
        assert_eq!(err.description, "token signature is invalid", "{alg}");
    }
}

#[test]
fn rejects_an_algorithm_missing_from_the_allow_list() {
    let token = signed(&keys().p256, "ES256", &header("ES256", "ec-1"), &claims());
    assert_eq!(refusal(&token), "signing method ES256 is invalid");
    let only_ps = Rules {
        algorithms: vec![super::Alg::PS256],
        ..rules()
    };
    assert_eq!(
        run_with(&rs256(&claims()), &only_ps, &[]).unwrap_err().description,
        "signing method RS256 is invalid"
    );
}

#[test]
fn checks_alg_before_kid() {
    let token = signed(&keys().rsa, "RS256", &json!({"alg": "none"}), &claims());
    assert_eq!(run(&token).unwrap_err().reason, Reason::Algorithm);
}

fn typ_rules() -> Rules {
    Rules {
        required_typ: Some("at+jwt".to_owned()),
        ..rules()
    }
}

fn with_typ(typ: Option<Value>) -> String {
    let mut h = json!({"alg": "RS256", "kid": KID});
    if let Some(t) = typ {
        h["typ"] = t;
    }
    signed(&keys().rsa, "RS256", &h, &claims())
}

#[test]
fn a_required_typ_accepts_at_jwt_in_its_media_type_spellings() {
    for typ in ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"] {
        assert!(
            run_with(&with_typ(Some(json!(typ))), &typ_rules(), &[]).is_ok(),
            "{typ}"
        );
    }
}

#[test]
fn a_required_typ_rejects_other_missing_or_non_string_types() {
    for typ in [
        Some(json!("JWT")),
        Some(json!("at+jwt ")),
        Some(json!("text/at+jwt")),
        Some(json!(5)),
        None,
    ] {
        let err = run_with(&with_typ(typ.clone()), &typ_rules(), &[]).unwrap_err();
        assert_eq!(err.description, "the token type is not allowed", "{typ:?}");
    }
}

#[test]
fn without_a_required_typ_any_typ_passes() {
    for typ in [Some(json!("JWT")), Some(json!("anything")), Some(json!(5)), None] {
        assert!(run(&with_typ(typ.clone())).is_ok(), "{typ:?}");
    }
}

#[test]
fn rejects_crit_and_b64_headers_even_when_validly_signed() {
    for extra in [
        json!({"crit": ["exp"], "exp": 1}),
        json!({"crit": []}),
        json!({"b64": false, "crit": ["b64"]}),
        json!({"b64": true}),
    ] {
        let mut h = header("RS256", KID);
        h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let token = signed(&keys().rsa, "RS256", &h, &claims());
        assert_eq!(refusal(&token), "token has an unsupported critical header", "{extra}");
    }
}

#[test]
fn never_uses_keys_embedded_in_or_linked_from_the_header() {
    let attacker = &keys().attacker;
    let evil = attacker.public_jwk("evil");
    let carriers = [
        json!({"jwk": evil}),
        json!({"jku": "https://evil.test/jwks.json"}),
        json!({"x5u": "https://evil.test/cert.pem"}),
        json!({"x5c": [testkit::b64(&attacker.public_spki_der())]}),
    ];
    for carrier in carriers {
        for kid in [KID, "evil"] {
            let mut h = header("RS256", kid);
            h.as_object_mut().unwrap().extend(carrier.as_object().unwrap().clone());
            let err = run(&signed(attacker, "RS256", &h, &claims())).unwrap_err();
            let expected = if kid == KID {
                Reason::Signature
            } else {
                Reason::UnknownKid
            };
            assert_eq!(err.reason, expected, "{carrier} {kid}");
        }
    }
}

#[test]
fn ignored_key_headers_do_not_disturb_a_genuine_token() {
    let mut h = header("RS256", KID);
    h["jku"] = json!("https://evil.test/jwks.json");
    h["x5c"] = json!(["garbage"]);
    assert!(run(&signed(&keys().rsa, "RS256", &h, &claims())).is_ok());
}
