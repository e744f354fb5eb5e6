//! Issuer keys: OIDC discovery, JWKS download and the per-issuer key cache.
//!
//! The cache is the only stateful part of authorization. Its rules (security-cases D7, F-01…F-12):
//! - startup never waits for the issuer: a background task fetches, retrying with backoff;
//! - a request on a cold cache waits at most for the first attempt, then gets 503 (never 401);
//! - fetches are single-flight; a failed refresh keeps the last good keys (stale-if-error);
//! - keys are refreshed in the background before their TTL ends, so no request waits on a warm cache;
//! - a token naming an unknown `kid` triggers at most one refetch per issuer per interval.
//!
//! Time (monotonic) and fetching are injected (`Clock`, `Fetcher`) so these rules are tested
//! without sleeping and without sockets.
//!
//! May import: std, tokio, `crate::auth` (key sets), `crate::client` (real fetcher), hyper.

mod cache;
mod fetch;
mod registry;

pub use cache::{Clock, FetchFuture, Fetcher, JwksCache, KeyLookup, SystemClock};
pub use fetch::{HttpFetcher, IssuerSettings, check_discovery};
pub use registry::Registry;
