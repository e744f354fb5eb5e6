//! Reading AWS's OpenAPI extensions into API-document parts: `x-amazon-apigateway-integration`,
//! `x-amazon-apigateway-authorizer` (with `openIdConnect` schemes) and
//! `x-amazon-apigateway-cors`; plus the report that collects info, warnings and errors with
//! their line and column.
//!
//! May import: std, serde_json, crate::config::source.

use serde_json::{Map, Value};

use crate::config::source::{Document, join};

/// Collects messages at AWS's three levels, each prefixed with `line:column: path:`.
pub(super) struct Reporter<'d> {
    doc: &'d Document,
    pub(super) errors: Vec<String>,
    pub(super) warnings: Vec<String>,
    pub(super) info: Vec<String>,
}

impl<'d> Reporter<'d> {
    pub(super) fn new(doc: &'d Document) -> Self {
        Self {
            doc,
            errors: Vec::new(),
            warnings: Vec::new(),
            info: Vec::new(),
        }
    }

    fn place(&self, path: &str, message: &str) -> String {
        if path.is_empty() {
            return message.to_owned();
        }
        match self.doc.locate(path) {
            Some(loc) => format!("{}:{}: {path}: {message}", loc.line, loc.column),
            None => format!("{path}: {message}"),
        }
    }

    pub(super) fn error(&mut self, path: &str, message: &str) {
        let m = self.place(path, message);
        self.errors.push(m);
    }

    pub(super) fn warn(&mut self, path: &str, message: &str) {
        let m = self.place(path, message);
        self.warnings.push(m);
    }

    pub(super) fn info(&mut self, path: &str, message: &str) {
        let m = self.place(path, message);
        self.info.push(m);
    }
}

/// A string, or a number or boolean written without quotes in YAML, as text.
pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer, also when written as an integral float (`1e3`, `10000.0`).
pub(super) fn integer(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    // Exactly representable integers only; the cast is then lossless.
    (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i64)
}

/// An array of strings.
pub(super) fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect()
}

/// `payloadFormatVersion`: a string, or a number (AWS's own examples write `1.0` unquoted,
/// which YAML and JSON read as a number): `1` and `1.0` give `"1.0"`.
fn payload_format_version(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{f:.1}")),
            _ => Some(n.to_string()),
        },
        _ => None,
    }
}

/// What one `x-amazon-apigateway-integration` object turned out to be.
pub(super) enum Integration {
    /// An HTTP proxy: the API-document integration without `integrationId`.
    Ready(Map<String, Value>),
    /// Readable, but nothing Portcullis can serve (the reason, for the message).
    Unsupported(String),
    /// Malformed; errors were reported.
    Malformed,
}

/// Properties of REST APIs that HTTP APIs ignore (info).
const REST_ONLY: &[&str] = &[
    "passthroughBehavior",
    "contentHandling",
    "requestTemplates",
    "responses",
    "cacheKeyParameters",
    "cacheNamespace",
];

/// Properties HTTP APIs honour that Portcullis cannot (warning: behaviour differs).
const NOT_APPLIED: &[&str] = &[
    "responseParameters",
    "tlsConfig",
    "credentials",
    "connectionId",
    "integrationSubtype",
];

/// Reads an inline integration or an integration component (never a `$ref`).
pub(super) fn read_integration(v: &Value, path: &str, rep: &mut Reporter<'_>) -> Integration {
    let Some(obj) = v.as_object() else {
        rep.error(path, "x-amazon-apigateway-integration must be a mapping");
        return Integration::Malformed;
    };
    let kind = match obj.get("type") {
        Some(Value::String(s)) => s.to_ascii_uppercase(),
        Some(_) => {
            rep.error(&join(path, "type"), "type must be a string such as http_proxy");
            return Integration::Malformed;
        }
        None => {
            rep.error(path, "the integration has no type (use type: http_proxy)");
            return Integration::Malformed;
        }
    };
    if kind != "HTTP_PROXY" {
        return Integration::Unsupported(format!(
            "integration type {kind} is not supported by Portcullis, which serves HTTP_PROXY integrations only"
        ));
    }
    if let Some(c) = obj.get("connectionType").and_then(Value::as_str)
        && c.eq_ignore_ascii_case("VPC_LINK")
    {
        return Integration::Unsupported(
            "private integrations (connectionType VPC_LINK) are not supported by Portcullis".to_owned(),
        );
    }
    let mut out = Map::new();
    out.insert("integrationType".into(), "HTTP_PROXY".into());
    let mut ok = true;
    for (key, value) in obj {
        let at = join(path, key);
        let read = match key.as_str() {
            "type" => continue,
            "httpMethod" => (
                "integrationMethod",
                value.as_str().map(Value::from),
                "httpMethod must be a string",
            ),
            "uri" => (
                "integrationUri",
                value.as_str().map(Value::from),
                "uri must be a string",
            ),
            "connectionType" => (
                "connectionType",
                value.as_str().map(Value::from),
                "connectionType must be a string",
            ),
            "description" => (
                "description",
                value.as_str().map(Value::from),
                "description must be a string",
            ),
            "payloadFormatVersion" => (
                "payloadFormatVersion",
                payload_format_version(value).map(Value::from),
                "payloadFormatVersion must be \"1.0\"",
            ),
            "timeoutInMillis" => (
                "timeoutInMillis",
                integer(value).map(Value::from),
                "timeoutInMillis must be an integer (50-30000)",
            ),
            "requestParameters" => (
                "requestParameters",
                text_map(value).map(Value::Object),
                "requestParameters must map names to strings",
            ),
            k if NOT_APPLIED.contains(&k) => {
                rep.warn(&at, &format!("{k} is not supported by Portcullis and is ignored"));
                continue;
            }
            k if REST_ONLY.contains(&k) => {
                rep.info(&at, &format!("{k} applies to REST APIs only and is ignored"));
                continue;
            }
            k => {
                rep.warn(&at, &format!("unknown integration property {k} is ignored"));
                continue;
            }
        };
        match read {
            (target, Some(v), _) => {
                out.insert(target.into(), v);
            }
            (_, None, message) => bad(rep, &at, &mut ok, message),
        }
    }
    if ok && !out.contains_key("integrationUri") {
        bad(rep, path, &mut ok, "an http_proxy integration needs a uri");
    }
    if ok {
        Integration::Ready(out)
    } else {
        Integration::Malformed
    }
}

fn bad(rep: &mut Reporter<'_>, path: &str, ok: &mut bool, message: &str) {
    rep.error(path, message);
    *ok = false;
}

/// A mapping of names to scalars, as strings (`pageNo: 1` in YAML is the string `"1"` to AWS).
fn text_map(v: &Value) -> Option<Map<String, Value>> {
    v.as_object()?
        .iter()
        .map(|(k, v)| scalar_text(v).map(|s| (k.clone(), Value::String(s))))
        .collect()
}

/// What a security scheme turned out to be.
pub(super) enum Scheme {
    /// A JWT authorizer: the API-document authorizer without `authorizerId`.
    Jwt(Map<String, Value>),
    /// An AWS authorizer Portcullis cannot enforce (IAM, Lambda; the reason, for the message).
    Unsupported(String),
    /// A plain OpenAPI scheme without AWS's extension: documentation unless a route uses it.
    Plain(String),
    /// Malformed; errors were reported.
    Malformed,
}

/// `jwtConfiguration` keys Portcullis adds to AWS's `issuer` and `audience`.
const JWT_EXTRAS: &[&str] = &[
    "algorithms",
    "leewaySeconds",
    "requiredTokenType",
    "jwksCacheTtlSeconds",
    "unknownKidRefetchIntervalSeconds",
    "allowInsecureHttp",
];

const DISCOVERY: &str = "/.well-known/openid-configuration";

/// Reads `components.securitySchemes.<name>`.
pub(super) fn read_scheme(name: &str, v: &Value, path: &str, rep: &mut Reporter<'_>) -> Scheme {
    let Some(obj) = v.as_object() else {
        rep.error(path, "a security scheme must be a mapping");
        return Scheme::Malformed;
    };
    if obj.contains_key("$ref") {
        rep.error(path, "security schemes given by $ref are not supported");
        return Scheme::Malformed;
    }
    let scheme_type = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(ext) = obj.get("x-amazon-apigateway-authorizer") else {
        let iam = obj
            .get("x-amazon-apigateway-authtype")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4") || t.eq_ignore_ascii_case("sigv4"));
        return if iam {
            Scheme::Unsupported(
                "IAM authorization (x-amazon-apigateway-authtype awsSigv4) is not supported by Portcullis".to_owned(),
            )
        } else {
            Scheme::Plain(format!(
                "security scheme of type '{scheme_type}' has no x-amazon-apigateway-authorizer"
            ))
        };
    };
    let ext_path = join(path, "x-amazon-apigateway-authorizer");
    let Some(ext) = ext.as_object() else {
        rep.error(&ext_path, "x-amazon-apigateway-authorizer must be a mapping");
        return Scheme::Malformed;
    };
    let kind = match ext.get("type").and_then(Value::as_str) {
        Some(t) => t.to_ascii_lowercase(),
        None => {
            rep.error(&ext_path, "the authorizer needs a type (jwt)");
            return Scheme::Malformed;
        }
    };
    if kind != "jwt" {
        let what = if kind == "request" {
            "Lambda (request)".to_owned()
        } else {
            format!("'{kind}'")
        };
        return Scheme::Unsupported(format!("{what} authorizers are not supported by Portcullis (JWT only)"));
    }
    let mut ok = true;
    let mut out = Map::new();
    out.insert("name".into(), name.into());
    out.insert("authorizerType".into(), "JWT".into());
    // A comma-separated string to AWS; a list is read too. Either way every comma separates.
    let sources = match ext.get("identitySource") {
        None => {
            rep.info(&ext_path, "no identitySource; $request.header.Authorization is used");
            Some(vec!["$request.header.Authorization".to_owned()])
        }
        Some(Value::String(s)) => Some(split_sources(std::slice::from_ref(s))),
        Some(other) => strings(other).map(|list| split_sources(&list)),
    };
    match sources {
        Some(s) if !s.is_empty() => {
            out.insert("identitySource".into(), s.into());
        }
        _ => bad(
            rep,
            &join(&ext_path, "identitySource"),
            &mut ok,
            "identitySource must be a string such as $request.header.Authorization",
        ),
    }
    let jwt_path = join(&ext_path, "jwtConfiguration");
    let empty = Map::new();
    let jwt = match ext.get("jwtConfiguration") {
        Some(Value::Object(m)) => m,
        None => &empty,
        Some(_) => {
            rep.error(&jwt_path, "jwtConfiguration must be a mapping");
            return Scheme::Malformed;
        }
    };
    let mut config = Map::new();
    for (key, value) in jwt {
        let at = join(&jwt_path, key);
        match key.as_str() {
            "issuer" => match value.as_str() {
                Some(s) => drop(config.insert("issuer".into(), s.into())),
                None => bad(rep, &at, &mut ok, "issuer must be a string"),
            },
            "audience" => match strings(value) {
                Some(a) => drop(config.insert("audience".into(), a.into())),
                None => bad(rep, &at, &mut ok, "audience must be a list of strings"),
            },
            k if JWT_EXTRAS.contains(&k) => drop(config.insert(key.clone(), value.clone())),
            k => rep.warn(&at, &format!("unknown jwtConfiguration property {k} is ignored")),
        }
    }
    if scheme_type.eq_ignore_ascii_case("openIdConnect") {
        derive_issuer(
            obj.get("openIdConnectUrl"),
            &mut config,
            &join(path, "openIdConnectUrl"),
            &mut ok,
            rep,
        );
    }
    if ok && !config.contains_key("issuer") {
        bad(
            rep,
            &jwt_path,
            &mut ok,
            "a JWT authorizer needs jwtConfiguration.issuer (or an openIdConnect scheme's openIdConnectUrl)",
        );
    }
    if ok && !config.contains_key("audience") {
        bad(
            rep,
            &jwt_path,
            &mut ok,
            "a JWT authorizer needs jwtConfiguration.audience",
        );
    }
    for key in ext.keys() {
        if !matches!(key.as_str(), "type" | "identitySource" | "jwtConfiguration") {
            rep.warn(
                &join(&ext_path, key),
                &format!("{key} does not apply to JWT authorizers and is ignored"),
            );
        }
    }
    out.insert("jwtConfiguration".into(), Value::Object(config));
    if ok { Scheme::Jwt(out) } else { Scheme::Malformed }
}

fn split_sources(list: &[String]) -> Vec<String> {
    list.iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// AWS reads the issuer of an `openIdConnect` scheme from its (complete) discovery URL.
fn derive_issuer(
    url: Option<&Value>,
    config: &mut Map<String, Value>,
    path: &str,
    ok: &mut bool,
    rep: &mut Reporter<'_>,
) {
    let Some(url) = url else {
        return;
    };
    let Some(issuer) = url
        .as_str()
        .and_then(|u| u.strip_suffix(DISCOVERY))
        .filter(|i| !i.is_empty())
    else {
        bad(
            rep,
            path,
            ok,
            &format!("openIdConnectUrl must be a complete URL ending in {DISCOVERY}"),
        );
        return;
    };
    match config.get("issuer").and_then(Value::as_str) {
        None => drop(config.insert("issuer".into(), issuer.into())),
        Some(given) if given != issuer => {
            rep.warn(
                path,
                &format!("jwtConfiguration.issuer {given} is used; openIdConnectUrl names {issuer}"),
            );
        }
        Some(_) => {}
    }
}

/// Reads `x-amazon-apigateway-cors` into a `corsConfiguration`.
pub(super) fn read_cors(v: &Value, path: &str, rep: &mut Reporter<'_>) -> Option<Map<String, Value>> {
    let Some(obj) = v.as_object() else {
        rep.error(path, "x-amazon-apigateway-cors must be a mapping");
        return None;
    };
    let mut out = Map::new();
    let mut ok = true;
    for (key, value) in obj {
        let at = join(path, key);
        match key.as_str() {
            "allowOrigins" | "allowMethods" | "allowHeaders" | "exposeHeaders" => match strings(value) {
                Some(list) => drop(out.insert(key.clone(), list.into())),
                None => bad(rep, &at, &mut ok, &format!("{key} must be a list of strings")),
            },
            "maxAge" => match integer(value) {
                Some(n) => drop(out.insert(key.clone(), n.into())),
                None => bad(rep, &at, &mut ok, "maxAge must be an integer (-1 to 86400)"),
            },
            "allowCredentials" => match value.as_bool() {
                Some(b) => drop(out.insert(key.clone(), b.into())),
                None => bad(rep, &at, &mut ok, "allowCredentials must be true or false"),
            },
            k => rep.warn(&at, &format!("unknown CORS property {k} is ignored")),
        }
    }
    ok.then_some(out)
}
