//! Starting the admin API (apigatewayv2 control plane) on a bound listener over its store.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use super::{Listener, Shutdown, server, stopped};
use crate::admin::{Admin, Settings};
use crate::model::AdminApi;
use crate::store::Store;

/// Opens the store and builds the admin state; `endpoint` is the invoke URL template and
/// `file_text` the configuration file, whose APIs the admin API lists read-only with
/// `written` (when the file was last written) as their `createdDate`, so a restart does not
/// change them.
pub fn prepare(
    config: &AdminApi,
    store: &Path,
    file_text: &str,
    written: std::time::SystemTime,
    endpoint: String,
) -> Result<Arc<Admin>, String> {
    let started = crate::admin::ids::iso8601(written);
    let file_apis = crate::config::source::parse(file_text)
        .ok()
        .and_then(|doc| doc.value.pointer("/gateway/apis").and_then(|a| a.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .map(|shape| crate::admin::openapi::file_record(shape, &started))
        .collect();
    let store = Store::open(store).map_err(|e| format!("cannot open the admin store {}: {e}", store.display()))?;
    let (changed, _) = tokio::sync::watch::channel(0);
    Ok(Arc::new(Admin {
        settings: Settings {
            credentials: config
                .credentials
                .iter()
                .map(|k| (k.access_key_id.clone(), k.secret_access_key.clone()))
                .collect(),
            check_issuer_discovery: config.check_issuer_discovery,
            api_endpoint: endpoint,
            file_apis,
        },
        store: Arc::new(store),
        client: crate::client::build(),
        changed,
        clock: Arc::new(std::time::SystemTime::now),
    }))
}

/// The future that serves the admin API on `listener`.
pub fn start(
    admin: Arc<Admin>,
    listener: Listener,
    shutdown: Shutdown,
) -> impl Future<Output = Result<(), String>> + Send + 'static {
    eprintln!(
        "portcullis: admin API (apigatewayv2) listening on http://{}",
        listener.local_addr()
    );
    async move {
        let handler = move |conn, req| crate::admin::http::handle(admin.clone(), conn, req);
        server::run(listener, handler, stopped(shutdown)).await
    }
}

/// When `path` was last written (the Unix epoch when that cannot be read).
pub fn written(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

/// The admin store file, relative paths taken from `config_dir`.
pub fn store_path(config: &AdminApi, config_dir: &Path) -> std::path::PathBuf {
    if config.store.is_absolute() {
        config.store.clone()
    } else {
        config_dir.join(&config.store)
    }
}
