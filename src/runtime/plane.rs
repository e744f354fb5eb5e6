//! The data plane's sources and their one rebuild path: the configuration file's APIs plus
//! the deployed admin-API APIs compile into one snapshot, swapped in atomically. A file
//! reload, an admin write on this node (signalled at once) and a write by another node
//! sharing the store (seen by polling the store's generation) all end here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::admin::Admin;
use crate::auth::TokenCache;
use crate::jwks::Registry;
use crate::model::Gateway;
use crate::proxy::{Buckets, DataPlane, Shared, Snapshot};

/// How often the store is asked whether another node changed it.
const POLL: Duration = Duration::from_millis(250);

/// What the data plane is built from.
pub struct Sources {
    file: Mutex<Gateway>,
    admin: Option<Arc<Admin>>,
    plane: Arc<DataPlane>,
    registry: Arc<Registry>,
    /// Throttling buckets, kept across rebuilds.
    buckets: Buckets,
    /// The verified-token cache, kept across rebuilds.
    token_cache: Option<Arc<TokenCache>>,
}

impl Sources {
    /// Compiles the first snapshot.
    pub fn new(
        file: Gateway,
        admin: Option<Arc<Admin>>,
        registry: Arc<Registry>,
        token_cache: Option<Arc<TokenCache>>,
        client: crate::client::HttpClient,
    ) -> Result<Arc<Self>, String> {
        let extra = match &admin {
            Some(a) => a.deployed()?,
            None => Vec::new(),
        };
        let buckets = Buckets::new();
        let shared = Shared {
            keys: &registry,
            buckets: &buckets,
            token_cache: token_cache.as_ref(),
        };
        let snapshot = Snapshot::build_with(&file, &extra, shared)?;
        let plane = Arc::new(DataPlane {
            snapshot: arc_swap::ArcSwap::from_pointee(snapshot),
            client,
            upstream: crate::upstream::Client::default(),
        });
        Ok(Arc::new(Self {
            file: Mutex::new(file),
            admin,
            plane,
            registry,
            buckets,
            token_cache,
        }))
    }

    /// The data plane requests are served from.
    pub fn plane(&self) -> Arc<DataPlane> {
        self.plane.clone()
    }

    /// Replaces the file's configuration, if it compiles together with the admin APIs.
    pub fn replace_file(&self, file: Gateway) -> Result<(), String> {
        self.build(Some(file))
    }

    /// Rebuilds from the current sources (after an admin-API write).
    pub fn rebuild(&self) -> Result<(), String> {
        self.build(None)
    }

    fn build(&self, new_file: Option<Gateway>) -> Result<(), String> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let extra = match &self.admin {
            Some(a) => a.deployed()?,
            None => Vec::new(),
        };
        let shared = Shared {
            keys: &self.registry,
            buckets: &self.buckets,
            token_cache: self.token_cache.as_ref(),
        };
        let snapshot = Snapshot::build_with(new_file.as_ref().unwrap_or(&file), &extra, shared)?;
        self.plane.snapshot.store(Arc::new(snapshot));
        if let Some(new) = new_file {
            *file = new;
        }
        Ok(())
    }
}

/// Rebuilds the snapshot whenever the admin API commits a write here, or the store's
/// generation moves because another node wrote.
pub fn spawn_admin_watch(sources: Arc<Sources>, admin: Arc<Admin>) -> tokio::task::JoinHandle<()> {
    let mut changed = admin.changed.subscribe();
    tokio::spawn(async move {
        let mut seen = admin.store.admin_generation().unwrap_or(-1);
        loop {
            tokio::select! {
                result = changed.changed() => if result.is_err() { return },
                () = tokio::time::sleep(POLL) => {}
            }
            let store = admin.store.clone();
            let generation = tokio::task::spawn_blocking(move || store.admin_generation())
                .await
                .ok()
                .and_then(Result::ok);
            let Some(generation) = generation else { continue };
            if generation == seen {
                continue;
            }
            seen = generation;
            let sources = sources.clone();
            match tokio::task::spawn_blocking(move || sources.rebuild()).await {
                Ok(Ok(())) => tracing::info!(generation, "admin API change applied"),
                Ok(Err(problem)) => {
                    tracing::error!(%problem, "admin API change not applied; still serving the previous configuration")
                }
                Err(err) => tracing::error!(%err, "rebuild task failed"),
            }
        }
    })
}
