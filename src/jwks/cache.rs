//! The per-issuer key cache (see the module above for its rules).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::fetch::IssuerSettings;
use crate::auth::KeySet;

/// A source of monotonic time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// What a fetch returns.
pub type FetchFuture = Pin<Box<dyn Future<Output = Result<KeySet, String>> + Send>>;

/// Downloads an issuer's key set (discovery, then JWKS).
pub trait Fetcher: Send + Sync + 'static {
    /// One attempt; the error says why, for logs.
    fn fetch(&self, settings: &IssuerSettings) -> FetchFuture;
}

/// Shared view of the cache.
#[derive(Clone, Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    fetched_at: Option<Instant>,
    /// Completed attempts, successful or not.
    attempts: u64,
    last_error: Option<String>,
}

/// The answer to "which keys do I verify with?".
#[derive(Debug, Clone)]
pub enum KeyLookup {
    /// Keys to use.
    Ready(Arc<KeySet>),
    /// No usable keys (cold cache, issuer failing): answer 503.
    Unavailable,
}

/// Keys of one issuer.
pub struct JwksCache {
    settings: IssuerSettings,
    fetcher: Arc<dyn Fetcher>,
    clock: Arc<dyn Clock>,
    state: watch::Sender<State>,
    single_flight: tokio::sync::Mutex<()>,
    last_kid_refetch: Mutex<Option<Instant>>,
}

/// The longest a request on a cold cache waits for the first fetch attempt.
const COLD_WAIT: Duration = Duration::from_millis(3_500);
const MIN_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

impl JwksCache {
    /// A cold cache; nothing is fetched until `refresh` or `spawn_refresher`.
    pub fn new(settings: IssuerSettings, fetcher: Arc<dyn Fetcher>, clock: Arc<dyn Clock>) -> Self {
        Self {
            settings,
            fetcher,
            clock,
            state: watch::Sender::new(State::default()),
            single_flight: tokio::sync::Mutex::new(()),
            last_kid_refetch: Mutex::new(None),
        }
    }

    /// The settings this cache fetches with.
    pub fn settings(&self) -> &IssuerSettings {
        &self.settings
    }

    /// The current keys, if any (never waits).
    pub fn current(&self) -> Option<Arc<KeySet>> {
        self.state.borrow().keys.clone()
    }

    /// Why the last attempt failed, if it did.
    pub fn last_error(&self) -> Option<String> {
        self.state.borrow().last_error.clone()
    }

    /// Keys for a request: immediately when warm; on a cold cache, after the first attempt. Its
    /// future holds the cold wait (a timeout), so the request path reads [`Self::current`] first
    /// and boxes this only on a cold cache (`proxy::authorize`).
    pub async fn lookup(&self) -> KeyLookup {
        if let Some(keys) = self.current() {
            return KeyLookup::Ready(keys);
        }
        let mut rx = self.state.subscribe();
        let first_attempt_done = rx.wait_for(|s| s.keys.is_some() || s.attempts > 0);
        let _ = tokio::time::timeout(COLD_WAIT, first_attempt_done).await;
        match self.current() {
            Some(keys) => KeyLookup::Ready(keys),
            None => KeyLookup::Unavailable,
        }
    }

    /// One fetch, shared by every caller that asks while it runs.
    pub async fn refresh(&self) -> Result<(), String> {
        let seen = self.state.borrow().attempts;
        let _flight = self.single_flight.lock().await;
        let now_state = self.state.borrow().clone();
        if now_state.attempts != seen {
            return now_state.last_error.map_or(Ok(()), Err);
        }
        let result = self.fetcher.fetch(&self.settings).await;
        self.record(result)
    }

    fn record(&self, result: Result<KeySet, String>) -> Result<(), String> {
        let now = self.clock.now();
        let mut outcome = Ok(());
        self.state.send_modify(|s| {
            s.attempts += 1;
            match result {
                Ok(keys) => {
                    s.keys = Some(Arc::new(keys));
                    s.fetched_at = Some(now);
                    s.last_error = None;
                }
                Err(err) => {
                    s.last_error = Some(err.clone());
                    outcome = Err(err);
                }
            }
        });
        outcome
    }

    /// After a token named a `kid` we do not know: refetch once, unless one ran within the
    /// configured interval. Returns the keys to retry with, or `None` when rate-limited.
    pub async fn refetch_for_unknown_kid(&self) -> Option<Arc<KeySet>> {
        if !self.claim_kid_refetch() {
            return None;
        }
        if let Err(err) = self.refresh().await {
            tracing::warn!(issuer = %self.settings.issuer, %err, "JWKS refetch after unknown kid failed");
        }
        self.current()
    }

    fn claim_kid_refetch(&self) -> bool {
        let now = self.clock.now();
        let Ok(mut last) = self.last_kid_refetch.lock() else {
            return false;
        };
        let allowed =
            last.is_none_or(|t| now.saturating_duration_since(t) >= self.settings.unknown_kid_refetch_interval);
        if allowed {
            *last = Some(now);
        }
        allowed
    }

    /// How long the background task should wait before its next attempt.
    pub fn next_delay(&self, last: &Result<(), String>, backoff: Duration) -> Duration {
        match last {
            Ok(()) => self.settings.ttl.mul_f64(0.8),
            Err(_) => backoff,
        }
    }

    /// Runs the background fetch loop until the cache is dropped by everyone else.
    pub fn spawn_refresher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut backoff = MIN_BACKOFF;
            loop {
                let Some(cache) = weak.upgrade() else { return };
                let result = cache.refresh().await;
                log_outcome(&cache, &result);
                let delay = cache.next_delay(&result, backoff);
                backoff = if result.is_ok() {
                    MIN_BACKOFF
                } else {
                    (backoff * 2).min(MAX_BACKOFF)
                };
                drop(cache);
                tokio::time::sleep(delay).await;
            }
        })
    }
}

fn log_outcome(cache: &JwksCache, result: &Result<(), String>) {
    let issuer = &cache.settings.issuer;
    match result {
        Ok(()) => tracing::info!(%issuer, "JWKS loaded"),
        Err(err) if cache.current().is_some() => {
            tracing::warn!(%issuer, %err, "JWKS refresh failed; keeping the last good keys")
        }
        Err(err) => tracing::warn!(%issuer, %err, "JWKS not available; protected routes answer 503"),
    }
}

#[cfg(test)]
mod tests;
