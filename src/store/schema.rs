//! Schema migrations, driven by `PRAGMA user_version`.
//!
//! Invariants:
//! - `MIGRATIONS[i]` takes the database from version `i` to version `i + 1`; entries are only
//!   ever appended, never edited, once released.
//! - Each migration runs in its own IMMEDIATE transaction together with the `user_version`
//!   bump, so a crash leaves the database at a whole version, and a second process migrating
//!   at the same time waits (busy timeout) and then sees the new version and skips the step.
//! - A database newer than this build is refused ([`StoreError::SchemaTooNew`]).
//!
//! The meaning of every table and column is documented in the parent module.
//!
//! May import: rusqlite, `super::StoreError`.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Version 1: the initial schema.
const V1: &str = "
CREATE TABLE signing_keys (
    server   TEXT    NOT NULL,
    position INTEGER NOT NULL,
    record   TEXT    NOT NULL,
    PRIMARY KEY (server, position)
) STRICT;

CREATE TABLE grants (
    grant_id   TEXT PRIMARY KEY,
    revoked_at INTEGER
) STRICT;

CREATE TABLE auth_codes (
    code_hash      TEXT    PRIMARY KEY,
    grant_id       TEXT    NOT NULL REFERENCES grants (grant_id),
    server         TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      INTEGER NOT NULL,
    session_id     TEXT,
    expires_at     INTEGER NOT NULL,
    extra          TEXT    NOT NULL,
    consumed_at    INTEGER
) STRICT;
CREATE INDEX auth_codes_by_grant ON auth_codes (grant_id);

CREATE TABLE refresh_tokens (
    token_hash      TEXT    PRIMARY KEY,
    grant_id        TEXT    NOT NULL REFERENCES grants (grant_id),
    server          TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    user_id         TEXT,
    scopes          TEXT    NOT NULL,
    auth_time       INTEGER NOT NULL,
    issued_at       INTEGER NOT NULL,
    absolute_expiry INTEGER,
    idle_window     INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL,
    rotated_at      INTEGER,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX refresh_tokens_by_grant ON refresh_tokens (grant_id);

CREATE TABLE access_tokens (
    jti        TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL REFERENCES grants (grant_id),
    client_id  TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX access_tokens_by_grant ON access_tokens (grant_id);

CREATE TABLE sessions (
    session_hash TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    auth_time    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);
";

/// Version 2: APIs written through the admin API.
const V2: &str = "
CREATE TABLE admin_apis (
    api_id TEXT    PRIMARY KEY,
    seq    INTEGER NOT NULL,
    record TEXT    NOT NULL
) STRICT;

CREATE TABLE admin_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO admin_generation (id, value) VALUES (1, 0);
";

/// Every migration, in order; the schema version equals the number applied.
const MIGRATIONS: &[&str] = &[V1, V2];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`], one transaction per pending migration.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        if current < target {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", target)?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// Reads `PRAGMA user_version`.
pub(super) fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}
