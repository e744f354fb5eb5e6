//! OpenAPI 3.0 text → API document: the document checks, `info`, `paths` → routes with their
//! integration and authorizer, and `components` with the integrations and authorizers they share.
//!
//! May import: std, serde_json, crate::config::source.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::extensions::{
    Integration, Reporter, Scheme, read_cors, read_integration, read_scheme, scalar_text, strings,
};
use super::{IdKind, ImportError, ImportReport};
use crate::config::source::{self, join};

/// Operation keys of a path item, in export order, with their route-key method.
pub(super) const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    (ANY_METHOD, "ANY"),
];

/// The path-item key of an `ANY` operation.
pub(super) const ANY_METHOD: &str = "x-amazon-apigateway-any-method";
/// The path of the `$default` route.
pub(super) const DEFAULT_PATH: &str = "/$default";
/// Where integration components live.
pub(super) const INTEGRATIONS: &str = "x-amazon-apigateway-integrations";
const REF_PREFIX: &str = "#/components/x-amazon-apigateway-integrations/";

struct Component {
    path: String,
    integration: Integration,
    id: Option<String>,
    used: bool,
}

struct SchemeEntry {
    path: String,
    scheme: Scheme,
    id: Option<String>,
    used: bool,
}

struct Importer<'d, 'f> {
    rep: Reporter<'d>,
    new_id: &'f mut dyn FnMut(IdKind) -> String,
    schemes: BTreeMap<String, SchemeEntry>,
    components: BTreeMap<String, Component>,
    authorizers: Vec<Value>,
    integrations: Vec<Value>,
    routes: Vec<Value>,
}

pub(super) fn import(
    text: &str,
    new_id: &mut dyn FnMut(IdKind) -> String,
) -> Result<(Value, ImportReport), ImportError> {
    super::guard::check_nesting(text).map_err(|m| ImportError { messages: vec![m] })?;
    let doc = source::parse(text).map_err(|d| ImportError {
        messages: vec![d.to_string()],
    })?;
    let mut imp = Importer {
        rep: Reporter::new(&doc),
        new_id,
        schemes: BTreeMap::new(),
        components: BTreeMap::new(),
        authorizers: Vec::new(),
        integrations: Vec::new(),
        routes: Vec::new(),
    };
    let api = imp.document(&doc.value);
    let Importer { rep, .. } = imp;
    match api {
        Some(api) if rep.errors.is_empty() => Ok((
            api,
            ImportReport {
                info: rep.info,
                warnings: rep.warnings,
            },
        )),
        _ => {
            let mut messages = rep.errors;
            if messages.is_empty() {
                messages.push("the document cannot be imported".to_owned());
            }
            Err(ImportError { messages })
        }
    }
}

impl Importer<'_, '_> {
    fn document(&mut self, root: &Value) -> Option<Value> {
        let Some(root) = root.as_object() else {
            self.rep
                .error("", "an OpenAPI document must be a mapping (openapi, info, paths, ...)");
            return None;
        };
        if root.contains_key("swagger") {
            self.rep.error(
                "swagger",
                "OpenAPI 2.0 (swagger) is not supported: HTTP APIs import OpenAPI 3.0 documents only",
            );
            return None;
        }
        match root.get("openapi").and_then(scalar_text) {
            Some(v) if v.starts_with("3.0") => {}
            Some(v) if v.starts_with("3.") => self.rep.warn("openapi", &format!("OpenAPI {v} is read as OpenAPI 3.0")),
            Some(v) => self
                .rep
                .error("openapi", &format!("OpenAPI {v} is not supported: use 3.0")),
            None => self
                .rep
                .error("", "the document has no openapi version (openapi: 3.0.1)"),
        }
        if let Some(v) = root.get("x-amazon-apigateway-importexport-version")
            && scalar_text(v).as_deref() != Some("1.0")
        {
            let at = "x-amazon-apigateway-importexport-version";
            self.rep.error(at, "the only import/export version is \"1.0\"");
        }
        let mut api = Map::new();
        self.info(root.get("info"), &mut api);
        api.insert("protocolType".into(), "HTTP".into());
        if let Some(cors) = root.get("x-amazon-apigateway-cors")
            && let Some(c) = read_cors(cors, "x-amazon-apigateway-cors", &mut self.rep)
        {
            api.insert("corsConfiguration".into(), Value::Object(c));
        }
        self.components(root.get("components"));
        let default_security = root.get("security");
        match root.get("paths") {
            Some(Value::Object(paths)) => {
                for (path, item) in paths {
                    self.path_item(path, item, default_security);
                }
            }
            Some(_) => self.rep.error("paths", "paths must be a mapping"),
            None => self.rep.error("", "the document has no paths"),
        }
        self.unused();
        for (key, _) in root {
            self.root_key(key);
        }
        api.insert("authorizers".into(), std::mem::take(&mut self.authorizers).into());
        api.insert("integrations".into(), std::mem::take(&mut self.integrations).into());
        api.insert("routes".into(), std::mem::take(&mut self.routes).into());
        Some(Value::Object(api))
    }

    fn root_key(&mut self, key: &str) {
        match key {
            "openapi"
            | "info"
            | "servers"
            | "paths"
            | "components"
            | "security"
            | "tags"
            | "externalDocs"
            | "x-amazon-apigateway-cors"
            | "x-amazon-apigateway-importexport-version" => {}
            k if k.starts_with("x-amazon-apigateway-") => {
                self.rep.info(
                    k,
                    &format!("{k} is not supported for HTTP APIs by Portcullis and is ignored"),
                );
            }
            k if k.starts_with("x-") => {}
            k => self.rep.warn(k, &format!("unknown property {k} is ignored")),
        }
    }

    fn info(&mut self, info: Option<&Value>, api: &mut Map<String, Value>) {
        let Some(info) = info.and_then(Value::as_object) else {
            self.rep
                .error("info", "the document needs an info mapping with a title");
            return;
        };
        match info.get("title") {
            Some(Value::String(t)) => drop(api.insert("name".into(), t.as_str().into())),
            _ => self
                .rep
                .error("info.title", "info.title (the API's name) must be a string"),
        }
        if let Some(d) = info.get("description") {
            match d.as_str() {
                Some(d) => drop(api.insert("description".into(), d.into())),
                None => self
                    .rep
                    .warn("info.description", "info.description is not a string and is ignored"),
            }
        }
        match info.get("version").map(scalar_text) {
            Some(Some(v)) if !v.is_empty() => drop(api.insert("version".into(), v.into())),
            Some(None) => self
                .rep
                .warn("info.version", "info.version is not a string and is ignored"),
            _ => {}
        }
    }

    fn components(&mut self, components: Option<&Value>) {
        let Some(components) = components else {
            return;
        };
        let Some(components) = components.as_object() else {
            self.rep.error("components", "components must be a mapping");
            return;
        };
        if let Some(schemes) = components.get("securitySchemes") {
            let at = "components.securitySchemes";
            match schemes.as_object() {
                Some(schemes) => {
                    for (name, v) in schemes {
                        let path = join(at, name);
                        let scheme = read_scheme(name, v, &path, &mut self.rep);
                        let id = match &scheme {
                            Scheme::Jwt(a) => {
                                let id = (self.new_id)(IdKind::Authorizer);
                                let mut a = a.clone();
                                a.insert("authorizerId".into(), id.as_str().into());
                                self.authorizers.push(Value::Object(a));
                                Some(id)
                            }
                            _ => None,
                        };
                        let entry = SchemeEntry {
                            path,
                            scheme,
                            id,
                            used: false,
                        };
                        self.schemes.insert(name.clone(), entry);
                    }
                }
                None => self.rep.error(at, "securitySchemes must be a mapping"),
            }
        }
        if let Some(list) = components.get(INTEGRATIONS) {
            let at = join("components", INTEGRATIONS);
            match list.as_object() {
                Some(list) => {
                    for (name, v) in list {
                        let path = join(&at, name);
                        let integration = if v.get("$ref").is_some() {
                            self.rep
                                .error(&path, "an integration component cannot itself be a $ref");
                            Integration::Malformed
                        } else {
                            read_integration(v, &path, &mut self.rep)
                        };
                        let id = match &integration {
                            Integration::Ready(i) => Some(self.add_integration(i)),
                            _ => None,
                        };
                        self.components.insert(
                            name.clone(),
                            Component {
                                path,
                                integration,
                                id,
                                used: false,
                            },
                        );
                    }
                }
                None => self.rep.error(&at, &format!("{INTEGRATIONS} must be a mapping")),
            }
        }
    }

    fn add_integration(&mut self, integration: &Map<String, Value>) -> String {
        let id = (self.new_id)(IdKind::Integration);
        let mut i = Map::new();
        i.insert("integrationId".into(), id.as_str().into());
        i.extend(integration.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.integrations.push(Value::Object(i));
        id
    }

    /// Components no route used: unsupported ones are dropped (AWS would have created them).
    fn unused(&mut self) {
        let mut dropped = Vec::new();
        for c in self.components.values().filter(|c| !c.used) {
            if let Integration::Unsupported(why) = &c.integration {
                dropped.push((
                    c.path.clone(),
                    format!("{why}; this integration, used by no route, is not imported"),
                ));
            }
        }
        let mut plain = Vec::new();
        for s in self.schemes.values().filter(|s| !s.used) {
            match &s.scheme {
                Scheme::Unsupported(why) => dropped.push((
                    s.path.clone(),
                    format!("{why}; this scheme, used by no route, is not imported"),
                )),
                Scheme::Plain(why) => {
                    plain.push((s.path.clone(), format!("{why}; it is used by no route and is ignored")))
                }
                _ => {}
            }
        }
        for (path, message) in dropped {
            self.rep.warn(&path, &message);
        }
        for (path, message) in plain {
            self.rep.info(&path, &message);
        }
    }

    fn path_item(&mut self, path: &str, item: &Value, default_security: Option<&Value>) {
        let at = join("paths", path);
        let Some(item) = item.as_object() else {
            self.rep.error(&at, "a path item must be a mapping");
            return;
        };
        if !path.starts_with('/') {
            self.rep.error(&at, "a path must start with /");
            return;
        }
        for (key, value) in item {
            match key.as_str() {
                k if METHODS.iter().any(|(m, _)| *m == k) => {}
                "parameters" => self.parameters(value, &join(&at, key)),
                "summary" | "description" | "servers" => {}
                "trace" => self.rep.error(&join(&at, key), "HTTP APIs have no TRACE routes"),
                "$ref" => self
                    .rep
                    .error(&join(&at, key), "path items given by $ref are not supported"),
                k if k.starts_with("x-amazon-apigateway-") => {
                    self.rep.info(
                        &join(&at, k),
                        &format!("{k} does not apply to HTTP API path items and is ignored"),
                    );
                }
                k if k.starts_with("x-") => {}
                k => self
                    .rep
                    .warn(&join(&at, k), &format!("unknown path item property {k} is ignored")),
            }
        }
        for (key, method) in METHODS {
            if let Some(op) = item.get(*key) {
                self.operation(path, method, op, &join(&at, key), default_security);
            }
        }
    }

    /// Request parameters are documentation to HTTP APIs: path parameters silently (exports
    /// generate them), the others with an info.
    fn parameters(&mut self, params: &Value, at: &str) {
        let Some(list) = params.as_array() else {
            self.rep.warn(at, "parameters must be a list and are ignored");
            return;
        };
        let documented = list.iter().any(|p| p.get("in").and_then(Value::as_str) != Some("path"));
        if documented {
            self.rep
                .info(at, "HTTP APIs do not validate request parameters; they are ignored");
        }
    }

    fn operation(&mut self, path: &str, method: &str, op: &Value, at: &str, default_security: Option<&Value>) {
        let Some(op) = op.as_object() else {
            self.rep.error(at, "an operation must be a mapping");
            return;
        };
        let is_default_path = path == DEFAULT_PATH;
        let default_flag = op.get("isDefaultRoute");
        let route_key = match (is_default_path, method, default_flag) {
            (true, "ANY", Some(Value::Bool(true))) => "$default".to_owned(),
            (true, _, _) => {
                self.rep.error(
                    at,
                    "under /$default only x-amazon-apigateway-any-method with isDefaultRoute: true is allowed",
                );
                return;
            }
            (false, _, Some(Value::Bool(true))) => {
                self.rep.error(
                    &join(at, "isDefaultRoute"),
                    "isDefaultRoute: true belongs under the path /$default",
                );
                return;
            }
            (false, _, Some(Value::Bool(false)) | None) => format!("{method} {path}"),
            (false, _, Some(_)) => {
                self.rep
                    .error(&join(at, "isDefaultRoute"), "isDefaultRoute must be true or false");
                return;
            }
        };
        let mut route = Map::new();
        route.insert("routeKey".into(), route_key.as_str().into());
        for (key, value) in op {
            self.operation_key(key, value, &join(at, key), &mut route);
        }
        let security = op.get("security").map(|s| (s, join(at, "security")));
        let security = security.or_else(|| default_security.map(|s| (s, "security".to_owned())));
        if let Some((security, sec_at)) = security {
            self.security(security, &sec_at, &route_key, &mut route);
        }
        let target = self.route_integration(op.get("x-amazon-apigateway-integration"), at, &route_key);
        let Some(target) = target else {
            return;
        };
        route.insert("target".into(), format!("integrations/{target}").into());
        let route_id = (self.new_id)(IdKind::Route);
        route.insert("routeId".into(), route_id.into());
        self.routes.push(Value::Object(route));
    }

    fn operation_key(&mut self, key: &str, value: &Value, at: &str, route: &mut Map<String, Value>) {
        match key {
            "operationId" => match value.as_str() {
                Some(id) => drop(route.insert("operationName".into(), id.into())),
                None => self.rep.warn(at, "operationId is not a string and is ignored"),
            },
            "parameters" => self.parameters(value, at),
            "requestBody" | "callbacks" => {
                self.rep
                    .info(at, &format!("HTTP APIs do not validate {key}; it is ignored"));
            }
            "x-amazon-apigateway-request-validator" => {
                self.rep
                    .info(at, "HTTP APIs do not validate requests; the validator is ignored");
            }
            "x-amazon-apigateway-auth" => {
                let t = value.get("type").and_then(Value::as_str).unwrap_or("");
                if !t.eq_ignore_ascii_case("NONE") {
                    self.rep
                        .error(at, &format!("authorization type '{t}' is not supported by Portcullis"));
                }
            }
            "responses"
            | "tags"
            | "summary"
            | "description"
            | "externalDocs"
            | "deprecated"
            | "servers"
            | "security"
            | "isDefaultRoute"
            | "x-amazon-apigateway-integration" => {}
            k if k.starts_with("x-amazon-apigateway-") => {
                self.rep
                    .info(at, &format!("{k} does not apply to HTTP API routes and is ignored"));
            }
            k if k.starts_with("x-") => {}
            k => self.rep.warn(at, &format!("unknown operation property {k} is ignored")),
        }
    }

    /// One security requirement with one scheme → JWT authorization; `[]` or `[{}]` → none.
    fn security(&mut self, security: &Value, at: &str, route_key: &str, route: &mut Map<String, Value>) {
        let Some(list) = security.as_array() else {
            self.rep.error(at, "security must be a list of security requirements");
            return;
        };
        let requirement = match list.as_slice() {
            [] => return,
            [one] => one,
            _ => {
                self.rep.error(
                    at,
                    &format!(
                        "{route_key}: multiple security requirements are not supported (one authorizer per route)"
                    ),
                );
                return;
            }
        };
        let Some(requirement) = requirement.as_object() else {
            self.rep
                .error(at, "a security requirement must be a mapping of scheme name to scopes");
            return;
        };
        let (name, scopes) = match requirement.iter().collect::<Vec<_>>().as_slice() {
            [] => return,
            [(name, scopes)] => (name.as_str(), *scopes),
            _ => {
                self.rep.error(
                    at,
                    &format!(
                        "{route_key}: multiple security requirements are not supported (one authorizer per route)"
                    ),
                );
                return;
            }
        };
        let Some(scopes) = strings(scopes) else {
            self.rep.error(&join(at, name), "scopes must be a list of strings");
            return;
        };
        let Some(entry) = self.schemes.get_mut(name) else {
            self.rep.error(
                at,
                &format!("{route_key}: security scheme '{name}' is not defined in components.securitySchemes"),
            );
            return;
        };
        entry.used = true;
        let message = match (&entry.scheme, &entry.id) {
            (Scheme::Jwt(_), Some(id)) => {
                route.insert("authorizationType".into(), "JWT".into());
                route.insert("authorizerId".into(), id.as_str().into());
                if !scopes.is_empty() {
                    route.insert("authorizationScopes".into(), scopes.into());
                }
                return;
            }
            (Scheme::Unsupported(why) | Scheme::Plain(why), _) => {
                format!("{route_key}: {why}; the route could not be protected")
            }
            _ => format!("{route_key}: security scheme '{name}' is not usable"),
        };
        self.rep.error(at, &message);
    }

    /// The integration id of a route: a component's (shared) or a new inline one.
    fn route_integration(&mut self, v: Option<&Value>, at: &str, route_key: &str) -> Option<String> {
        let Some(v) = v else {
            self.rep.error(
                at,
                &format!(
                    "{route_key} has no x-amazon-apigateway-integration; Portcullis cannot serve a route without one"
                ),
            );
            return None;
        };
        let at = join(at, "x-amazon-apigateway-integration");
        let Some(reference) = v.get("$ref") else {
            return match read_integration(v, &at, &mut self.rep) {
                Integration::Ready(i) => Some(self.add_integration(&i)),
                Integration::Unsupported(why) => {
                    self.rep
                        .error(&at, &format!("{route_key}: {why}; the route could not be served"));
                    None
                }
                Integration::Malformed => None,
            };
        };
        let Some(name) = reference
            .as_str()
            .and_then(|r| r.strip_prefix(REF_PREFIX))
            .map(unescape)
        else {
            self.rep
                .error(&join(&at, "$ref"), &format!("$ref must name {REF_PREFIX}<name>"));
            return None;
        };
        let Some(component) = self.components.get_mut(&name) else {
            self.rep.error(
                &join(&at, "$ref"),
                &format!("{route_key}: no integration component named '{name}'"),
            );
            return None;
        };
        component.used = true;
        let why = match (&component.integration, &component.id) {
            (Integration::Ready(_), Some(id)) => return Some(id.clone()),
            (Integration::Unsupported(why), _) => why.clone(),
            _ => format!("integration component '{name}' is not usable"),
        };
        self.rep
            .error(&at, &format!("{route_key}: {why}; the route could not be served"));
        None
    }
}

/// A JSON-pointer token of a URI fragment: `%XX` escapes, then `~1` → `/`, `~0` → `~`.
fn unescape(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).replace("~1", "/").replace("~0", "~")
}
