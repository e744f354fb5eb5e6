//! The compiled, immutable view of a gateway configuration that requests are served from.
//!
//! A snapshot is built completely (route tables, authorizer rules, integration templates,
//! issuer key caches) before it is swapped in; requests hold an `Arc` to the snapshot they
//! started with, so a reload never changes a request in flight. Key caches are shared across
//! snapshots through the `jwks::Registry`, so a reload does not refetch keys.

use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::{Alg, ChallengeStyle, Rules, RulesId, TokenCache, TokenLocation};
use crate::jwks::{IssuerSettings, JwksCache, Registry};
use crate::model::{self, Authorization, IdentitySource};
use crate::routing::RouteTable;

use super::target::UriTemplate;

/// Everything a request needs, compiled.
pub struct Snapshot {
    /// The APIs, in configuration order.
    pub apis: Vec<CompiledApi>,
}

/// One API, compiled.
pub struct CompiledApi {
    /// `apiId`.
    pub api_id: Arc<str>,
    /// Named stages (prefix-selected); the `$default` stage is `default_stage`.
    pub named_stages: HashMap<String, Arc<CompiledStage>>,
    /// The `$default` stage, if any.
    pub default_stage: Option<Arc<CompiledStage>>,
    /// The routes.
    pub table: RouteTable<CompiledRoute>,
}

/// A stage, compiled.
pub struct CompiledStage {
    /// `stageName`.
    pub name: Arc<str>,
    /// `stageVariables`.
    pub variables: HashMap<String, String>,
}

/// A route, compiled.
pub struct CompiledRoute {
    /// The route key text for logs and `$context.routeKey`.
    pub route_key: Arc<str>,
    /// Whether this is the `$default` route (appends the request path to the integration URI).
    pub is_default: bool,
    /// The authorizer, when the route has one.
    pub auth: Option<CompiledAuth>,
    /// The integration.
    pub integration: Arc<CompiledIntegration>,
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
    pub scopes: Vec<String>,
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
    /// Compiles a validated gateway configuration; authorizers share `token_cache` (none: off).
    pub fn build(
        gateway: &model::Gateway,
        registry: &Registry,
        token_cache: Option<&Arc<TokenCache>>,
    ) -> Result<Self, String> {
        let shared = Shared { registry, token_cache };
        let apis = gateway
            .apis
            .iter()
            .map(|api| compile_api(api, &shared))
            .collect::<Result<_, _>>()?;
        Ok(Self { apis })
    }

    /// The API that serves a request (today: the listener's default, the first API).
    pub fn api_for_host(&self, _host: Option<&str>) -> Option<&CompiledApi> {
        self.apis.first()
    }
}

/// What every snapshot shares with the one before it.
struct Shared<'a> {
    registry: &'a Registry,
    token_cache: Option<&'a Arc<TokenCache>>,
}

fn compile_api(api: &model::Api, shared: &Shared<'_>) -> Result<CompiledApi, String> {
    let integrations: HashMap<&str, Arc<CompiledIntegration>> = api
        .integrations
        .iter()
        .map(|i| Ok((i.integration_id.as_str(), Arc::new(compile_integration(i)?))))
        .collect::<Result<_, String>>()?;
    let mut builder = RouteTable::builder();
    for route in &api.routes {
        let compiled = compile_route(api, route, &integrations, shared)?;
        builder
            .insert(route.route_key.clone(), compiled)
            .map_err(|e| e.to_string())?;
    }
    let (defaults, named): (Vec<_>, Vec<_>) = api.stages.iter().partition(|s| s.is_default());
    Ok(CompiledApi {
        api_id: api.api_id.as_str().into(),
        named_stages: named
            .into_iter()
            .map(|s| (s.stage_name.clone(), Arc::new(compile_stage(s))))
            .collect(),
        default_stage: defaults.first().map(|s| Arc::new(compile_stage(s))),
        table: builder.build(),
    })
}

fn compile_stage(stage: &model::Stage) -> CompiledStage {
    CompiledStage {
        name: stage.stage_name.as_str().into(),
        variables: stage
            .stage_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
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
    route: &model::Route,
    integrations: &HashMap<&str, Arc<CompiledIntegration>>,
    shared: &Shared<'_>,
) -> Result<CompiledRoute, String> {
    let integration = integrations
        .get(route.integration_id.as_str())
        .cloned()
        .ok_or_else(|| format!("route {} targets a missing integration", route.route_key))?;
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
        location: token_location(&authorizer.identity_source),
        rules_id: RulesId::of(&rules),
        rules: Arc::new(rules),
        cache: shared.token_cache.cloned(),
        scopes: scopes.to_vec(),
        keys: shared.registry.cache_for(issuer_settings(&authorizer.jwt)),
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

/// Where an authorizer reads the token.
pub fn token_location(source: &IdentitySource) -> TokenLocation {
    match source {
        IdentitySource::Header(name) => TokenLocation::Header(name.clone()),
        IdentitySource::QueryString(name) => TokenLocation::Query(name.clone()),
    }
}

/// The challenge syntax of an API.
pub fn challenge_style(style: model::ChallengeStyle) -> ChallengeStyle {
    match style {
        model::ChallengeStyle::Aws => ChallengeStyle::Aws,
        model::ChallengeStyle::Rfc6750 => ChallengeStyle::Rfc6750,
    }
}
