//! The test web app's configuration, read from the environment variables of Okta's original
//! sample app (`ISSUER`, `CLIENT_ID`, `CLIENT_SECRET`, `AUD`, `GATEWAY_URI`, `PORT`,
//! `REDIRECT_URI`, `SESSION_SECRET`, `SESSION_MAX_AGE`) or a `.env` file, so the same app runs
//! against the embedded issuer and gateway or a real Okta tenant and a real AWS HTTP API.
//!
//! Invariants: a value from the environment wins over the `.env` file; an empty value counts as
//! unset; every problem is reported at once, each naming its variable; secrets never appear in
//! `Debug` output. Reading goes through a lookup function, so tests need no real environment.
//!
//! May import: std, `super::session` (for a random demo session secret).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The demo tenant's web client (examples/solar-system/issuer.yaml).
pub const DEMO_CLIENT_ID: &str = "solar-system-app";
/// The demo web client's secret (development only, printed by `portcullis demo`).
pub const DEMO_CLIENT_SECRET: &str = "solar-system-app-secret";
/// The audience of the demo authorization server's access tokens.
pub const DEMO_AUDIENCE: &str = "api://default";

/// Everything the test web app needs to know.
#[derive(Clone)]
pub struct AppConfig {
    /// `ISSUER`: the authorization server, e.g. `http://localhost:8100/oauth2/default` (no
    /// trailing slash). Discovery is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// `CLIENT_ID`: the web client registered at the issuer.
    pub client_id: String,
    /// `CLIENT_SECRET`: its secret, sent with `client_secret_basic`.
    pub client_secret: String,
    /// `AUD`: the audience the access tokens should carry (shown, and compared for display).
    pub audience: String,
    /// `GATEWAY_URI`: the gateway's base URL; `/asteroids`, `/planets`, `/moons` hang off it.
    pub gateway_uri: String,
    /// `PORT`: where the app listens (default 8080).
    pub port: u16,
    /// `REDIRECT_URI`: the callback registered at the issuer (default
    /// `http://localhost:{PORT}/authorization-code/callback`). Its path is the callback route,
    /// its origin the post-logout redirect.
    pub redirect_uri: String,
    /// `SESSION_SECRET`: the key that signs the session cookie (at least 16 characters).
    pub session_secret: String,
    /// `SESSION_MAX_AGE`: seconds a session lives (default 3600).
    pub session_max_age: Duration,
    /// `EXTRA_SCOPES`: scopes asked for besides each tier's own (default `profile email`, so the
    /// ID token names the user; set it empty to ask exactly what the original demo asked).
    pub extra_scopes: Vec<String>,
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("audience", &self.audience)
            .field("gateway_uri", &self.gateway_uri)
            .field("port", &self.port)
            .field("redirect_uri", &self.redirect_uri)
            .field("session_secret", &"<redacted>")
            .field("session_max_age", &self.session_max_age)
            .field("extra_scopes", &self.extra_scopes)
            .finish()
    }
}

/// Why the configuration could not be read: one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Each problem, naming its variable and what to do.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "test web app configuration: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

impl AppConfig {
    /// Reads the configuration through `lookup` (a variable name → its value).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut r = Reader {
            lookup: &lookup,
            problems: Vec::new(),
        };
        let issuer = r.url("ISSUER", "the issuer URL, e.g. http://localhost:8100/oauth2/default");
        let client_id = r.required("CLIENT_ID", "the client id of the web app registered at the issuer");
        let client_secret = r.required("CLIENT_SECRET", "the client secret of that web app");
        let audience = r.required("AUD", "the audience of the access tokens, e.g. api://default");
        let gateway_uri = r.url("GATEWAY_URI", "the gateway's base URL, e.g. http://localhost:8000");
        let port = r.number("PORT", 8080u16);
        let redirect_uri = r.get("REDIRECT_URI").unwrap_or_else(|| default_redirect_uri(port));
        r.check_url("REDIRECT_URI", &redirect_uri);
        let session_secret = r.required("SESSION_SECRET", "a long random string that signs the session cookie");
        if !session_secret.is_empty() && session_secret.chars().count() < 16 {
            r.problems
                .push("SESSION_SECRET is too short: use at least 16 random characters".to_owned());
        }
        let session_max_age = Duration::from_secs(r.number("SESSION_MAX_AGE", 3600u64));
        let extra_scopes = r
            .get("EXTRA_SCOPES")
            .map_or_else(default_extra_scopes, |s| split_scopes(&s));
        if !r.problems.is_empty() {
            return Err(ConfigError { problems: r.problems });
        }
        Ok(AppConfig {
            issuer,
            client_id,
            client_secret,
            audience,
            gateway_uri,
            port,
            redirect_uri,
            session_secret,
            session_max_age,
            extra_scopes,
        })
    }

    /// Reads the process environment, then the `.env` file at `path` (if it exists) for the
    /// variables the environment does not set.
    pub fn from_env_and_file(path: &Path) -> Result<Self, ConfigError> {
        let file = match std::fs::read_to_string(path) {
            Ok(text) => parse_dotenv(&text)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(err) => return Err(problem(format!("cannot read {}: {err}", path.display()))),
        };
        Self::from_layers(|name| std::env::var(name).ok(), &file)
    }

    /// Reads `env` first and `file` for what `env` leaves unset or empty.
    fn from_layers(env: impl Fn(&str) -> Option<String>, file: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| {
            let from_env = env(name).filter(|v| !v.trim().is_empty());
            from_env.or_else(|| file.get(name).cloned())
        })
    }

    /// The embedded demo's configuration: the demo tenant's web client, audience
    /// `api://default`, the app on `port`, and a fresh random session secret (sessions live in
    /// memory, so they end with the process anyway).
    pub fn demo(issuer: &str, gateway_uri: &str, port: u16) -> Result<Self, ConfigError> {
        let session_secret = super::session::random_token(32).map_err(problem)?;
        Ok(AppConfig {
            issuer: trim_slash(issuer),
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: DEMO_CLIENT_SECRET.to_owned(),
            audience: DEMO_AUDIENCE.to_owned(),
            gateway_uri: trim_slash(gateway_uri),
            port,
            redirect_uri: default_redirect_uri(port),
            session_secret,
            session_max_age: Duration::from_secs(3600),
            extra_scopes: default_extra_scopes(),
        })
    }

    /// The app's origin (`http://localhost:8080`): the post-logout redirect.
    pub fn origin(&self) -> &str {
        split_url(&self.redirect_uri).0
    }

    /// The path of the callback route (`/authorization-code/callback`).
    pub fn callback_path(&self) -> &str {
        split_url(&self.redirect_uri).1
    }

    /// Whether the app is served over https (the session cookie is then `Secure`).
    pub fn is_https(&self) -> bool {
        self.redirect_uri.starts_with("https://")
    }
}

struct Reader<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
    problems: Vec<String>,
}

impl<F: Fn(&str) -> Option<String>> Reader<'_, F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn required(&mut self, name: &str, what: &str) -> String {
        self.get(name).unwrap_or_else(|| {
            self.problems.push(format!("{name} is not set: {what}"));
            String::new()
        })
    }

    fn url(&mut self, name: &str, what: &str) -> String {
        let value = self.required(name, what);
        if !value.is_empty() {
            self.check_url(name, &value);
        }
        trim_slash(&value)
    }

    fn check_url(&mut self, name: &str, value: &str) {
        let (origin, _) = split_url(value);
        if !(value.starts_with("http://") || value.starts_with("https://")) || origin.ends_with("//") {
            self.problems
                .push(format!("{name} must be an http:// or https:// URL, not {value:?}"));
        }
    }

    fn number<T: std::str::FromStr + Default + PartialEq>(&mut self, name: &str, default: T) -> T {
        let Some(text) = self.get(name) else { return default };
        match text.parse::<T>() {
            Ok(n) if n != T::default() => n,
            _ => {
                self.problems
                    .push(format!("{name} must be a positive whole number, not {text:?}"));
                default
            }
        }
    }
}

/// Parses a `.env` file: `KEY=VALUE` lines, `#` comments, optional `export ` and quotes.
pub fn parse_dotenv(text: &str) -> Result<HashMap<String, String>, ConfigError> {
    let mut vars = HashMap::new();
    let mut problems = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        match line.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                vars.insert(key.trim().to_owned(), dotenv_value(value.trim()));
            }
            _ => problems.push(format!(".env line {}: expected KEY=VALUE, found {line:?}", index + 1)),
        }
    }
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(ConfigError { problems })
    }
}

fn dotenv_value(value: &str) -> String {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return value[1..value.len() - 1].to_owned();
        }
    }
    match value.find(" #") {
        Some(comment) => value[..comment].trim_end().to_owned(),
        None => value.to_owned(),
    }
}

fn problem(message: String) -> ConfigError {
    ConfigError {
        problems: vec![message],
    }
}

fn default_redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}/authorization-code/callback")
}

fn default_extra_scopes() -> Vec<String> {
    vec!["profile".to_owned(), "email".to_owned()]
}

fn split_scopes(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn trim_slash(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// Splits an absolute URL into its origin and its path (without query; `/` when empty).
fn split_url(url: &str) -> (&str, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find(['?', '#']).map_or(url.len(), |i| start + i);
    match url[start..end].find('/') {
        Some(slash) => (&url[..start + slash], &url[start + slash..end]),
        None => (&url[..end], "/"),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
