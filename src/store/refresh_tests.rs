//! Tests of refresh-token rotation, reuse detection and expiry (A-13, D13).
//! Allowed imports: std, the store module and its test fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::test_support::{NOW, refresh_record};
use super::super::{Store, StoreError};
use super::*;

const GRACE: i64 = 30;

fn store_with_token(hash: &str) -> Store {
    let store = Store::open_in_memory().unwrap();
    store.insert_refresh(hash, &refresh_record("g1", NOW)).unwrap();
    store
}

/// Rotates `old` into `new` at `at` and asserts the rotation won.
fn rotate(store: &Store, old: &str, new: &str, at: i64) {
    let child = refresh_record("g1", at);
    assert_eq!(store.rotate_refresh(old, new, &child, at).unwrap(), Rotation::Rotated);
}

#[test]
fn an_issued_token_is_active_and_found_with_its_record() {
    let store = store_with_token("r1");
    let record = refresh_record("g1", NOW);
    assert_eq!(
        store.use_refresh("r1", NOW + 1, GRACE).unwrap(),
        RefreshUse::Active(record.clone())
    );
    assert_eq!(
        store.find_refresh("r1", NOW + 1).unwrap(),
        Some((record, RefreshState::Active))
    );
}

#[test]
fn an_unknown_token_is_unknown_and_not_found() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.use_refresh("nope", NOW, GRACE).unwrap(), RefreshUse::Unknown);
    assert_eq!(store.find_refresh("nope", NOW).unwrap(), None);
    assert!(!store.revoke_refresh("nope", NOW).unwrap());
    assert!(!store.touch_refresh("nope", NOW).unwrap());
}

#[test]
fn rotation_stores_an_active_child_and_marks_the_parent_rotated() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    assert!(matches!(
        store.use_refresh("r2", NOW + 61, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
    let (_, state) = store.find_refresh("r1", NOW + 61).unwrap().unwrap();
    assert_eq!(state, RefreshState::Rotated { rotated_at: NOW + 60 });
}

#[test]
fn a_rotated_token_used_again_within_the_grace_period_is_allowed() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    assert_eq!(
        store.use_refresh("r1", NOW + 60 + GRACE - 1, GRACE).unwrap(),
        RefreshUse::ReusedWithinGrace(refresh_record("g1", NOW))
    );
}

#[test]
fn a_rotated_token_used_again_after_the_grace_period_is_reuse_of_its_grant() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    assert_eq!(
        store.use_refresh("r1", NOW + 60 + GRACE, GRACE).unwrap(),
        RefreshUse::ReuseDetected {
            grant_id: "g1".to_owned()
        }
    );
}

#[test]
fn with_no_grace_period_any_reuse_is_detected() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    let reuse = RefreshUse::ReuseDetected {
        grant_id: "g1".to_owned(),
    };
    assert_eq!(store.use_refresh("r1", NOW + 60, 0).unwrap(), reuse);
    assert_eq!(store.use_refresh("r1", NOW + 60, -5).unwrap(), reuse);
}

#[test]
fn reuse_detection_then_family_revocation_kills_the_newest_token_too() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    rotate(&store, "r2", "r3", NOW + 120);
    let RefreshUse::ReuseDetected { grant_id } = store.use_refresh("r1", NOW + 500, GRACE).unwrap() else {
        panic!("expected reuse detection");
    };
    store.revoke_grant(&grant_id, NOW + 500).unwrap();
    assert_eq!(store.use_refresh("r3", NOW + 501, GRACE).unwrap(), RefreshUse::Revoked);
    let (_, state) = store.find_refresh("r3", NOW + 501).unwrap().unwrap();
    assert_eq!(state, RefreshState::Revoked);
}

#[test]
fn two_racing_rotations_of_one_token_store_exactly_one_child() {
    let store = store_with_token("r1");
    let outcomes: Vec<Rotation> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["r2a", "r2b"]
            .into_iter()
            .map(|new| {
                let store = &store;
                scope.spawn(move || {
                    let child = refresh_record("g1", NOW + 60);
                    store.rotate_refresh("r1", new, &child, NOW + 60).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners = outcomes.iter().filter(|o| **o == Rotation::Rotated).count();
    assert_eq!(winners, 1);
    assert!(outcomes.contains(&Rotation::AlreadyRotated { rotated_at: NOW + 60 }));
    let children = ["r2a", "r2b"]
        .iter()
        .filter(|hash| store.find_refresh(hash, NOW + 61).unwrap().is_some())
        .count();
    assert_eq!(children, 1);
}

#[test]
fn rotating_an_already_rotated_token_stores_nothing_and_says_when() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    let late = store.rotate_refresh("r1", "r3", &refresh_record("g1", NOW + 70), NOW + 70);
    assert_eq!(late.unwrap(), Rotation::AlreadyRotated { rotated_at: NOW + 60 });
    assert_eq!(store.find_refresh("r3", NOW + 70).unwrap(), None);
}

#[test]
fn rotating_an_unknown_revoked_or_expired_token_stores_nothing() {
    let store = store_with_token("r1");
    let child = refresh_record("g1", NOW + 1);
    assert_eq!(
        store.rotate_refresh("nope", "c1", &child, NOW + 1).unwrap(),
        Rotation::Inactive
    );
    let too_late = NOW + 31 * 86_400;
    assert_eq!(
        store.rotate_refresh("r1", "c2", &child, too_late).unwrap(),
        Rotation::Inactive
    );
    assert!(store.revoke_refresh("r1", NOW + 2).unwrap());
    assert_eq!(
        store.rotate_refresh("r1", "c3", &child, NOW + 3).unwrap(),
        Rotation::Inactive
    );
    for hash in ["c1", "c2", "c3"] {
        assert_eq!(store.find_refresh(hash, NOW + 3).unwrap(), None);
    }
}

#[test]
fn rotation_into_another_grant_is_refused() {
    let store = store_with_token("r1");
    let stranger = refresh_record("g2", NOW + 1);
    let result = store.rotate_refresh("r1", "r2", &stranger, NOW + 1);
    assert!(matches!(result, Err(StoreError::GrantMismatch)));
    assert!(matches!(
        store.use_refresh("r1", NOW + 2, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
}

#[test]
fn a_token_expires_after_its_absolute_expiry_instant() {
    let store = Store::open_in_memory().unwrap();
    let patient = RefreshRecord {
        idle_window: 40 * 86_400,
        ..refresh_record("g1", NOW)
    };
    store.insert_refresh("r1", &patient).unwrap();
    let end = NOW + 30 * 86_400;
    assert!(matches!(
        store.use_refresh("r1", end, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
    assert_eq!(store.use_refresh("r1", end + 1, GRACE).unwrap(), RefreshUse::Expired);
}

#[test]
fn an_idle_token_expires_and_touching_it_restarts_the_idle_window() {
    let store = store_with_token("r1");
    let window = 7 * 86_400;
    assert!(store.touch_refresh("r1", NOW + window).unwrap());
    let idle_end = NOW + 2 * window;
    assert!(matches!(
        store.use_refresh("r1", idle_end, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
    assert_eq!(
        store.use_refresh("r1", idle_end + 1, GRACE).unwrap(),
        RefreshUse::Expired
    );
    assert!(!store.touch_refresh("r1", idle_end + 1).unwrap());
}

#[test]
fn touching_never_moves_the_last_use_backwards() {
    let store = store_with_token("r1");
    store.touch_refresh("r1", NOW + 100).unwrap();
    store.touch_refresh("r1", NOW + 50).unwrap();
    let idle_end = NOW + 100 + 7 * 86_400;
    assert!(matches!(
        store.use_refresh("r1", idle_end, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
}

#[test]
fn a_rotated_token_cannot_be_touched() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    assert!(!store.touch_refresh("r1", NOW + 61).unwrap());
}

#[test]
fn a_rotated_token_past_its_idle_window_after_rotation_is_expired_not_reused() {
    let store = store_with_token("r1");
    rotate(&store, "r1", "r2", NOW + 60);
    let idle_end = NOW + 60 + 7 * 86_400;
    let reuse = RefreshUse::ReuseDetected {
        grant_id: "g1".to_owned(),
    };
    assert_eq!(store.use_refresh("r1", idle_end, GRACE).unwrap(), reuse);
    assert_eq!(
        store.use_refresh("r1", idle_end + 1, GRACE).unwrap(),
        RefreshUse::Expired
    );
}

#[test]
fn a_revoked_token_is_revoked_but_its_family_lives_on() {
    let store = store_with_token("r1");
    store.insert_refresh("r9", &refresh_record("g1", NOW)).unwrap();
    assert!(store.revoke_refresh("r1", NOW + 1).unwrap());
    assert_eq!(store.use_refresh("r1", NOW + 2, GRACE).unwrap(), RefreshUse::Revoked);
    assert!(!store.grant_revoked("g1").unwrap());
    assert!(matches!(
        store.use_refresh("r9", NOW + 2, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
}

#[test]
fn an_unlimited_token_with_a_huge_idle_window_stays_active_and_is_not_purged() {
    let store = Store::open_in_memory().unwrap();
    let forever = RefreshRecord {
        absolute_expiry: None,
        idle_window: i64::MAX,
        ..refresh_record("g1", NOW)
    };
    store.insert_refresh("r1", &forever).unwrap();
    let far = NOW + 100 * 365 * 86_400;
    assert!(matches!(
        store.use_refresh("r1", far, GRACE).unwrap(),
        RefreshUse::Active(_)
    ));
    assert_eq!(store.purge_expired(far).unwrap(), 0);
    assert!(store.find_refresh("r1", far).unwrap().is_some());
}

#[test]
fn a_client_only_token_keeps_its_missing_user() {
    let store = Store::open_in_memory().unwrap();
    let machine = RefreshRecord {
        user_id: None,
        scopes: Vec::new(),
        ..refresh_record("g1", NOW)
    };
    store.insert_refresh("r1", &machine).unwrap();
    assert_eq!(
        store.use_refresh("r1", NOW, GRACE).unwrap(),
        RefreshUse::Active(machine)
    );
}

#[test]
fn a_refresh_token_hash_cannot_be_inserted_twice() {
    let store = store_with_token("r1");
    let again = store.insert_refresh("r1", &refresh_record("g1", NOW));
    assert!(matches!(again, Err(StoreError::Duplicate)));
}
