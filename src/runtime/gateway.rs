//! Starting the gateway (data plane) on a bound listener: compile the first snapshot, start
//! the issuer-key caches, optionally watch a configuration file for reloads and the admin
//! API's store for changes, and serve.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use super::plane::{self, Sources};
use super::{Listener, Shutdown, reload, server, stopped};
use crate::admin::Admin;
use crate::jwks::{HttpFetcher, Registry, SystemClock};
use crate::model::Gateway;

/// Compiles `gateway` (plus the admin API's deployed APIs) and returns the future that serves
/// it on `listener`. With `reload_from`, edits of that file (and SIGHUP) swap in new snapshots;
/// with `admin`, so do admin-API writes.
pub fn start(
    gateway: &Gateway,
    listener: Listener,
    reload_from: Option<PathBuf>,
    admin: Option<Arc<Admin>>,
    shutdown: Shutdown,
) -> Result<impl Future<Output = Result<(), String>> + Send + 'static, String> {
    let client = crate::client::build();
    let fetcher = Arc::new(HttpFetcher::new(client.clone()));
    let registry = Arc::new(Registry::new(fetcher, Arc::new(SystemClock)));
    let sources = Sources::new(gateway.clone(), admin.clone(), registry.clone(), client)?;
    let plane = sources.plane();
    let reloader = reload_from.map(|path| reload::spawn(path, sources.clone()));
    let watcher = admin.map(|a| plane::spawn_admin_watch(sources.clone(), a));
    let scheme = if listener.is_tls() { "https" } else { "http" };
    eprintln!("portcullis: gateway listening on {scheme}://{}", listener.local_addr());
    Ok(async move {
        let handler = move |conn, req| crate::proxy::handle(plane.clone(), conn, req);
        let result = server::run(listener, handler, stopped(shutdown)).await;
        for task in [reloader, watcher].into_iter().flatten() {
            task.abort();
        }
        drop(sources);
        drop(registry);
        result
    })
}

/// The invoke URL template of the gateway on `listener`: the configured `apiEndpoint`, else
/// `http(s)://{apiId}.execute-api.localhost:<port>`.
pub fn endpoint_template(gateway: &Gateway, listener: &Listener) -> String {
    gateway.api_endpoint.clone().unwrap_or_else(|| {
        let scheme = if listener.is_tls() { "https" } else { "http" };
        format!(
            "{scheme}://{{apiId}}.execute-api.localhost:{}",
            listener.local_addr().port()
        )
    })
}
