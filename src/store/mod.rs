//! Persistence: one SQLite file holding the embedded issuer's signing keys, authorization
//! codes, grants, refresh tokens, access-token state and browser sessions, and the APIs
//! written through the admin API (`admin.rs`).
//!
//! Invariants:
//! - Only hashes of secrets are stored: callers pass `code_hash`, `token_hash` and
//!   `session_hash` already hashed; raw codes, refresh tokens and session cookies never reach
//!   the store.
//! - Time is always an argument (`now`, Unix seconds); the store never reads the clock.
//! - Every public method takes the connection lock once and is short and synchronous. Methods
//!   that read and then write run in one IMMEDIATE transaction, so they are atomic against
//!   other threads and against other processes using the same file.
//! - An instant `t` is past an `expires_at` when `t >= expires_at` (JWT `exp` semantics) for
//!   codes, access tokens and sessions. Refresh tokens follow the issuer spec literally: expired
//!   when `now > absolute_expiry` or `now > last_used_at + idle_window`.
//! - A poisoned lock is recovered, never turned into a panic: SQLite rolls back any
//!   transaction a panicking holder left open.
//!
//! # Schema (version 1, see `schema.rs`)
//!
//! All tables are `STRICT`; times are Unix seconds; scope lists are JSON arrays of strings.
//!
//! - `signing_keys(server, position, record)`: the key set of each authorization server.
//!   `record` is the caller's JSON key record (opaque here); `position` keeps the caller's
//!   order (e.g. active key first) across a reload.
//! - `grants(grant_id, revoked_at)`: one token family (a sign-in of a user to a client, and its
//!   refresh chain). Created on first use by any code or token. `revoked_at` makes every token
//!   of the family inactive, and refuses new codes and tokens in it.
//! - `auth_codes`: `code_hash` (key); `grant_id` (the family to revoke on replay);
//!   `server`, `client_id`, `user_id`, `redirect_uri`, `scopes`, `nonce`, `code_challenge`,
//!   `auth_time`, `session_id`, `extra` (JSON) are the request the code stands for, checked at
//!   `/token` and copied into tokens; `expires_at` (300 s lifetime); `consumed_at` is set by
//!   the single successful redemption (the atomic compare-and-set of A-09) and keeps a replay
//!   recognisable until the row is purged one hour after `expires_at`.
//! - `refresh_tokens`: `token_hash` (key); `grant_id` (family); `server`, `client_id`,
//!   `user_id` (NULL for client-only grants), `scopes`, `auth_time` are what a refresh may
//!   re-issue; `issued_at`; `absolute_expiry` (NULL = unlimited; rotation copies it forward);
//!   `idle_window` (seconds allowed between uses); `last_used_at` (starts at `issued_at`,
//!   advanced by STATIC-client use and by rotation); `rotated_at` (set once when a child
//!   replaces it: drives the D13 grace period and reuse detection); `revoked_at`.
//! - `access_tokens(jti, grant_id, client_id, expires_at, revoked_at)`: state for
//!   introspection, userinfo and revocation of otherwise stateless JWTs; `client_id` lets the
//!   revocation endpoint check ownership; `grant_id` lets a family revocation reach them.
//! - `sessions(session_hash, user_id, auth_time, expires_at)`: browser sign-in sessions;
//!   `auth_time` feeds `max_age` checks and the `auth_time` claim; `user_id` is indexed to end
//!   all of a user's sessions at once.
//!
//! - `admin_apis(api_id, seq, record)`: one admin-API API per row; `record` is the admin
//!   module's JSON (opaque here); `seq` keeps creation order.
//! - `admin_generation(id = 1, value)`: bumped by every admin-API write (schema version 2).
//!
//! Foreign keys tie codes and tokens to their grant; [`Store::purge_expired`] deletes the
//! children first and a grant only once nothing refers to it.
//!
//! May import: std, rusqlite, serde, serde_json. Nothing else from the crate: the store keeps
//! opaque strings, JSON text and integers.

mod admin;
mod error;
mod issuer;
mod refresh;
mod schema;
mod session;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use admin::AdminChange;
pub use error::StoreError;
pub use issuer::{AccessTokenRecord, CODE_REPLAY_WINDOW_SECS, CodeRecord, Redeem};
pub use refresh::{RefreshRecord, RefreshState, RefreshUse, Rotation};
pub use schema::SCHEMA_VERSION;
pub use session::SessionRecord;

/// How long SQLite waits for another process's lock before failing with "database is busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Grants that no code or token refers to any more.
const ORPHAN_GRANTS: &str = "DELETE FROM grants
    WHERE NOT EXISTS (SELECT 1 FROM auth_codes c WHERE c.grant_id = grants.grant_id)
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.grant_id)
      AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.grant_id)";

/// The issuer's persistent state: one SQLite connection behind a mutex.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`: parent directories are created
    /// (mode 0700 on Unix), a new file gets mode 0600, the journal is WAL, the busy timeout is
    /// 5 s, foreign keys are enforced and pending schema migrations are applied.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        prepare_file(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        Self::init(conn)
    }

    /// Opens a private in-memory database with the full schema (for tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::user_version(&self.lock())
    }

    /// Deletes what can no longer matter and returns how many rows went: codes one hour
    /// ([`CODE_REPLAY_WINDOW_SECS`]) after their expiry, expired sessions and access-token
    /// rows, refresh tokens past their absolute or idle expiry, then grants nothing refers to.
    pub fn purge_expired(&self, now: i64) -> Result<usize, StoreError> {
        let code_cutoff = now.saturating_sub(CODE_REPLAY_WINDOW_SECS);
        let statements = [
            ("DELETE FROM auth_codes WHERE expires_at <= ?1", code_cutoff),
            ("DELETE FROM sessions WHERE expires_at <= ?1", now),
            ("DELETE FROM access_tokens WHERE expires_at <= ?1", now),
            (
                "DELETE FROM refresh_tokens
                 WHERE (absolute_expiry IS NOT NULL AND ?1 > absolute_expiry)
                    OR ?1 > last_used_at + idle_window",
                now,
            ),
        ];
        self.write(|tx| {
            let mut removed = 0;
            for (sql, cutoff) in statements {
                removed += tx.execute(sql, [cutoff])?;
            }
            Ok(removed + tx.execute(ORPHAN_GRANTS, [])?)
        })
    }

    /// The connection, recovering it if another thread panicked while holding the lock.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` in one IMMEDIATE transaction, committing on `Ok` and rolling back on `Err`.
    fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Creates the parent directories and the file itself with owner-only permissions: the file
/// holds private signing keys and token hashes.
fn prepare_file(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    Ok(())
}

/// Encodes a scope list as a JSON array.
fn encode_scopes(scopes: &[String]) -> Result<String, StoreError> {
    Ok(serde_json::to_string(scopes)?)
}

/// Reads a JSON-encoded column, reporting a decoding failure as a column conversion error.
fn json_column<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err)))
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
