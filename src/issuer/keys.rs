//! Each authorization server's signing keys, kept in the store so that a restart (or another
//! process, like `portcullis keys rotate`) sees the same keys: loaded at start, maintained
//! (created, pre-published, rotated, retired) on a timer, and swapped in whole.

use std::sync::Arc;
use std::time::Duration;

use super::core::{KeyRecord, KeyRing, SigningKey};
use super::state::{IssuerState, ServerState};
use crate::store::Store;

/// How often keys are re-read from the store and maintained.
pub const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(2);

fn load(store: &Store, server: &str) -> Result<KeyRing, String> {
    let records = store.load_keys(server).map_err(|e| e.to_string())?;
    let parsed: Vec<KeyRecord> = records
        .iter()
        .map(|r| serde_json::from_str(r).map_err(|e| format!("stored key record is unreadable: {e}")))
        .collect::<Result<_, _>>()?;
    KeyRing::from_records(parsed)
}

fn save(store: &Store, server: &str, ring: &KeyRing) -> Result<(), String> {
    let records: Vec<String> = ring
        .records()
        .iter()
        .map(|r| serde_json::to_string(r).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    store.replace_keys(server, &records).map_err(|e| e.to_string())
}

/// Reads one server's keys from the store, brings them up to date, persists any change and
/// installs them.
pub fn maintain(store: &Store, server: &ServerState, now: i64) -> Result<(), String> {
    let mut ring = load(store, &server.config.id)?;
    let period = i64::try_from(server.config.key_rotation.as_secs()).unwrap_or(i64::MAX);
    let changed = ring.maintain(now, period, server.max_token_lifetime_secs(), &mut SigningKey::generate)?;
    if changed {
        save(store, &server.config.id, &ring)?;
    }
    server.set_keys(ring);
    Ok(())
}

/// Maintains every server once (at start, before serving).
pub fn maintain_all(state: &IssuerState) -> Result<(), String> {
    let now = crate::telemetry::unix_secs();
    for server in state.servers.values() {
        maintain(&state.store, server, now)?;
    }
    Ok(())
}

/// Keeps maintaining keys until the task is aborted.
pub fn spawn_maintenance(state: Arc<IssuerState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(MAINTENANCE_INTERVAL).await;
            let state = state.clone();
            let result = tokio::task::spawn_blocking(move || maintain_all(&state)).await;
            if let Ok(Err(err)) = result {
                tracing::error!(%err, "signing-key maintenance failed; keeping the current keys");
            }
        }
    })
}

/// `portcullis keys rotate`: Okta's manual rotation on one server, in the store.
pub fn rotate(store: &Store, server: &str, now: i64) -> Result<String, String> {
    let mut ring = load(store, server)?;
    ring.rotate_now(now, &mut SigningKey::generate)?;
    save(store, server, &ring)?;
    ring.active()
        .map(|k| k.kid().to_owned())
        .ok_or_else(|| "no active key after rotation".to_owned())
}
