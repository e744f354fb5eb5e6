#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use crate::config::validate::{ApiRules, validate_api};
use crate::config::{Diagnostics, from_text};
use crate::model::{Stage, Throttle};

const SOLAR: &str = include_str!("../../../examples/solar-system/gateway.yaml");
const STAGE: &str = "gateway.apis[0].stages[0]";

/// The solar-system example with `settings` (YAML at stage-field indentation) on its stage.
fn solar_stage_with(settings: &str) -> String {
    let anchor = "        - stageName: $default\n          autoDeploy: true\n";
    assert!(SOLAR.contains(anchor));
    let indented: String = settings.lines().map(|l| format!("          {l}\n")).collect();
    SOLAR.replacen(anchor, &format!("{anchor}{indented}"), 1)
}

fn stage(settings: &str) -> Stage {
    let config = from_text(&solar_stage_with(settings)).unwrap();
    config.gateway.unwrap().apis[0].stages[0].clone()
}

fn errors(settings: &str) -> Diagnostics {
    from_text(&solar_stage_with(settings)).expect_err("the settings should be refused")
}

fn has(diags: &Diagnostics, path: &str, needle: &str) -> bool {
    diags
        .0
        .iter()
        .any(|d| d.path == path && d.message.contains(needle) && !d.hint.is_empty())
}

const fn throttle(burst_limit: u32, rate_limit: f64) -> Throttle {
    Throttle {
        burst_limit,
        rate_limit,
    }
}

#[test]
fn a_stage_without_route_settings_has_no_throttle() {
    let stage = stage("");
    assert_eq!(stage.throttle_default, None);
    assert!(stage.throttle_routes.is_empty());
    assert_eq!(stage.throttle("GET /planets"), None);
}

#[test]
fn route_settings_override_the_stage_defaults_field_by_field() {
    let stage = stage(
        "defaultRouteSettings: {throttlingBurstLimit: 10, throttlingRateLimit: 5, detailedMetricsEnabled: true}\n\
         routeSettings:\n  \"GET /planets\": {throttlingBurstLimit: 2}\n  \"GET /moons\": {throttlingRateLimit: 0.25}\n  \
         $default: {detailedMetricsEnabled: false}",
    );
    assert_eq!(stage.throttle_default, Some(throttle(10, 5.0)));
    assert_eq!(stage.throttle("GET /planets"), Some(throttle(2, 5.0)));
    assert_eq!(stage.throttle("GET /moons"), Some(throttle(10, 0.25)));
    assert_eq!(stage.throttle("$default"), Some(throttle(10, 5.0)));
    assert_eq!(stage.throttle("GET /asteroids"), Some(throttle(10, 5.0)));
}

#[test]
fn a_route_setting_throttles_its_route_only_when_the_stage_has_no_default() {
    let stage = stage("routeSettings:\n  \"GET /planets\": {throttlingBurstLimit: 2, throttlingRateLimit: 0.001}");
    assert_eq!(stage.throttle_default, None);
    assert_eq!(stage.throttle("GET /planets"), Some(throttle(2, 0.001)));
    assert_eq!(stage.throttle("GET /moons"), None);
}

#[test]
fn zero_limits_are_accepted_as_settings_that_block() {
    let stage = stage("defaultRouteSettings: {throttlingBurstLimit: 0, throttlingRateLimit: 0}");
    assert_eq!(stage.throttle_default, Some(throttle(0, 0.0)));
}

#[test]
fn detailed_metrics_alone_sets_no_throttle() {
    let stage = stage("defaultRouteSettings: {detailedMetricsEnabled: true}");
    assert_eq!(stage.throttle_default, None);
}

#[test]
fn rejects_negative_fractional_and_oversized_burst_limits() {
    let at = format!("{STAGE}.defaultRouteSettings.throttlingBurstLimit");
    assert!(has(
        &errors("defaultRouteSettings: {throttlingBurstLimit: -1}"),
        &at,
        "must be from 0 to 2147483647"
    ));
    assert!(has(
        &errors("defaultRouteSettings: {throttlingBurstLimit: 2147483648}"),
        &at,
        "must be from 0 to 2147483647"
    ));
    assert!(has(
        &errors("defaultRouteSettings: {throttlingBurstLimit: 2.5}"),
        &at,
        "invalid type"
    ));
    assert!(has(
        &errors("defaultRouteSettings: {throttlingBurstLimit: \"10\"}"),
        &at,
        "invalid type"
    ));
}

#[test]
fn rejects_negative_rate_limits() {
    let diags = errors("routeSettings:\n  \"GET /planets\": {throttlingRateLimit: -0.5}");
    assert!(has(
        &diags,
        &format!("{STAGE}.routeSettings.GET /planets.throttlingRateLimit"),
        "must be a number of requests per second ≥ 0"
    ));
}

#[test]
fn refuses_the_websocket_only_settings_with_aws_message() {
    let diags = errors("defaultRouteSettings: {dataTraceEnabled: false, loggingLevel: \"OFF\"}");
    for field in ["dataTraceEnabled", "loggingLevel"] {
        assert!(has(
            &diags,
            &format!("{STAGE}.defaultRouteSettings.{field}"),
            "Execution logs are not supported on protocolType HTTP"
        ));
    }
}

#[test]
fn rejects_unknown_fields_and_settings_that_are_not_objects() {
    let diags = errors("defaultRouteSettings: {throttlingBurstlimit: 1}\nrouteSettings:\n  \"GET /planets\": 5");
    assert!(has(
        &diags,
        &format!("{STAGE}.defaultRouteSettings.throttlingBurstlimit"),
        "unknown field"
    ));
    assert!(has(
        &diags,
        &format!("{STAGE}.routeSettings.GET /planets"),
        "invalid type"
    ));
}

#[test]
fn a_route_settings_key_must_name_a_route_of_the_api_as_on_aws() {
    let diags = errors(
        "routeSettings:\n  \"GET /pets\": {throttlingBurstLimit: 1}\n  \"ANY /planets\": {throttlingBurstLimit: 1}",
    );
    assert!(has(
        &diags,
        &format!("{STAGE}.routeSettings.GET /pets"),
        "Unable to find Route by key GET /pets within the provided RouteSettings"
    ));
    assert!(has(
        &diags,
        &format!("{STAGE}.routeSettings.ANY /planets"),
        "Unable to find Route by key ANY /planets"
    ));
    let line = SOLAR.lines().position(|l| l.contains("autoDeploy: true")).unwrap() + 3;
    let located = diags.0.iter().find(|d| d.path.ends_with("GET /pets")).unwrap();
    assert_eq!(located.location.map(|l| l.line), Some(line));
}

#[test]
fn a_route_settings_key_must_be_a_route_key() {
    let diags = errors("routeSettings:\n  \"GET /planets/\": {throttlingBurstLimit: 1}");
    assert!(has(
        &diags,
        &format!("{STAGE}.routeSettings.GET /planets/"),
        "must not end with '/'"
    ));
}

#[test]
fn the_admin_rules_check_only_the_syntax_of_route_settings_keys() {
    let api = |key: &str| {
        json!({
            "apiId": "a1", "name": "a", "protocolType": "HTTP",
            "stages": [{ "stageName": "$default", "routeSettings": { key: { "throttlingBurstLimit": 1 } } }]
        })
    };
    let served = validate_api(&api("GET /gone"), ApiRules::ADMIN).unwrap();
    assert_eq!(served.stages[0].throttle("GET /gone"), Some(throttle(1, 10_000.0)));
    assert!(validate_api(&api("GET /gone"), ApiRules::FILE).is_err());
    let diags = validate_api(&api("GET gone"), ApiRules::ADMIN).unwrap_err();
    assert_eq!(diags.0[0].path, "stages[0].routeSettings.GET gone");
}
