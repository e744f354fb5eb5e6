//! The vocabulary of Portcullis: validated domain types named as AWS names them.
//!
//! Everything here is already validated: a value of these types is a configuration the gateway
//! can serve. The raw file shapes live in `config`, which is the only producer of these types
//! (the admin API and the OpenAPI importer will end in the same `config::validate`).
//!
//! May import: std, `http`, and its own submodules. Nothing else from the crate.

pub mod access_log;
pub mod cors;
pub mod endpoint;
pub mod issuer;
pub mod mapping;
pub mod route_key;
pub mod throttle;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use access_log::{AccessLogFormat, ContextVar, FormatPart};
pub use cors::{Cors, OriginPattern};
pub use endpoint::HostPattern;
pub use mapping::{MappingAction, MappingTarget, ParameterMapping, ValueTemplate};
pub use route_key::{MethodSel, PathPattern, PatternSegment, RouteKey};
pub use throttle::{Throttle, ThrottleSettings};

/// A whole validated configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The data plane, when the file has a `gateway:` section.
    pub gateway: Option<Gateway>,
    /// The embedded authorization server, when the file has an `issuer:` section.
    pub issuer: Option<issuer::Issuer>,
    /// The apigatewayv2 control plane, when the file has an `admin:` section.
    pub admin: Option<AdminApi>,
}

/// The admin API (`admin:`).
#[derive(Debug, Clone, PartialEq)]
pub struct AdminApi {
    /// Address its listener binds (default port 8001).
    pub listen: SocketAddr,
    /// Access keys that may sign requests.
    pub credentials: Vec<AccessKey>,
    /// SQLite file holding admin-API APIs (relative paths: to the configuration file).
    pub store: PathBuf,
    /// Whether CreateAuthorizer/UpdateAuthorizer fetch the issuer's discovery document.
    pub check_issuer_discovery: bool,
}

/// An AWS-style access key.
#[derive(Clone, PartialEq)]
pub struct AccessKey {
    /// `accessKeyId`.
    pub access_key_id: String,
    /// `secretAccessKey`: never printed.
    pub secret_access_key: String,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// The gateway (data plane) section.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// Address the data-plane listener binds.
    pub listen: SocketAddr,
    /// TLS termination for the listener, when configured.
    pub tls: Option<Tls>,
    /// Number of worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// The verified-token cache.
    pub token_cache: TokenCacheSettings,
    /// The HTTP APIs served by this gateway; the first one is the listener's default API.
    pub apis: Vec<Api>,
    /// `apiEndpoint` template with `{apiId}` (e.g. `https://{apiId}.api.example.com`): the
    /// invoke URL the admin API reports, and the `Host` names that select an API. `None`:
    /// `http(s)://{apiId}.execute-api.localhost:<listener port>`.
    pub api_endpoint: Option<String>,
}

/// The verified-token cache (`gateway.tokenCache`): a token is verified once per authorizer and
/// then answered from memory until its `exp` or the next change of its issuer's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCacheSettings {
    /// Whether verified tokens are cached.
    pub enabled: bool,
    /// Most tokens kept.
    pub max_entries: usize,
    /// Most estimated memory kept, in bytes.
    pub max_bytes: usize,
}

impl TokenCacheSettings {
    /// Default `maxEntries`.
    pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
    /// Default `maxMemoryMiB`.
    pub const DEFAULT_MAX_MEMORY_MIB: usize = 64;
}

impl Default for TokenCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
            max_bytes: Self::DEFAULT_MAX_MEMORY_MIB << 20,
        }
    }
}

/// Certificate and key (PEM files) for TLS termination.
#[derive(Debug, Clone, PartialEq)]
pub struct Tls {
    /// PEM file holding the certificate chain, leaf first.
    pub certificate: PathBuf,
    /// PEM file holding the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// One HTTP API (AWS `Api` with `protocolType: HTTP`).
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The API's identifier (`apiId`).
    pub api_id: String,
    /// Human-readable name.
    pub name: String,
    /// JWT authorizers, referenced by routes.
    pub authorizers: Vec<Authorizer>,
    /// Backends, referenced by routes' `target`.
    pub integrations: Vec<Integration>,
    /// Route keys and what guards and serves them.
    pub routes: Vec<Route>,
    /// Stages; `$default` serves paths without a stage prefix.
    pub stages: Vec<Stage>,
    /// How `www-authenticate` challenges are written (decision D3).
    pub challenge_style: ChallengeStyle,
    /// `corsConfiguration`: when set, the gateway answers CORS preflights and owns the CORS
    /// headers of every response (AWS §6.2).
    pub cors: Option<Cors>,
}

/// An admin-API API as the data plane serves it: one validated configuration (routes,
/// integrations, authorizers) per stage that has a deployment. An API without any still
/// exists: requests naming it get 404 rather than another API.
pub struct Deployed {
    /// `apiId`.
    pub api_id: String,
    /// One `Api` per served stage, each holding that stage only.
    pub versions: Vec<Api>,
    /// `disableExecuteApiEndpoint`: requests to its invoke host get 403.
    pub endpoint_disabled: bool,
}

/// The syntax of the `www-authenticate` header on 401 and 403 answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChallengeStyle {
    /// AWS's space-separated form (the default).
    #[default]
    Aws,
    /// RFC 6750's comma-separated form.
    Rfc6750,
}

/// A JWT authorizer (`authorizerType: JWT`).
#[derive(Debug, Clone, PartialEq)]
pub struct Authorizer {
    /// `authorizerId`.
    pub authorizer_id: String,
    /// `name`.
    pub name: String,
    /// Where the token is read from.
    pub identity_source: IdentitySource,
    /// Issuer, audiences and the Portcullis extensions.
    pub jwt: JwtConfiguration,
}

/// AWS identity-source selection expression for a JWT authorizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// `$request.header.<Name>`; the name is stored lower-case.
    Header(String),
    /// `$request.querystring.<name>`; case-sensitive.
    QueryString(String),
}

impl std::fmt::Display for IdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Header(name) => write!(f, "$request.header.{name}"),
            Self::QueryString(name) => write!(f, "$request.querystring.{name}"),
        }
    }
}

/// `jwtConfiguration` plus the settings AWS does not expose.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtConfiguration {
    /// Must equal the token's `iss` exactly.
    pub issuer: String,
    /// The token's `aud` (or `client_id` when `aud` is absent) must be one of these.
    pub audience: Vec<String>,
    /// JWS algorithms accepted (default: the RSA PKCS#1 family, as AWS).
    pub algorithms: Vec<String>,
    /// Clock leeway for exp/nbf/iat (decision D1: default 0 s, at most 300 s).
    pub leeway: Duration,
    /// When set, the JOSE `typ` header must be this value (decision D12).
    pub required_token_type: Option<String>,
    /// How long fetched keys are trusted before a refresh (default two hours).
    pub jwks_cache_ttl: Duration,
    /// Minimum time between refetches triggered by an unknown `kid` (default 10 s).
    pub unknown_kid_refetch_interval: Duration,
    /// Allow discovery and JWKS over plain `http://` to a non-loopback host.
    pub allow_insecure_http: bool,
}

/// An HTTP proxy integration (`integrationType: HTTP_PROXY`).
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// `integrationId`.
    pub integration_id: String,
    /// The backend method; `None` is `ANY` (use the client's method).
    pub method: Option<http::Method>,
    /// `integrationUri`, possibly with `{var}` placeholders.
    pub uri: String,
    /// `timeoutInMillis` (50–30000, default 30000).
    pub timeout: Duration,
    /// Request parameter mapping, applied in order.
    pub request_parameters: Vec<ParameterMapping>,
}

/// A route: its key, how it is authorized and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// `routeKey`.
    pub route_key: RouteKey,
    /// `authorizationType` with its authorizer and scopes.
    pub authorization: Authorization,
    /// The `integrationId` named by `target: integrations/<id>`; `None` for a route created
    /// through the admin API without a target yet (it answers 404, as on AWS).
    pub integration_id: Option<String>,
}

/// How a route is authorized.
#[derive(Debug, Clone, PartialEq)]
pub enum Authorization {
    /// `authorizationType: NONE`.
    None,
    /// `authorizationType: JWT`.
    Jwt {
        /// The authorizer's id.
        authorizer_id: String,
        /// `authorizationScopes`: any one of them suffices (AWS semantics).
        scopes: Vec<String>,
    },
}

/// A stage of an API.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// `$default` or a name of 1–128 `[A-Za-z0-9_-]`.
    pub stage_name: String,
    /// `autoDeploy`: with a config file every stage serves the file's routes.
    pub auto_deploy: bool,
    /// `stageVariables`.
    pub stage_variables: BTreeMap<String, String>,
    /// The throttle of every route without its own (`defaultRouteSettings`); `None`: no limit.
    pub throttle_default: Option<Throttle>,
    /// The throttle of each route that has a `routeSettings` entry, by route key (as
    /// `RouteKey` prints it), already combined with the defaults field by field.
    pub throttle_routes: BTreeMap<String, Throttle>,
    /// `accessLogSettings.format`: this stage's access-log line (`None`: Portcullis's JSON line).
    pub access_log: Option<AccessLogFormat>,
}

impl Stage {
    /// The name AWS gives the stage that serves un-prefixed paths.
    pub const DEFAULT: &'static str = "$default";

    /// Whether this is the `$default` stage.
    pub fn is_default(&self) -> bool {
        self.stage_name == Self::DEFAULT
    }

    /// The throttle of the route with this key (`None`: no limit).
    pub fn throttle(&self, route_key: &str) -> Option<Throttle> {
        self.throttle_routes.get(route_key).copied().or(self.throttle_default)
    }
}

impl Api {
    /// Finds an authorizer by id.
    pub fn authorizer(&self, id: &str) -> Option<&Authorizer> {
        self.authorizers.iter().find(|a| a.authorizer_id == id)
    }

    /// Finds an integration by id.
    pub fn integration(&self, id: &str) -> Option<&Integration> {
        self.integrations.iter().find(|i| i.integration_id == id)
    }
}

/// Whether `host` names this machine (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
