//! Composition: builds the data plane from a configuration file, binds listeners, reloads on
//! change, and shuts down cleanly.
//!
//! Reload rule (DESIGN "hot swap of snapshots"): a change (file edit or SIGHUP) is parsed,
//! validated and compiled into a complete new snapshot before an atomic swap; an invalid
//! change is logged and the running snapshot keeps serving.
//!
//! May import: everything below it (`proxy`, `jwks`, `config`, `model`, `client`, `telemetry`).

mod reload;
mod server;
mod tls;

use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::jwks::{HttpFetcher, Registry, SystemClock};
use crate::proxy::{DataPlane, Snapshot};

pub use server::{Listener, bind};

/// What `portcullis serve` needs.
pub struct ServeOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// Override of the file's `listen` address (e.g. `127.0.0.1:0` in tests).
    pub listen: Option<std::net::SocketAddr>,
}

/// Loads the file, starts the gateway and serves until SIGINT/SIGTERM.
pub async fn serve(options: ServeOptions) -> Result<(), String> {
    let config = crate::config::load(&options.config).map_err(|d| format!("{}:\n{d}", options.config.display()))?;
    let gateway = config.gateway.ok_or("the configuration has no gateway section")?;
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
    let addr = options.listen.unwrap_or(gateway.listen);
    let listener = bind(addr, tls).await?;
    let reloader = reload::spawn(options.config.clone(), plane.clone(), registry.clone());
    let scheme = if listener.is_tls() { "https" } else { "http" };
    eprintln!("portcullis: gateway listening on {scheme}://{}", listener.local_addr());
    let result = server::run(listener, plane, shutdown_signal()).await;
    reloader.abort();
    result
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
