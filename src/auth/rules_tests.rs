//! Tests of algorithm names and rule defaults.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn every_algorithm_round_trips_through_its_name() {
    for alg in Alg::ALL {
        assert_eq!(alg.to_string().parse::<Alg>(), Ok(alg));
    }
}

#[test]
fn algorithm_names_match_case_sensitively_and_exclude_none_and_hmac() {
    for name in [
        "rs256", "Rs256", "none", "None", "HS256", "ES512", "eddsa", "RS256 ", "",
    ] {
        assert_eq!(name.parse::<Alg>(), Err(UnknownAlg), "{name}");
    }
}

#[test]
fn default_rules_allow_rs256_rs384_rs512_without_leeway_or_typ() {
    let rules = Rules::new("https://idp.test", vec!["a".to_owned()]);
    assert_eq!(rules.algorithms, vec![Alg::RS256, Alg::RS384, Alg::RS512]);
    assert_eq!(rules.leeway_secs, 0);
    assert_eq!(rules.required_typ, None);
}

#[test]
fn leeway_is_clamped_to_three_hundred_seconds() {
    let mut rules = Rules::new("i", Vec::new());
    rules.leeway_secs = 120;
    assert_eq!(rules.leeway(), 120.0);
    rules.leeway_secs = 100_000;
    assert_eq!(rules.leeway(), 300.0);
}
