//! Pipeline tests: strict JSON in signed tokens, issuer, audience and times.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::fixtures::*;
use super::{Reason, Recorder, Rules, authorize};

const HEADER: &[u8] = br#"{"alg":"RS256","kid":"rsa-1"}"#;

fn with(name: &str, value: Value) -> String {
    rs256(&claims_with(name, Some(value)))
}

fn without(name: &str) -> String {
    rs256(&claims_with(name, None))
}

fn leeway(secs: u64) -> Rules {
    Rules {
        leeway_secs: secs,
        ..rules()
    }
}

#[test]
fn rejects_duplicate_members_even_when_validly_signed() {
    let header = br#"{"alg":"RS256","alg":"none","kid":"rsa-1"}"#;
    assert_eq!(
        run(&rs256_raw(header, claims().to_string().as_bytes()))
            .unwrap_err()
            .reason,
        Reason::HeaderJson
    );
    // The first exp passes, so the quick read goes on, meets the second and gives up: the strict
    // parse refuses the duplicate.
    let claims = br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"exp":1}"#;
    assert_eq!(
        refusal(&rs256_raw(HEADER, claims)),
        "token is malformed: could not JSON decode claims"
    );
}

#[test]
fn a_plain_payload_naming_any_member_twice_is_never_taken_as_proven_strict() {
    // Plain JSON that the quick read reads to the end, checks passed: only the strict parse's
    // rule on repeated names can refuse it, for a member the checks never look at too.
    for claims in [
        &br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"sub":"a","sub":"b"}"#[..],
        br#"{"sub":"a","iss":"https://idp.test","aud":"api://orders","sub":"a","exp":4102444800}"#,
        br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"groups":[],"groups":["admins"]}"#,
    ] {
        assert_eq!(
            refusal(&rs256_raw(HEADER, claims)),
            "token is malformed: could not JSON decode claims",
            "{}",
            String::from_utf8_lossy(claims)
        );
    }
}

#[test]
fn claims_proven_strict_read_as_the_strict_parse_reads_them() {
    // Plain (proven strict, parsed when first read) and not plain (an escape, a nested object:
    // parsed before the signature): the same claims and scopes either way.
    for claims in [
        br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"sub":"u","scp":["a","b"],"n":7}"#.to_vec(),
        br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"sub":"\u0075","scp":["a","b"],"n":{"m":7}}"#.to_vec(),
    ] {
        let accepted = run(&rs256_raw(HEADER, &claims)).unwrap();
        let expected: serde_json::Map<String, Value> = serde_json::from_slice(&claims).unwrap();
        assert_eq!(accepted.map(), &expected);
        assert_eq!(accepted.scopes(), ["a", "b"]);
        assert_eq!(accepted.exp(), Some(4_102_444_800.0));
        assert_eq!(accepted.get("sub"), Some(&json!("u")));
    }
}

#[test]
fn claims_proven_strict_are_parsed_only_when_a_claim_is_read() {
    // What a route that maps no claim, and a forged signature, are spared.
    let plain = br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"sub":"u","scp":["a"]}"#;
    let accepted = run(&rs256_raw(HEADER, plain)).unwrap();
    assert!(!accepted.is_parsed(), "accepted without parsing the payload");
    assert_eq!(
        (accepted.scopes(), accepted.exp()),
        (&["a".to_owned()][..], Some(4_102_444_800.0))
    );
    assert!(!accepted.is_parsed(), "scopes and exp come from the quick read");
    assert_eq!(accepted.get("sub"), Some(&json!("u")));
    assert!(accepted.is_parsed(), "parsed on the first claim read");
    // Not plain (an escape): parsed before the signature, as the strict rules need.
    let escaped = br#"{"iss":"https://idp.test","aud":"api://orders","exp":4102444800,"sub":"\u0075"}"#;
    assert!(run(&rs256_raw(HEADER, escaped)).unwrap().is_parsed());
}

#[test]
fn a_claim_refusal_certain_from_the_first_members_read_stops_the_read_there() {
    // The claim checks come before the strict parse, and the quick read stops once a refusal
    // is certain: what follows (a duplicate, broken JSON) is never read.
    for (claims, reason) in [
        (
            &br#"{"iss":"https://evil.test","iss":"https://idp.test"}"#[..],
            Reason::Issuer,
        ),
        (
            br#"{"iss":"https://idp.test","aud":"other","exp":4102444800,"#,
            Reason::Audience,
        ),
        (
            br#"{"iss":"https://idp.test","aud":"api://orders","exp":1,"exp":4102444800}"#,
            Reason::Expired,
        ),
    ] {
        assert_eq!(
            run(&rs256_raw(HEADER, claims)).unwrap_err().reason,
            reason,
            "{}",
            String::from_utf8_lossy(claims)
        );
    }
}

#[test]
fn the_quick_read_never_decides_before_the_members_that_could_change_the_answer() {
    let future = NOW + 3600;
    // An iat in the future read before an nbf in the future: nbf is checked first, so the
    // answer waits for it.
    let claims = json!({"iss": ISS, "aud": AUD, "exp": NOW + 7200, "iat": future, "nbf": future});
    let text = format!(
        r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{},"iat":{future},"nbf":{future}}}"#,
        NOW + 7200
    );
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), claims);
    assert_eq!(
        run(&rs256_raw(HEADER, text.as_bytes())).unwrap_err().reason,
        Reason::NotYetValid
    );
    // A client_id that names no audience, read before an aud that does: aud decides.
    let text = format!(
        r#"{{"iss":"{ISS}","client_id":"other","aud":"{AUD}","exp":{}}}"#,
        NOW + 60
    );
    assert!(run(&rs256_raw(HEADER, text.as_bytes())).is_ok());
    // An expired token whose audience so far comes from client_id: a later aud decides first.
    let text = format!(r#"{{"iss":"{ISS}","client_id":"{AUD}","exp":1,"aud":"other"}}"#);
    assert_eq!(
        run(&rs256_raw(HEADER, text.as_bytes())).unwrap_err().reason,
        Reason::Audience
    );
    // An iss read late still decides first.
    let text = r#"{"aud":"other","exp":1,"iss":"https://evil.test"}"#;
    assert_eq!(
        run(&rs256_raw(HEADER, text.as_bytes())).unwrap_err().reason,
        Reason::Issuer
    );
}

#[test]
fn the_quick_read_agrees_with_the_checks_on_the_whole_map_in_every_order() {
    use crate::test_rng::Rng;
    // Each checked member right, wrong or absent (and exp also null), in a random order with an
    // unchecked member between: the early refusal of the quick read must be the refusal the
    // checks give on the whole map, and a token they pass must pass.
    let choices: [(&str, [Option<Value>; 3]); 6] = [
        ("iss", [Some(json!(ISS)), Some(json!("https://evil.test")), None]),
        ("aud", [Some(json!(AUD)), Some(json!(["other", "x"])), None]),
        ("client_id", [Some(json!(AUD)), Some(json!("other")), None]),
        (
            "exp",
            [Some(json!(NOW + 60)), Some(json!(NOW - 600)), Some(Value::Null)],
        ),
        ("nbf", [Some(json!(NOW - 60)), Some(json!(NOW + 600)), None]),
        ("iat", [Some(json!(NOW - 60)), Some(json!(NOW + 600)), None]),
    ];
    let mut rng = Rng(0x5EED_C1A1_0000_0001);
    let (mut passed, mut refused) = (0, 0);
    for _ in 0..600 {
        let mut members: Vec<(&str, Value)> = choices
            .iter()
            .filter_map(|(name, values)| values[rng.below(3)].clone().map(|v| (*name, v)))
            .collect();
        for i in (1..members.len()).rev() {
            members.swap(i, rng.below(i + 1));
        }
        members.insert(rng.below(members.len() + 1), ("sub", json!("user-1")));
        let text = format!(
            "{{{}}}",
            members
                .iter()
                .map(|(name, value)| format!("\"{name}\":{value}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let map: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        let (rules, mut trace) = (rules(), super::NoTrace);
        let expected = super::claims::check_issuer(&map, &rules, &mut trace)
            .and_then(|()| super::claims::check_audience(&map, &rules, &mut trace))
            .and_then(|()| super::claims::check_times(&map, &rules, NOW, &mut trace))
            .err()
            .map(|e| e.reason);
        let got = run(&rs256_raw(HEADER, text.as_bytes())).err().map(|e| e.reason);
        assert_eq!(got, expected, "{text}");
        match got {
            None => passed += 1,
            Some(_) => refused += 1,
        }
    }
    assert!(passed > 10 && refused > 300, "{passed} passed, {refused} refused");
}

#[test]
fn rejects_non_object_headers_and_payloads_even_when_validly_signed() {
    for bad in ["[]", "\"x\"", "null", "0", "{"] {
        assert_eq!(
            run(&rs256_raw(bad.as_bytes(), b"{}")).unwrap_err().reason,
            Reason::HeaderJson,
            "{bad}"
        );
        assert_eq!(
            run(&rs256_raw(HEADER, bad.as_bytes())).unwrap_err().reason,
            Reason::ClaimsJson,
            "{bad}"
        );
    }
}

#[test]
fn rejects_trailing_bytes_bom_bad_utf8_and_lone_surrogates_in_signed_claims() {
    let good = claims().to_string();
    let payloads = [
        format!("{good}x").into_bytes(),
        [b"\xEF\xBB\xBF".as_slice(), good.as_bytes()].concat(),
        [&good.as_bytes()[..good.len() - 1], b",\"x\":\"\xFF\"}".as_slice()].concat(),
        good.replacen("user-1", "\\ud800", 1).into_bytes(),
    ];
    for payload in payloads {
        assert_eq!(
            run(&rs256_raw(HEADER, &payload)).unwrap_err().reason,
            Reason::ClaimsJson
        );
    }
}

#[test]
fn rejects_ten_thousand_nested_arrays_in_claims_with_401() {
    // iss, aud and exp pass, so the strict parse is what refuses the depth.
    let deep = format!(
        r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{},"x":{}{}}}"#,
        NOW + 60,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = run(&rs256_raw(HEADER, deep.as_bytes())).unwrap_err();
    assert_eq!((err.status(), err.reason), (401, Reason::ClaimsJson));
}

#[test]
fn the_quick_claim_read_survives_hostile_depth_too() {
    // No iss: refused by the quick read of the checked members, which skips the deep value.
    let deep = format!(
        r#"{{"exp":{},"x":{}{},"y":{}}}"#,
        NOW + 60,
        "[".repeat(100_000),
        "]".repeat(100_000),
        "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000)
    );
    let err = run(&rs256_raw(HEADER, deep.as_bytes())).unwrap_err();
    assert_eq!(err.status(), 401);
    assert!(
        matches!(err.reason, Reason::Issuer | Reason::ClaimsJson),
        "{:?}",
        err.reason
    );
}

#[test]
fn bad_claims_are_refused_without_parsing_the_payload_strictly() {
    // Invalid for the strict parser (a member twice, deep inside), but the issuer is wrong:
    // the quick read refuses it for the issuer; with the right issuer the strict parse decides.
    let mut c = claims();
    c["iss"] = json!("https://evil.example");
    let text = c.to_string().replacen('{', r#"{"nested":{"d":1,"d":2},"#, 1);
    assert_eq!(
        run(&rs256_raw(HEADER, text.as_bytes())).unwrap_err().reason,
        Reason::Issuer
    );
    let good = claims().to_string().replacen('{', r#"{"nested":{"d":1,"d":2},"#, 1);
    assert_eq!(
        run(&rs256_raw(HEADER, good.as_bytes())).unwrap_err().reason,
        Reason::ClaimsJson
    );
}

#[test]
fn accepts_seven_kilobytes_of_claims() {
    let token = with("groups", json!(vec!["g".repeat(70); 100]));
    assert!(token.len() > 7 * 1024);
    assert!(run(&token).is_ok());
}

#[test]
fn requires_a_numeric_expiration() {
    assert_eq!(refusal(&without("exp")), "the token has no expiration");
    for bad in [
        json!("1900000000"),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!(-1),
    ] {
        assert_eq!(
            refusal(&with("exp", bad.clone())),
            "the token has an invalid expiration",
            "{bad}"
        );
    }
}

#[test]
fn a_token_expiring_now_is_expired_without_leeway() {
    assert_eq!(refusal(&with("exp", json!(NOW))), "the token has expired");
    assert_eq!(refusal(&with("exp", json!(0))), "the token has expired");
    assert!(run(&with("exp", json!(NOW + 1))).is_ok());
}

#[test]
fn leeway_extends_expiration_strictly() {
    assert!(run_with(&with("exp", json!(NOW - 1)), &leeway(2), &[]).is_ok());
    assert!(run_with(&with("exp", json!(NOW - 2)), &leeway(2), &[]).is_err());
    assert!(run_with(&with("exp", json!(NOW + 1)), &leeway(0), &[]).is_ok());
}

#[test]
fn accepts_fractional_and_huge_finite_expirations() {
    assert!(run(&with("exp", json!(NOW as f64 + 0.5))).is_ok());
    assert_eq!(refusal(&with("exp", json!(NOW as f64 - 0.5))), "the token has expired");
    assert!(run(&with("exp", json!(1e300))).is_ok());
}

#[test]
fn rejects_an_expiration_beyond_f64() {
    let payload = claims()
        .to_string()
        .replace(&format!("\"exp\":{}", NOW + 3600), "\"exp\":1e400");
    assert!(payload.contains("1e400"));
    assert_eq!(
        run(&rs256_raw(HEADER, payload.as_bytes())).unwrap_err().reason,
        Reason::ClaimsJson
    );
}

#[test]
fn not_before_in_the_future_is_refused_unless_within_leeway() {
    assert_eq!(refusal(&with("nbf", json!(NOW + 10))), "the token is not valid yet");
    assert!(run(&with("nbf", json!(NOW))).is_ok());
    assert!(run_with(&with("nbf", json!(NOW + 10)), &leeway(10), &[]).is_ok());
    assert!(run_with(&with("nbf", json!(NOW + 11)), &leeway(10), &[]).is_err());
    assert_eq!(
        refusal(&with("nbf", json!("soon"))),
        "the token has an invalid not-before time"
    );
}

#[test]
fn issued_in_the_future_is_refused_unless_within_leeway() {
    assert_eq!(
        refusal(&with("iat", json!(NOW + 10))),
        "the token was issued in the future"
    );
    assert!(run(&with("iat", json!(NOW))).is_ok());
    assert!(run(&without("iat")).is_ok());
    assert!(run_with(&with("iat", json!(NOW + 300)), &leeway(300), &[]).is_ok());
    assert!(run_with(&with("iat", json!(NOW + 301)), &leeway(100_000), &[]).is_err());
    assert_eq!(
        refusal(&with("iat", json!(null))),
        "the token has an invalid issued-at time"
    );
}

#[test]
fn requires_the_exact_issuer() {
    let bad = [
        json!("https://idp.test/"),
        json!("HTTPS://IDP.TEST"),
        json!(" https://idp.test"),
        json!(["https://idp.test"]),
        json!(1),
    ];
    for iss in bad {
        assert_eq!(
            refusal(&with("iss", iss.clone())),
            "the token does not have a valid issuer",
            "{iss}"
        );
    }
    assert_eq!(refusal(&without("iss")), "the token does not have a valid issuer");
}

#[test]
fn accepts_an_issuer_written_with_escaped_slashes() {
    let payload = claims()
        .to_string()
        .replace("\"https://idp.test\"", r#""https:\/\/idp.test""#);
    assert!(payload.contains(r"https:\/\/"));
    assert!(run(&rs256_raw(HEADER, payload.as_bytes())).is_ok());
}

#[test]
fn accepts_an_audience_string_or_array_containing_a_configured_one() {
    assert!(run(&with("aud", json!(AUD))).is_ok());
    assert!(run(&with("aud", json!(["other", AUD]))).is_ok());
}

#[test]
fn rejects_audiences_that_do_not_match_or_are_malformed() {
    for aud in [
        json!("other"),
        json!(["other"]),
        json!([]),
        json!(123),
        json!({}),
        json!([1, AUD]),
        json!(null),
    ] {
        assert_eq!(
            refusal(&with("aud", aud.clone())),
            "the token does not have a valid audience",
            "{aud}"
        );
    }
}

#[test]
fn client_id_stands_in_only_when_aud_is_absent() {
    let mut c = claims_with("aud", None);
    c["client_id"] = json!(AUD);
    assert!(run(&rs256(&c)).is_ok());
    c["aud"] = json!("other");
    assert_eq!(refusal(&rs256(&c)), "the token does not have a valid audience");
    c["client_id"] = json!("other");
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(refusal(&rs256(&c)), "the token does not have a valid audience");
    assert_eq!(refusal(&without("aud")), "the token does not have a valid audience");
}

#[test]
fn checks_issuer_before_audience_before_expiry() {
    let mut c = claims_with("iss", Some(json!("x")));
    c["aud"] = json!("y");
    c["exp"] = json!(1);
    assert_eq!(run(&rs256(&c)).unwrap_err().reason, Reason::Issuer);
    c["iss"] = json!(ISS);
    assert_eq!(run(&rs256(&c)).unwrap_err().reason, Reason::Audience);
}

#[test]
fn accepted_claims_render_as_aws_does() {
    let mut c = claims();
    c["exp"] = json!(1787996002 + 100_000_000);
    c["admin"] = json!(true);
    c["groups"] = json!(["admin"]);
    c["addr"] = json!({"city": "Oslo"});
    c["nothing"] = json!(null);
    c["name"] = json!("Jane Q. Doe");
    let accepted = run(&rs256(&c)).unwrap();
    assert_eq!(accepted.render_claim("exp").as_deref(), Some("1887996002"));
    assert_eq!(accepted.render_claim("admin").as_deref(), Some("true"));
    assert_eq!(accepted.render_claim("groups").as_deref(), Some("[admin]"));
    assert_eq!(accepted.render_claim("addr").as_deref(), Some(r#"{"city":"Oslo"}"#));
    assert_eq!(accepted.render_claim("name").as_deref(), Some("Jane Q. Doe"));
    assert_eq!(
        (accepted.render_claim("nothing"), accepted.render_claim("absent")),
        (None, None)
    );
}

#[test]
fn the_recorder_sees_each_step_in_order_and_decides_the_same() {
    let mut recorder = Recorder::default();
    let token = rs256(&claims());
    let result = authorize(&token, &key_set(), &rules(), &[], NOW, &mut recorder);
    assert!(result.is_ok());
    let names: Vec<&str> = recorder.steps.iter().map(|s| s.name).collect();
    assert_eq!(names, ["parse", "alg", "kid", "iss", "aud", "exp", "iat", "signature"]);
    assert!(recorder.steps.iter().all(|s| s.ok));
}

#[test]
fn the_recorder_stops_at_the_failing_step() {
    let mut recorder = Recorder::default();
    let token = with("iss", json!("evil\r\n"));
    assert!(authorize(&token, &key_set(), &rules(), &[], NOW, &mut recorder).is_err());
    let last = recorder.steps.last().unwrap();
    assert_eq!((last.name, last.ok), ("iss", false));
    assert!(!last.actual.contains('\n'));
}
