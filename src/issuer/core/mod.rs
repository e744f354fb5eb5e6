//! The pure core of the embedded OAuth 2.0 / OIDC authorization server, which behaves like an
//! Okta custom authorization server: access-policy evaluation, signing keys and their
//! lifecycle, token claim sets, PKCE and secret handling.
//!
//! Invariants: no I/O, no clock, no global state; time comes in as `now` (unix seconds) and
//! randomness only from `aws_lc_rs::rand` in clearly named constructors (`SigningKey::generate`,
//! `secrets::random_token`, `secrets::hash_password`).
//!
//! May import: std, aws-lc-rs, base64, serde, serde_json, argon2, `crate::model::issuer`.

mod claims;
pub mod keyring;
pub mod mint;
pub mod pkce;
pub mod policy;
pub mod secrets;
pub mod signer;

#[cfg(test)]
#[path = "fixtures_tests.rs"]
mod fixtures;

pub use keyring::{KeyRecord, KeyRing, KeyState};
pub use mint::{Issue, access_token, at_hash, id_token, userinfo};
pub use pkce::{valid_challenge, valid_verifier, verify_s256};
pub use policy::{Grant, PolicyError, PolicyRequest, evaluate};
pub use secrets::{constant_time_eq, hash_password, random_token, stable_id, token_hash, verify_password};
pub use signer::SigningKey;
