//! Starting the gateway (data plane) on a bound listener: compile the first snapshot, start
//! the issuer-key caches, optionally watch a configuration file for reloads, and serve.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::{Listener, Shutdown, reload, server, stopped};
use crate::jwks::{HttpFetcher, Registry, SystemClock};
use crate::model::Gateway;
use crate::proxy::{DataPlane, Snapshot};

/// Compiles `gateway` and returns the future that serves it on `listener`. With `reload_from`,
/// edits of that file (and SIGHUP) swap in new snapshots.
pub fn start(
    gateway: &Gateway,
    listener: Listener,
    reload_from: Option<PathBuf>,
    shutdown: Shutdown,
) -> Result<impl Future<Output = Result<(), String>> + Send + 'static, String> {
    let client = crate::client::build();
    let fetcher = Arc::new(HttpFetcher::new(client.clone()));
    let registry = Arc::new(Registry::new(fetcher, Arc::new(SystemClock)));
    let snapshot = Snapshot::build(gateway, &registry)?;
    let plane = Arc::new(DataPlane {
        snapshot: ArcSwap::from_pointee(snapshot),
        client,
    });
    let reloader = reload_from.map(|path| reload::spawn(path, plane.clone(), registry.clone()));
    let scheme = if listener.is_tls() { "https" } else { "http" };
    eprintln!("portcullis: gateway listening on {scheme}://{}", listener.local_addr());
    Ok(async move {
        let handler = move |conn, req| crate::proxy::handle(plane.clone(), conn, req);
        let result = server::run(listener, handler, stopped(shutdown)).await;
        if let Some(r) = reloader {
            r.abort();
        }
        drop(registry);
        result
    })
}
