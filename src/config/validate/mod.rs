//! Raw file → validated `model::Config`, collecting every problem.
//!
//! Each list element is decoded on its own (`decode`), so a typo in one route does not hide the
//! problems of the others; then AWS's rules are checked and each failure becomes a diagnostic
//! with its path and a one-line fix. Locations are attached at the end from the document.
//! Parts that other writers of configuration (the admin API) validate on their own are public
//! here (`validate_cors`), so that there is one set of rules.
//!
//! May import: std, `serde`, `serde_json`, `serde_path_to_error`, `crate::model`,
//! `crate::routing` (to check route conflicts with the same table the data plane uses), and
//! the sibling config modules.

mod admin;
mod api;
mod authorizer;
mod cors;
mod integration;
mod issuer;
mod issuer_server;
mod stage;

pub use cors::{CREDENTIALS_WITH_ANY_ORIGIN, validate_cors};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::diagnostic::Diagnostics;
use super::file::{FileConfig, FileGateway, FileTokenCache};
use super::source::{Document, join};
use crate::model::{Config, Gateway, Tls, TokenCacheSettings};

pub use api::ApiRules;

/// Validates one API given as the JSON shape of an `apis:` entry (the admin API's path into
/// the same rules as the file). Paths in the diagnostics are relative to the API.
pub fn validate_api(value: &Value, rules: ApiRules) -> Result<crate::model::Api, Diagnostics> {
    let mut diags = Diagnostics::default();
    match api::validate_one(value, rules, &mut diags) {
        Some(api) if diags.is_empty() => Ok(api),
        _ => Err(diags),
    }
}

/// Validates a parsed document.
pub fn validate(doc: &Document) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::default();
    let config = validate_root(&doc.value, &mut diags);
    if let (true, Some(config)) = (diags.is_empty(), config) {
        return Ok(config);
    }
    for d in &mut diags.0 {
        if d.location.is_none() {
            d.location = doc.locate(&d.path);
        }
    }
    Err(diags)
}

fn validate_root(value: &Value, diags: &mut Diagnostics) -> Option<Config> {
    let file: FileConfig = decode(value, "", diags)?;
    if file.gateway.is_none() && file.issuer.is_none() {
        diags.error(
            "",
            "the file has neither a `gateway:` nor an `issuer:` section",
            "add a `gateway:` section with `listen:` and `apis:`",
        );
        return None;
    }
    if file.admin.is_some() && file.gateway.is_none() {
        diags.error(
            "admin",
            "the admin API manages a gateway, but the file has no `gateway:` section",
            "add a `gateway:` section with `listen:`",
        );
    }
    let has_admin = file.admin.is_some();
    let gateway = file.gateway.as_ref().map(|g| validate_gateway(g, has_admin, diags));
    let issuer = file.issuer.as_ref().map(|i| issuer::validate_issuer(i, diags));
    let admin = file.admin.as_ref().map(|a| admin::validate_admin(a, diags));
    // A section that is present but failed has reported why; an absent one is simply None.
    if matches!(gateway, Some(None)) || matches!(issuer, Some(None)) || matches!(admin, Some(None)) {
        return None;
    }
    Some(Config {
        gateway: gateway.flatten(),
        issuer: issuer.flatten(),
        admin: admin.flatten(),
    })
}

fn validate_gateway(value: &Value, has_admin: bool, diags: &mut Diagnostics) -> Option<Gateway> {
    let path = "gateway";
    let file: FileGateway = decode(value, path, diags)?;
    let listen = listen_address(&file.listen, path, "127.0.0.1:8000", diags);
    if file.workers == Some(0) {
        diags.error(
            &join(path, "workers"),
            "workers must be at least 1",
            "omit it to use one per core",
        );
    }
    let token_cache = validate_token_cache(file.token_cache.as_ref(), &join(path, "tokenCache"), diags);
    if file.apis.is_empty() && !has_admin {
        diags.error(
            &join(path, "apis"),
            "the gateway has no API",
            "add at least one entry under `apis:`, or an `admin:` section to create APIs through the admin API",
        );
    }
    let apis = api::validate_apis(&file.apis, &join(path, "apis"), diags);
    let tls = file.tls.map(|t| Tls {
        certificate: t.certificate.into(),
        key: t.key.into(),
    });
    if let Some(template) = &file.api_endpoint
        && let Err(problem) = crate::model::HostPattern::from_endpoint(template)
    {
        diags.error(
            &join(path, "apiEndpoint"),
            problem,
            "write e.g. https://{apiId}.api.example.com (a wildcard DNS name pointing at the gateway)",
        );
    }
    Some(Gateway {
        api_endpoint: file.api_endpoint,
        listen: listen?,
        tls,
        workers: file.workers,
        token_cache,
        apis,
    })
}

/// A section's `listen: host:port`.
fn listen_address(text: &str, section: &str, example: &str, diags: &mut Diagnostics) -> Option<std::net::SocketAddr> {
    let parsed = text.parse().ok();
    if parsed.is_none() {
        diags.error(
            &join(section, "listen"),
            format!("'{text}' is not an address"),
            &format!("write host:port with a numeric host, e.g. {example}"),
        );
    }
    parsed
}

/// Largest `tokenCache.maxEntries`.
const MAX_TOKEN_CACHE_ENTRIES: u64 = 10_000_000;
/// Largest `tokenCache.maxMemoryMiB`.
const MAX_TOKEN_CACHE_MIB: u64 = 65_536;

fn validate_token_cache(file: Option<&FileTokenCache>, path: &str, diags: &mut Diagnostics) -> TokenCacheSettings {
    let defaults = TokenCacheSettings::default();
    let Some(file) = file else {
        return defaults;
    };
    let mut bounded = |field: &str, value: Option<u64>, max: u64, default: usize| match value {
        None => default,
        Some(n) if (1..=max).contains(&n) => usize::try_from(n).unwrap_or(usize::MAX),
        Some(n) => {
            diags.error(
                &join(path, field),
                format!("{field} must be 1–{max} (it is {n})"),
                "omit it for the default, or set `enabled: false` to turn the cache off",
            );
            default
        }
    };
    let max_entries = bounded(
        "maxEntries",
        file.max_entries,
        MAX_TOKEN_CACHE_ENTRIES,
        defaults.max_entries,
    );
    let mib = bounded(
        "maxMemoryMiB",
        file.max_memory_mib,
        MAX_TOKEN_CACHE_MIB,
        TokenCacheSettings::DEFAULT_MAX_MEMORY_MIB,
    );
    TokenCacheSettings {
        enabled: file.enabled.unwrap_or(true),
        max_entries,
        max_bytes: mib.saturating_mul(1 << 20),
    }
}

/// Decodes `value` as `T`, recording a diagnostic at the failing path on error.
fn decode<T: DeserializeOwned>(value: &Value, path: &str, diags: &mut Diagnostics) -> Option<T> {
    match serde_path_to_error::deserialize(value) {
        Ok(v) => Some(v),
        Err(err) => {
            let inner = err.path().to_string();
            let mut at = if inner == "." {
                path.to_owned()
            } else {
                join(path, &inner)
            };
            let message = err.inner().to_string();
            if let Some(field) = unknown_field(&message).filter(|f| !at.ends_with(&format!(".{f}"))) {
                at = join(&at, field);
            }
            diags.error(&at, message.clone(), &decode_hint(&message));
            None
        }
    }
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

fn decode_hint(message: &str) -> String {
    if message.starts_with("unknown field") {
        "remove it or fix its spelling (field names are AWS's camelCase names)".to_owned()
    } else if message.starts_with("missing field") {
        "add the field".to_owned()
    } else {
        "give the value the type shown".to_owned()
    }
}

/// Decodes every element of a list, skipping the ones that fail.
fn decode_each<T: DeserializeOwned>(values: &[Value], path: &str, diags: &mut Diagnostics) -> Vec<(String, T)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let at = format!("{path}[{i}]");
            decode(v, &at, diags).map(|t| (at, t))
        })
        .collect()
}

/// Limits of a list of identified elements (`authorizers`, `integrations`, `stages`, `apis`).
struct ListRules {
    /// AWS's quota for the list.
    max: usize,
    /// The list's name in messages.
    noun: &'static str,
    /// The identifying field, unique within the list.
    key: &'static str,
}

/// Decodes a list, checking its quota and that every element's identifying field is unique.
fn decode_unique<T: DeserializeOwned>(
    values: &[Value],
    path: &str,
    rules: &ListRules,
    id: fn(&T) -> &str,
    diags: &mut Diagnostics,
) -> Vec<(String, T)> {
    if values.len() > rules.max {
        diags.error(
            path,
            format!(
                "at most {} {} are allowed (found {})",
                rules.max,
                rules.noun,
                values.len()
            ),
            "remove the ones no route uses",
        );
    }
    let mut seen = std::collections::HashSet::new();
    let elements = decode_each::<T>(values, path, diags);
    for (at, element) in &elements {
        if !seen.insert(id(element).to_owned()) {
            let key = rules.key;
            diags.error(
                &join(at, key),
                format!("{key} '{}' is used twice", id(element)),
                &format!("give every entry its own {key}"),
            );
        }
    }
    elements
}

/// Checks a string's length in characters.
fn check_len(value: &str, min: usize, max: usize, path: &str, what: &str, diags: &mut Diagnostics) {
    let n = value.chars().count();
    if n < min || n > max {
        diags.error(
            path,
            format!("{what} must be {min}–{max} characters long (it is {n})"),
            "shorten or fill it in",
        );
    }
}

#[cfg(test)]
mod tests;
