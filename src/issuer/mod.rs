//! The embedded authorization server: an OAuth 2.0 / OpenID Connect issuer that behaves like
//! an Okta custom authorization server (`{base}/oauth2/{id}/v1/…`), so the whole reference
//! scenario runs on one machine and certified clients work against it unchanged.
//!
//! - `core`: pure logic (policy evaluation, token claims, signing keys and their rotation,
//!   PKCE, password and secret handling), tested without I/O.
//! - `http`: the endpoints (discovery, authorize + sign-in, token, keys, userinfo,
//!   introspect, revoke, logout), each turning its errors into Okta's responses.
//! - `state`, `keys`, `tokens`: the running tenant: configuration, key ring kept in the store
//!   and rotated in the background, token issuance recorded in the store.
//!
//! The gateway never imports this module: it finds the issuer like any other, by discovery
//! and JWKS over HTTP.
//!
//! May import: `crate::model`, `crate::store`, `crate::conn`, `crate::telemetry`, and the
//! HTTP crates.

pub mod core;
pub mod http;
pub mod keys;
pub mod state;
pub mod throttle;
pub mod tokens;

pub use state::IssuerState;
