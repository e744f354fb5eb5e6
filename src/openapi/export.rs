//! API document → OpenAPI 3.0.1 document, as ExportApi writes it for HTTP APIs: `servers` with a
//! `basePath` variable, one operation per route with a default response, generated path
//! parameters, `oauth2` security schemes carrying `x-amazon-apigateway-authorizer`, inline
//! `x-amazon-apigateway-integration` objects, `x-amazon-apigateway-cors`.
//!
//! May import: std, serde_json, crate::config::source.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::ExportOptions;
use super::import::{ANY_METHOD, DEFAULT_PATH, INTEGRATIONS, METHODS};

/// API-document integration field → `x-amazon-apigateway-integration` property.
const INTEGRATION_FIELDS: &[(&str, &str)] = &[
    ("integrationMethod", "httpMethod"),
    ("integrationUri", "uri"),
    ("payloadFormatVersion", "payloadFormatVersion"),
    ("connectionType", "connectionType"),
    ("connectionId", "connectionId"),
    ("timeoutInMillis", "timeoutInMillis"),
    ("requestParameters", "requestParameters"),
    ("responseParameters", "responseParameters"),
    ("tlsConfig", "tlsConfig"),
    ("integrationSubtype", "integrationSubtype"),
    ("credentialsArn", "credentials"),
    ("description", "description"),
];

/// API-document authorizer field → `x-amazon-apigateway-authorizer` property (besides
/// `identitySource` and `type`).
const AUTHORIZER_FIELDS: &[(&str, &str)] = &[
    ("jwtConfiguration", "jwtConfiguration"),
    ("authorizerUri", "authorizerUri"),
    ("authorizerCredentialsArn", "authorizerCredentials"),
    ("authorizerPayloadFormatVersion", "authorizerPayloadFormatVersion"),
    ("authorizerResultTtlInSeconds", "authorizerResultTtlInSeconds"),
    ("enableSimpleResponses", "enableSimpleResponses"),
];

/// One route, read.
struct Route<'a> {
    key: &'a str,
    path: &'a str,
    /// Path-item key: `get`, …, or `x-amazon-apigateway-any-method`.
    op_key: &'static str,
    route: &'a Map<String, Value>,
}

pub(super) fn export(api: &Value, options: &ExportOptions<'_>) -> Result<Value, String> {
    let api = api.as_object().ok_or("the API document must be an object")?;
    let name = api.get("name").and_then(Value::as_str).ok_or("the API has no name")?;
    check_stage(api, options.stage_name)?;
    let ext = options.include_extensions;
    let integrations = by_id(api, "integrations", "integrationId")?;
    let authorizers = by_id(api, "authorizers", "authorizerId")?;
    let routes = list(api, "routes")?
        .iter()
        .map(read_route)
        .collect::<Result<Vec<_>, _>>()?;

    // How many routes use each integration: shared ones become components, so that importing
    // the export shares them again.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &routes {
        if let Some(id) = target(r.route, &integrations)? {
            *uses.entry(id).or_default() += 1;
        }
    }
    let mut component_names: BTreeMap<String, &str> = BTreeMap::new();
    let mut shared_name: BTreeMap<&str, String> = BTreeMap::new();
    for id in integrations.keys() {
        let n = uses.get(id).copied().unwrap_or(0);
        if n == 1 {
            continue;
        }
        let wanted = if n == 0 {
            format!("unusedIntegration_{id}")
        } else {
            (*id).to_owned()
        };
        let name = unique(&component_names, wanted);
        component_names.insert(name.clone(), id);
        shared_name.insert(id, name);
    }
    let mut scheme_names: BTreeMap<&str, String> = BTreeMap::new();
    let mut schemes = Map::new();
    for (id, a) in &authorizers {
        let wanted = a.get("name").and_then(Value::as_str).unwrap_or(id).to_owned();
        let name = if schemes.contains_key(&wanted) {
            format!("{wanted}_{id}")
        } else {
            wanted
        };
        schemes.insert(name.clone(), Value::Object(scheme(a, ext)));
        scheme_names.insert(id, name);
    }

    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for r in &routes {
        let is_default = r.key == "$default";
        if !ext && is_default {
            continue; // `$default` cannot be said without the extensions
        }
        let mut op = Map::new();
        if let Some(name) = r.route.get("operationName").and_then(Value::as_str) {
            op.insert("operationId".into(), name.into());
        }
        let description = format!("Default response for {}", r.key);
        op.insert("responses".into(), json!({ "default": { "description": description } }));
        if let Some(security) = security(r.route, &scheme_names)? {
            op.insert("security".into(), security);
        }
        if is_default {
            op.insert("isDefaultRoute".into(), true.into());
        }
        if ext && let Some(id) = target(r.route, &integrations)? {
            let integration = match shared_name.get(id) {
                Some(name) => json!({ "$ref": format!("#/components/{INTEGRATIONS}/{name}") }),
                None => integrations.get(id).map(|i| integration(i)).unwrap_or_default(),
            };
            op.insert("x-amazon-apigateway-integration".into(), integration);
        }
        paths
            .entry(r.path)
            .or_default()
            .insert(r.op_key.into(), Value::Object(op));
    }
    if !ext {
        expand_any(&mut paths);
    }
    let mut paths_out = Map::new();
    for (path, mut item) in paths {
        let parameters = path_parameters(path);
        if !parameters.is_empty() && path != DEFAULT_PATH {
            item.insert("parameters".into(), parameters.into());
        }
        paths_out.insert(path.to_owned(), Value::Object(item));
    }

    let mut root = Map::new();
    root.insert("openapi".into(), "3.0.1".into());
    root.insert("info".into(), Value::Object(info(api, name)));
    root.insert("servers".into(), servers(options));
    root.insert("paths".into(), Value::Object(paths_out));
    let mut components = Map::new();
    if !schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    if ext && !component_names.is_empty() {
        let list: Map<String, Value> = component_names
            .iter()
            .filter_map(|(name, id)| Some((name.clone(), integration(integrations.get(id)?))))
            .collect();
        components.insert(INTEGRATIONS.into(), Value::Object(list));
    }
    if !components.is_empty() {
        root.insert("components".into(), Value::Object(components));
    }
    if ext {
        if let Some(cors) = api.get("corsConfiguration").filter(|c| c.is_object()) {
            root.insert("x-amazon-apigateway-cors".into(), cors.clone());
        }
        root.insert("x-amazon-apigateway-importexport-version".into(), "1.0".into());
    }
    Ok(Value::Object(root))
}

fn check_stage(api: &Map<String, Value>, stage: Option<&str>) -> Result<(), String> {
    let (Some(stage), Some(stages)) = (stage, api.get("stages").and_then(Value::as_array)) else {
        return Ok(());
    };
    if stages
        .iter()
        .any(|s| s.get("stageName").and_then(Value::as_str) == Some(stage))
    {
        Ok(())
    } else {
        Err(format!("Invalid stage identifier specified: {stage}"))
    }
}

fn list<'a>(api: &'a Map<String, Value>, field: &str) -> Result<&'a [Value], String> {
    match api.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("{field} must be a list")),
    }
}

/// The objects of a list by their id field (`integrationId`, `authorizerId`).
fn by_id<'a>(
    api: &'a Map<String, Value>,
    field: &str,
    id: &str,
) -> Result<BTreeMap<&'a str, &'a Map<String, Value>>, String> {
    list(api, field)?
        .iter()
        .map(|v| {
            let o = v.as_object().ok_or_else(|| format!("{field} must hold objects"))?;
            let i = o
                .get(id)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("an entry of {field} has no {id}"))?;
            Ok((i, o))
        })
        .collect()
}

fn read_route(v: &Value) -> Result<Route<'_>, String> {
    let route = v.as_object().ok_or("routes must hold objects")?;
    let key = route
        .get("routeKey")
        .and_then(Value::as_str)
        .ok_or("a route has no routeKey")?;
    if key == "$default" {
        return Ok(Route {
            key,
            path: DEFAULT_PATH,
            op_key: ANY_METHOD,
            route,
        });
    }
    let bad = || format!("route key '{key}' is neither $default nor METHOD /path");
    let (method, path) = key.split_once(' ').ok_or_else(bad)?;
    let op_key = METHODS
        .iter()
        .find(|(_, m)| *m == method)
        .map(|(k, _)| *k)
        .ok_or_else(bad)?;
    if !path.starts_with('/') || path == DEFAULT_PATH {
        return Err(bad());
    }
    Ok(Route {
        key,
        path,
        op_key,
        route,
    })
}

/// The integration id a route targets, if it has a target.
fn target<'a>(
    route: &'a Map<String, Value>,
    integrations: &BTreeMap<&'a str, &'a Map<String, Value>>,
) -> Result<Option<&'a str>, String> {
    let Some(t) = route.get("target").and_then(Value::as_str) else {
        return Ok(None);
    };
    match t.strip_prefix("integrations/") {
        Some(id) if integrations.contains_key(id) => Ok(Some(id)),
        _ => Err(format!("target '{t}' names no integration of this API")),
    }
}

fn security(route: &Map<String, Value>, names: &BTreeMap<&str, String>) -> Result<Option<Value>, String> {
    let kind = route.get("authorizationType").and_then(Value::as_str).unwrap_or("NONE");
    if kind == "NONE" {
        return Ok(None);
    }
    let id = route.get("authorizerId").and_then(Value::as_str);
    let name = id.and_then(|id| names.get(id)).ok_or_else(|| {
        format!(
            "authorizerId {} names no authorizer of this API",
            id.unwrap_or("(none)")
        )
    })?;
    let scopes = route.get("authorizationScopes").cloned().unwrap_or_else(|| json!([]));
    Ok(Some(json!([{ name.as_str(): scopes }])))
}

fn integration(i: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    if let Some(t) = i.get("integrationType").and_then(Value::as_str) {
        out.insert("type".into(), t.to_ascii_lowercase().into());
    }
    for (from, to) in INTEGRATION_FIELDS {
        if let Some(v) = i.get(*from) {
            out.insert((*to).into(), v.clone());
        }
    }
    Value::Object(out)
}

fn scheme(a: &Map<String, Value>, ext: bool) -> Map<String, Value> {
    let kind = a.get("authorizerType").and_then(Value::as_str).unwrap_or("JWT");
    let mut out = if kind == "JWT" {
        json!({ "type": "oauth2", "flows": {} })
    } else {
        json!({ "type": "apiKey", "name": "Unused", "in": "header" })
    };
    if ext && let Some(o) = out.as_object_mut() {
        let mut authorizer = Map::new();
        if let Some(sources) = a.get("identitySource") {
            let joined = match sources {
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                other => other.as_str().unwrap_or_default().to_owned(),
            };
            authorizer.insert("identitySource".into(), joined.into());
        }
        for (from, to) in AUTHORIZER_FIELDS {
            if let Some(v) = a.get(*from) {
                authorizer.insert((*to).into(), v.clone());
            }
        }
        authorizer.insert("type".into(), kind.to_ascii_lowercase().into());
        o.insert("x-amazon-apigateway-authorizer".into(), Value::Object(authorizer));
    }
    match out {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

fn info(api: &Map<String, Value>, name: &str) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("title".into(), name.into());
    if let Some(d) = api.get("description").and_then(Value::as_str) {
        info.insert("description".into(), d.into());
    }
    // AWS writes the time of the last change when the API has no version; an API document has
    // no clock, and "" imports back as "no version".
    let version = api.get("version").and_then(Value::as_str).unwrap_or("");
    info.insert("version".into(), version.into());
    info
}

fn servers(options: &ExportOptions<'_>) -> Value {
    let base_path = match options.stage_name {
        None | Some("$default") => "",
        Some(stage) => stage,
    };
    let endpoint = options.api_endpoint.strip_suffix('/').unwrap_or(options.api_endpoint);
    json!([{
        "url": format!("{endpoint}/{{basePath}}"),
        "variables": { "basePath": { "default": base_path } }
    }])
}

/// `{name}` and `{name+}` segments as AWS's generated parameter objects (named `name+` for a
/// greedy variable, as AWS names them).
fn path_parameters(path: &str) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .filter(|name| seen.insert(*name))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "description": format!("Generated path parameter for {name}"),
                "required": true,
                "schema": { "type": "string" }
            })
        })
        .collect()
}

/// Without extensions an `ANY` route is written as one operation per method its path does not
/// define otherwise (which is what `ANY` matches).
fn expand_any(paths: &mut BTreeMap<&str, Map<String, Value>>) {
    for item in paths.values_mut() {
        let Some(Value::Object(mut any)) = item.remove(ANY_METHOD) else {
            continue;
        };
        any.remove("operationId");
        for (key, _) in METHODS.iter().filter(|(k, _)| *k != ANY_METHOD) {
            item.entry(*key).or_insert_with(|| Value::Object(any.clone()));
        }
    }
}

/// `wanted`, or `wanted_2`, `wanted_3`, … if taken.
fn unique(taken: &BTreeMap<String, &str>, wanted: String) -> String {
    if !taken.contains_key(&wanted) {
        return wanted;
    }
    (2..)
        .map(|n| format!("{wanted}_{n}"))
        .find(|n| !taken.contains_key(n))
        .unwrap_or(wanted)
}
