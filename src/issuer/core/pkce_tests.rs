//! Tests of PKCE S256 (security cases ).

use super::*;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn the_rfc_7636_appendix_b_verifier_yields_its_challenge() {
    assert_eq!(s256_challenge(VERIFIER), CHALLENGE);
    assert!(verify_s256(VERIFIER, CHALLENGE));
}

#[test]
fn a_wrong_verifier_does_not_verify() {
    let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
    assert!(!verify_s256(wrong, CHALLENGE));
}

#[test]
fn the_plain_method_is_not_accepted() {
    assert!(!verify_s256(VERIFIER, VERIFIER));
}

#[test]
fn a_challenge_is_exactly_43_base64url_characters() {
    assert!(valid_challenge(CHALLENGE));
    assert!(!valid_challenge(&CHALLENGE[..42]));
    assert!(!valid_challenge(&format!("{CHALLENGE}A")));
    assert!(!valid_challenge(&format!("{}=", &CHALLENGE[..42])));
    assert!(!valid_challenge(&format!("{}+", &CHALLENGE[..42])));
    assert!(!valid_challenge(""));
}

#[test]
fn a_verifier_is_43_to_128_unreserved_characters() {
    assert!(valid_verifier(VERIFIER));
    assert!(valid_verifier(&"a".repeat(43)));
    assert!(valid_verifier(&"a".repeat(128)));
    assert!(valid_verifier(&format!("{}-._~", "A".repeat(40))));
    assert!(!valid_verifier(&"a".repeat(42)));
    assert!(!valid_verifier(&"a".repeat(129)));
    assert!(!valid_verifier(&format!("{}+", "a".repeat(43))));
    assert!(!valid_verifier(&format!("{}é", "a".repeat(42))));
}

#[test]
fn a_too_short_verifier_never_verifies_even_against_its_own_hash() {
    let short = "a".repeat(42);
    assert!(!verify_s256(&short, &s256_challenge(&short)));
}
