//! Tests of opening, migrating and persisting the store, of sessions and of housekeeping.
//! Allowed imports: std, rusqlite, the store module and its test fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::test_support::{NOW, TempDb, code_record, refresh_record};
use super::*;

#[test]
fn a_new_database_gets_the_current_schema_version() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn opening_creates_missing_directories_and_a_private_wal_database() {
    let temp = TempDb::new("open");
    let store = Store::open(&temp.path()).unwrap();
    let mode: String = store
        .lock()
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(temp.path()).unwrap().permissions();
        assert_eq!(perms.mode() & 0o777, 0o600);
    }
}

#[test]
fn state_survives_closing_and_reopening_the_file() {
    let temp = TempDb::new("persist");
    let keys = vec![r#"{"kid":"k1","d":"secret"}"#.to_owned()];
    {
        let store = Store::open(&temp.path()).unwrap();
        store.replace_keys("default", &keys).unwrap();
        store.insert_refresh("r1", &refresh_record("g1", NOW)).unwrap();
        store.create_session("s1", "alice", NOW - 10, NOW + 3600).unwrap();
        store.insert_code("h1", &code_record("g1")).unwrap();
        store.redeem_code("h1", NOW).unwrap();
    }
    let store = Store::open(&temp.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.load_keys("default").unwrap(), keys);
    assert_eq!(
        store.use_refresh("r1", NOW + 1, 30).unwrap(),
        RefreshUse::Active(refresh_record("g1", NOW))
    );
    let session = store.session("s1", NOW + 1).unwrap().unwrap();
    assert_eq!(session.user_id, "alice");
    assert_eq!(
        store.redeem_code("h1", NOW + 1).unwrap(),
        Redeem::Replayed {
            grant_id: "g1".to_owned()
        }
    );
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let temp = TempDb::new("too-new");
    drop(Store::open(&temp.path()).unwrap());
    let raw = rusqlite::Connection::open(temp.path()).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(raw);
    let refused = Store::open(&temp.path());
    assert!(matches!(
        refused,
        Err(StoreError::SchemaTooNew { found, supported })
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
    ));
}

#[test]
fn a_poisoned_lock_is_recovered_instead_of_panicking() {
    let store = Store::open_in_memory().unwrap();
    let crashed = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let _guard = store.lock();
                panic!("simulated crash while holding the store lock");
            })
            .join()
    });
    assert!(crashed.is_err());
    store.create_session("s1", "alice", NOW, NOW + 60).unwrap();
    assert!(store.session("s1", NOW).unwrap().is_some());
}

#[test]
fn a_session_is_returned_until_its_expiry_instant() {
    let store = Store::open_in_memory().unwrap();
    store.create_session("s1", "alice", NOW - 5, NOW + 60).unwrap();
    let expected = SessionRecord {
        user_id: "alice".to_owned(),
        auth_time: NOW - 5,
        expires_at: NOW + 60,
    };
    assert_eq!(store.session("s1", NOW + 59).unwrap(), Some(expected));
    assert_eq!(store.session("s1", NOW + 60).unwrap(), None);
    assert_eq!(store.session("unknown", NOW).unwrap(), None);
}

#[test]
fn sessions_can_be_ended_one_at_a_time_or_per_user() {
    let store = Store::open_in_memory().unwrap();
    for (hash, user) in [("s1", "alice"), ("s2", "alice"), ("s3", "bob")] {
        store.create_session(hash, user, NOW, NOW + 60).unwrap();
    }
    assert!(store.delete_session("s1").unwrap());
    assert!(!store.delete_session("s1").unwrap());
    store.create_session("s4", "alice", NOW, NOW + 60).unwrap();
    assert_eq!(store.delete_user_sessions("alice").unwrap(), 2);
    assert!(store.session("s3", NOW).unwrap().is_some());
}

#[test]
fn a_session_hash_cannot_be_created_twice() {
    let store = Store::open_in_memory().unwrap();
    store.create_session("s1", "alice", NOW, NOW + 60).unwrap();
    let again = store.create_session("s1", "bob", NOW, NOW + 60);
    assert!(matches!(again, Err(StoreError::Duplicate)));
}

#[test]
fn purging_keeps_a_consumed_code_for_an_hour_after_its_expiry() {
    let store = Store::open_in_memory().unwrap();
    store.insert_code("h1", &code_record("g1")).unwrap();
    store.redeem_code("h1", NOW).unwrap();
    let expiry = NOW + 300;
    assert_eq!(store.purge_expired(expiry + CODE_REPLAY_WINDOW_SECS - 1).unwrap(), 0);
    assert!(matches!(
        store.redeem_code("h1", expiry + 3599).unwrap(),
        Redeem::Replayed { .. }
    ));
    // The code and then its now unreferenced grant.
    assert_eq!(store.purge_expired(expiry + CODE_REPLAY_WINDOW_SECS).unwrap(), 2);
    assert_eq!(store.redeem_code("h1", expiry + 3600).unwrap(), Redeem::Unknown);
}

#[test]
fn purging_removes_expired_rows_and_keeps_live_ones() {
    let store = Store::open_in_memory().unwrap();
    store.create_session("s-old", "alice", NOW, NOW + 10).unwrap();
    store.create_session("s-new", "alice", NOW, NOW + 1000).unwrap();
    store.record_access_token("jti-old", "g1", "spa", NOW + 10).unwrap();
    store.record_access_token("jti-new", "g1", "spa", NOW + 1000).unwrap();
    let short = RefreshRecord {
        idle_window: 10,
        ..refresh_record("g2", NOW)
    };
    store.insert_refresh("r-old", &short).unwrap();
    store.insert_refresh("r-new", &refresh_record("g1", NOW)).unwrap();
    // Old session, old access token, old refresh token, and grant g2 left without rows.
    assert_eq!(store.purge_expired(NOW + 11).unwrap(), 4);
    assert!(store.session("s-new", NOW + 11).unwrap().is_some());
    assert!(store.access_token_active("jti-new", NOW + 11).unwrap());
    assert!(store.find_access_token("jti-old").unwrap().is_none());
    assert!(store.find_refresh("r-old", NOW + 11).unwrap().is_none());
    assert!(store.find_refresh("r-new", NOW + 11).unwrap().is_some());
    assert_eq!(store.purge_expired(NOW + 11).unwrap(), 0);
}

#[test]
fn errors_describe_themselves() {
    let too_new = StoreError::SchemaTooNew { found: 9, supported: 1 };
    assert_eq!(
        too_new.to_string(),
        "store schema version 9 is newer than the supported version 1"
    );
    assert_eq!(StoreError::GrantRevoked.to_string(), "grant is revoked");
    let io = StoreError::from(std::io::Error::other("disk full"));
    assert!(std::error::Error::source(&io).is_some());
}
