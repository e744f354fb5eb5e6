//! Validation of one API: its id and name and its routes (grammar, conflicts, references,
//! scopes), delegating authorizers, integrations, stages and `corsConfiguration` to their own
//! modules.

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::{FileApi, FileRoute};
use super::super::source::join;
use super::{ListRules, authorizer, check_len, cors, decode_each, decode_unique, integration, stage};
use crate::model::{Api, Authorization, ChallengeStyle, Route, RouteKey};
use crate::routing::RouteTable;

const MAX_ROUTES: usize = 300;
const MAX_SCOPES: usize = 10;
const INVALID_AUTHORIZER: &str =
    "Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.";

pub(super) fn validate_apis(values: &[Value], path: &str, diags: &mut Diagnostics) -> Vec<Api> {
    let rules = ListRules {
        max: 100,
        noun: "APIs per gateway",
        key: "apiId",
    };
    decode_unique::<FileApi>(values, path, &rules, |a| &a.api_id, diags)
        .into_iter()
        .map(|(at, file)| validate_api(file, ApiRules::FILE, &at, diags))
        .collect()
}

/// What differs between an API written in a file and one written through the admin API.
#[derive(Debug, Clone, Copy)]
pub struct ApiRules {
    /// Every route must name an integration (a file has no later step to attach one).
    pub require_targets: bool,
    /// Every `routeSettings` key must be one of the API's route keys. The admin API checks
    /// that when the settings are written (a stage's settings outlive the routes of the
    /// deployments it serves), so its rules only check the key's syntax.
    pub route_settings_name_routes: bool,
}

impl ApiRules {
    /// A configuration file's rules.
    pub const FILE: ApiRules = ApiRules {
        require_targets: true,
        route_settings_name_routes: true,
    };
    /// The admin API's rules: as AWS, a route may exist before its integration is attached.
    pub const ADMIN: ApiRules = ApiRules {
        require_targets: false,
        route_settings_name_routes: false,
    };
}

/// Validates one API (the JSON shape of an `apis:` entry) on its own.
pub(super) fn validate_one(value: &Value, rules: ApiRules, diags: &mut Diagnostics) -> Option<Api> {
    let file: FileApi = super::decode(value, "", diags)?;
    Some(validate_api(file, rules, "", diags))
}

fn validate_api(file: FileApi, rules: ApiRules, path: &str, diags: &mut Diagnostics) -> Api {
    check_api_id(&file.api_id, &join(path, "apiId"), diags);
    check_len(&file.name, 1, 128, &join(path, "name"), "name", diags);
    if file.protocol_type != "HTTP" {
        diags.error(
            &join(path, "protocolType"),
            format!("protocolType '{}' is not supported", file.protocol_type),
            "use HTTP (WebSocket APIs are not supported)",
        );
    }
    if let Some(expr) = &file.route_selection_expression
        && expr != "${request.method} ${request.path}"
        && expr != "$request.method $request.path"
    {
        diags.error(
            &join(path, "routeSelectionExpression"),
            "HTTP APIs select routes by method and path only",
            "remove routeSelectionExpression or set it to ${request.method} ${request.path}",
        );
    }
    let challenge_style = challenge_style(
        file.www_authenticate_format.as_deref(),
        &join(path, "wwwAuthenticateFormat"),
        diags,
    );
    let authorizers = authorizer::validate_authorizers(&file.authorizers, &join(path, "authorizers"), diags);
    let integrations = integration::validate_integrations(&file.integrations, &join(path, "integrations"), diags);
    let cors = file
        .cors_configuration
        .as_ref()
        .and_then(|value| cors::validate_cors(value, &join(path, "corsConfiguration"), diags));
    let mut api = Api {
        api_id: file.api_id,
        name: file.name,
        authorizers,
        integrations,
        routes: Vec::new(),
        stages: Vec::new(),
        challenge_style,
        cors,
    };
    api.routes = validate_routes(&file.routes, &api, rules, &join(path, "routes"), diags);
    api.stages = stage::validate_stages(&file.stages, &api.routes, rules, &join(path, "stages"), diags);
    api
}

fn check_api_id(id: &str, path: &str, diags: &mut Diagnostics) {
    let ok = !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if !ok {
        diags.error(
            path,
            format!("apiId '{id}' is not a valid host label"),
            "use 1–63 lower-case letters, digits and inner hyphens",
        );
    }
}

fn challenge_style(value: Option<&str>, path: &str, diags: &mut Diagnostics) -> ChallengeStyle {
    match value {
        None | Some("AWS") => ChallengeStyle::Aws,
        Some("RFC6750") => ChallengeStyle::Rfc6750,
        Some(other) => {
            diags.error(
                path,
                format!("'{other}' is not a challenge format"),
                "use AWS or RFC6750",
            );
            ChallengeStyle::Aws
        }
    }
}

fn validate_routes(values: &[Value], api: &Api, rules: ApiRules, path: &str, diags: &mut Diagnostics) -> Vec<Route> {
    if values.len() > MAX_ROUTES {
        diags.error(
            path,
            format!("an API may have at most {MAX_ROUTES} routes"),
            "split the API",
        );
    }
    let mut table = RouteTable::builder();
    let mut routes = Vec::new();
    for (at, file) in decode_each::<FileRoute>(values, path, diags) {
        let Some(route) = validate_route(file, api, rules, &at, diags) else {
            continue;
        };
        if let Err(conflict) = table.insert(route.route_key.clone(), ()) {
            diags.error(
                &join(&at, "routeKey"),
                conflict.to_string(),
                "use one variable name per position, and each route key once",
            );
            continue;
        }
        routes.push(route);
    }
    routes
}

fn validate_route(file: FileRoute, api: &Api, rules: ApiRules, path: &str, diags: &mut Diagnostics) -> Option<Route> {
    let key_path = join(path, "routeKey");
    let route_key = match RouteKey::parse(&file.route_key) {
        Ok(key) => Some(key),
        Err(err) => {
            diags.error(&key_path, err.to_string(), &err.hint());
            None
        }
    };
    let authorization = validate_authorization(&file, api, path, diags);
    let integration_id = match (file.target.as_deref(), rules.require_targets) {
        (None, false) => Some(None),
        (target, _) => validate_target(target, api, &join(path, "target"), diags).map(Some),
    };
    if let (Some(key), Some(Some(id))) = (&route_key, &integration_id) {
        integration::check_placeholders(key, api, id, &join(path, "target"), diags);
    }
    Some(Route {
        route_key: route_key?,
        authorization: authorization?,
        integration_id: integration_id?,
    })
}

fn validate_authorization(file: &FileRoute, api: &Api, path: &str, diags: &mut Diagnostics) -> Option<Authorization> {
    let scopes = file.authorization_scopes.clone().unwrap_or_default();
    check_scopes(&scopes, &join(path, "authorizationScopes"), diags);
    match file.authorization_type.as_deref().unwrap_or("NONE") {
        "NONE" => {
            if !scopes.is_empty() {
                diags.error(
                    &join(path, "authorizationScopes"),
                    "authorizationScopes need authorizationType JWT",
                    "set authorizationType: JWT or remove the scopes",
                );
            }
            if file.authorizer_id.is_some() {
                diags.error(
                    &join(path, "authorizerId"),
                    "authorizerId needs authorizationType JWT",
                    "set authorizationType: JWT or remove authorizerId",
                );
            }
            Some(Authorization::None)
        }
        "JWT" => match file.authorizer_id.as_deref().filter(|id| api.authorizer(id).is_some()) {
            Some(id) => Some(Authorization::Jwt {
                authorizer_id: id.to_owned(),
                scopes,
            }),
            None => {
                diags.error(
                    &join(path, "authorizerId"),
                    INVALID_AUTHORIZER,
                    "name an authorizerId from this API's authorizers",
                );
                None
            }
        },
        other => {
            diags.error(
                &join(path, "authorizationType"),
                format!("authorizationType '{other}' is not supported"),
                "use NONE or JWT",
            );
            None
        }
    }
}

fn check_scopes(scopes: &[String], path: &str, diags: &mut Diagnostics) {
    if scopes.len() > MAX_SCOPES {
        diags.error(
            path,
            format!("a route may have at most {MAX_SCOPES} authorization scopes"),
            "keep the scopes that matter; any one of them grants access",
        );
    }
    for (i, scope) in scopes.iter().enumerate() {
        let bad_char = scope
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\\');
        if scope.is_empty() || scope.chars().count() > 64 || bad_char {
            diags.error(
                &format!("{path}[{i}]"),
                format!(
                    "scope '{}' must be 1–64 characters without spaces, quotes or backslashes",
                    scope.escape_debug()
                ),
                "fix the scope name",
            );
        }
    }
}

fn validate_target(target: Option<&str>, api: &Api, path: &str, diags: &mut Diagnostics) -> Option<String> {
    let Some(target) = target else {
        diags.error(
            path,
            "the route has no target",
            "add target: integrations/<integrationId>",
        );
        return None;
    };
    let id = target
        .strip_prefix("integrations/")
        .filter(|id| api.integration(id).is_some());
    if id.is_none() {
        diags.error(
            path,
            format!("target '{target}' names no integration of this API"),
            "write integrations/<integrationId> with an id from `integrations:`",
        );
    }
    id.map(str::to_owned)
}
