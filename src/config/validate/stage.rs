//! Validation of an API's stages: names, `stageVariables`, and the route settings that throttle
//! (`defaultRouteSettings`, `routeSettings`; aws-http-api.md §5).
//!
//! A `routeSettings` key must be a route key; with `ApiRules::route_settings_name_routes` (a
//! configuration file) it must also be one of the API's routes, as AWS's CreateStage and
//! UpdateStage require ("Unable to find Route by key … within the provided RouteSettings").
//! The admin API checks that when settings are written, against the API's routes then; here it
//! only checks the syntax, because a stage's settings outlive the routes of the deployments it
//! serves (an entry for a route a deployment lacks is simply unused).

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::{FileRouteSettings, FileStage};
use super::super::source::join;
use super::{ApiRules, ListRules, decode, decode_unique};
use crate::model::{AccessLogFormat, Route, RouteKey, Stage, Throttle, ThrottleSettings};

const MAX_STAGES: usize = 10;
/// botocore's `__integer` is 32 bits.
const MAX_BURST: i64 = i32::MAX as i64;
/// AWS's answer to `dataTraceEnabled` or `loggingLevel` on an HTTP API.
const EXECUTION_LOGS: &str = "Execution logs are not supported on protocolType HTTP";

pub(super) fn validate_stages(
    values: &[Value],
    routes: &[Route],
    rules: ApiRules,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<Stage> {
    let list = ListRules {
        max: MAX_STAGES,
        noun: "stages per API",
        key: "stageName",
    };
    let routes = rules.route_settings_name_routes.then_some(routes);
    decode_unique::<FileStage>(values, path, &list, |s| &s.stage_name, diags)
        .into_iter()
        .map(|(at, file)| validate_stage(file, routes, &at, diags))
        .collect()
}

fn validate_stage(file: FileStage, routes: Option<&[Route]>, path: &str, diags: &mut Diagnostics) -> Stage {
    let name = &file.stage_name;
    let valid = name == Stage::DEFAULT
        || (!name.is_empty()
            && name.len() <= 128
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    if !valid {
        diags.error(
            &join(path, "stageName"),
            format!("stage name '{name}' is invalid"),
            "use $default or 1–128 letters, digits, '-' and '_'",
        );
    }
    let variables = file.stage_variables.unwrap_or_default();
    check_stage_variables(&variables, &join(path, "stageVariables"), diags);
    let defaults = file
        .default_route_settings
        .as_ref()
        .map(|value| validate_route_settings(value, &join(path, "defaultRouteSettings"), diags))
        .unwrap_or_default();
    let throttle_routes = validate_route_settings_map(
        &file.route_settings.unwrap_or_default(),
        defaults,
        routes,
        &join(path, "routeSettings"),
        diags,
    );
    let access_log =
        file.access_log_settings
            .and_then(|s| s.format)
            .and_then(|format| match AccessLogFormat::parse(&format) {
                Ok(parsed) => Some(parsed),
                Err(err) => {
                    diags.error(
                        &join(&join(path, "accessLogSettings"), "format"),
                        err.to_string(),
                        "use $context variables from docs/configuration.md and include $context.requestId",
                    );
                    None
                }
            });
    Stage {
        access_log,
        stage_name: file.stage_name,
        auto_deploy: file.auto_deploy.unwrap_or(false),
        stage_variables: variables,
        throttle_default: defaults.throttle(),
        throttle_routes,
    }
}

fn check_stage_variables(vars: &BTreeMap<String, String>, path: &str, diags: &mut Diagnostics) {
    if vars.len() > 100 {
        diags.error(
            path,
            "a stage may have at most 100 variables",
            "remove unused variables",
        );
    }
    for (name, value) in vars {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            diags.error(
                &join(path, name),
                format!("stage variable name '{name}' is invalid"),
                "use letters, digits and '_'",
            );
        }
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#&=,".contains(c);
        if value.is_empty() || value.len() > 2048 || !value.chars().all(ok_char) {
            diags.error(
                &join(path, name),
                "stage variable values must be 1–2048 characters of [A-Za-z0-9-._~:/?#&=,]",
                "remove the other characters",
            );
        }
    }
}

/// `routeSettings`: each key a route key (of the API's routes, when `routes` is given), each
/// value combined with the stage's defaults. Entries that set no throttle over no default
/// throttle are left out (they limit nothing).
fn validate_route_settings_map(
    entries: &BTreeMap<String, Value>,
    defaults: ThrottleSettings,
    routes: Option<&[Route]>,
    path: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Throttle> {
    let mut out = BTreeMap::new();
    for (key, value) in entries {
        let at = join(path, key);
        let settings = validate_route_settings(value, &at, diags);
        let Some(route_key) = check_route_settings_key(key, routes, &at, diags) else {
            continue;
        };
        if let Some(throttle) = settings.over(defaults).throttle() {
            out.insert(route_key.to_string(), throttle);
        }
    }
    out
}

fn check_route_settings_key(
    key: &str,
    routes: Option<&[Route]>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<RouteKey> {
    let route_key = match RouteKey::parse(key) {
        Ok(route_key) => route_key,
        Err(err) => {
            diags.error(path, err.to_string(), &err.hint());
            return None;
        }
    };
    if let Some(routes) = routes
        && !routes.iter().any(|r| r.route_key == route_key)
    {
        diags.error(
            path,
            format!("Unable to find Route by key {key} within the provided RouteSettings"),
            "key routeSettings by the routeKey of one of this API's routes, written exactly as the route writes it",
        );
        return None;
    }
    Some(route_key)
}

/// One `RouteSettings` object: the throttling fields checked, `detailedMetricsEnabled`
/// accepted (it has no effect), the WebSocket-only fields refused.
fn validate_route_settings(value: &Value, path: &str, diags: &mut Diagnostics) -> ThrottleSettings {
    let Some(file) = decode::<FileRouteSettings>(value, path, diags) else {
        return ThrottleSettings::default();
    };
    for (field, present) in [
        ("dataTraceEnabled", file.data_trace_enabled.is_some()),
        ("loggingLevel", file.logging_level.is_some()),
    ] {
        if present {
            diags.error(
                &join(path, field),
                EXECUTION_LOGS,
                "remove it: dataTraceEnabled and loggingLevel apply to WebSocket APIs only",
            );
        }
    }
    ThrottleSettings {
        burst_limit: file
            .throttling_burst_limit
            .and_then(|n| burst_limit(n, &join(path, "throttlingBurstLimit"), diags)),
        rate_limit: file
            .throttling_rate_limit
            .and_then(|r| rate_limit(r, &join(path, "throttlingRateLimit"), diags)),
    }
}

fn burst_limit(n: i64, path: &str, diags: &mut Diagnostics) -> Option<u32> {
    match u32::try_from(n) {
        Ok(burst) if n <= MAX_BURST => Some(burst),
        _ => {
            diags.error(
                path,
                format!("throttlingBurstLimit must be from 0 to {MAX_BURST} (it is {n})"),
                "give the bucket size in requests; 0 refuses every request, and leaving it out sets no limit",
            );
            None
        }
    }
}

fn rate_limit(rate: f64, path: &str, diags: &mut Diagnostics) -> Option<f64> {
    if rate.is_finite() && rate >= 0.0 {
        return Some(rate);
    }
    diags.error(
        path,
        format!("throttlingRateLimit must be a number of requests per second ≥ 0 (it is {rate})"),
        "give the steady-state rate, e.g. 0.5 for one request every two seconds; 0 never refills the bucket",
    );
    None
}

#[cfg(test)]
#[path = "stage_tests.rs"]
mod tests;
