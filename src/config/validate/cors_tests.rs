#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::*;
use crate::config::from_text;

const AT: &str = "gateway.apis[0].corsConfiguration";

fn check(value: Value) -> Result<Cors, Diagnostics> {
    let mut diags = Diagnostics::default();
    match validate_cors(&value, AT, &mut diags) {
        Some(cors) if diags.is_empty() => Ok(cors),
        Some(_) => unreachable!("a configuration came back with problems: {diags}"),
        None => {
            assert!(!diags.is_empty(), "refused without a diagnostic");
            assert!(diags.0.iter().all(|d| !d.hint.is_empty()), "{diags}");
            Err(diags)
        }
    }
}

fn refused_at(value: Value, path: &str, needle: &str) -> Diagnostics {
    let diags = check(value).expect_err("the configuration should be refused");
    assert!(
        diags
            .0
            .iter()
            .any(|d| d.path == format!("{AT}.{path}") && d.message.contains(needle)),
        "expected '{needle}' at {AT}.{path}, got:\n{diags}"
    );
    diags
}

#[test]
fn accepts_every_aws_field_and_writes_methods_upper_and_headers_lower_case() {
    let cors = check(json!({
        "allowOrigins": ["https://www.example.com", "http://localhost:8080", "https://*.example.org"],
        "allowMethods": ["get", "POST", "Delete", "GET"],
        "allowHeaders": ["Authorization", "content-type"],
        "exposeHeaders": ["Date", "x-api-id"],
        "maxAge": 300,
        "allowCredentials": true
    }))
    .unwrap();
    assert_eq!(cors.allow_methods, ["GET", "POST", "DELETE"]);
    assert_eq!(cors.allow_headers, ["authorization", "content-type"]);
    assert_eq!(cors.expose_headers, ["date", "x-api-id"]);
    assert_eq!(cors.max_age, Some(300));
    assert!(cors.allow_credentials);
    assert_eq!(
        cors.allow_origins.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "https://www.example.com",
            "http://localhost:8080",
            "https://*.example.org"
        ]
    );
}

#[test]
fn an_empty_configuration_is_valid_and_allows_nothing() {
    assert_eq!(check(json!({})).unwrap(), Cors::default());
}

#[test]
fn refuses_credentials_with_the_any_origin_in_aws_words() {
    let diags = refused_at(
        json!({"allowOrigins": ["*"], "allowCredentials": true}),
        "allowCredentials",
        CREDENTIALS_WITH_ANY_ORIGIN,
    );
    assert_eq!(
        diags.0[0].message,
        "allow-credentials is not supported if 'allow-origin' is *"
    );
    assert!(check(json!({"allowOrigins": ["*"], "allowCredentials": false})).is_ok());
}

#[test]
fn refuses_scheme_wildcards_with_credentials() {
    refused_at(
        json!({"allowOrigins": ["https://a.example", "https://*"], "allowCredentials": true}),
        "allowOrigins[1]",
        "every https site",
    );
    assert!(check(json!({"allowOrigins": ["https://*"]})).is_ok());
    assert!(check(json!({"allowOrigins": ["https://*.example.com"], "allowCredentials": true})).is_ok());
}

#[test]
fn refuses_origins_that_browsers_never_send_each_at_its_index() {
    let diags = check(json!({"allowOrigins": [
        "https://ok.example", "https://example.com/", "https://Example.com", "https://example.com:443",
        "null", "https://*example.com"
    ]}))
    .unwrap_err();
    let paths: Vec<&str> = diags.0.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        (1..=5).map(|i| format!("{AT}.allowOrigins[{i}]")).collect::<Vec<_>>()
    );
    assert!(diags.0[0].message.contains("has a path"));
    assert!(diags.0[1].message.contains("lower case"));
    assert!(diags.0[2].message.contains("default port"));
    assert!(diags.0[3].message.contains("is not an origin"));
    assert!(diags.0[4].message.contains("'*'"));
}

#[test]
fn refuses_methods_outside_aws_list_and_points_any_to_the_star() {
    let diags = refused_at(
        json!({"allowMethods": ["GET", "ANY", "PROPFIND", "*"]}),
        "allowMethods[1]",
        "'ANY' is not a method",
    );
    assert!(diags.0[0].hint.contains('*'));
    assert_eq!(diags.0[1].path, format!("{AT}.allowMethods[2]"));
    assert_eq!(diags.0.len(), 2);
}

#[test]
fn refuses_header_names_that_are_not_tokens() {
    let diags = check(json!({
        "allowHeaders": ["x-ok", "x bad", "x:y", ""],
        "exposeHeaders": ["x-*", "*"]
    }))
    .unwrap_err();
    let paths: Vec<&str> = diags.0.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{AT}.allowHeaders[1]"),
            format!("{AT}.allowHeaders[2]"),
            format!("{AT}.allowHeaders[3]"),
            format!("{AT}.exposeHeaders[0]"),
        ]
    );
}

#[test]
fn refuses_max_age_outside_aws_range() {
    for age in [-2, 86_401, i64::from(i32::MAX) + 1] {
        refused_at(json!({ "maxAge": age }), "maxAge", "between -1 and 86400");
    }
    for age in [-1, 0, 86_400] {
        assert_eq!(check(json!({ "maxAge": age })).unwrap().max_age, Some(age));
    }
}

#[test]
fn refuses_unknown_fields_and_wrong_types_where_they_are() {
    refused_at(json!({"allowOrigin": ["*"]}), "allowOrigin", "unknown field");
    refused_at(json!({"allowOrigins": "*"}), "allowOrigins", "invalid type");
    refused_at(json!({"allowCredentials": "yes"}), "allowCredentials", "invalid type");
}

#[test]
fn reports_every_problem_not_just_the_first() {
    let diags = check(json!({
        "allowOrigins": ["*", "ftp:/x"],
        "allowCredentials": true,
        "allowMethods": ["FETCH"],
        "allowHeaders": ["a b"],
        "maxAge": 90000
    }))
    .unwrap_err();
    assert_eq!(diags.0.len(), 5, "{diags}");
}

#[test]
fn a_problem_in_the_file_is_reported_with_its_line_and_column() {
    let solar = include_str!("../../../examples/solar-system/gateway.yaml");
    let text = solar.replacen(
        "      protocolType: HTTP\n",
        "      protocolType: HTTP\n      corsConfiguration:\n        allowOrigins: [\"*\"]\n        allowCredentials: true\n        maxAge: 90000\n",
        1,
    );
    let diags = from_text(&text).unwrap_err();
    let credentials = diags
        .0
        .iter()
        .find(|d| d.path == format!("{AT}.allowCredentials"))
        .unwrap();
    assert_eq!(credentials.message, CREDENTIALS_WITH_ANY_ORIGIN);
    let line = text.lines().position(|l| l.contains("allowCredentials: true")).unwrap() + 1;
    assert_eq!(credentials.location.map(|l| l.line), Some(line));
    assert!(diags.0.iter().any(|d| d.path == format!("{AT}.maxAge")));
}

#[test]
fn the_file_and_its_json_form_give_the_same_api() {
    let solar = include_str!("../../../examples/solar-system/gateway.yaml");
    let text = solar.replacen(
        "      protocolType: HTTP\n",
        "      protocolType: HTTP\n      corsConfiguration:\n        allowOrigins: [http://localhost:8080]\n        allowHeaders: [authorization]\n",
        1,
    );
    let config = from_text(&text).unwrap();
    let api = &config.gateway.unwrap().apis[0];
    let direct = check(json!({"allowOrigins": ["http://localhost:8080"], "allowHeaders": ["authorization"]})).unwrap();
    assert_eq!(api.cors.as_ref(), Some(&direct));
}
