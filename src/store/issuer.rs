//! Signing keys, authorization codes, grants and access-token state of the embedded issuer.
//!
//! Invariants:
//! - A code is redeemed by one compare-and-set (`UPDATE … WHERE consumed_at IS NULL`): among
//!   any number of concurrent callers exactly one gets [`Redeem::Fresh`]. A consumed
//!   code is answered [`Redeem::Replayed`] with its grant id until purged, even after
//!   its expiry, so the caller can always revoke the family.
//! - Nothing new (code, refresh token, access token) can be recorded in a revoked grant.
//! - Revoking a grant revokes every refresh and access token of it and consumes its unused
//!   codes, in one transaction.
//!
//! May import: std, rusqlite, serde_json, `super::*`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Store, StoreError, encode_scopes, json_column};

/// How long a code stays recorded after its expiry so a late replay is still recognised.
pub const CODE_REPLAY_WINDOW_SECS: i64 = 3600;

/// What an authorization code stands for: the `/authorize` request it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRecord {
    /// Authorization server (issuer) the code belongs to.
    pub server: String,
    /// Client the code was issued to.
    pub client_id: String,
    /// Signed-in user.
    pub user_id: String,
    /// `redirect_uri` of the request; `/token` must present the same one.
    pub redirect_uri: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// OIDC `nonce` to copy into the ID token.
    pub nonce: Option<String>,
    /// PKCE `code_challenge` (S256), if one was sent.
    pub code_challenge: Option<String>,
    /// When the user authenticated (Unix seconds).
    pub auth_time: i64,
    /// Browser session the code came from (a session hash), if any.
    pub session_id: Option<String>,
    /// Token family the code starts.
    pub grant_id: String,
    /// First instant (Unix seconds) at which the code is expired.
    pub expires_at: i64,
    /// Anything else the caller needs at `/token` (JSON).
    pub extra: serde_json::Value,
}

/// The outcome of redeeming an authorization code.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeem {
    /// First and only successful redemption (boxed: the other outcomes are small).
    Fresh(Box<CodeRecord>),
    /// The code was already redeemed (or its grant revoked): revoke this grant.
    Replayed {
        /// The family the code started.
        grant_id: String,
    },
    /// The code was never redeemed and is past its expiry.
    Expired,
    /// No such code (never issued, or purged).
    Unknown,
}

/// Recorded state of one access token (by `jti`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    /// Token family.
    pub grant_id: String,
    /// Client the token was issued to.
    pub client_id: String,
    /// First instant (Unix seconds) at which the token is expired (`exp`).
    pub expires_at: i64,
    /// Whether the token or its grant is revoked.
    pub revoked: bool,
}

const CODE_COLUMNS: &str = "server, client_id, user_id, redirect_uri, scopes, nonce, \
     code_challenge, auth_time, session_id, grant_id, expires_at, extra";

impl Store {
    /// The JSON key records of `server`, in the order they were stored.
    pub fn load_keys(&self, server: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT record FROM signing_keys WHERE server = ?1 ORDER BY position")?;
        let rows = stmt.query_map([server], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the whole key set of `server` with `records`, atomically.
    pub fn replace_keys(&self, server: &str, records: &[String]) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM signing_keys WHERE server = ?1", [server])?;
            let mut insert = tx.prepare("INSERT INTO signing_keys (server, position, record) VALUES (?1, ?2, ?3)")?;
            for (position, record) in records.iter().enumerate() {
                insert.execute(params![server, position as i64, record])?;
            }
            Ok(())
        })
    }

    /// Records a new authorization code under its hash. Fails with
    /// [`StoreError::Duplicate`] if the hash exists, [`StoreError::GrantRevoked`] if the grant is.
    pub fn insert_code(&self, code_hash: &str, record: &CodeRecord) -> Result<(), StoreError> {
        let scopes = encode_scopes(&record.scopes)?;
        let extra = serde_json::to_string(&record.extra)?;
        self.write(|tx| {
            ensure_grant_open(tx, &record.grant_id)?;
            tx.execute(
                &format!(
                    "INSERT INTO auth_codes (code_hash, {CODE_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ),
                params![
                    code_hash,
                    record.server,
                    record.client_id,
                    record.user_id,
                    record.redirect_uri,
                    scopes,
                    record.nonce,
                    record.code_challenge,
                    record.auth_time,
                    record.session_id,
                    record.grant_id,
                    record.expires_at,
                    extra,
                ],
            )?;
            Ok(())
        })
    }

    /// Redeems a code: atomically marks it consumed and returns it, exactly once.
    pub fn redeem_code(&self, code_hash: &str, now: i64) -> Result<Redeem, StoreError> {
        self.write(|tx| {
            let fresh = tx
                .query_row(
                    &format!(
                        "UPDATE auth_codes SET consumed_at = ?2 \
                         WHERE code_hash = ?1 AND consumed_at IS NULL AND ?2 < expires_at \
                         RETURNING {CODE_COLUMNS}"
                    ),
                    params![code_hash, now],
                    code_from_row,
                )
                .optional()?;
            if let Some(record) = fresh {
                return Ok(Redeem::Fresh(Box::new(record)));
            }
            let state: Option<(String, Option<i64>)> = tx
                .query_row(
                    "SELECT grant_id, consumed_at FROM auth_codes WHERE code_hash = ?1",
                    [code_hash],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            Ok(match state {
                None => Redeem::Unknown,
                Some((grant_id, Some(_))) => Redeem::Replayed { grant_id },
                Some((_, None)) => Redeem::Expired,
            })
        })
    }

    /// Revokes a grant (token family): every refresh and access token of it becomes inactive,
    /// its unused codes are consumed, and nothing new can be recorded in it. Idempotent; the
    /// grant need not exist yet. Returns how many tokens and codes this call newly revoked.
    pub fn revoke_grant(&self, grant_id: &str, now: i64) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO grants (grant_id, revoked_at) VALUES (?1, ?2)
                 ON CONFLICT (grant_id) DO UPDATE SET revoked_at = COALESCE(revoked_at, ?2)",
                params![grant_id, now],
            )?;
            let mut revoked = 0;
            for sql in [
                "UPDATE refresh_tokens SET revoked_at = ?2 WHERE grant_id = ?1 AND revoked_at IS NULL",
                "UPDATE access_tokens SET revoked_at = ?2 WHERE grant_id = ?1 AND revoked_at IS NULL",
                "UPDATE auth_codes SET consumed_at = ?2 WHERE grant_id = ?1 AND consumed_at IS NULL",
            ] {
                revoked += tx.execute(sql, params![grant_id, now])?;
            }
            Ok(revoked)
        })
    }

    /// Whether the grant is revoked (an unknown grant is not).
    pub fn grant_revoked(&self, grant_id: &str) -> Result<bool, StoreError> {
        grant_is_revoked(&self.lock(), grant_id)
    }

    /// Records an issued access token so introspection, userinfo and revocation can see it.
    /// Fails with [`StoreError::Duplicate`] for a known `jti`, [`StoreError::GrantRevoked`]
    /// if the grant is revoked.
    pub fn record_access_token(
        &self,
        jti: &str,
        grant_id: &str,
        client_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            ensure_grant_open(tx, grant_id)?;
            tx.execute(
                "INSERT INTO access_tokens (jti, grant_id, client_id, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![jti, grant_id, client_id, expires_at],
            )?;
            Ok(())
        })
    }

    /// Whether the access token is known, unexpired (`now < expires_at`) and neither it nor
    /// its grant is revoked.
    pub fn access_token_active(&self, jti: &str, now: i64) -> Result<bool, StoreError> {
        Ok(self
            .find_access_token(jti)?
            .is_some_and(|token| !token.revoked && now < token.expires_at))
    }

    /// The recorded state of an access token, for introspection and revocation.
    pub fn find_access_token(&self, jti: &str) -> Result<Option<AccessTokenRecord>, StoreError> {
        let conn = self.lock();
        let found = conn
            .query_row(
                "SELECT a.grant_id, a.client_id, a.expires_at,
                        a.revoked_at IS NOT NULL OR g.revoked_at IS NOT NULL
                 FROM access_tokens a JOIN grants g ON g.grant_id = a.grant_id
                 WHERE a.jti = ?1",
                [jti],
                |row| {
                    Ok(AccessTokenRecord {
                        grant_id: row.get(0)?,
                        client_id: row.get(1)?,
                        expires_at: row.get(2)?,
                        revoked: row.get(3)?,
                    })
                },
            )
            .optional()?;
        Ok(found)
    }

    /// Revokes one access token. Returns whether the `jti` is recorded.
    pub fn revoke_access_token(&self, jti: &str, now: i64) -> Result<bool, StoreError> {
        let conn = self.lock();
        let changed = conn.execute(
            "UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE jti = ?1",
            params![jti, now],
        )?;
        Ok(changed > 0)
    }
}

/// Creates the grant row if missing; fails if the grant is revoked.
pub(super) fn ensure_grant_open(conn: &Connection, grant_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO grants (grant_id) VALUES (?1) ON CONFLICT (grant_id) DO NOTHING",
        [grant_id],
    )?;
    if grant_is_revoked(conn, grant_id)? {
        return Err(StoreError::GrantRevoked);
    }
    Ok(())
}

/// Whether `grant_id` has a revocation time.
fn grant_is_revoked(conn: &Connection, grant_id: &str) -> Result<bool, StoreError> {
    let revoked: Option<Option<i64>> = conn
        .query_row("SELECT revoked_at FROM grants WHERE grant_id = ?1", [grant_id], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(revoked.flatten().is_some())
}

/// Builds a [`CodeRecord`] from a row selected in `CODE_COLUMNS` order.
fn code_from_row(row: &Row<'_>) -> rusqlite::Result<CodeRecord> {
    Ok(CodeRecord {
        server: row.get(0)?,
        client_id: row.get(1)?,
        user_id: row.get(2)?,
        redirect_uri: row.get(3)?,
        scopes: json_column(row, 4)?,
        nonce: row.get(5)?,
        code_challenge: row.get(6)?,
        auth_time: row.get(7)?,
        session_id: row.get(8)?,
        grant_id: row.get(9)?,
        expires_at: row.get(10)?,
        extra: json_column(row, 11)?,
    })
}

#[cfg(test)]
#[path = "issuer_tests.rs"]
mod tests;
