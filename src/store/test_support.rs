//! Fixtures shared by the store's tests: sample records and self-deleting database files.
//! Allowed imports: std, serde_json, the store module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{CodeRecord, RefreshRecord};

/// A fixed "now" for tests (2025-01-01T00:00:00Z).
pub(super) const NOW: i64 = 1_735_689_600;

/// A directory under the system temp dir, unique per process and call, removed on drop.
pub(super) struct TempDb {
    dir: PathBuf,
}

impl TempDb {
    pub(super) fn new(name: &str) -> TempDb {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("portcullis-store-{}-{name}-{unique}", std::process::id()));
        TempDb { dir }
    }

    /// The database file, inside a not-yet-existing subdirectory.
    pub(super) fn path(&self) -> PathBuf {
        self.dir.join("state").join("issuer.db")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A code for `grant_id`, valid for 300 s from [`NOW`].
pub(super) fn code_record(grant_id: &str) -> CodeRecord {
    CodeRecord {
        server: "default".to_owned(),
        client_id: "spa".to_owned(),
        user_id: "alice".to_owned(),
        redirect_uri: "https://app.example/callback".to_owned(),
        scopes: vec!["openid".to_owned(), "offline_access".to_owned()],
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
        auth_time: NOW - 10,
        session_id: None,
        grant_id: grant_id.to_owned(),
        expires_at: NOW + 300,
        extra: serde_json::json!({ "code_challenge_method": "S256" }),
    }
}

/// A refresh token of `grant_id` issued at `issued_at`: 7-day idle window, 30-day family.
pub(super) fn refresh_record(grant_id: &str, issued_at: i64) -> RefreshRecord {
    RefreshRecord {
        server: "default".to_owned(),
        client_id: "spa".to_owned(),
        user_id: Some("alice".to_owned()),
        scopes: vec!["openid".to_owned(), "offline_access".to_owned()],
        grant_id: grant_id.to_owned(),
        auth_time: NOW - 10,
        issued_at,
        absolute_expiry: Some(NOW + 30 * 86_400),
        idle_window: 7 * 86_400,
    }
}
