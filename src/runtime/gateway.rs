//! Starting the gateway (data plane) on a bound listener: compile the first snapshot, start
//! the issuer-key caches and the verified-token cache, optionally watch a configuration file
//! for reloads and the admin API's store for changes, and serve.
//!
//! The verified-token cache is built once, at start, from `gateway.tokenCache` and the
//! environment variable `PORTCULLIS_TOKEN_CACHE` (`off` turns it off whatever the file says,
//! `on` turns it on); reloads and admin writes keep it, so they never forget verified tokens.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use super::plane::{self, Sources};
use super::{Listener, Shutdown, reload, server, stopped};
use crate::admin::Admin;
use crate::auth::{CacheLimits, TokenCache};
use crate::jwks::{HttpFetcher, Registry, SystemClock};
use crate::model::{Gateway, TokenCacheSettings};

/// Compiles `gateway` (plus the admin API's deployed APIs) and returns the future that serves
/// it on `listener`. With `reload_from`, edits of that file (and SIGHUP) swap in new snapshots;
/// with `admin`, so do admin-API writes. With `workers` above 1, requests are served on that
/// many threads of their own, each with its own current-thread runtime
/// ([`server::run_on_workers`]); the reloads, the admin watch and the scheduled JWKS refreshes
/// stay on the calling runtime (a refetch for an unknown `kid` runs in the request that met it).
pub fn start(
    gateway: &Gateway,
    listener: Listener,
    reload_from: Option<PathBuf>,
    admin: Option<Arc<Admin>>,
    shutdown: Shutdown,
    workers: usize,
) -> Result<impl Future<Output = Result<(), String>> + Send + 'static, String> {
    let client = crate::client::build();
    let fetcher = Arc::new(HttpFetcher::new(client.clone()));
    let registry = Arc::new(Registry::new(fetcher, Arc::new(SystemClock)));
    let env = std::env::var(TOKEN_CACHE_ENV).ok();
    let token_cache = token_cache(gateway.token_cache, env.as_deref());
    let sources = Sources::new(gateway.clone(), admin.clone(), registry.clone(), token_cache, client)?;
    let plane = sources.plane();
    let reloader = reload_from.map(|path| reload::spawn(path, sources.clone()));
    let watcher = admin.map(|a| plane::spawn_admin_watch(sources.clone(), a));
    let scheme = if listener.is_tls() { "https" } else { "http" };
    eprintln!("portcullis: gateway listening on {scheme}://{}", listener.local_addr());
    Ok(async move {
        let handler = move |conn, req| crate::proxy::handle(plane.clone(), conn, req);
        let result = match workers {
            0 | 1 => server::run(listener, handler, stopped(shutdown)).await,
            n => server::run_on_workers(n, listener, handler, shutdown).await,
        };
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

/// The environment variable that overrides `gateway.tokenCache.enabled`.
pub const TOKEN_CACHE_ENV: &str = "PORTCULLIS_TOKEN_CACHE";

/// The verified-token cache the settings and the environment ask for (`None`: off).
fn token_cache(settings: TokenCacheSettings, env: Option<&str>) -> Option<Arc<TokenCache>> {
    let enabled = match env.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") => false,
        Some(v) if v.eq_ignore_ascii_case("on") => true,
        Some(other) => {
            tracing::warn!(value = other, "{TOKEN_CACHE_ENV} is neither `on` nor `off`; ignored");
            settings.enabled
        }
        None => settings.enabled,
    };
    let (entries, bytes) = (settings.max_entries, settings.max_bytes);
    match (enabled, env.is_some()) {
        (true, _) => tracing::info!(max_entries = entries, max_bytes = bytes, "verified-token cache on"),
        (false, true) => tracing::info!("verified-token cache off ({TOKEN_CACHE_ENV})"),
        (false, false) => tracing::info!("verified-token cache off (gateway.tokenCache.enabled)"),
    }
    enabled.then(|| {
        Arc::new(TokenCache::new(CacheLimits {
            max_entries: entries,
            max_bytes: bytes,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_token_cache_setting() {
        let on = TokenCacheSettings::default();
        let off = TokenCacheSettings { enabled: false, ..on };
        assert!(token_cache(on, None).is_some());
        assert!(token_cache(off, None).is_none());
        assert!(token_cache(on, Some("off")).is_none());
        assert!(token_cache(on, Some("OFF ")).is_none());
        assert!(token_cache(off, Some("on")).is_some());
        assert!(
            token_cache(on, Some("maybe")).is_some(),
            "an unknown value keeps the file's choice"
        );
        let limits = token_cache(on, None).map(|c| c.limits());
        assert_eq!(limits.map(|l| (l.max_entries, l.max_bytes)), Some((10_000, 64 << 20)));
    }
}
