//! Composition: builds the data plane and/or the issuer from a configuration file, binds
//! their listeners, reloads the gateway on change, and shuts everything down cleanly.
//!
//! Reload rule (DESIGN "hot swap of snapshots"): a change (file edit or SIGHUP) is parsed,
//! validated and compiled into a complete new snapshot before an atomic swap; an invalid
//! change is logged and the running snapshot keeps serving. The issuer section is read at
//! start.
//!
//! May import: everything below it (`proxy`, `issuer`, `jwks`, `store`, `config`, `model`,
//! `client`, `telemetry`).

mod issuer;
mod reload;
mod server;
mod tls;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::sync::watch;

use crate::jwks::{HttpFetcher, Registry, SystemClock};
use crate::model::Gateway;
use crate::proxy::{DataPlane, Snapshot};

pub use server::{Listener, bind};

/// What `portcullis serve` needs.
pub struct ServeOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// Override of the gateway's `listen` address (e.g. `127.0.0.1:0` in tests).
    pub listen: Option<std::net::SocketAddr>,
    /// Override of the issuer's `listen` address.
    pub issuer_listen: Option<std::net::SocketAddr>,
}

/// A signal every service watches; `true` means stop.
pub type Shutdown = watch::Receiver<bool>;

/// Completes when `shutdown` turns true.
pub async fn stopped(mut shutdown: Shutdown) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Loads the file, starts every section it has and serves until SIGINT/SIGTERM.
pub async fn serve(options: ServeOptions) -> Result<(), String> {
    let config = crate::config::load(&options.config).map_err(|d| format!("{}:\n{d}", options.config.display()))?;
    let (stop, shutdown) = watch::channel(false);
    let mut services = tokio::task::JoinSet::new();
    if let Some(tenant) = config.issuer {
        let dir = config_dir(&options.config);
        let started = issuer::start(tenant, &dir, options.issuer_listen, shutdown.clone()).await?;
        services.spawn(started);
    }
    if let Some(gateway) = config.gateway {
        let started = start_gateway(gateway, &options, shutdown.clone()).await?;
        services.spawn(started);
    }
    tokio::select! {
        () = shutdown_signal() => {}
        Some(result) = services.join_next() => {
            let _ = stop.send(true);
            return result.map_err(|e| e.to_string()).and_then(|r| r);
        }
    }
    let _ = stop.send(true);
    while let Some(result) = services.join_next().await {
        result.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// The directory relative paths in the configuration are resolved against.
fn config_dir(config: &Path) -> PathBuf {
    config.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Binds the gateway listener and returns the future that serves it.
async fn start_gateway(
    gateway: Gateway,
    options: &ServeOptions,
    shutdown: Shutdown,
) -> Result<impl std::future::Future<Output = Result<(), String>> + Send + 'static, String> {
    let client = crate::client::build();
    let registry = Arc::new(Registry::new(
        Arc::new(HttpFetcher::new(client.clone())),
        Arc::new(SystemClock),
    ));
    let snapshot = Snapshot::build(&gateway, &registry)?;
    let plane = Arc::new(DataPlane {
        snapshot: ArcSwap::from_pointee(snapshot),
        client,
    });
    let tls = match &gateway.tls {
        Some(t) => Some(tls::acceptor(t)?),
        None => None,
    };
    let listener = bind(options.listen.unwrap_or(gateway.listen), tls).await?;
    let reloader = reload::spawn(options.config.clone(), plane.clone(), registry.clone());
    let scheme = if listener.is_tls() { "https" } else { "http" };
    eprintln!("portcullis: gateway listening on {scheme}://{}", listener.local_addr());
    Ok(async move {
        let handler = move |conn, req| crate::proxy::handle(plane.clone(), conn, req);
        let result = server::run(listener, handler, stopped(shutdown)).await;
        reloader.abort();
        drop(registry);
        result
    })
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
