//! One key cache per issuer, shared by every authorizer and every snapshot that names it.
//!
//! Snapshots hold strong references; the registry holds weak ones, so an issuer that no
//! configuration names any more is dropped (and its refresher stops) after the next reload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::cache::{Clock, Fetcher, JwksCache};
use super::fetch::IssuerSettings;

/// The process-wide set of key caches.
pub struct Registry {
    fetcher: Arc<dyn Fetcher>,
    clock: Arc<dyn Clock>,
    caches: Mutex<HashMap<IssuerSettings, Weak<JwksCache>>>,
}

impl Registry {
    /// A registry that fetches with `fetcher`.
    pub fn new(fetcher: Arc<dyn Fetcher>, clock: Arc<dyn Clock>) -> Self {
        Self {
            fetcher,
            clock,
            caches: Mutex::new(HashMap::new()),
        }
    }

    /// The cache for `settings`, created (and its background fetch started) on first use.
    /// Must be called inside a Tokio runtime.
    pub fn cache_for(&self, settings: IssuerSettings) -> Arc<JwksCache> {
        let mut caches = match self.caches.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        caches.retain(|_, weak| weak.strong_count() > 0);
        if let Some(cache) = caches.get(&settings).and_then(Weak::upgrade) {
            return cache;
        }
        let cache = Arc::new(JwksCache::new(
            settings.clone(),
            self.fetcher.clone(),
            self.clock.clone(),
        ));
        cache.spawn_refresher();
        caches.insert(settings, Arc::downgrade(&cache));
        cache
    }
}
