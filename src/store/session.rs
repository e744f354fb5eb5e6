//! Browser sign-in sessions of the issuer, keyed by the hash of the session cookie.
//!
//! Invariant: a session is usable while `now < expires_at`; an expired one is never returned,
//! even before [`Store::purge_expired`] removes it.
//!
//! May import: std, rusqlite, `super::*`.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// A live browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The signed-in user.
    pub user_id: String,
    /// When the user authenticated (Unix seconds): `auth_time` claim and `max_age` checks.
    pub auth_time: i64,
    /// First instant (Unix seconds) at which the session is over.
    pub expires_at: i64,
}

impl Store {
    /// Stores a new session. Fails with [`StoreError::Duplicate`] if the hash exists.
    pub fn create_session(
        &self,
        session_hash: &str,
        user_id: &str,
        auth_time: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO sessions (session_hash, user_id, auth_time, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![session_hash, user_id, auth_time, expires_at],
        )?;
        Ok(())
    }

    /// The session if it exists and has not expired at `now`.
    pub fn session(&self, session_hash: &str, now: i64) -> Result<Option<SessionRecord>, StoreError> {
        let found = self
            .lock()
            .query_row(
                "SELECT user_id, auth_time, expires_at FROM sessions
                 WHERE session_hash = ?1 AND ?2 < expires_at",
                params![session_hash, now],
                |row| {
                    Ok(SessionRecord {
                        user_id: row.get(0)?,
                        auth_time: row.get(1)?,
                        expires_at: row.get(2)?,
                    })
                },
            )
            .optional()?;
        Ok(found)
    }

    /// Ends one session (sign-out). Returns whether it existed.
    pub fn delete_session(&self, session_hash: &str) -> Result<bool, StoreError> {
        let deleted = self
            .lock()
            .execute("DELETE FROM sessions WHERE session_hash = ?1", [session_hash])?;
        Ok(deleted > 0)
    }

    /// Ends every session of a user. Returns how many there were.
    pub fn delete_user_sessions(&self, user_id: &str) -> Result<usize, StoreError> {
        Ok(self
            .lock()
            .execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?)
    }
}
