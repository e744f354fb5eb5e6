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

mod admin;
mod demo;
mod gateway;
mod hangup;
mod issuer;
mod plane;
mod reload;
mod server;
#[cfg(test)]
mod test_support;
mod tls;

use std::path::{Path, PathBuf};

use tokio::sync::watch;

/// Runs `portcullis demo`.
pub use demo::run as demo;
pub use demo::{DemoOptions, default_data_dir};
pub use issuer::store_path;
pub use server::{Listener, bind};

/// What `portcullis serve` needs.
pub struct ServeOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// Override of the gateway's `listen` address (e.g. `127.0.0.1:0` in tests).
    pub listen: Option<std::net::SocketAddr>,
    /// Override of the issuer's `listen` address.
    pub issuer_listen: Option<std::net::SocketAddr>,
    /// Override of the admin API's `listen` address.
    pub admin_listen: Option<std::net::SocketAddr>,
    /// Data-plane workers: 1 serves the gateway on the calling runtime; more serve it on that
    /// many threads of their own (see `server::run_on_workers`).
    pub workers: usize,
}

/// A signal every service watches; `true` means stop.
pub type Shutdown = watch::Receiver<bool>;

/// Completes when `shutdown` turns true.
pub async fn stopped(mut shutdown: Shutdown) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Loads the file, starts every section it has and serves until SIGINT/SIGTERM. Every
/// listener is bound before any service starts, so a taken port leaves nothing half-started.
pub async fn serve(options: ServeOptions) -> Result<(), String> {
    let signal = shutdown_signal();
    let config = crate::config::load(&options.config).map_err(|d| format!("{}:\n{d}", options.config.display()))?;
    let issuer_listener = match &config.issuer {
        Some(t) => Some(bind(options.issuer_listen.unwrap_or(t.listen), None).await?),
        None => None,
    };
    let gateway_listener = match &config.gateway {
        Some(g) => {
            let tls = g.tls.as_ref().map(tls::acceptor).transpose()?;
            Some(bind(options.listen.unwrap_or(g.listen), tls).await?)
        }
        None => None,
    };
    let admin_listener = match &config.admin {
        Some(a) => Some(bind(options.admin_listen.unwrap_or(a.listen), None).await?),
        None => None,
    };
    let (stop, shutdown) = watch::channel(false);
    let mut services = tokio::task::JoinSet::new();
    let dir = config_dir(&options.config);
    if let (Some(tenant), Some(listener)) = (config.issuer, issuer_listener) {
        let store = issuer::store_path(&tenant, &dir);
        services.spawn(issuer::start(tenant, &store, listener, shutdown.clone()).await?);
    }
    if let (Some(gw), Some(listener)) = (config.gateway, gateway_listener) {
        let admin = match (&config.admin, admin_listener) {
            (Some(settings), Some(admin_listener)) => {
                let endpoint = gateway::endpoint_template(&gw, &listener);
                let text = crate::config::read(&options.config).map_err(|d| d.to_string())?;
                let written = admin::written(&options.config);
                let state = admin::prepare(settings, &admin::store_path(settings, &dir), &text, written, endpoint)?;
                services.spawn(admin::start(state.clone(), admin_listener, shutdown.clone()));
                Some(state)
            }
            _ => None,
        };
        services.spawn(gateway::start(
            &gw,
            listener,
            Some(options.config.clone()),
            admin,
            shutdown.clone(),
            options.workers,
        )?);
    }
    run_until_signal(services, stop, signal).await
}

/// Waits for SIGINT/SIGTERM (or a service ending on its own), then stops every service.
pub async fn run_until_signal(
    mut services: tokio::task::JoinSet<Result<(), String>>,
    stop: watch::Sender<bool>,
    signal: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    tokio::select! {
        () = signal => {}
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

/// A future that completes on SIGINT or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled, so a signal that arrives while services are
/// still starting (e.g. right after the demo's banner) is not lost and does not kill the
/// process with the default action.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (interrupt, terminate) = signals;
            tokio::select! {
                () = next(interrupt) => {},
                () = next(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

#[cfg(unix)]
async fn next(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}
