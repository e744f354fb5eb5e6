//! The JWT authorizer core: decides exactly as an Amazon API Gateway HTTP API
//! JWT authorizer does, and survives hostile tokens.
//!
//! Purpose: given a request's headers and query, a trusted [`KeySet`] and the
//! route's [`Rules`] and scopes, find the token ([`extract()`]), judge it
//! ([`authorize`]) and describe a refusal ([`AuthError`],
//! [`www_authenticate`]). The `explain` command runs the same pipeline with a
//! [`Recorder`].
//!
//! Invariants: pure — no network, no clock reads (`now` is passed in), no
//! global state but per-thread memos of pure functions (`memo`: recently
//! decoded token headers, recently built challenges); nothing here panics on any input; keys
//! come only from the configured JWKS and are parsed once, when it is loaded.
//!
//! Allowed imports: std, aws-lc-rs, memchr, serde, serde_json, http (base64 in tests only);
//! nothing else from the crate.
//!
//! Files: `extract` (token location), `token` (compact JWS parsing),
//! `b64url` (strict base64url decoding), `memo` (per-thread memos),
//! `strict_json` (duplicate-free JSON), `keys` (JWKS), `rules` (config and
//! algorithms), `pipeline` (the ordered checks), `claims` (claim checks and
//! [`Claims`]), `render` (claim rendering), `error` (errors and their texts),
//! `challenge` (`WWW-Authenticate`), `trace` (step observation), `cache` (the
//! verified-token cache: state owned by the caller, time passed in).

pub mod b64url;
pub mod cache;
pub mod challenge;
pub mod claim_scan;
pub mod claims;
pub mod error;
pub mod extract;
pub mod keys;
pub(crate) mod memo;
pub mod pipeline;
pub mod render;
pub mod rules;
pub mod strict_json;
pub mod token;
pub mod trace;

pub use cache::{CacheKey, CacheLimits, RulesId, TokenCache};
pub use challenge::{ChallengeStyle, www_authenticate};
pub use claims::Claims;
pub use error::{AuthError, ErrorKind, Reason};
pub use extract::{TokenLocation, extract};
pub use keys::{JwksError, KeySet};
pub use pipeline::{Refusal, authorize, check_route_scopes, verify, verify_for_cache};
pub use rules::{Alg, Rules};
pub use token::{Structure, Token, parse, parse_structure};
pub use trace::{NoTrace, Recorder, Step, Trace};

#[cfg(test)]
#[path = "../../testkit/jwt.rs"]
pub(crate) mod testkit;

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod authorize_alg_tests;
#[cfg(test)]
mod authorize_claims_tests;
#[cfg(test)]
mod authorize_key_tests;
#[cfg(test)]
mod authorize_order_tests;
#[cfg(test)]
mod authorize_scope_tests;
