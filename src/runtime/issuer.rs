//! Starting the embedded authorization server on a bound listener: open its store, load and
//! maintain its keys, and serve until shutdown.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use super::{Listener, Shutdown, server, stopped};
use crate::issuer::{IssuerState, keys};
use crate::model::issuer::Issuer;
use crate::store::Store;

/// The store file of `tenant`, relative paths taken from `config_dir`.
pub fn store_path(tenant: &Issuer, config_dir: &Path) -> std::path::PathBuf {
    if tenant.store.is_absolute() {
        tenant.store.clone()
    } else {
        config_dir.join(&tenant.store)
    }
}

/// Prepares the issuer and returns the future that serves it on `listener`.
pub async fn start(
    tenant: Issuer,
    store: &Path,
    listener: Listener,
    shutdown: Shutdown,
) -> Result<impl Future<Output = Result<(), String>> + Send + 'static, String> {
    let store = Store::open(store).map_err(|e| format!("cannot open the issuer store {}: {e}", store.display()))?;
    let base_url = tenant
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", listener.local_addr()));
    let state = Arc::new(IssuerState::new(tenant, base_url, store));
    let setup = state.clone();
    tokio::task::spawn_blocking(move || keys::maintain_all(&setup))
        .await
        .map_err(|e| e.to_string())??;
    let maintenance = keys::spawn_maintenance(state.clone());
    for server in state.servers.values() {
        eprintln!(
            "portcullis: issuer listening on http://{} (issuer {})",
            listener.local_addr(),
            server.issuer
        );
    }
    Ok(async move {
        let handler = move |conn, req| crate::issuer::http::handle(state.clone(), conn, req);
        let result = server::run(listener, handler, stopped(shutdown)).await;
        maintenance.abort();
        result
    })
}
