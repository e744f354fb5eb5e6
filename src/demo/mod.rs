//! The reference scenario's own parts: the solar-system backend (and, with the demo command,
//! the test web app). They talk HTTP only, like any user's API and app: nothing here imports
//! the gateway or the issuer.
//!
//! May import: std, hyper and friends, serde_json. Never `crate::proxy`, `crate::auth` or
//! `crate::issuer`.

pub mod backend;
pub mod data;
pub mod webapp;
