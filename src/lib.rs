//! Portcullis: a self-hosted HTTP API gateway that protects APIs with OAuth 2.0 JWT access
//! tokens and behaves like Amazon API Gateway HTTP APIs with JWT authorizers.
//!
//! # Architecture
//!
//! ```text
//!            ┌──────────── cli (clap) ────────────┐
//!            │                                    │
//!   runtime (composition, listeners, reload = hot swap of snapshots)
//!     │
//!   proxy (data plane: normalize → stage → route → authorize → forward → respond)
//!     │      \            \
//!   routing  auth  ←  jwks (discovery, JWKS cache)   client (outbound HTTP)   telemetry
//!     \       |
//!   config ── model (validated AWS vocabulary: Api, Route, RouteKey, Integration, Authorizer…)
//! ```
//!
//! - `model` is the vocabulary; `config` is the only way to build it (two-stage validation).
//! - `routing` and the claim checks in `auth` are pure: no I/O, time passed in.
//! - Only `jwks` (keys) and `proxy` (backends) touch the network, both through `client`.
//! - A configuration change builds a whole new `proxy::Snapshot` and swaps it atomically.

pub mod auth;
pub mod cli;
pub mod client;
pub mod config;
pub mod conn;
pub mod demo;
pub mod issuer;
pub mod jwks;
pub mod model;
pub mod proxy;
pub mod routing;
pub mod runtime;
pub mod store;
pub mod telemetry;
