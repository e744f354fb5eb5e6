//! The raw shapes of a configuration file, field for field as AWS names them.
//!
//! These structs only say what may appear; `validate` decides what it means. Lists of objects
//! are kept as raw JSON values and decoded one element at a time so that one bad route does
//! not hide the problems of the next.
//!
//! May import: std, `serde`, `serde_json`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The data plane.
    pub gateway: Option<Value>,
    /// The embedded authorization server.
    pub issuer: Option<Value>,
    /// The apigatewayv2 control plane.
    pub admin: Option<Value>,
}

/// `admin:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAdmin {
    /// `host:port` the admin listener binds.
    pub listen: String,
    /// Access keys allowed to sign requests.
    #[serde(default)]
    pub credentials: Vec<FileAccessKey>,
    /// SQLite file for admin-API APIs (relative to the configuration file).
    pub store: Option<String>,
    /// Check issuer discovery on CreateAuthorizer/UpdateAuthorizer (default true).
    pub check_issuer_discovery: Option<bool>,
}

/// One entry of `admin.credentials`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAccessKey {
    /// `accessKeyId`.
    pub access_key_id: String,
    /// `secretAccessKey`.
    pub secret_access_key: String,
}

impl std::fmt::Debug for FileAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileAccessKey")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// `gateway:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileGateway {
    /// `host:port` the listener binds.
    pub listen: String,
    /// TLS termination.
    pub tls: Option<FileTls>,
    /// Worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `apiEndpoint` template with `{apiId}`.
    pub api_endpoint: Option<String>,
    /// The verified-token cache.
    pub token_cache: Option<FileTokenCache>,
    /// The APIs.
    #[serde(default)]
    pub apis: Vec<Value>,
}

/// `gateway.tls:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileTls {
    /// PEM certificate chain.
    pub certificate: String,
    /// PEM private key.
    pub key: String,
}

/// `gateway.tokenCache:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileTokenCache {
    /// Cache verified tokens (default true).
    pub enabled: Option<bool>,
    /// Most tokens kept (default 10 000).
    pub max_entries: Option<u64>,
    /// Most memory kept, in MiB (default 64).
    #[serde(rename = "maxMemoryMiB")]
    pub max_memory_mib: Option<u64>,
}

/// One entry of `apis:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileApi {
    /// `apiId`.
    pub api_id: String,
    /// `name`.
    pub name: String,
    /// `protocolType` (must be `HTTP`).
    pub protocol_type: String,
    /// `description`.
    pub description: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `routeSelectionExpression` (fixed for HTTP APIs).
    pub route_selection_expression: Option<String>,
    /// `tags`.
    pub tags: Option<BTreeMap<String, String>>,
    /// Portcullis: `AWS` (default) or `RFC6750` challenge syntax.
    pub www_authenticate_format: Option<String>,
    /// `corsConfiguration` (decoded by `validate::validate_cors` as a `FileCors`).
    pub cors_configuration: Option<Value>,
    /// `authorizers`.
    #[serde(default)]
    pub authorizers: Vec<Value>,
    /// `integrations`.
    #[serde(default)]
    pub integrations: Vec<Value>,
    /// `routes`.
    #[serde(default)]
    pub routes: Vec<Value>,
    /// `stages`.
    #[serde(default)]
    pub stages: Vec<Value>,
}

/// `corsConfiguration:`, field for field as AWS's `Cors` shape (also the admin API's JSON).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileCors {
    /// `allowOrigins`: `*`, `scheme://*`, `scheme://host[:port]` or `scheme://*.domain[:port]`.
    pub allow_origins: Option<Vec<String>>,
    /// `allowMethods`: methods or `*`.
    pub allow_methods: Option<Vec<String>>,
    /// `allowHeaders`: header names or `*`.
    pub allow_headers: Option<Vec<String>>,
    /// `exposeHeaders`: header names or `*`.
    pub expose_headers: Option<Vec<String>>,
    /// `maxAge` in seconds, −1…86400.
    pub max_age: Option<i64>,
    /// `allowCredentials`.
    pub allow_credentials: Option<bool>,
}

/// One entry of `authorizers:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAuthorizer {
    /// `authorizerId`.
    pub authorizer_id: String,
    /// `name`.
    pub name: String,
    /// `authorizerType` (must be `JWT`).
    pub authorizer_type: String,
    /// `identitySource`: exactly one selection expression.
    pub identity_source: Vec<String>,
    /// `jwtConfiguration`.
    pub jwt_configuration: FileJwtConfiguration,
}

/// `jwtConfiguration:` with the Portcullis extensions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileJwtConfiguration {
    /// `issuer`.
    pub issuer: String,
    /// `audience`.
    pub audience: Vec<String>,
    /// Accepted JWS algorithms (default RS256, RS384, RS512).
    pub algorithms: Option<Vec<String>>,
    /// Clock leeway in seconds (0–300, default 0).
    pub leeway_seconds: Option<u64>,
    /// Required JOSE `typ` (e.g. `at+jwt`).
    pub required_token_type: Option<String>,
    /// JWKS cache lifetime in seconds (default 7200).
    pub jwks_cache_ttl_seconds: Option<u64>,
    /// Minimum seconds between unknown-kid refetches (default 10).
    pub unknown_kid_refetch_interval_seconds: Option<u64>,
    /// Allow `http://` discovery to non-loopback hosts.
    pub allow_insecure_http: Option<bool>,
}

/// One entry of `integrations:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileIntegration {
    /// `integrationId`.
    pub integration_id: String,
    /// `integrationType` (must be `HTTP_PROXY`).
    pub integration_type: String,
    /// `integrationMethod` (default `ANY`).
    pub integration_method: Option<String>,
    /// `integrationUri`.
    pub integration_uri: String,
    /// `payloadFormatVersion` (`1.0` for HTTP proxies).
    pub payload_format_version: Option<String>,
    /// `timeoutInMillis` (50–30000).
    pub timeout_in_millis: Option<i64>,
    /// `connectionType` (`INTERNET` only).
    pub connection_type: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `requestParameters`.
    pub request_parameters: Option<BTreeMap<String, String>>,
}

/// One entry of `routes:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileRoute {
    /// `routeId`: accepted (an OpenAPI import or an export of the admin API writes it) and
    /// otherwise ignored.
    pub route_id: Option<String>,
    /// `routeKey`.
    pub route_key: String,
    /// `authorizationType` (`NONE` or `JWT`).
    pub authorization_type: Option<String>,
    /// `authorizerId`.
    pub authorizer_id: Option<String>,
    /// `authorizationScopes`.
    pub authorization_scopes: Option<Vec<String>>,
    /// `target`: `integrations/<id>`.
    pub target: Option<String>,
    /// `operationName`.
    pub operation_name: Option<String>,
}

/// One entry of `stages:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileStage {
    /// `stageName`.
    pub stage_name: String,
    /// `autoDeploy`.
    pub auto_deploy: Option<bool>,
    /// `description`.
    pub description: Option<String>,
    /// `stageVariables`.
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// `defaultRouteSettings` (decoded by `validate` as a `FileRouteSettings`).
    pub default_route_settings: Option<Value>,
    /// `routeSettings`: route key → settings (each decoded as a `FileRouteSettings`).
    pub route_settings: Option<BTreeMap<String, Value>>,
    /// `accessLogSettings`.
    pub access_log_settings: Option<FileAccessLogSettings>,
}

/// AWS's `AccessLogSettings` of a stage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAccessLogSettings {
    /// `destinationArn`: accepted and returned; lines go to stdout.
    pub destination_arn: Option<String>,
    /// `format`: text with `$context` variables.
    pub format: Option<String>,
}

/// AWS's `RouteSettings`: `defaultRouteSettings` and each `routeSettings` entry of a stage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileRouteSettings {
    /// `throttlingBurstLimit`: token-bucket size, a whole number ≥ 0.
    pub throttling_burst_limit: Option<i64>,
    /// `throttlingRateLimit`: steady-state requests per second, ≥ 0.
    pub throttling_rate_limit: Option<f64>,
    /// `detailedMetricsEnabled`: accepted; Portcullis has no CloudWatch metrics.
    pub detailed_metrics_enabled: Option<bool>,
    /// `dataTraceEnabled`: WebSocket APIs only; refused.
    pub data_trace_enabled: Option<Value>,
    /// `loggingLevel`: WebSocket APIs only; refused.
    pub logging_level: Option<Value>,
}
