//! The store's error type.
//!
//! Invariant: every failure of the store surfaces as a `StoreError`; nothing in the store panics.
//! A SQLite primary-key violation is reported as [`StoreError::Duplicate`] so callers can tell
//! "this hash or jti already exists" from an I/O or database failure.
//!
//! May import: std, rusqlite, serde_json.

use std::fmt;

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// Creating the database file or its parent directories failed.
    Io(std::io::Error),
    /// SQLite reported an error (including a busy database after the 5 s timeout).
    Sqlite(rusqlite::Error),
    /// A JSON column (scopes, `extra`) could not be encoded or decoded.
    Json(serde_json::Error),
    /// A row with the same key (code hash, token hash, jti, session hash) already exists.
    Duplicate,
    /// The grant is revoked: nothing new may be issued in it.
    GrantRevoked,
    /// A rotation tried to move a refresh token into a different grant (token family).
    GrantMismatch,
    /// The database was written by a newer version of the schema than this build knows.
    SchemaTooNew {
        /// The database's `PRAGMA user_version`.
        found: i64,
        /// The newest version this build can migrate to.
        supported: i64,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "store I/O error: {err}"),
            Self::Sqlite(err) => write!(f, "store database error: {err}"),
            Self::Json(err) => write!(f, "store JSON error: {err}"),
            Self::Duplicate => f.write_str("store record already exists"),
            Self::GrantRevoked => f.write_str("grant is revoked"),
            Self::GrantMismatch => f.write_str("refresh token rotation crosses grants"),
            Self::SchemaTooNew { found, supported } => write!(
                f,
                "store schema version {found} is newer than the supported version {supported}"
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(err) => Some(err),
            Self::Sqlite(err) => Some(err),
            Self::Json(err) => Some(err),
            _ => None,
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(err: std::io::Error) -> Self {
        Self::Io(err)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        Self::Json(err)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        if err.sqlite_extended_error_code() == Some(rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY) {
            Self::Duplicate
        } else {
            Self::Sqlite(err)
        }
    }
}
