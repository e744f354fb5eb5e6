//! A bound on untrusted text before it is parsed: the check lives with the parser
//! (`config::source::check_nesting`), which every configuration and OpenAPI document goes
//! through; this names it for the importer.
//!
//! May import: crate::config::source.

/// Refuses text whose YAML nesting could exhaust the stack (see `config::source`).
pub(super) fn check_nesting(text: &str) -> Result<(), String> {
    crate::config::source::check_nesting(text).map_err(|m| format!("{m}, which is not imported"))
}
