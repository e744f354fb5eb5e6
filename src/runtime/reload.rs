//! Watches the configuration file (content checked every 500 ms) and SIGHUP; on a change,
//! builds a new snapshot and swaps it in, or logs why not and keeps the old one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::plane::Sources;

const POLL: Duration = Duration::from_millis(500);

/// Starts the watcher task. The SIGHUP handler is installed before this returns, so a SIGHUP
/// sent once the gateway has announced itself reloads instead of killing the process.
pub fn spawn(path: PathBuf, sources: Arc<Sources>) -> tokio::task::JoinHandle<()> {
    let mut hup = hangup();
    tokio::spawn(async move {
        // File reads and the rebuild run on the blocking pool: with one worker, this task
        // shares its thread with every request, which a slow disk or a large configuration
        // would otherwise stall.
        let mut last = tokio::fs::read(&path).await.ok();
        loop {
            let forced = tokio::select! {
                () = tokio::time::sleep(POLL) => false,
                () = next_hangup(&mut hup) => true,
            };
            let now = tokio::fs::read(&path).await.ok();
            if forced || (now.is_some() && now != last) {
                last = now;
                let (path, sources) = (path.clone(), sources.clone());
                if let Err(err) = tokio::task::spawn_blocking(move || reload(&path, &sources)).await {
                    tracing::error!(%err, "configuration reload task failed");
                }
            }
        }
    })
}

/// Validates, compiles and swaps in the file's configuration (the token cache and the
/// throttling buckets are kept).
pub fn reload(path: &std::path::Path, sources: &Sources) {
    let result = crate::config::load(path)
        .map_err(|d| d.to_string())
        .and_then(|config| config.gateway.ok_or_else(|| "no gateway section".to_owned()))
        .and_then(|gateway| sources.replace_file(gateway));
    match result {
        Ok(()) => {
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
