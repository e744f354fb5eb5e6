//! The compiled, immutable view of a gateway configuration that requests are served from.
//!
//! A snapshot is built completely (route tables, authorizer rules, integration templates,
//! issuer key caches) before it is swapped in; requests hold an `Arc` to the snapshot they
//! started with, so a reload never changes a request in flight. Key caches are shared across
//! snapshots through the `jwks::Registry`, so a reload does not refetch keys; throttling buckets
//! through `throttle::Buckets`, so a reload does not refill them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use crate::auth::{Alg, ChallengeStyle, Rules, RulesId, TokenCache, TokenLocation};
use crate::jwks::{IssuerSettings, JwksCache, Registry};
use crate::model::{self, Authorization, Deployed, HostPattern, IdentitySource};
use crate::routing::RouteTable;

use super::cors::CorsPolicy;
use super::target::UriTemplate;
use super::throttle::{Buckets, TokenBucket};

/// Everything a request needs, compiled.
pub struct Snapshot {
    /// The APIs: the configuration file's first, in its order, then the admin API's.
    pub apis: Vec<CompiledApi>,
    /// `apiId` → index in `apis`.
    by_id: HashMap<Arc<str>, usize>,
    /// The API a request gets when its `Host` names none (the file's first API).
    default_api: Option<usize>,
    /// Which `Host` values name an API.
    hosts: HostPattern,
}

/// What snapshots share with the snapshots before and after them.
#[derive(Clone, Copy)]
pub struct Shared<'a> {
    /// Issuer key caches.
    pub keys: &'a Registry,
    /// Throttling buckets.
    pub buckets: &'a Buckets,
    /// The verified-token cache authorizers share (`None`: off).
    pub token_cache: Option<&'a Arc<TokenCache>>,
}

/// One API, compiled.
pub struct CompiledApi {
    /// `apiId`.
    pub api_id: Arc<str>,
    /// Named stages (prefix-selected); the `$default` stage is `default_stage`.
    pub named_stages: HashMap<String, Arc<CompiledStage>>,
    /// The `$default` stage, if any.
    pub default_stage: Option<Arc<CompiledStage>>,
    /// `corsConfiguration`, when the API has one. For an admin-API API whose stages serve
    /// different deployments: the `$default` stage's (else the first served stage's).
    pub cors: Option<CorsPolicy>,
    /// `disableExecuteApiEndpoint` (admin-API APIs; a file API is always reachable).
    pub endpoint_disabled: bool,
}

/// A stage, compiled, with the routes of the deployment it serves.
pub struct CompiledStage {
    /// `stageName`.
    pub name: Arc<str>,
    /// `stageVariables`.
    pub variables: HashMap<String, String>,
    /// The routes this stage serves (shared by stages serving the same configuration).
    pub table: Arc<RouteTable<CompiledRoute>>,
    /// Each route's bucket by `CompiledRoute::index` (`None`: the route is not throttled).
    pub buckets: Vec<Option<Arc<TokenBucket>>>,
    /// `accessLogSettings.format` (`None`: Portcullis's JSON line).
    pub access_log: Option<Arc<model::AccessLogFormat>>,
}

impl CompiledStage {
    /// Whether `route` may serve a request arriving at `now`: takes a token from the route's
    /// bucket on this stage; always true for a route without a throttle.
    pub fn admits(&self, route: &CompiledRoute, now: Instant) -> bool {
        match self.buckets.get(route.index) {
            Some(Some(bucket)) => bucket.try_take(now),
            _ => true,
        }
    }
}

/// A route, compiled.
pub struct CompiledRoute {
    /// The route key text for logs and `$context.routeKey`.
    pub route_key: Arc<str>,
    /// Its position in the API's routes (and in each stage's `buckets`).
    pub index: usize,
    /// Whether this is the `$default` route (appends the request path to the integration URI).
    pub is_default: bool,
    /// The authorizer, when the route has one.
    pub auth: Option<CompiledAuth>,
    /// The integration (`None`: an admin-API route without a target, answered with 404).
    pub integration: Option<Arc<CompiledIntegration>>,
}

/// A route's JWT authorization.
pub struct CompiledAuth {
    /// Where the token is read.
    pub location: TokenLocation,
    /// Claim rules.
    pub rules: Arc<Rules>,
    /// The rules' identity, part of every verified-token cache key.
    pub rules_id: RulesId,
    /// The verified-token cache, unless it is off.
    pub cache: Option<Arc<TokenCache>>,
    /// `authorizationScopes`.
    pub scopes: Arc<[String]>,
    /// The issuer's keys.
    pub keys: Arc<JwksCache>,
    /// Challenge syntax.
    pub style: ChallengeStyle,
}

/// An HTTP proxy integration, compiled.
pub struct CompiledIntegration {
    /// Backend method (`None`: the client's).
    pub method: Option<http::Method>,
    /// The target URL template.
    pub uri: UriTemplate,
    /// `timeoutInMillis`.
    pub timeout: std::time::Duration,
    /// Request parameter mappings.
    pub mappings: Vec<model::ParameterMapping>,
}

impl Snapshot {
    /// Compiles a validated gateway configuration.
    pub fn build(gateway: &model::Gateway, shared: Shared<'_>) -> Result<Self, String> {
        Self::build_with(gateway, &[], shared)
    }

    /// Compiles the file's APIs followed by `extra` ones (from the admin API's store). An
    /// `extra` API whose id the file already uses is left out: the file wins.
    pub fn build_with(gateway: &model::Gateway, extra: &[Deployed], shared: Shared<'_>) -> Result<Self, String> {
        let hosts = match &gateway.api_endpoint {
            Some(template) => HostPattern::from_endpoint(template)?,
            None => HostPattern::local(),
        };
        let mut apis = Vec::new();
        let mut by_id = HashMap::new();
        let file = gateway
            .apis
            .iter()
            .map(|a| (a.api_id.as_str(), std::slice::from_ref(a), false));
        let admin = extra
            .iter()
            .map(|d| (d.api_id.as_str(), d.versions.as_slice(), d.endpoint_disabled));
        for (api_id, versions, endpoint_disabled) in file.chain(admin) {
            if by_id.contains_key(api_id) {
                continue;
            }
            let mut compiled = compile_api(api_id, versions, shared)?;
            compiled.endpoint_disabled = endpoint_disabled;
            by_id.insert(compiled.api_id.clone(), apis.len());
            apis.push(compiled);
        }
        let default_api = (!gateway.apis.is_empty()).then_some(0);
        Ok(Self {
            apis,
            by_id,
            default_api,
            hosts,
        })
    }

    /// The API that serves a request: the one its `Host` names, else the listener's default
    /// (the configuration file's first API).
    pub fn api_for_host(&self, host: Option<&str>) -> Option<&CompiledApi> {
        let named = host.and_then(|h| self.hosts.api_id(h)).and_then(|id| {
            self.by_id
                .get(id)
                .or_else(|| self.by_id.get(id.to_ascii_lowercase().as_str()))
        });
        named.or(self.default_api.as_ref()).and_then(|&i| self.apis.get(i))
    }
}

fn compile_api(api_id: &str, versions: &[model::Api], shared: Shared<'_>) -> Result<CompiledApi, String> {
    let mut named_stages = HashMap::new();
    let mut default_stage = None;
    for api in versions {
        let table = Arc::new(compile_routes(api, &shared)?);
        for stage in &api.stages {
            let buckets = stage_buckets(api_id, &api.routes, stage, shared.buckets);
            let compiled = Arc::new(compile_stage(stage, table.clone(), buckets));
            if stage.is_default() {
                default_stage = Some(compiled);
            } else {
                named_stages.insert(stage.stage_name.clone(), compiled);
            }
        }
    }
    let cors_source = versions
        .iter()
        .find(|api| api.stages.iter().any(model::Stage::is_default))
        .or_else(|| versions.first());
    Ok(CompiledApi {
        api_id: api_id.into(),
        named_stages,
        default_stage,
        cors: cors_source.and_then(|api| api.cors.as_ref()).map(CorsPolicy::new),
        endpoint_disabled: false,
    })
}

fn compile_routes(api: &model::Api, shared: &Shared<'_>) -> Result<RouteTable<CompiledRoute>, String> {
    let integrations: HashMap<&str, Arc<CompiledIntegration>> = api
        .integrations
        .iter()
        .map(|i| Ok((i.integration_id.as_str(), Arc::new(compile_integration(i)?))))
        .collect::<Result<_, String>>()?;
    let mut builder = RouteTable::builder();
    for (index, route) in api.routes.iter().enumerate() {
        let compiled = compile_route(api, index, route, &integrations, shared)?;
        builder
            .insert(route.route_key.clone(), compiled)
            .map_err(|e| e.to_string())?;
    }
    Ok(builder.build())
}

fn compile_stage(
    stage: &model::Stage,
    table: Arc<RouteTable<CompiledRoute>>,
    buckets: Vec<Option<Arc<TokenBucket>>>,
) -> CompiledStage {
    CompiledStage {
        table,
        buckets,
        access_log: stage.access_log.clone().map(Arc::new),
        name: stage.stage_name.as_str().into(),
        variables: stage
            .stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// The stage's bucket of each route, in the order of `routes` (`CompiledRoute::index`).
fn stage_buckets(
    api_id: &str,
    routes: &[model::Route],
    stage: &model::Stage,
    buckets: &Buckets,
) -> Vec<Option<Arc<TokenBucket>>> {
    routes
        .iter()
        .map(|route| {
            let key = route.route_key.to_string();
            let limits = stage.throttle(&key)?;
            Some(buckets.bucket_for(api_id, &stage.stage_name, &key, limits))
        })
        .collect()
}

fn compile_integration(integration: &model::Integration) -> Result<CompiledIntegration, String> {
    Ok(CompiledIntegration {
        method: integration.method.clone(),
        uri: UriTemplate::parse(&integration.uri)?,
        timeout: integration.timeout,
        mappings: integration.request_parameters.clone(),
    })
}

fn compile_route(
    api: &model::Api,
    index: usize,
    route: &model::Route,
    integrations: &HashMap<&str, Arc<CompiledIntegration>>,
    shared: &Shared<'_>,
) -> Result<CompiledRoute, String> {
    let integration = match &route.integration_id {
        Some(id) => Some(
            integrations
                .get(id.as_str())
                .cloned()
                .ok_or_else(|| format!("route {} targets a missing integration", route.route_key))?,
        ),
        None => None,
    };
    let auth = match &route.authorization {
        Authorization::None => None,
        Authorization::Jwt { authorizer_id, scopes } => {
            let authorizer = api
                .authorizer(authorizer_id)
                .ok_or_else(|| format!("missing authorizer {authorizer_id}"))?;
            Some(compile_auth(authorizer, scopes, api.challenge_style, shared)?)
        }
    };
    Ok(CompiledRoute {
        route_key: route.route_key.to_string().into(),
        index,
        is_default: route.route_key == model::RouteKey::Default,
        auth,
        integration,
    })
}

fn compile_auth(
    authorizer: &model::Authorizer,
    scopes: &[String],
    style: model::ChallengeStyle,
    shared: &Shared<'_>,
) -> Result<CompiledAuth, String> {
    let rules = rules_for(&authorizer.jwt)?;
    Ok(CompiledAuth {
        location: token_location(&authorizer.identity_source)?,
        rules_id: RulesId::of(&rules),
        rules: Arc::new(rules),
        cache: shared.token_cache.cloned(),
        scopes: scopes.into(),
        keys: shared.keys.cache_for(issuer_settings(&authorizer.jwt)),
        style: challenge_style(style),
    })
}

/// The claim rules of an authorizer.
pub fn rules_for(jwt: &model::JwtConfiguration) -> Result<Rules, String> {
    let mut rules = Rules::new(jwt.issuer.clone(), jwt.audience.clone());
    rules.algorithms = jwt
        .algorithms
        .iter()
        .map(|a| a.parse::<Alg>().map_err(|_| format!("unsupported algorithm {a}")))
        .collect::<Result<_, _>>()?;
    rules.leeway_secs = jwt.leeway.as_secs();
    rules.required_typ = jwt.required_token_type.clone();
    Ok(rules)
}

/// How an authorizer's issuer keys are fetched and cached.
pub fn issuer_settings(jwt: &model::JwtConfiguration) -> IssuerSettings {
    IssuerSettings {
        issuer: jwt.issuer.clone(),
        ttl: jwt.jwks_cache_ttl,
        unknown_kid_refetch_interval: jwt.unknown_kid_refetch_interval,
        allow_insecure_http: jwt.allow_insecure_http,
    }
}

/// Where an authorizer reads the token. A header's name is parsed here, once per
/// configuration, not on every request.
///
/// # Errors
/// A header name that is not a valid field name (configuration validation refuses those).
pub fn token_location(source: &IdentitySource) -> Result<TokenLocation, String> {
    Ok(match source {
        IdentitySource::Header(name) => TokenLocation::Header(
            http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("identity source header {name:?} is not a valid header name"))?,
        ),
        IdentitySource::QueryString(name) => TokenLocation::Query(name.clone()),
    })
}

/// The challenge syntax of an API.
pub fn challenge_style(style: model::ChallengeStyle) -> ChallengeStyle {
    match style {
        model::ChallengeStyle::Aws => ChallengeStyle::Aws,
        model::ChallengeStyle::Rfc6750 => ChallengeStyle::Rfc6750,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_identity_source_is_parsed_once_into_its_header_name() {
        let location = token_location(&IdentitySource::Header("x-api-token".to_owned()));
        assert_eq!(
            location,
            Ok(TokenLocation::Header(http::HeaderName::from_static("x-api-token")))
        );
        let query = token_location(&IdentitySource::QueryString("Token".to_owned()));
        assert_eq!(query, Ok(TokenLocation::Query("Token".to_owned())));
        let bad = token_location(&IdentitySource::Header("bad name".to_owned()));
        assert!(bad.is_err(), "{bad:?}");
    }
}
