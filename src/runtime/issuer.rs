//! Starting the embedded authorization server: open its store, load and maintain its keys,
//! bind its listener, and serve until shutdown.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::{Shutdown, bind, server, stopped};
use crate::issuer::{IssuerState, keys};
use crate::model::issuer::Issuer;
use crate::store::Store;

/// Binds the issuer and returns the future that serves it.
pub async fn start(
    tenant: Issuer,
    config_dir: &Path,
    listen: Option<SocketAddr>,
    shutdown: Shutdown,
) -> Result<impl std::future::Future<Output = Result<(), String>> + Send + 'static, String> {
    let store_path = if tenant.store.is_absolute() {
        tenant.store.clone()
    } else {
        config_dir.join(&tenant.store)
    };
    let store =
        Store::open(&store_path).map_err(|e| format!("cannot open the issuer store {}: {e}", store_path.display()))?;
    let listener = bind(listen.unwrap_or(tenant.listen), None).await?;
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
