//! Pipeline tests: every cheap refusal happens before any signature crypto, counted by the key
//! set's own verification counter (issue 6, target (c)).
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::fixtures::*;
use super::testkit::{b64, keys, mint_hs256, mint_raw};
use super::{NoTrace, Reason, Rules, authorize};

/// Judges `token` with a fresh trusted key set; returns the reason and the crypto count.
fn judge_counting(token: &str, rules: &Rules) -> (Option<Reason>, u64) {
    let set = key_set();
    let result = authorize(token, &set, rules, &[], NOW, &mut NoTrace);
    (result.err().map(|e| e.reason), set.signature_checks())
}

fn forged(claims: &serde_json::Value) -> String {
    signed(&keys().attacker, "RS256", &header("RS256", KID), claims)
}

#[test]
fn cheap_refusals_never_reach_the_signature_crypto() {
    let typ_rules = Rules {
        required_typ: Some("at+jwt".to_owned()),
        ..rules()
    };
    let cases = [
        ("two segments", "a.b".to_owned(), rules(), Reason::Segments),
        ("bad base64", "a*.b.c".to_owned(), rules(), Reason::HeaderBase64),
        (
            "header not JSON",
            mint_raw(b"nope", br#"{"exp":1}"#, b"sig"),
            rules(),
            Reason::HeaderJson,
        ),
        (
            "alg ES256 not allowed",
            signed(&keys().p256, "ES256", &header("ES256", "ec-1"), &claims()),
            rules(),
            Reason::Algorithm,
        ),
        (
            "alg none",
            mint_raw(
                br#"{"alg":"none","kid":"rsa-1"}"#,
                claims().to_string().as_bytes(),
                b"x",
            ),
            rules(),
            Reason::Algorithm,
        ),
        (
            "HS256 key confusion",
            mint_hs256(
                b"secret",
                br#"{"alg":"HS256","kid":"rsa-1"}"#,
                claims().to_string().as_bytes(),
            ),
            rules(),
            Reason::Algorithm,
        ),
        ("typ not allowed", rs256(&claims()), typ_rules, Reason::TokenType),
        (
            "no kid",
            signed(&keys().rsa, "RS256", &json!({"alg": "RS256"}), &claims()),
            rules(),
            Reason::NoKid,
        ),
        (
            "unknown kid",
            signed(&keys().rsa, "RS256", &header("RS256", "who"), &claims()),
            rules(),
            Reason::UnknownKid,
        ),
        (
            "kid of a key that cannot verify RS256",
            signed(&keys().rsa, "RS256", &header("RS256", "ec-1"), &claims()),
            rules(),
            Reason::Signature,
        ),
        (
            "wrong iss",
            rs256(&claims_with("iss", Some(json!("https://evil.test")))),
            rules(),
            Reason::Issuer,
        ),
        (
            "wrong aud",
            rs256(&claims_with("aud", Some(json!("api://other")))),
            rules(),
            Reason::Audience,
        ),
        (
            "expired",
            rs256(&claims_with("exp", Some(json!(NOW - 1)))),
            rules(),
            Reason::Expired,
        ),
        (
            "no exp",
            rs256(&claims_with("exp", None)),
            rules(),
            Reason::NoExpiration,
        ),
        (
            "nbf in the future",
            rs256(&claims_with("nbf", Some(json!(NOW + 60)))),
            rules(),
            Reason::NotYetValid,
        ),
        (
            "iat in the future",
            rs256(&claims_with("iat", Some(json!(NOW + 60)))),
            rules(),
            Reason::IssuedInFuture,
        ),
    ];
    for (name, token, rules, reason) in cases {
        assert_eq!(judge_counting(&token, &rules), (Some(reason), 0), "{name}");
    }
}

#[test]
fn a_forged_signature_over_good_claims_costs_exactly_one_verification() {
    assert_eq!(
        judge_counting(&forged(&claims()), &rules()),
        (Some(Reason::Signature), 1)
    );
    assert_eq!(judge_counting(&rs256(&claims()), &rules()), (None, 1));
}

#[test]
fn a_forged_token_with_a_bad_claim_is_refused_for_the_claim_without_crypto() {
    // Deliberate difference from AWS's documented order (docs/compat.md): the claim wins over
    // the signature only for tokens that fail both; every validly signed token gets AWS's answer.
    let token = forged(&claims_with("iss", Some(json!("https://evil.test"))));
    assert_eq!(judge_counting(&token, &rules()), (Some(Reason::Issuer), 0));
    let expired = forged(&claims_with("exp", Some(json!(NOW - 1))));
    assert_eq!(judge_counting(&expired, &rules()), (Some(Reason::Expired), 0));
}

#[test]
fn a_signature_that_is_not_base64_is_refused_while_parsing() {
    let sig = format!("{}!", b64(b"sig"));
    let token = rs256(&claims());
    let (head, _) = token.rsplit_once('.').unwrap();
    let (reason, checks) = judge_counting(&format!("{head}.{sig}"), &rules());
    assert_eq!((reason, checks), (Some(Reason::SignatureBase64), 0));
}

#[test]
fn a_rejected_signature_comes_with_the_tokens_exp_for_the_cache() {
    // Read by the quick read (plain payload) or by the strict parse (an escape): the same exp.
    for sub in [json!("plain"), json!("esc\u{7f}aped")] {
        let mut claims = claims();
        claims["sub"] = sub;
        claims["exp"] = json!(NOW + 100);
        let refusal = super::verify_for_cache(&forged(&claims), &key_set(), &rules(), NOW, &mut NoTrace).unwrap_err();
        assert_eq!(
            (refusal.error.reason, refusal.exp),
            (Reason::Signature, Some((NOW + 100) as f64))
        );
    }
    let refusal = super::verify_for_cache("a.b", &key_set(), &rules(), NOW, &mut NoTrace).unwrap_err();
    assert_eq!(
        (refusal.error.reason, refusal.exp),
        (Reason::Segments, None),
        "only a signature refusal"
    );
}

#[test]
fn a_claim_settled_on_the_payloads_first_bytes_still_yields_to_a_malformed_rest() {
    // The quick read settles a wrong iss within the first block of a long payload; the rest is
    // judged as base64url without being decoded, so the decoding's refusal still comes first, as
    // the order says (AWS decodes before it checks claims). A rest that is base64url but not
    // JSON does not: the claims come before the strict parse.
    let header = serde_json::to_vec(&header("RS256", KID)).unwrap();
    let teams = vec!["t".repeat(40); 40];
    let long = json!({"iss": "https://evil.test", "aud": AUD, "exp": NOW + 60, "teams": teams}).to_string();
    let token = mint_raw(&header, long.as_bytes(), b"sig");
    assert!(long.find("iss").unwrap() < 100, "iss in the first block: {long}");
    assert_eq!(judge_counting(&token, &rules()), (Some(Reason::Issuer), 0));
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    assert!(payload.len() > 1_000, "the bad bytes come well after the first block");
    let with_payload = |payload: &str| format!("{head}.{payload}.{sig}");
    let mut bad_byte = payload.to_owned();
    bad_byte.replace_range(payload.len() - 10..payload.len() - 9, "*");
    let mut bad_length = payload.to_owned();
    while bad_length.len() % 4 != 1 {
        bad_length.push('A');
    }
    // Two characters at the end, the last one carrying bits beyond the byte they encode.
    let mut bad_bits = payload[..payload.len() - payload.len() % 4].to_owned();
    bad_bits.push_str("AB");
    for (what, payload) in [
        ("a bad byte", bad_byte),
        ("a bad length", bad_length),
        ("trailing bits", bad_bits),
    ] {
        assert_eq!(
            judge_counting(&with_payload(&payload), &rules()),
            (Some(Reason::PayloadBase64), 0),
            "{what}"
        );
    }
    let not_json = format!(
        r#"{{"iss":"https://evil.test","x":"{}" this is not JSON"#,
        "y".repeat(1_000)
    );
    let broken = mint_raw(&header, not_json.as_bytes(), b"sig");
    assert_eq!(judge_counting(&broken, &rules()), (Some(Reason::Issuer), 0));
}
