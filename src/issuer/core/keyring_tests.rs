//! Tests of the key lifecycle (security case A-20: publish before use, keep until tokens expire).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;

use super::super::fixtures::{key_pool, pool_generator};
use super::*;

const PERIOD: i64 = 1_000;
const LIFETIME: i64 = 300;

fn published(ring: &KeyRing) -> Vec<String> {
    ring.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn kid_in(ring: &KeyRing, state: KeyState) -> String {
    ring.records().iter().find(|r| r.state == state).unwrap().kid.clone()
}

fn active_kid(ring: &KeyRing) -> String {
    ring.active().unwrap().kid().to_owned()
}

fn started(generate: &mut KeyGenerator<'_>) -> KeyRing {
    let mut ring = KeyRing::empty();
    assert!(ring.maintain(0, PERIOD, LIFETIME, generate).unwrap());
    ring
}

#[test]
fn the_first_maintain_creates_an_active_and_a_next_key() {
    let ring = started(&mut pool_generator());
    let states: Vec<KeyState> = ring.records().iter().map(|r| r.state).collect();
    assert_eq!(states, [KeyState::Active, KeyState::Next]);
    assert_eq!(ring.records()[0].activated_at, Some(0));
    assert_eq!(published(&ring).len(), 2);
}

#[test]
fn maintain_changes_nothing_while_nothing_is_due() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    let before = ring.records().to_vec();
    assert!(!ring.maintain(PERIOD - 1, PERIOD, LIFETIME, &mut generate).unwrap());
    assert_eq!(ring.records(), before.as_slice());
}

#[test]
fn the_next_key_is_published_before_it_signs_and_signs_after_the_period() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    let (first, next) = (active_kid(&ring), kid_in(&ring, KeyState::Next));
    assert_ne!(first, next);
    assert!(published(&ring).contains(&next));
    assert!(ring.maintain(PERIOD, PERIOD, LIFETIME, &mut generate).unwrap());
    assert_eq!(active_kid(&ring), next);
    let newer = kid_in(&ring, KeyState::Next);
    assert!(![first.clone(), next].contains(&newer));
    assert_eq!(published(&ring).len(), 3);
    assert!(published(&ring).contains(&first));
}

#[test]
fn a_retired_key_stays_published_until_its_tokens_have_expired_then_disappears() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    let first = active_kid(&ring);
    ring.maintain(PERIOD, PERIOD, LIFETIME, &mut generate).unwrap();
    let retired = ring.records().iter().find(|r| r.kid == first).unwrap();
    assert_eq!((retired.state, retired.retired_at), (KeyState::Expired, Some(PERIOD)));
    assert!(
        !ring
            .maintain(PERIOD + LIFETIME, PERIOD, LIFETIME, &mut generate)
            .unwrap()
    );
    assert!(published(&ring).contains(&first));
    assert!(ring.key(&first).is_some());
    assert!(
        ring.maintain(PERIOD + LIFETIME + 1, PERIOD, LIFETIME, &mut generate)
            .unwrap()
    );
    assert!(!published(&ring).contains(&first));
    assert!(ring.key(&first).is_none());
    assert_eq!(ring.records().len(), 2);
}

#[test]
fn rotate_now_promotes_next_retires_active_and_creates_a_new_next() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    let (first, next) = (active_kid(&ring), kid_in(&ring, KeyState::Next));
    ring.rotate_now(10, &mut generate).unwrap();
    assert_eq!(active_kid(&ring), next);
    let retired = ring.records().iter().find(|r| r.kid == first).unwrap();
    assert_eq!((retired.state, retired.retired_at), (KeyState::Expired, Some(10)));
    assert!(![first, next].contains(&kid_in(&ring, KeyState::Next)));
}

#[test]
fn rotate_now_on_an_empty_ring_creates_active_and_next() {
    let mut ring = KeyRing::empty();
    ring.rotate_now(5, &mut pool_generator()).unwrap();
    assert!(ring.active().is_some());
    assert_eq!(ring.records().len(), 2);
}

#[test]
fn kids_stay_unique_across_rotations() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    let mut seen: HashSet<String> = published(&ring).into_iter().collect();
    for round in 1..=4 {
        ring.maintain(round * PERIOD, PERIOD, LIFETIME, &mut generate).unwrap();
        let kids = published(&ring);
        assert_eq!(kids.iter().collect::<HashSet<_>>().len(), kids.len());
        seen.extend(kids);
    }
    assert_eq!(seen.len(), 6);
}

#[test]
fn records_round_trip_through_serde_and_from_records() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    ring.maintain(PERIOD, PERIOD, LIFETIME, &mut generate).unwrap();
    let text = serde_json::to_string(ring.records()).unwrap();
    assert!(text.contains(r#""state":"EXPIRED""#));
    let back: Vec<KeyRecord> = serde_json::from_str(&text).unwrap();
    let restored = KeyRing::from_records(back).unwrap();
    assert_eq!(restored.records(), ring.records());
    assert_eq!(active_kid(&restored), active_kid(&ring));
    assert_eq!(restored.jwks(), ring.jwks());
}

#[test]
fn a_record_whose_kid_is_not_its_thumbprint_is_refused() {
    let mut records = started(&mut pool_generator()).records().to_vec();
    records[0].kid = "forged".to_owned();
    assert!(KeyRing::from_records(records).is_err());
}

#[test]
fn two_active_keys_are_refused() {
    let mut records = started(&mut pool_generator()).records().to_vec();
    records[1].state = KeyState::Active;
    assert!(KeyRing::from_records(records).is_err());
}

#[test]
fn a_failing_generator_leaves_the_ring_unchanged() {
    let mut ring = started(&mut pool_generator());
    let before = ring.records().to_vec();
    let mut failing = || -> Result<(SigningKey, Vec<u8>), String> { Err("no entropy".to_owned()) };
    assert!(ring.maintain(PERIOD, PERIOD, LIFETIME, &mut failing).is_err());
    assert!(ring.rotate_now(PERIOD, &mut failing).is_err());
    assert_eq!(ring.records(), before.as_slice());
    assert_eq!(active_kid(&ring), before[0].kid);
}

#[test]
fn a_generator_repeating_a_kid_is_an_error_and_changes_nothing() {
    let der = key_pool()[0].clone();
    let mut same = move || Ok((SigningKey::from_pkcs8(&der)?, der.clone()));
    let mut ring = KeyRing::empty();
    assert!(ring.maintain(0, PERIOD, LIFETIME, &mut same).is_err());
    assert!(ring.records().is_empty());
    assert!(ring.active().is_none());
}

#[test]
fn a_late_next_key_is_not_promoted_before_it_has_been_published_long_enough() {
    let mut records = started(&mut pool_generator()).records().to_vec();
    records.truncate(1);
    let mut generate = pool_generator();
    generate().unwrap();
    let mut ring = KeyRing::from_records(records).unwrap();
    let first = active_kid(&ring);
    assert!(ring.maintain(5 * PERIOD, PERIOD, LIFETIME, &mut generate).unwrap());
    assert_eq!(active_kid(&ring), first);
    assert!(!ring.maintain(6 * PERIOD - 1, PERIOD, LIFETIME, &mut generate).unwrap());
    assert_eq!(active_kid(&ring), first);
    assert!(ring.maintain(6 * PERIOD, PERIOD, LIFETIME, &mut generate).unwrap());
    assert_ne!(active_kid(&ring), first);
}

#[test]
fn the_cache_max_age_runs_until_the_next_rotation_within_a_minute_and_a_day() {
    let ring = started(&mut pool_generator());
    assert_eq!(ring.cache_max_age(0, PERIOD), 1_000);
    assert_eq!(ring.cache_max_age(400, PERIOD), 600);
    assert_eq!(ring.cache_max_age(990, PERIOD), 60);
    assert_eq!(ring.cache_max_age(5 * PERIOD, PERIOD), 60);
    assert_eq!(ring.cache_max_age(0, 90 * 86_400), 86_400);
    assert_eq!(KeyRing::empty().cache_max_age(0, PERIOD), 60);
}

#[test]
fn the_jwks_holds_public_members_only() {
    let mut generate = pool_generator();
    let mut ring = started(&mut generate);
    ring.rotate_now(1, &mut generate).unwrap();
    for key in ring.jwks()["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(key.get(private).is_none());
        }
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], "RS256");
    }
}

#[test]
fn a_key_record_debug_output_hides_the_private_key() {
    let ring = started(&mut pool_generator());
    let text = format!("{:?}", ring.records()[0]);
    assert!(text.contains("<redacted>"));
    assert!(text.contains(&ring.records()[0].kid));
}
