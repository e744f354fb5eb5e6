//! Fuzzes compact-JWS parsing and the whole authorizer on untrusted tokens.
//!
//! Input: the first byte picks a shape, the rest is the token material.
//! - even: the bytes (lossily UTF-8) are the token as sent;
//! - odd: the bytes are split on `0xFF` into header, payload and signature,
//!   each base64url-encoded and joined with dots, so the JSON parsers and
//!   the claim checks see arbitrary header/payload bytes.
//!
//! Properties beyond "no panic":
//! - `authorize` against the fixed trusted key set never returns `Ok`: a
//!   token not minted in this process by a trusted key cannot verify;
//! - `authorize` with the `Recorder` tracer decides exactly as with
//!   `NoTrace` (tracing never changes a decision), and every recorded value
//!   is escaped printable ASCII of at most 256 bytes;
//! - a token whose structure (segments and header) `auth::parse_structure`
//!   rejects is rejected by `authorize` with the same error; one whose
//!   payload, claims or signature alone is malformed (`auth::parse` fails
//!   after the structure passed) is rejected with that error, or for its
//!   header (alg, typ, kid, key: judged before the payload is decoded), or,
//!   when the payload decodes, for a claim (iss, aud, exp, nbf, iat: judged
//!   on a quick read before the strict parse, and before the signature is
//!   decoded);
//! - every refusal renders a real `WWW-Authenticate` challenge.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use portcullis::auth::{self, NoTrace, Reason, Recorder};

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    let token = if shape & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let parts: Vec<String> = rest.splitn(3, |b| *b == 0xFF).map(common::testkit::b64).collect();
        parts.join(".")
    };
    let scopes: Vec<String> = match shape & 2 {
        0 => Vec::new(),
        _ => vec!["read".to_owned()],
    };

    let structure = auth::parse_structure(&token);
    let parsed = auth::parse(&token);

    let (keys, rules) = (common::keyset(), common::rules());
    let plain = auth::authorize(&token, keys, rules, &scopes, common::NOW, &mut NoTrace);
    let err = match plain {
        Ok(claims) => panic!("untrusted token accepted: {token:?} -> {claims:?}"),
        Err(err) => err,
    };
    match (&structure, &parsed) {
        (Err(structure_err), _) => {
            assert_eq!(&err, structure_err, "authorize and parse disagree on a malformed token");
        }
        (Ok(structure_ok), Err(parse_err)) => {
            let header_first = matches!(
                err.reason,
                Reason::Algorithm | Reason::TokenType | Reason::NoKid | Reason::UnknownKid | Reason::Signature
            );
            let claim = matches!(
                err.reason,
                Reason::Issuer
                    | Reason::Audience
                    | Reason::NoExpiration
                    | Reason::InvalidExpiration
                    | Reason::Expired
                    | Reason::InvalidNotBefore
                    | Reason::NotYetValid
                    | Reason::InvalidIssuedAt
                    | Reason::IssuedInFuture
            );
            // The claim checks come before the strict parse of the claims (on a quick read that
            // stops once a refusal is certain), so any claim refusal may replace a claims or
            // signature error, never a payload that does not decode.
            let claim_first = claim && parse_err.reason != Reason::PayloadBase64 && structure_ok.payload().is_ok();
            assert!(&err == parse_err || header_first || claim_first, "parse error {parse_err:?} became {err:?}");
        }
        (Ok(_), Ok(_)) => {}
    }
    common::check_refusal(&err, &scopes);

    let mut recorder = Recorder::default();
    let traced = auth::authorize(&token, keys, rules, &scopes, common::NOW, &mut recorder);
    assert_eq!(traced.as_ref().err(), Some(&err), "tracing changed the decision");
    assert!(!recorder.steps.is_empty(), "no step recorded");
    for step in &recorder.steps {
        for text in [&step.actual, &step.expected] {
            assert!(text.len() <= 256, "recorded value too long: {}", text.len());
            assert!(
                text.bytes().all(|b| (0x20..0x7f).contains(&b)),
                "unescaped value: {text:?}"
            );
        }
    }
    let last = recorder.steps.last().map(|s| s.ok);
    assert_eq!(
        last,
        Some(false),
        "the last recorded step of a refusal must be the failing one"
    );
});
