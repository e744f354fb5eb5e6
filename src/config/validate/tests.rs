#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::config::{Diagnostics, from_text};
use crate::model::{Authorization, IdentitySource, RouteKey};

const SOLAR: &str = include_str!("../../../examples/solar-system/gateway.yaml");

fn errors(text: &str) -> Diagnostics {
    from_text(text).expect_err("the configuration should be refused")
}

fn solar_with(from: &str, to: &str) -> String {
    assert!(SOLAR.contains(from), "{from}");
    SOLAR.replacen(from, to, 1)
}

fn has(diags: &Diagnostics, path: &str, needle: &str) -> bool {
    diags.0.iter().any(|d| d.path == path && d.message.contains(needle))
}

#[test]
fn accepts_the_solar_system_example_exactly_as_written() {
    let config = from_text(SOLAR).unwrap();
    let gateway = config.gateway.unwrap();
    let api = &gateway.apis[0];
    assert_eq!(api.routes.len(), 4);
    assert_eq!(
        api.authorizers[0].identity_source,
        IdentitySource::Header("authorization".into())
    );
    let planets = api
        .routes
        .iter()
        .find(|r| r.route_key.to_string() == "GET /planets")
        .unwrap();
    assert_eq!(
        planets.authorization,
        Authorization::Jwt {
            authorizer_id: "okta".into(),
            scopes: vec!["http://myapp.com/scp/silver".into()]
        }
    );
    assert_eq!(api.routes[0].route_key, RouteKey::Default);
}

#[test]
fn reports_route_key_errors_with_path_line_and_column() {
    let diags = errors(&solar_with("routeKey: GET /planets", "routeKey: GET /planets/"));
    let d = diags
        .0
        .iter()
        .find(|d| d.path == "gateway.apis[0].routes[2].routeKey")
        .unwrap();
    let loc = d.location.unwrap();
    assert_eq!(
        loc.line,
        SOLAR
            .lines()
            .position(|l| l.contains("routeKey: GET /planets"))
            .unwrap()
            + 1
    );
    assert_eq!(loc.column, 11);
    assert!(!d.hint.is_empty());
}

#[test]
fn reports_every_problem_not_just_the_first() {
    let text = solar_with("routeKey: GET /moons", "routeKey: GET /m{oon}s")
        .replacen("timeoutInMillis", "x", 0)
        .replacen(
            "authorizerId: okta\n          target: integrations/asteroids",
            "authorizerId: nope\n          target: integrations/asteroids",
            1,
        )
        .replacen(
            "payloadFormatVersion: \"1.0\"",
            "payloadFormatVersion: \"1.0\"\n          timeoutInMillis: 49",
            1,
        );
    let diags = errors(&text);
    assert!(
        has(
            &diags,
            "gateway.apis[0].routes[3].routeKey",
            "path parts appear to be invalid"
        ),
        "{diags}"
    );
    assert!(
        has(
            &diags,
            "gateway.apis[0].routes[1].authorizerId",
            "Invalid authorizer ID specified"
        ),
        "{diags}"
    );
    assert!(
        has(&diags, "gateway.apis[0].integrations[0].timeoutInMillis", "50–30000"),
        "{diags}"
    );
}

#[test]
fn rejects_unknown_fields_at_their_own_location() {
    let diags = errors(&solar_with(
        "autoDeploy: true",
        "autoDeploy: true\n          autoDeplay: false",
    ));
    let d = &diags.0[0];
    assert_eq!(d.path, "gateway.apis[0].stages[0].autoDeplay");
    assert!(d.message.contains("unknown field"));
    assert!(d.location.is_some());
}

#[test]
fn rejects_jwt_authorization_without_an_authorizer() {
    let text = solar_with(
        "          authorizerId: okta\n          authorizationScopes: [\"http://myapp.com/scp/gold\"]",
        "          authorizationScopes: [\"http://myapp.com/scp/gold\"]",
    );
    let diags = errors(&text);
    assert!(
        has(
            &diags,
            "gateway.apis[0].routes[3].authorizerId",
            "requires a valid JWT authorizer"
        ),
        "{diags}"
    );
}

#[test]
fn rejects_conflicting_variable_names_at_one_level() {
    let text = solar_with(
        "- routeKey: GET /moons",
        "- routeKey: GET /moons/{id}\n          target: integrations/home\n        - routeKey: POST /moons/{moonId}\n          target: integrations/home\n        - routeKey: GET /moons",
    );
    let diags = errors(&text);
    assert!(
        diags.0.iter().any(|d| d
            .message
            .contains("conflicting variable on the same hierarchical level")),
        "{diags}"
    );
}

#[test]
fn rejects_greedy_variable_that_is_not_last() {
    let diags = errors(&solar_with(
        "routeKey: GET /asteroids",
        "routeKey: GET /{proxy+}/asteroids",
    ));
    assert!(
        diags.0.iter().any(|d| d.path == "gateway.apis[0].routes[1].routeKey"),
        "{diags}"
    );
}

#[test]
fn rejects_unknown_integration_target() {
    let diags = errors(&solar_with("target: integrations/moons", "target: integrations/mars"));
    assert!(
        has(&diags, "gateway.apis[0].routes[3].target", "names no integration"),
        "{diags}"
    );
}

#[test]
fn enforces_scope_and_audience_limits() {
    let scopes: Vec<String> = (0..11).map(|i| format!("\"s{i}\"")).collect();
    let text = solar_with(
        "authorizationScopes: [\"http://myapp.com/scp/gold\"]",
        &format!("authorizationScopes: [{}]", scopes.join(",")),
    );
    assert!(has(
        &errors(&text),
        "gateway.apis[0].routes[3].authorizationScopes",
        "at most 10"
    ));
    let long = format!("authorizationScopes: [\"{}\"]", "s".repeat(65));
    let text = solar_with("authorizationScopes: [\"http://myapp.com/scp/gold\"]", &long);
    assert!(has(
        &errors(&text),
        "gateway.apis[0].routes[3].authorizationScopes[0]",
        "1–64"
    ));
    let auds: Vec<String> = (0..51).map(|i| format!("\"a{i}\"")).collect();
    let text = solar_with(
        "audience: [\"api://default\"]",
        &format!("audience: [{}]", auds.join(",")),
    );
    assert!(has(
        &errors(&text),
        "gateway.apis[0].authorizers[0].jwtConfiguration.audience",
        "1–50"
    ));
}

#[test]
fn enforces_timeout_range() {
    for (value, ok) in [("49", false), ("50", true), ("30000", true), ("30001", false)] {
        let text = solar_with(
            "payloadFormatVersion: \"1.0\"",
            &format!("payloadFormatVersion: \"1.0\"\n          timeoutInMillis: {value}"),
        );
        assert_eq!(from_text(&text).is_ok(), ok, "{value}");
    }
}

#[test]
fn rejects_two_identity_sources_and_cookies() {
    let text = solar_with(
        "identitySource: [\"$request.header.Authorization\"]",
        "identitySource: [\"$request.header.Authorization\", \"$request.querystring.t\"]",
    );
    assert!(has(
        &errors(&text),
        "gateway.apis[0].authorizers[0].identitySource",
        "exactly one"
    ));
    let text = solar_with(
        "identitySource: [\"$request.header.Authorization\"]",
        "identitySource: [\"$request.cookie.t\"]",
    );
    assert!(has(
        &errors(&text),
        "gateway.apis[0].authorizers[0].identitySource[0]",
        "selection expression"
    ));
}

#[test]
fn rejects_plain_http_issuer_that_is_not_loopback() {
    let text = solar_with(
        "issuer: http://localhost:8100/oauth2/default",
        "issuer: http://idp.example.com/oauth2/default",
    );
    assert!(has(
        &errors(&text),
        "gateway.apis[0].authorizers[0].jwtConfiguration.issuer",
        "loopback"
    ));
}

#[test]
fn rejects_unsupported_algorithms_and_leeway() {
    let text = solar_with(
        "audience: [\"api://default\"]",
        "audience: [\"api://default\"]\n            algorithms: [HS256, none]\n            leewaySeconds: 301",
    );
    let diags = errors(&text);
    assert!(has(
        &diags,
        "gateway.apis[0].authorizers[0].jwtConfiguration.algorithms[0]",
        "not supported"
    ));
    assert!(has(
        &diags,
        "gateway.apis[0].authorizers[0].jwtConfiguration.leewaySeconds",
        "300"
    ));
}

#[test]
fn rejects_integration_placeholder_without_route_variable() {
    let text = solar_with(
        "integrationUri: http://localhost:8200/moons",
        "integrationUri: http://localhost:8200/moons/{id}",
    );
    assert!(has(&errors(&text), "gateway.apis[0].routes[3].target", "{id}"));
}

#[test]
fn rejects_an_integration_port_that_is_not_a_tcp_port() {
    let path = "gateway.apis[0].integrations[2].integrationUri";
    for (port, refused) in [
        ("65536", true),
        ("99999", true),
        ("0", true),
        ("65535", false),
        ("8200", false),
    ] {
        let text = solar_with(
            "integrationUri: http://localhost:8200/planets",
            &format!("integrationUri: http://localhost:{port}/planets"),
        );
        match from_text(&text) {
            Err(diags) => assert!(refused && has(&diags, path, "not a TCP port"), "{port}: {diags:?}"),
            Ok(_) => assert!(!refused, "{port} was accepted"),
        }
    }
}

#[test]
fn reports_yaml_syntax_errors_with_a_position() {
    let diags = errors("gateway:\n  listen: [\n");
    assert!(diags.0[0].location.is_some());
}

#[test]
fn hostile_config_text_gives_errors_not_panics() {
    for text in [
        "",
        "null",
        "[]",
        "gateway: 1",
        "gateway:\n  apis: {}",
        "{{{{",
        "gateway:\n  listen: 1e999",
        "\u{0}",
        "a: !!binary x",
    ] {
        let _ = from_text(text);
    }
}

#[test]
fn rejects_duplicate_ids_in_every_list() {
    let text = solar_with("integrationId: planets", "integrationId: asteroids").replacen(
        "stages:\n        - stageName: $default\n",
        "stages:\n        - stageName: $default\n        - stageName: $default\n",
        1,
    );
    let diags = errors(&text);
    assert!(
        has(&diags, "gateway.apis[0].integrations[2].integrationId", "used twice"),
        "{diags}"
    );
    assert!(
        has(&diags, "gateway.apis[0].stages[1].stageName", "used twice"),
        "{diags}"
    );
}

#[test]
fn enforces_the_authorizer_quota() {
    let one = "        - authorizerId: okta\n          name: Okta\n";
    let extra: String = (0..10).map(|i| format!("        - authorizerId: a{i}\n          name: A\n          authorizerType: JWT\n          identitySource: [\"$request.header.Authorization\"]\n          jwtConfiguration:\n            issuer: https://idp.test\n            audience: [\"x\"]\n")).collect();
    let diags = errors(&solar_with(one, &format!("{extra}{one}")));
    assert!(has(&diags, "gateway.apis[0].authorizers", "at most 10"), "{diags}");
}

#[test]
fn the_token_cache_is_on_by_default_and_configurable() {
    let defaults = from_text(SOLAR).unwrap().gateway.unwrap().token_cache;
    assert_eq!(defaults, crate::model::TokenCacheSettings::default());
    assert!(defaults.enabled);
    let text = solar_with(
        "listen: 127.0.0.1:8000",
        "listen: 127.0.0.1:8000\n  tokenCache: {enabled: false, maxEntries: 50, maxMemoryMiB: 2}",
    );
    let cache = from_text(&text).unwrap().gateway.unwrap().token_cache;
    assert_eq!(
        (cache.enabled, cache.max_entries, cache.max_bytes),
        (false, 50, 2 << 20)
    );
}

#[test]
fn rejects_token_cache_bounds_of_zero_and_unknown_fields() {
    let text = solar_with(
        "listen: 127.0.0.1:8000",
        "listen: 127.0.0.1:8000\n  tokenCache: {maxEntries: 0, maxMemoryMiB: 100000}",
    );
    let diags = errors(&text);
    assert!(has(&diags, "gateway.tokenCache.maxEntries", "must be 1–"), "{diags}");
    assert!(has(&diags, "gateway.tokenCache.maxMemoryMiB", "must be 1–"), "{diags}");
    let diags = errors(&solar_with(
        "listen: 127.0.0.1:8000",
        "listen: 127.0.0.1:8000\n  tokenCache: {size: 5}",
    ));
    assert!(has(&diags, "gateway.tokenCache.size", "unknown field"), "{diags}");
}

#[test]
fn admin_secrets_never_appear_in_debug_output_or_diagnostics() {
    let config = from_text(SOLAR).unwrap();
    let admin = config.admin.as_ref().unwrap();
    assert_eq!(admin.credentials[0].secret_access_key, "portcullis-local-secret");
    assert!(!format!("{config:?}").contains("portcullis-local-secret"));
    let bad = solar_with("  listen: 127.0.0.1:8001", "  listen: nowhere");
    let text = errors(&bad).to_string();
    assert!(text.contains("admin.listen"), "{text}");
    assert!(!text.contains("portcullis-local-secret"), "{text}");
    let short = errors(&solar_with("portcullis-local-secret", "short")).to_string();
    assert!(
        short.contains("at least 16 characters") && !short.contains("short\""),
        "{short}"
    );
}
