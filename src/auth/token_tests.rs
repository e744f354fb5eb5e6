//! Tests of compact JWS parsing.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::testkit::{b64, join};
use super::*;

const HEADER: &str = r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#;
const CLAIMS: &str = r#"{"sub":"u"}"#;

fn token(header: &[u8], claims: &[u8]) -> String {
    join(&b64(header), &b64(claims), &b64(b"sig"))
}

fn reason(token: &str) -> Reason {
    parse(token).unwrap_err().reason
}

#[test]
fn parses_header_claims_signature_and_signing_input() {
    let text = token(HEADER.as_bytes(), CLAIMS.as_bytes());
    let parsed = parse(&text).unwrap();
    assert_eq!(parsed.header.alg.as_deref(), Some("RS256"));
    assert_eq!(parsed.header.kid.as_deref(), Some("k1"));
    assert_eq!(parsed.header.typ.as_deref(), Some("JWT"));
    assert_eq!(parsed.claims["sub"], "u");
    assert_eq!(parsed.signature, b"sig");
    assert_eq!(
        parsed.signing_input,
        format!("{}.{}", b64(HEADER.as_bytes()), b64(CLAIMS.as_bytes())).as_bytes()
    );
}

#[test]
fn rejects_any_segment_count_but_three() {
    let good = token(HEADER.as_bytes(), CLAIMS.as_bytes());
    let (h, rest) = good.split_once('.').unwrap();
    for bad in [
        h.to_owned(),
        format!("{h}.{}", rest.split('.').next().unwrap()),
        format!("{good}.x"),
        format!("{good}.x.y"),
        String::new(),
    ] {
        let err = parse(&bad).unwrap_err();
        assert_eq!(err.description, "token contains an invalid number of segments", "{bad}");
    }
}

#[test]
fn the_log_detail_counts_the_segments() {
    let hundred = ".".repeat(99);
    for (bad, count) in [
        ("", 1),
        ("abc", 1),
        ("a.b", 2),
        (".", 2),
        ("a.b.c.d", 4),
        ("...", 4),
        ("a.b.c.d.e", 5),
        ("a.b.c.d.e.f", 6),
        (hundred.as_str(), 100),
    ] {
        let err = parse(bad).unwrap_err();
        assert_eq!(
            (err.reason, err.detail.as_ref()),
            (Reason::Segments, format!("{count} segments").as_str()),
            "{bad:?}"
        );
    }
}

#[test]
fn rejects_a_five_segment_jwe() {
    assert_eq!(reason("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), Reason::Segments);
}

#[test]
fn rejects_a_hundred_thousand_dots_quickly() {
    let started = std::time::Instant::now();
    assert_eq!(reason(&".".repeat(100_000)), Reason::Segments);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn rejects_base64_padding_in_each_segment() {
    let h = b64(b"{\"alg\":\"RS256\",\"kid\":\"k\"}1");
    let c = b64(CLAIMS.as_bytes());
    assert_eq!(reason(&join(&format!("{h}="), &c, "c2ln")), Reason::HeaderBase64);
    assert_eq!(
        reason(&join(
            &b64(HEADER.as_bytes()),
            &format!("{}==", b64(b"{\"a\":1}")),
            "c2ln"
        )),
        Reason::PayloadBase64
    );
    assert_eq!(
        reason(&join(&b64(HEADER.as_bytes()), &c, "c2k=")),
        Reason::SignatureBase64
    );
}

#[test]
fn rejects_standard_alphabet_plus_and_slash() {
    let (h, c) = (b64(HEADER.as_bytes()), b64(CLAIMS.as_bytes()));
    assert_eq!(reason(&join(&h, &c, "ab+c")), Reason::SignatureBase64);
    assert_eq!(reason(&join(&h, &c, "ab/c")), Reason::SignatureBase64);
    assert_eq!(reason(&join(&format!("{h}+"), &c, "abcd")), Reason::HeaderBase64);
}

#[test]
fn rejects_non_canonical_trailing_bits() {
    let (h, c) = (b64(HEADER.as_bytes()), b64(CLAIMS.as_bytes()));
    assert!(parse(&join(&h, &c, "QQ")).is_ok());
    assert_eq!(reason(&join(&h, &c, "QR")), Reason::SignatureBase64);
}

#[test]
fn rejects_whitespace_inside_the_token() {
    let (h, c) = (b64(HEADER.as_bytes()), b64(CLAIMS.as_bytes()));
    assert_eq!(reason(&join(&h, &format!(" {c}"), "c2ln")), Reason::PayloadBase64);
    assert_eq!(reason(&join(&h, &c, "c2\nln")), Reason::SignatureBase64);
}

#[test]
fn rejects_an_empty_signature() {
    let text = join(&b64(HEADER.as_bytes()), &b64(CLAIMS.as_bytes()), "");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.description, "token signature is invalid");
}

#[test]
fn rejects_non_object_headers_and_claims() {
    for bad in ["[]", "\"x\"", "null", "0", "{"] {
        assert_eq!(
            reason(&token(bad.as_bytes(), CLAIMS.as_bytes())),
            Reason::HeaderJson,
            "{bad}"
        );
        assert_eq!(
            reason(&token(HEADER.as_bytes(), bad.as_bytes())),
            Reason::ClaimsJson,
            "{bad}"
        );
    }
}

#[test]
fn rejects_duplicate_members_in_header_and_claims() {
    let header = br#"{"alg":"RS256","alg":"none","kid":"k"}"#;
    assert_eq!(reason(&token(header, CLAIMS.as_bytes())), Reason::HeaderJson);
    let claims = br#"{"exp":1,"exp":4102444800}"#;
    assert_eq!(reason(&token(HEADER.as_bytes(), claims)), Reason::ClaimsJson);
}

#[test]
fn rejects_bom_trailing_bytes_invalid_utf8_and_lone_surrogates() {
    let bom = [b"\xEF\xBB\xBF".as_slice(), HEADER.as_bytes()].concat();
    assert_eq!(reason(&token(&bom, CLAIMS.as_bytes())), Reason::HeaderJson);
    let trailing = format!("{HEADER}x");
    assert_eq!(
        reason(&token(trailing.as_bytes(), CLAIMS.as_bytes())),
        Reason::HeaderJson
    );
    assert_eq!(
        reason(&token(HEADER.as_bytes(), b"{\"sub\":\"\xFF\"}")),
        Reason::ClaimsJson
    );
    assert_eq!(
        reason(&token(HEADER.as_bytes(), br#"{"sub":"\ud800"}"#)),
        Reason::ClaimsJson
    );
}

#[test]
fn rejects_crit_in_any_form() {
    for crit in [r#"["exp"]"#, "[]", "null", "\"b64\"", "{}"] {
        let header = format!(r#"{{"alg":"RS256","kid":"k","crit":{crit}}}"#);
        let err = parse(&token(header.as_bytes(), CLAIMS.as_bytes())).unwrap_err();
        assert_eq!(err.description, "token has an unsupported critical header", "{crit}");
    }
}

#[test]
fn rejects_b64_in_any_form() {
    for b64_value in ["false", "true", "null"] {
        let header = format!(r#"{{"alg":"RS256","kid":"k","b64":{b64_value}}}"#);
        assert_eq!(
            reason(&token(header.as_bytes(), CLAIMS.as_bytes())),
            Reason::CriticalHeader
        );
        let both = format!(r#"{{"alg":"RS256","kid":"k","b64":{b64_value},"crit":["b64"]}}"#);
        assert_eq!(
            reason(&token(both.as_bytes(), CLAIMS.as_bytes())),
            Reason::CriticalHeader
        );
    }
}

#[test]
fn keeps_non_string_alg_kid_and_typ_as_absent() {
    let header = br#"{"alg":256,"kid":7,"typ":["JWT"]}"#;
    let text = token(header, CLAIMS.as_bytes());
    let parsed = parse(&text).unwrap();
    assert_eq!(
        *parsed.header,
        Header {
            alg: None,
            kid: None,
            typ: None
        }
    );
}

#[test]
fn a_remembered_header_decodes_exactly_as_a_fresh_one() {
    // The same segments twice (the second answer comes from the thread's memo), then enough
    // others to push them out, then again: every answer is the fresh decoding's.
    let good = token(br#"{"alg":"RS256","kid":"k1"}"#, CLAIMS.as_bytes());
    let bad = format!("{}.e30.c2ln", b64(br#"{"alg":"RS256","crit":["exp"]}"#));
    let expected = (parse(&good).map(|t| t.header), parse(&bad).err());
    for round in 0..3 {
        assert_eq!(
            (parse(&good).map(|t| t.header), parse(&bad).err()),
            expected,
            "round {round}"
        );
        for i in 0..super::HEADER_MEMO {
            let other = token(
                format!(r#"{{"alg":"RS256","kid":"o{i}"}}"#).as_bytes(),
                CLAIMS.as_bytes(),
            );
            assert_eq!(
                parse(&other).unwrap().header.kid.as_deref(),
                Some(format!("o{i}").as_str())
            );
        }
    }
    assert_eq!(
        expected.0.unwrap().kid.as_deref(),
        Some("k1"),
        "and the fresh decoding is right"
    );
    let long_kid = "k".repeat(super::HEADER_MEMO_MAX_LEN);
    let long = token(
        format!(r#"{{"alg":"RS256","kid":"{long_kid}"}}"#).as_bytes(),
        CLAIMS.as_bytes(),
    );
    assert_eq!(parse(&long).unwrap().header.kid.as_deref(), Some(long_kid.as_str()));
}

#[test]
fn malformed_header_descriptions_match_aws() {
    let claims = b64(CLAIMS.as_bytes());
    let err = parse(&join("!!", &claims, "c2ln")).unwrap_err();
    assert_eq!(err.description, "token is malformed: could not base64 decode header");
    let err = parse(&token(b"nope", CLAIMS.as_bytes())).unwrap_err();
    assert_eq!(err.description, "token is malformed: could not JSON decode header");
    let err = parse(&token(HEADER.as_bytes(), b"nope")).unwrap_err();
    assert_eq!(err.description, "token is malformed: could not JSON decode claims");
}
