//! Validation of HTTP proxy integrations: URI, method, payload format, timeout and request
//! parameter mapping; and of the `{placeholders}` a route's integration URI may use.

use std::time::Duration;

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::FileIntegration;
use super::super::source::join;
use super::{ListRules, decode_unique};
use crate::model::{Api, Integration, ParameterMapping, RouteKey};

const MAX_INTEGRATIONS: usize = 300;
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub(super) fn validate_integrations(values: &[Value], path: &str, diags: &mut Diagnostics) -> Vec<Integration> {
    let rules = ListRules {
        max: MAX_INTEGRATIONS,
        noun: "integrations per API",
        key: "integrationId",
    };
    decode_unique::<FileIntegration>(values, path, &rules, |i| &i.integration_id, diags)
        .into_iter()
        .filter_map(|(at, file)| validate_integration(file, &at, diags))
        .collect()
}

fn validate_integration(file: FileIntegration, path: &str, diags: &mut Diagnostics) -> Option<Integration> {
    if file.integration_type != "HTTP_PROXY" {
        diags.error(
            &join(path, "integrationType"),
            format!("integrationType '{}' is not supported", file.integration_type),
            "use HTTP_PROXY",
        );
    }
    if let Some(v) = file.payload_format_version.as_deref().filter(|v| *v != "1.0") {
        diags.error(
            &join(path, "payloadFormatVersion"),
            format!("payloadFormatVersion '{v}' is not valid for HTTP_PROXY"),
            "use \"1.0\" (quoted)",
        );
    }
    if let Some(c) = file.connection_type.as_deref().filter(|c| *c != "INTERNET") {
        diags.error(
            &join(path, "connectionType"),
            format!("connectionType '{c}' is not supported"),
            "use INTERNET",
        );
    }
    check_uri(&file.integration_uri, &join(path, "integrationUri"), diags);
    let method = method(
        file.integration_method.as_deref(),
        &join(path, "integrationMethod"),
        diags,
    );
    let timeout = file.timeout_in_millis.unwrap_or(30_000);
    if !(50..=30_000).contains(&timeout) {
        diags.error(
            &join(path, "timeoutInMillis"),
            format!("timeoutInMillis {timeout} is outside 50–30000"),
            "use 50–30000 (default 30000)",
        );
    }
    let mappings = request_parameters(
        file.request_parameters.unwrap_or_default(),
        &join(path, "requestParameters"),
        diags,
    );
    Some(Integration {
        integration_id: file.integration_id,
        method: method?,
        uri: file.integration_uri,
        timeout: Duration::from_millis(timeout.clamp(50, 30_000).unsigned_abs()),
        request_parameters: mappings,
    })
}

fn check_uri(uri: &str, path: &str, diags: &mut Diagnostics) {
    let concrete = strip_placeholders(uri);
    let ok = uri.len() <= 2048
        && concrete
            .parse::<http::Uri>()
            .is_ok_and(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
    if !ok {
        diags.error(
            path,
            format!("'{uri}' is not an absolute http(s) URL"),
            "write the backend URL, e.g. http://localhost:8200/planets",
        );
    } else if !port_fits(&concrete) {
        diags.error(
            path,
            format!("'{uri}' has a port that is not a TCP port (1–65535)"),
            "write the backend's TCP port (1–65535), or none for the scheme's default",
        );
    }
}

/// A port written in the URL is a TCP port (1–65535), read as the backend client reads it.
fn port_fits(uri: &str) -> bool {
    let authority = uri.parse::<http::Uri>().ok().and_then(|u| u.authority().cloned());
    authority.is_none_or(|a| crate::model::endpoint::host_and_port(a.as_str()).is_some())
}

/// The URI with `{var}` and `${stageVariables.x}` placeholders replaced by a dummy segment.
fn strip_placeholders(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut in_braces = false;
    for c in uri.chars() {
        match c {
            '{' => in_braces = true,
            '}' if in_braces => {
                in_braces = false;
                out.push('x');
            }
            '$' => {}
            _ if !in_braces => out.push(c),
            _ => {}
        }
    }
    out
}

fn method(value: Option<&str>, path: &str, diags: &mut Diagnostics) -> Option<Option<http::Method>> {
    match value.unwrap_or("ANY") {
        "ANY" => Some(None),
        m if METHODS.contains(&m) => m.parse().ok().map(Some),
        other => {
            diags.error(
                path,
                format!("integrationMethod '{other}' is not valid"),
                "use ANY or an upper-case HTTP method",
            );
            None
        }
    }
}

fn request_parameters(
    map: std::collections::BTreeMap<String, String>,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<ParameterMapping> {
    let mut out = Vec::new();
    for (key, value) in map {
        if value.chars().count() > 512 {
            diags.error(
                &join(path, &key),
                "a mapping value may be at most 512 characters",
                "shorten the value",
            );
        }
        match ParameterMapping::parse(&key, &value) {
            Ok(m) => out.push(m),
            Err(why) => diags.error(&join(path, &key), why, "see docs/configuration.md#parameter-mapping"),
        }
    }
    out
}

/// The `{name}` placeholders of an integration URI (not `${stageVariables.x}`).
pub fn placeholders(uri: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = uri;
    while let Some(start) = rest.find('{') {
        let is_stage_var = start > 0 && rest.as_bytes().get(start - 1) == Some(&b'$');
        let Some(len) = rest[start..].find('}') else { break };
        if !is_stage_var {
            out.push(&rest[start + 1..start + len]);
        }
        rest = &rest[start + len + 1..];
    }
    out
}

pub(super) fn check_placeholders(key: &RouteKey, api: &Api, integration_id: &str, path: &str, diags: &mut Diagnostics) {
    let Some(integration) = api.integration(integration_id) else {
        return;
    };
    let vars: Vec<&str> = match key {
        RouteKey::Route { path, .. } => path.variable_names().collect(),
        RouteKey::Default => Vec::new(),
    };
    for name in placeholders(&integration.uri) {
        if !vars.contains(&name) {
            diags.error(
                path,
                format!("integration '{integration_id}' uses {{{name}}} but route '{key}' has no such path variable"),
                "add the variable to the route key or remove it from integrationUri",
            );
        }
    }
}
