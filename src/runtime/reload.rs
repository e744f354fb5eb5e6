//! Watches the configuration file (content checked every 500 ms) and SIGHUP; on a change,
//! builds a new snapshot and swaps it in, or logs why not and keeps the old one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenCache;
use crate::jwks::Registry;
use crate::proxy::{DataPlane, Snapshot};

const POLL: Duration = Duration::from_millis(500);

/// Starts the watcher task. The SIGHUP handler is installed before this returns, so a SIGHUP
/// sent once the gateway has announced itself reloads instead of killing the process.
pub fn spawn(
    path: PathBuf,
    plane: Arc<DataPlane>,
    registry: Arc<Registry>,
    token_cache: Option<Arc<TokenCache>>,
) -> tokio::task::JoinHandle<()> {
    let mut hup = hangup();
    tokio::spawn(async move {
        let mut last = std::fs::read(&path).ok();
        loop {
            let forced = tokio::select! {
                () = tokio::time::sleep(POLL) => false,
                () = next_hangup(&mut hup) => true,
            };
            let now = std::fs::read(&path).ok();
            if forced || (now.is_some() && now != last) {
                last = now;
                reload(&path, &plane, &registry, token_cache.as_ref());
            }
        }
    })
}

/// Validates, compiles and swaps in the file's configuration (keeping the token cache).
pub fn reload(path: &std::path::Path, plane: &DataPlane, registry: &Registry, token_cache: Option<&Arc<TokenCache>>) {
    let result = crate::config::load(path)
        .map_err(|d| d.to_string())
        .and_then(|config| config.gateway.ok_or_else(|| "no gateway section".to_owned()))
        .and_then(|gateway| Snapshot::build(&gateway, registry, token_cache));
    match result {
        Ok(snapshot) => {
            plane.snapshot.store(Arc::new(snapshot));
            tracing::info!(file = %path.display(), "configuration reloaded");
        }
        Err(problems) => {
            tracing::error!(file = %path.display(), %problems, "configuration change rejected; still serving the previous one")
        }
    }
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = Option<()>;

#[cfg(unix)]
fn hangup() -> Hangup {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn hangup() -> Hangup {
    None
}

#[cfg(unix)]
async fn next_hangup(hup: &mut Hangup) {
    match hup {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending::<()>().await
}
