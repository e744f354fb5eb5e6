//! Refresh tokens: rotation with reuse detection (RFC 9700 §4.14, Okta rotation, A-13, D13).
//!
//! Invariants:
//! - A token's state has a fixed precedence: revoked (token or grant) > expired > rotated >
//!   active. Expired means `now > absolute_expiry` or `now > last_used_at + idle_window`.
//! - Rotation marks the old token rotated and inserts its child in ONE transaction, and only
//!   if the old token was still active: of two racing rotations exactly one wins, the other
//!   gets [`Rotation::AlreadyRotated`] and decides by the grace rule (D13).
//! - A rotated token counts as used at its rotation (`last_used_at = rotated_at`), so it is
//!   remembered for reuse detection for its idle window after rotation; after that it is
//!   plainly expired (and purged), never a reuse signal.
//! - The store only reports reuse; revoking the family is the caller's call
//!   ([`Store::revoke_grant`]).
//!
//! May import: std, rusqlite, `super::*`.

use rusqlite::{Connection, OptionalExtension, params};

use super::issuer::ensure_grant_open;
use super::{Store, StoreError, encode_scopes, json_column};

/// What a refresh token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// Authorization server (issuer) the token belongs to.
    pub server: String,
    /// Client the token was issued to.
    pub client_id: String,
    /// Resource owner; `None` for a grant without a user.
    pub user_id: Option<String>,
    /// Scopes a refresh may re-issue (at most).
    pub scopes: Vec<String>,
    /// Token family.
    pub grant_id: String,
    /// When the user authenticated (Unix seconds).
    pub auth_time: i64,
    /// When this token was issued (Unix seconds); the idle window starts here.
    pub issued_at: i64,
    /// Hard end of the family (Unix seconds); `None` = unlimited. Rotation keeps it.
    pub absolute_expiry: Option<i64>,
    /// Seconds allowed between uses before the token expires.
    pub idle_window: i64,
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// Usable: rotate it (ROTATE clients) or touch it (STATIC clients).
    Active(RefreshRecord),
    /// Rotated less than the grace period ago: may be used once more (D13).
    ReusedWithinGrace(RefreshRecord),
    /// Rotated longer ago than the grace period: the caller revokes the family.
    ReuseDetected {
        /// The family to revoke.
        grant_id: String,
    },
    /// Past its absolute expiry or idle window.
    Expired,
    /// The token or its grant is revoked.
    Revoked,
    /// No such token.
    Unknown,
}

/// The state of a stored refresh token at some instant (for introspection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshState {
    /// Usable.
    Active,
    /// Replaced by a child at `rotated_at`.
    Rotated {
        /// When it was rotated (Unix seconds).
        rotated_at: i64,
    },
    /// Past its absolute expiry or idle window.
    Expired,
    /// The token or its grant is revoked.
    Revoked,
}

/// The outcome of [`Store::rotate_refresh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The old token is now rotated and the new one stored.
    Rotated,
    /// Someone rotated the old token first, at `rotated_at`; nothing was stored.
    AlreadyRotated {
        /// When the winning rotation happened (Unix seconds).
        rotated_at: i64,
    },
    /// The old token is unknown, expired or revoked; nothing was stored.
    Inactive,
}

/// A stored token with its mutable state.
struct RefreshRow {
    record: RefreshRecord,
    last_used_at: i64,
    rotated_at: Option<i64>,
    revoked: bool,
}

impl RefreshRow {
    fn expired(&self, now: i64) -> bool {
        let idle_end = self.last_used_at.saturating_add(self.record.idle_window);
        self.record.absolute_expiry.is_some_and(|end| now > end) || now > idle_end
    }

    fn state(&self, now: i64) -> RefreshState {
        if self.revoked {
            RefreshState::Revoked
        } else if self.expired(now) {
            RefreshState::Expired
        } else if let Some(rotated_at) = self.rotated_at {
            RefreshState::Rotated { rotated_at }
        } else {
            RefreshState::Active
        }
    }
}

impl Store {
    /// Stores a new refresh token under its hash (`last_used_at` starts at `issued_at`).
    /// Fails with [`StoreError::Duplicate`] or [`StoreError::GrantRevoked`].
    pub fn insert_refresh(&self, token_hash: &str, record: &RefreshRecord) -> Result<(), StoreError> {
        self.write(|tx| insert_row(tx, token_hash, record))
    }

    /// Classifies a presented refresh token at `now`. `grace_secs` is the client's rotation
    /// grace period (D13; negative counts as 0): a token rotated at `r` is
    /// [`RefreshUse::ReusedWithinGrace`] while `now < r + grace_secs`.
    pub fn use_refresh(&self, token_hash: &str, now: i64, grace_secs: i64) -> Result<RefreshUse, StoreError> {
        let Some(row) = load_row(&self.lock(), token_hash)? else {
            return Ok(RefreshUse::Unknown);
        };
        Ok(match row.state(now) {
            RefreshState::Revoked => RefreshUse::Revoked,
            RefreshState::Expired => RefreshUse::Expired,
            RefreshState::Active => RefreshUse::Active(row.record),
            RefreshState::Rotated { rotated_at } => {
                if now < rotated_at.saturating_add(grace_secs.max(0)) {
                    RefreshUse::ReusedWithinGrace(row.record)
                } else {
                    RefreshUse::ReuseDetected {
                        grant_id: row.record.grant_id,
                    }
                }
            }
        })
    }

    /// Atomically marks `old_hash` rotated at `now` and stores `new_hash`, only if the old
    /// token is still active. The new token must stay in the old token's grant
    /// ([`StoreError::GrantMismatch`] otherwise).
    pub fn rotate_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
        new_record: &RefreshRecord,
        now: i64,
    ) -> Result<Rotation, StoreError> {
        self.write(|tx| {
            let Some(old) = load_row(tx, old_hash)? else {
                return Ok(Rotation::Inactive);
            };
            if old.record.grant_id != new_record.grant_id {
                return Err(StoreError::GrantMismatch);
            }
            match old.state(now) {
                RefreshState::Revoked | RefreshState::Expired => Ok(Rotation::Inactive),
                RefreshState::Rotated { rotated_at } => Ok(Rotation::AlreadyRotated { rotated_at }),
                RefreshState::Active => {
                    tx.execute(
                        "UPDATE refresh_tokens
                         SET rotated_at = ?2, last_used_at = MAX(last_used_at, ?2)
                         WHERE token_hash = ?1",
                        params![old_hash, now],
                    )?;
                    insert_row(tx, new_hash, new_record)?;
                    Ok(Rotation::Rotated)
                }
            }
        })
    }

    /// Records a use of a non-rotating (STATIC) token, restarting its idle window. Returns
    /// false (and changes nothing) unless the token is active at `now`.
    pub fn touch_refresh(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let active = load_row(tx, token_hash)?.is_some_and(|row| row.state(now) == RefreshState::Active);
            if active {
                tx.execute(
                    "UPDATE refresh_tokens SET last_used_at = MAX(last_used_at, ?2)
                     WHERE token_hash = ?1",
                    params![token_hash, now],
                )?;
            }
            Ok(active)
        })
    }

    /// Revokes one refresh token (not its family). Returns whether the token is stored.
    pub fn revoke_refresh(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let changed = self.lock().execute(
            "UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE token_hash = ?1",
            params![token_hash, now],
        )?;
        Ok(changed > 0)
    }

    /// A stored token and its state at `now`, for introspection.
    pub fn find_refresh(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(RefreshRecord, RefreshState)>, StoreError> {
        Ok(load_row(&self.lock(), token_hash)?.map(|row| {
            let state = row.state(now);
            (row.record, state)
        }))
    }
}

/// Inserts a token row in an open grant.
fn insert_row(conn: &Connection, token_hash: &str, record: &RefreshRecord) -> Result<(), StoreError> {
    ensure_grant_open(conn, &record.grant_id)?;
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, grant_id, server, client_id, user_id, scopes,
             auth_time, issued_at, absolute_expiry, idle_window, last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?8)",
        params![
            token_hash,
            record.grant_id,
            record.server,
            record.client_id,
            record.user_id,
            encode_scopes(&record.scopes)?,
            record.auth_time,
            record.issued_at,
            record.absolute_expiry,
            record.idle_window,
        ],
    )?;
    Ok(())
}

/// Loads a token with its state; `revoked` covers a revoked grant too.
fn load_row(conn: &Connection, token_hash: &str) -> Result<Option<RefreshRow>, StoreError> {
    let row = conn
        .query_row(
            "SELECT r.server, r.client_id, r.user_id, r.scopes, r.grant_id, r.auth_time,
                    r.issued_at, r.absolute_expiry, r.idle_window, r.last_used_at, r.rotated_at,
                    r.revoked_at IS NOT NULL OR g.revoked_at IS NOT NULL
             FROM refresh_tokens r JOIN grants g ON g.grant_id = r.grant_id
             WHERE r.token_hash = ?1",
            [token_hash],
            |row| {
                Ok(RefreshRow {
                    record: RefreshRecord {
                        server: row.get(0)?,
                        client_id: row.get(1)?,
                        user_id: row.get(2)?,
                        scopes: json_column(row, 3)?,
                        grant_id: row.get(4)?,
                        auth_time: row.get(5)?,
                        issued_at: row.get(6)?,
                        absolute_expiry: row.get(7)?,
                        idle_window: row.get(8)?,
                    },
                    last_used_at: row.get(9)?,
                    rotated_at: row.get(10)?,
                    revoked: row.get(11)?,
                })
            },
        )
        .optional()?;
    Ok(row)
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
