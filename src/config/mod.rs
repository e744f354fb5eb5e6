//! Configuration: file text → raw `File*` structs → validated `model::Config`.
//!
//! Two stages, never panicking (STYLE habit 1): `source` parses YAML/JSON and remembers where
//! every node is; `validate` checks AWS's rules and collects *every* problem as a `Diagnostic`
//! with its path, line, column and a one-line fix. The admin API and the OpenAPI importer will
//! end in the same `validate`.
//!
//! May import: std, `crate::model`, `crate::routing` (route conflicts), serde crates, `saphyr`.

pub mod diagnostic;
pub mod file;
pub mod issuer_file;
pub mod source;
pub mod validate;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics, Location};

use crate::model::Config;

/// Largest configuration file read (a guard against reading a device or a log by mistake).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Parses and validates configuration text.
pub fn from_text(text: &str) -> Result<Config, Diagnostics> {
    let doc = source::parse(text).map_err(|d| Diagnostics(vec![d]))?;
    validate::validate(&doc)
}

/// Reads, parses and validates a configuration file.
pub fn load(path: &Path) -> Result<Config, Diagnostics> {
    from_text(&read(path)?)
}

/// Reads a configuration file as UTF-8 text, refusing huge files.
pub fn read(path: &Path) -> Result<String, Diagnostics> {
    let fail = |message: String, hint: &str| Diagnostics(vec![Diagnostic::new("", message, hint)]);
    let meta =
        std::fs::metadata(path).map_err(|e| fail(format!("cannot read {}: {e}", path.display()), "check the path"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            format!("{} is larger than 16 MiB", path.display()),
            "point at the configuration file",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            format!("cannot read {}: {e}", path.display()),
            "check the path and its permissions",
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        fail(
            format!("{} is not UTF-8 text", path.display()),
            "save the file as UTF-8",
        )
    })
}
