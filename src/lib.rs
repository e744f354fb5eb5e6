//! Portcullis: a self-hosted HTTP API gateway that protects APIs with OAuth 2.0 JWT access
//! tokens and behaves like Amazon API Gateway HTTP APIs with JWT authorizers.
//!
//! # Architecture
//!
//! ```text
//!            ┌──────────────── cli (clap) ────────────────┐
//!            │                                            │
//!   runtime (composition: listeners, data-plane workers, reload = hot swap of snapshots, demo)
//!     │               │                      │
//!   proxy           issuer                 demo
//!  (data plane:    (Okta-style authz      (solar-system backend,
//!   normalize →     server: core,          test web app; HTTP only)
//!   stage → route   http, keys, tokens)
//!   → authorize →     │
//!   forward)        store (SQLite: keys, codes, grants, refresh tokens, sessions)
//!     │      \
//!   routing  auth ← jwks (discovery, JWKS cache)    upstream (backends over http://, in-task)
//!     \       |                                        client (https backends, issuers)  telemetry
//!   config ── model (validated vocabulary: AWS's for the gateway, Okta's for the issuer)
//! ```
//!
//! - `model` is the vocabulary; `config` is the only way to build it (two-stage validation).
//! - `routing` and the claim checks in `auth` are pure: no I/O, time passed in.
//! - `auth` never imports `issuer`: the gateway finds the embedded issuer the way it finds
//!   Okta, by discovery and JWKS over HTTP. `demo` imports neither.
//! - A gateway configuration change builds a whole new `proxy::Snapshot` and swaps it
//!   atomically; issuer key caches and throttling buckets carry over from one to the next.
//! - Threads: with one worker everything runs on the main thread; with more, each data-plane
//!   worker is a thread with its own current-thread runtime (`runtime::server`), and a
//!   connection, with the backend connections it opens (`upstream::pool`), stays on one worker.

#[cfg(test)]
#[path = "../testkit/rng.rs"]
pub(crate) mod test_rng;

pub mod admin;
pub mod auth;
pub(crate) mod boxed;
pub mod cli;
pub mod client;
pub mod config;
pub mod conn;
pub mod demo;
pub mod issuer;
pub mod jwks;
pub mod model;
pub mod openapi;
pub mod proxy;
pub mod routing;
pub mod runtime;
pub mod store;
pub mod telemetry;
pub mod upstream;
