#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;

use crate::auth::testkit;

/// A clock that moves only when told.
struct ManualClock(Mutex<Instant>);

impl ManualClock {
    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap()
    }
}

/// A fetcher whose answers the test scripts; it counts calls and can be made slow.
struct ScriptedFetcher {
    ok: Mutex<bool>,
    calls: AtomicUsize,
    delay: Duration,
}

impl Fetcher for ScriptedFetcher {
    fn fetch(&self, _: &IssuerSettings) -> FetchFuture {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let ok = *self.ok.lock().unwrap();
        let delay = self.delay;
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            if ok {
                Ok(key_set())
            } else {
                Err("issuer down".to_owned())
            }
        })
    }
}

fn key_set() -> KeySet {
    let jwks = testkit::jwks(&[testkit::keys().rsa.public_jwk("rsa1")]);
    KeySet::from_jwks(&jwks).unwrap().0
}

fn settings() -> IssuerSettings {
    IssuerSettings {
        issuer: "https://idp.test".into(),
        ttl: Duration::from_secs(7200),
        unknown_kid_refetch_interval: Duration::from_secs(10),
        allow_insecure_http: false,
    }
}

fn cache(ok: bool, delay: Duration) -> (Arc<JwksCache>, Arc<ScriptedFetcher>, Arc<ManualClock>) {
    let fetcher = Arc::new(ScriptedFetcher {
        ok: Mutex::new(ok),
        calls: AtomicUsize::new(0),
        delay,
    });
    let clock = Arc::new(ManualClock(Mutex::new(Instant::now())));
    let cache = Arc::new(JwksCache::new(settings(), fetcher.clone(), clock.clone()));
    (cache, fetcher, clock)
}

#[tokio::test]
async fn cold_cache_with_a_failing_issuer_is_unavailable_not_unauthorized() {
    let (cache, _, _) = cache(false, Duration::ZERO);
    assert!(cache.refresh().await.is_err());
    assert!(matches!(cache.lookup().await, KeyLookup::Unavailable));
    assert_eq!(cache.last_error().as_deref(), Some("issuer down"));
}

#[tokio::test]
async fn keys_arrive_after_a_failed_start_without_restart() {
    let (cache, fetcher, _) = cache(false, Duration::ZERO);
    let _ = cache.refresh().await;
    *fetcher.ok.lock().unwrap() = true;
    cache.refresh().await.unwrap();
    assert!(matches!(cache.lookup().await, KeyLookup::Ready(_)));
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_good_keys() {
    let (cache, fetcher, _) = cache(true, Duration::ZERO);
    cache.refresh().await.unwrap();
    *fetcher.ok.lock().unwrap() = false;
    assert!(cache.refresh().await.is_err());
    assert!(matches!(cache.lookup().await, KeyLookup::Ready(_)));
}

#[tokio::test(start_paused = true)]
async fn concurrent_refreshes_share_one_fetch() {
    let (cache, fetcher, _) = cache(true, Duration::from_millis(500));
    let all = (0..20).map(|_| {
        let cache = cache.clone();
        tokio::spawn(async move { cache.refresh().await })
    });
    for task in all.collect::<Vec<_>>() {
        task.await.unwrap().unwrap();
    }
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cold_lookup_waits_for_the_first_attempt_only() {
    let (cache, _, _) = cache(true, Duration::from_millis(300));
    let refresher = cache.spawn_refresher();
    let started = tokio::time::Instant::now();
    assert!(matches!(cache.lookup().await, KeyLookup::Ready(_)));
    assert!(started.elapsed() < Duration::from_secs(1));
    refresher.abort();
}

#[tokio::test]
async fn unknown_kid_refetches_are_rate_limited_per_issuer() {
    let (cache, fetcher, clock) = cache(true, Duration::ZERO);
    cache.refresh().await.unwrap();
    assert!(cache.refetch_for_unknown_kid().await.is_some());
    for _ in 0..100 {
        assert!(cache.refetch_for_unknown_kid().await.is_none());
    }
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 2);
    clock.advance(Duration::from_secs(10));
    assert!(cache.refetch_for_unknown_kid().await.is_some());
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn warm_keys_are_refreshed_before_the_ttl_ends_and_failures_back_off() {
    let (cache, _, _) = cache(true, Duration::ZERO);
    assert_eq!(
        cache.next_delay(&Ok(()), Duration::from_secs(1)),
        Duration::from_secs(5760)
    );
    assert_eq!(
        cache.next_delay(&Err("x".into()), Duration::from_secs(4)),
        Duration::from_secs(4)
    );
}
