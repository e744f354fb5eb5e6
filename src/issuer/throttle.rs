//! Brute-force throttling for sign-in and client authentication (RFC 6749 §10.10, A-15):
//! after `max_failures` failures of one key (user or client, with the IP) within the window,
//! the key is locked out for a while and answers 429 with `Retry-After`. Other keys are not
//! affected and a lock always ends. Time is passed in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failure counters, in memory (a restart forgives everyone).
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    lockout: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

/// Keys kept at most; older ones are forgotten first when full.
const MAX_KEYS: usize = 100_000;

impl Throttle {
    /// A throttle that locks a key for `lockout` after `max_failures` within `window`.
    pub fn new(max_failures: u32, window: Duration, lockout: Duration) -> Self {
        Self {
            max_failures,
            window,
            lockout,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Err(retry_after)` while `key` is locked out.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        match self.entries().get(key).and_then(|e| e.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Records a failure of `key`.
    pub fn fail(&self, key: &str, now: Instant) {
        let mut entries = self.entries();
        if entries.len() >= MAX_KEYS && !entries.contains_key(key) {
            let window = self.window;
            entries.retain(|_, e| {
                now.saturating_duration_since(e.first) < window || e.locked_until.is_some_and(|u| u > now)
            });
            if entries.len() >= MAX_KEYS {
                return;
            }
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            first: now,
            locked_until: None,
        });
        if now.saturating_duration_since(entry.first) >= self.window {
            *entry = Entry {
                failures: 0,
                first: now,
                locked_until: None,
            };
        }
        entry.failures += 1;
        if entry.failures >= self.max_failures {
            entry.locked_until = Some(now + self.lockout);
            entry.failures = 0;
            entry.first = now;
        }
    }

    /// Forgets `key`'s failures after a success.
    pub fn succeed(&self, key: &str) {
        self.entries().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(3, Duration::from_secs(60), Duration::from_secs(30))
    }

    #[test]
    fn locks_a_key_after_too_many_failures_and_releases_it_later() {
        let t = throttle();
        let now = Instant::now();
        for _ in 0..3 {
            assert!(t.check("carl|127.0.0.1", now).is_ok());
            t.fail("carl|127.0.0.1", now);
        }
        assert_eq!(t.check("carl|127.0.0.1", now), Err(Duration::from_secs(30)));
        assert!(t.check("jodie|127.0.0.1", now).is_ok(), "other keys are not affected");
        assert!(
            t.check("carl|127.0.0.1", now + Duration::from_secs(31)).is_ok(),
            "locks end"
        );
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let t = throttle();
        let now = Instant::now();
        t.fail("k", now);
        t.fail("k", now);
        t.fail("k", now + Duration::from_secs(61));
        assert!(t.check("k", now + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_success_forgets_earlier_failures() {
        let t = throttle();
        let now = Instant::now();
        t.fail("k", now);
        t.fail("k", now);
        t.succeed("k");
        t.fail("k", now);
        assert!(t.check("k", now).is_ok());
    }
}
