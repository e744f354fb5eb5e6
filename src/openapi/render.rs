//! JSON values as YAML text and as JSON text, written the way ExportApi writes them, with the
//! keys of an OpenAPI document in AWS's order (`serde_json` objects iterate sorted; AWS's
//! order is applied here, by where an object sits in the document).
//!
//! May import: std, serde_json, crate::config::source.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Deeper values are written as `null` (no document this module produces comes close; the
/// bound keeps the recursion off the end of the stack).
const MAX_DEPTH: usize = 512;

const ROOT: &[&str] = &[
    "openapi",
    "info",
    "servers",
    "paths",
    "components",
    "x-amazon-apigateway-cors",
    "x-amazon-apigateway-importexport-version",
];
const INFO: &[&str] = &["title", "description", "version"];
const SERVER: &[&str] = &["url", "description", "variables"];
const VARIABLE: &[&str] = &["default", "enum", "description"];
const PATH_ITEM: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "parameters",
    "x-amazon-apigateway-any-method",
];
const OPERATION: &[&str] = &[
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "security",
    "isDefaultRoute",
    "x-amazon-apigateway-integration",
];
const PARAMETER: &[&str] = &["name", "in", "description", "required", "schema"];
const INTEGRATION: &[&str] = &[
    "responseParameters",
    "requestParameters",
    "payloadFormatVersion",
    "type",
    "httpMethod",
    "uri",
    "connectionType",
    "connectionId",
    "timeoutInMillis",
    "description",
];
const COMPONENTS: &[&str] = &["schemas", "securitySchemes", "x-amazon-apigateway-integrations"];
const SCHEME: &[&str] = &[
    "type",
    "name",
    "in",
    "flows",
    "openIdConnectUrl",
    "x-amazon-apigateway-authorizer",
];
const AUTHORIZER: &[&str] = &["identitySource", "jwtConfiguration", "type"];
const JWT: &[&str] = &["audience", "issuer"];
const CORS: &[&str] = &[
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
    "maxAge",
    "allowCredentials",
    "allowOrigins",
];

/// AWS's key order for an object at `stack` (the keys leading to it; array elements share
/// their array's key) of an OpenAPI document; `None` elsewhere (sorted order).
fn order(stack: &[&str]) -> Option<&'static [&'static str]> {
    Some(match stack {
        [] => ROOT,
        ["info"] => INFO,
        ["servers"] => SERVER,
        ["servers", "variables", _] => VARIABLE,
        ["paths", _] => PATH_ITEM,
        ["paths", _, "parameters"] | ["paths", _, _, "parameters"] => PARAMETER,
        ["paths", _, _] => OPERATION,
        ["paths", _, _, "x-amazon-apigateway-integration"] => INTEGRATION,
        ["components", "x-amazon-apigateway-integrations", _] => INTEGRATION,
        ["components"] => COMPONENTS,
        ["components", "securitySchemes", _] => SCHEME,
        [.., "x-amazon-apigateway-authorizer"] => AUTHORIZER,
        [.., "x-amazon-apigateway-authorizer", "jwtConfiguration"] => JWT,
        ["x-amazon-apigateway-cors"] => CORS,
        _ => return None,
    })
}

/// The entries of `map` in AWS's order when `openapi` is set, else sorted.
fn entries<'v>(map: &'v Map<String, Value>, stack: &[&str], openapi: bool) -> Vec<(&'v String, &'v Value)> {
    let mut list: Vec<_> = map.iter().collect();
    if let Some(known) = order(stack).filter(|_| openapi) {
        let rank = |k: &str| known.iter().position(|n| *n == k).unwrap_or(known.len());
        list.sort_by_key(|(k, _)| rank(k));
    }
    list
}

fn is_openapi(value: &Value) -> bool {
    value.get("openapi").is_some()
}

/// YAML text, starting `---` like AWS's YAML exports.
pub(super) fn to_yaml(value: &Value) -> String {
    let mut out = String::from("---\n");
    let openapi = is_openapi(value);
    let mut stack = Vec::new();
    match value {
        Value::Object(m) if !m.is_empty() => yaml_map(&mut out, m, 0, false, &mut stack, (openapi, 0)),
        Value::Array(a) if !a.is_empty() => yaml_seq(&mut out, a, 0, &mut stack, (openapi, 0)),
        other => {
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A block mapping whose keys sit at column `col`; with `inline`, the first key follows a
/// `- ` already written.
fn yaml_map<'v>(
    out: &mut String,
    map: &'v Map<String, Value>,
    col: usize,
    inline: bool,
    stack: &mut Vec<&'v str>,
    (openapi, depth): (bool, usize),
) {
    for (i, (key, value)) in entries(map, stack, openapi).into_iter().enumerate() {
        if i > 0 || !inline {
            indent(out, col);
        }
        let key_text = yaml_key(key);
        // An implicit key is at most 1024 characters; longer ones need `? key` / `: value`.
        if key_text.chars().count() > 1000 {
            out.push_str("? ");
            out.push_str(&key_text);
            out.push('\n');
            indent(out, col);
        } else {
            out.push_str(&key_text);
        }
        out.push(':');
        stack.push(key);
        yaml_value(out, value, col, stack, (openapi, depth + 1));
        stack.pop();
    }
}

/// The rest of a line after `key:` (or after `-`), and what follows below it.
fn yaml_value<'v>(out: &mut String, value: &'v Value, col: usize, stack: &mut Vec<&'v str>, ctx: (bool, usize)) {
    match value {
        _ if ctx.1 > MAX_DEPTH => out.push_str(" null\n"),
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml_map(out, m, col + 2, false, stack, ctx);
        }
        // A sequence under a key sits at the key's column, as AWS (Jackson) writes it.
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml_seq(out, a, col, stack, ctx);
        }
        other => {
            out.push(' ');
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
}

fn yaml_seq<'v>(out: &mut String, items: &'v [Value], col: usize, stack: &mut Vec<&'v str>, ctx: (bool, usize)) {
    let (openapi, depth) = ctx;
    for item in items {
        indent(out, col);
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() && depth < MAX_DEPTH => {
                out.push(' ');
                yaml_map(out, m, col + 2, true, stack, (openapi, depth + 1));
            }
            Value::Array(a) if !a.is_empty() && depth < MAX_DEPTH => {
                out.push('\n');
                yaml_seq(out, a, col + 2, stack, (openapi, depth + 1));
            }
            other => yaml_value(out, other, col, stack, (openapi, depth + 1)),
        }
    }
}

fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// A key written plain when YAML cannot read it as anything but this string, else quoted.
fn yaml_key(key: &str) -> String {
    let first_ok = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '$' | '_'));
    let chars_ok = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '$' | '{' | '}' | '+' | '-' | ':'));
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
        .iter()
        .any(|r| key.eq_ignore_ascii_case(r));
    if first_ok && chars_ok && !reserved && !key.ends_with(':') {
        key.to_owned()
    } else {
        quoted(key)
    }
}

/// A YAML double-quoted scalar; everything outside YAML's printable set, and the characters
/// YAML 1.1 reads as line breaks, is escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// JSON text as AWS (Jackson's default pretty printer) writes it.
pub(super) fn to_json(value: &Value) -> String {
    let mut out = String::new();
    let openapi = is_openapi(value);
    json_value(&mut out, value, 0, &mut Vec::new(), (openapi, 0));
    out
}

fn json_value<'v>(out: &mut String, value: &'v Value, level: usize, stack: &mut Vec<&'v str>, ctx: (bool, usize)) {
    let (openapi, depth) = ctx;
    match value {
        _ if depth > MAX_DEPTH => out.push_str("null"),
        Value::Object(m) if m.is_empty() => out.push_str("{ }"),
        Value::Object(m) => {
            out.push('{');
            for (i, (key, v)) in entries(m, stack, openapi).into_iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(out, (level + 1) * 2);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(" : ");
                stack.push(key);
                json_value(out, v, level + 1, stack, (openapi, depth + 1));
                stack.pop();
            }
            out.push('\n');
            indent(out, level * 2);
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[ ]"),
        Value::Array(a) => {
            out.push_str("[ ");
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_value(out, item, level, stack, (openapi, depth + 1));
            }
            out.push_str(" ]");
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
