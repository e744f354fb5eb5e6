//! Stage throttling on the data plane: one token bucket per (API, stage, route key) that has a
//! throttle, shared by every client of the route, as on AWS HTTP APIs (aws-http-api.md §5).
//!
//! The arithmetic is pure: `TokenBucket::try_take` is given `now`, so refill, burst and clock
//! races are tested without sleeping. `Buckets` keeps buckets across snapshots the way
//! `jwks::Registry` keeps key caches: a snapshot built with a route's unchanged limits gets the
//! very same bucket, so a reload or an admin write refills nobody's bucket; changed limits get
//! a new, full one. The registry holds weak references only, so the buckets of removed routes,
//! stages and APIs go with the last snapshot (and request) that used them.
//!
//! May import: std, `crate::model`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Instant;

use crate::model::Throttle;

/// One route's bucket: `burst_limit` tokens at most, `rate_limit` added per second, one taken
/// per request. It starts full.
#[derive(Debug)]
pub struct TokenBucket {
    limits: Throttle,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    tokens: f64,
    /// When `tokens` was last brought up to date; `None` until the first request.
    updated: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket with these limits.
    pub fn new(limits: Throttle) -> Self {
        Self {
            limits,
            state: Mutex::new(State {
                tokens: f64::from(limits.burst_limit),
                updated: None,
            }),
        }
    }

    /// The limits it enforces.
    pub fn limits(&self) -> Throttle {
        self.limits
    }

    /// Takes a token for a request arriving at `now`; `false` (answer 429) when the bucket
    /// holds less than one.
    pub fn try_take(&self, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.refill(self.limits, now);
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl State {
    /// Adds what the rate earned since the last update, up to the burst. A `now` earlier than
    /// the last update (a request that read the clock before another one took the lock) earns
    /// nothing and does not move the update time back.
    fn refill(&mut self, limits: Throttle, now: Instant) {
        if let Some(then) = self.updated {
            let earned = now.saturating_duration_since(then).as_secs_f64() * limits.rate_limit;
            self.tokens = (self.tokens + earned).min(f64::from(limits.burst_limit));
        }
        self.updated = Some(self.updated.map_or(now, |then| then.max(now)));
    }
}

/// Which bucket: the route of a stage of an API, with the limits it was made for (different
/// limits are a different bucket).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BucketKey {
    api_id: String,
    stage: String,
    route_key: String,
    burst_limit: u32,
    rate_bits: u64,
}

/// The process-wide set of live buckets, shared by every snapshot.
#[derive(Debug, Default)]
pub struct Buckets {
    live: Mutex<Live>,
}

#[derive(Debug, Default)]
struct Live {
    buckets: HashMap<BucketKey, Weak<TokenBucket>>,
    /// Dead entries are swept when the map reaches this size (amortized, not per call).
    sweep_at: usize,
}

/// The smallest `Live::sweep_at`.
const MIN_SWEEP: usize = 64;

impl Buckets {
    /// No buckets yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bucket of `route_key` on `stage` of `api_id` with `limits`: the live one if a
    /// snapshot still uses it, else a new, full one.
    pub fn bucket_for(&self, api_id: &str, stage: &str, route_key: &str, limits: Throttle) -> Arc<TokenBucket> {
        let key = BucketKey {
            api_id: api_id.to_owned(),
            stage: stage.to_owned(),
            route_key: route_key.to_owned(),
            burst_limit: limits.burst_limit,
            rate_bits: limits.rate_limit.to_bits(),
        };
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = live.buckets.get(&key).and_then(Weak::upgrade) {
            return bucket;
        }
        live.sweep();
        let bucket = Arc::new(TokenBucket::new(limits));
        live.buckets.insert(key, Arc::downgrade(&bucket));
        bucket
    }

    /// How many buckets the registry knows (live or not yet swept).
    pub fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(PoisonError::into_inner).buckets.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Live {
    /// Forgets buckets no snapshot holds, once the map has doubled since the last sweep.
    fn sweep(&mut self) {
        if self.buckets.len() < self.sweep_at.max(MIN_SWEEP) {
            return;
        }
        self.buckets.retain(|_, bucket| bucket.strong_count() > 0);
        self.sweep_at = self.buckets.len() * 2;
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
