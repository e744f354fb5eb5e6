//! Tests of signing keys, authorization codes (A-08, A-09, A-10), grants and access tokens.
//! Allowed imports: std, serde_json, the store module and its test fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::test_support::{NOW, TempDb, code_record, refresh_record};
use super::super::{RefreshUse, Store, StoreError};
use super::*;

fn store_with_code(code_hash: &str, grant_id: &str) -> Store {
    let store = Store::open_in_memory().unwrap();
    store.insert_code(code_hash, &code_record(grant_id)).unwrap();
    store
}

fn count_fresh(outcomes: &[Redeem]) -> usize {
    outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Redeem::Fresh(_)))
        .count()
}

#[test]
fn a_fresh_code_is_redeemed_with_its_full_record() {
    let store = store_with_code("h1", "g1");
    assert_eq!(
        store.redeem_code("h1", NOW).unwrap(),
        Redeem::Fresh(Box::new(code_record("g1")))
    );
}

#[test]
fn twenty_threads_redeeming_one_code_get_exactly_one_fresh() {
    let store = store_with_code("h1", "g1");
    let outcomes: Vec<Redeem> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| scope.spawn(|| store.redeem_code("h1", NOW + 1).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(count_fresh(&outcomes), 1);
    let replays = outcomes
        .iter()
        .filter(|o| {
            **o == Redeem::Replayed {
                grant_id: "g1".to_owned(),
            }
        })
        .count();
    assert_eq!(replays, 19);
}

#[test]
fn twenty_connections_to_one_file_redeeming_one_code_get_exactly_one_fresh() {
    let temp = TempDb::new("code-race");
    let stores: Vec<Store> = (0..20).map(|_| Store::open(&temp.path()).unwrap()).collect();
    stores[0].insert_code("h1", &code_record("g1")).unwrap();
    let outcomes: Vec<Redeem> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .iter()
            .map(|store| scope.spawn(move || store.redeem_code("h1", NOW + 1).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(count_fresh(&outcomes), 1);
}

#[test]
fn a_second_redemption_is_a_replay_that_names_the_grant() {
    let store = store_with_code("h1", "g1");
    assert!(matches!(store.redeem_code("h1", NOW).unwrap(), Redeem::Fresh(_)));
    assert_eq!(
        store.redeem_code("h1", NOW + 5).unwrap(),
        Redeem::Replayed {
            grant_id: "g1".to_owned()
        }
    );
}

#[test]
fn a_replay_after_the_code_expired_is_still_reported_as_a_replay() {
    let store = store_with_code("h1", "g1");
    store.redeem_code("h1", NOW).unwrap();
    assert_eq!(
        store.redeem_code("h1", NOW + 3000).unwrap(),
        Redeem::Replayed {
            grant_id: "g1".to_owned()
        }
    );
}

#[test]
fn a_code_is_expired_from_its_expiry_instant_on() {
    let late = store_with_code("h1", "g1");
    assert_eq!(late.redeem_code("h1", NOW + 300).unwrap(), Redeem::Expired);
    assert_eq!(late.redeem_code("h1", NOW + 301).unwrap(), Redeem::Expired);
    let just_in_time = store_with_code("h1", "g1");
    let outcome = just_in_time.redeem_code("h1", NOW + 299).unwrap();
    assert!(matches!(outcome, Redeem::Fresh(_)));
}

#[test]
fn an_unknown_code_is_unknown() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.redeem_code("nope", NOW).unwrap(), Redeem::Unknown);
}

#[test]
fn a_code_hash_cannot_be_inserted_twice() {
    let store = store_with_code("h1", "g1");
    let again = store.insert_code("h1", &code_record("g2"));
    assert!(matches!(again, Err(StoreError::Duplicate)));
}

#[test]
fn a_replay_revocation_kills_the_first_redemptions_tokens_and_refuses_new_ones() {
    let store = store_with_code("h1", "g1");
    store.redeem_code("h1", NOW).unwrap();
    store.insert_refresh("r1", &refresh_record("g1", NOW)).unwrap();
    store.record_access_token("jti-1", "g1", "spa", NOW + 3600).unwrap();
    let Redeem::Replayed { grant_id } = store.redeem_code("h1", NOW + 2).unwrap() else {
        panic!("expected a replay");
    };
    assert_eq!(store.revoke_grant(&grant_id, NOW + 2).unwrap(), 2);
    assert!(store.grant_revoked("g1").unwrap());
    assert!(!store.access_token_active("jti-1", NOW + 3).unwrap());
    assert_eq!(store.use_refresh("r1", NOW + 3, 30).unwrap(), RefreshUse::Revoked);
    let late = store.insert_refresh("r2", &refresh_record("g1", NOW + 3));
    assert!(matches!(late, Err(StoreError::GrantRevoked)));
    let late_at = store.record_access_token("jti-2", "g1", "spa", NOW + 3600);
    assert!(matches!(late_at, Err(StoreError::GrantRevoked)));
}

#[test]
fn revoking_a_grant_consumes_its_unused_codes() {
    let store = store_with_code("h1", "g1");
    store.revoke_grant("g1", NOW).unwrap();
    assert_eq!(
        store.redeem_code("h1", NOW + 1).unwrap(),
        Redeem::Replayed {
            grant_id: "g1".to_owned()
        }
    );
}

#[test]
fn revoking_a_grant_is_idempotent_and_works_before_the_grant_exists() {
    let store = Store::open_in_memory().unwrap();
    assert!(!store.grant_revoked("g9").unwrap());
    assert_eq!(store.revoke_grant("g9", NOW).unwrap(), 0);
    assert_eq!(store.revoke_grant("g9", NOW + 1).unwrap(), 0);
    assert!(store.grant_revoked("g9").unwrap());
    let code = store.insert_code("h9", &code_record("g9"));
    assert!(matches!(code, Err(StoreError::GrantRevoked)));
}

#[test]
fn an_access_token_is_active_until_its_expiry_instant() {
    let store = Store::open_in_memory().unwrap();
    store.record_access_token("jti-1", "g1", "spa", NOW + 600).unwrap();
    assert!(store.access_token_active("jti-1", NOW).unwrap());
    assert!(store.access_token_active("jti-1", NOW + 599).unwrap());
    assert!(!store.access_token_active("jti-1", NOW + 600).unwrap());
}

#[test]
fn an_unknown_access_token_is_inactive_and_cannot_be_revoked() {
    let store = Store::open_in_memory().unwrap();
    assert!(!store.access_token_active("ghost", NOW).unwrap());
    assert!(!store.revoke_access_token("ghost", NOW).unwrap());
    assert_eq!(store.find_access_token("ghost").unwrap(), None);
}

#[test]
fn a_revoked_access_token_is_inactive_but_still_found_with_its_client() {
    let store = Store::open_in_memory().unwrap();
    store.record_access_token("jti-1", "g1", "spa", NOW + 600).unwrap();
    assert!(store.revoke_access_token("jti-1", NOW).unwrap());
    assert!(!store.access_token_active("jti-1", NOW + 1).unwrap());
    let found = store.find_access_token("jti-1").unwrap().unwrap();
    assert_eq!(found.client_id, "spa");
    assert!(found.revoked);
}

#[test]
fn a_jti_cannot_be_recorded_twice() {
    let store = Store::open_in_memory().unwrap();
    store.record_access_token("jti-1", "g1", "spa", NOW + 600).unwrap();
    let again = store.record_access_token("jti-1", "g2", "web", NOW + 600);
    assert!(matches!(again, Err(StoreError::Duplicate)));
}

#[test]
fn replacing_keys_swaps_the_whole_set_in_order_for_that_server_only() {
    let store = Store::open_in_memory().unwrap();
    let first = vec![r#"{"kid":"a"}"#.to_owned(), r#"{"kid":"b"}"#.to_owned()];
    store.replace_keys("default", &first).unwrap();
    store.replace_keys("other", &[r#"{"kid":"x"}"#.to_owned()]).unwrap();
    let second = vec![r#"{"kid":"c"}"#.to_owned(), r#"{"kid":"a"}"#.to_owned()];
    store.replace_keys("default", &second).unwrap();
    assert_eq!(store.load_keys("default").unwrap(), second);
    assert_eq!(store.load_keys("other").unwrap().len(), 1);
    store.replace_keys("default", &[]).unwrap();
    assert!(store.load_keys("default").unwrap().is_empty());
    assert!(store.load_keys("unknown").unwrap().is_empty());
}
