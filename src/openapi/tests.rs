//! Tests of the whole module: the §10.1 solar-system example, `examples/solar-system`, and the
//! round trips import ∘ export and export ∘ import; plus helpers the other test files share.
//!
//! May import: std, serde_json, crate::config::source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{ExportOptions, IdKind, ImportReport, export, import, to_json, to_yaml};
use crate::config::source;

/// A deterministic id source: `a1`, `i2`, `r3`, … in call order.
pub(super) fn ids() -> impl FnMut(IdKind) -> String {
    let mut n = 0;
    move |kind| {
        n += 1;
        let prefix = match kind {
            IdKind::Authorizer => "a",
            IdKind::Integration => "i",
            IdKind::Route => "r",
        };
        format!("{prefix}{n}")
    }
}

/// Imports text, expecting success.
pub(super) fn ok(text: &str) -> (Value, ImportReport) {
    import(text, &mut ids()).unwrap_or_else(|e| panic!("import failed:\n{e}"))
}

/// Imports a JSON value, returning the API and report or the error messages.
pub(super) fn imp(doc: &Value) -> Result<(Value, ImportReport), Vec<String>> {
    import(&doc.to_string(), &mut ids()).map_err(|e| e.messages)
}

/// Imports a JSON value expecting errors; returns them joined.
pub(super) fn errors(doc: &Value) -> String {
    match imp(doc) {
        Ok((api, _)) => panic!("import succeeded: {api}"),
        Err(m) => {
            assert!(!m.is_empty() && m.iter().all(|m| !m.is_empty()));
            m.join("\n")
        }
    }
}

/// The default export options.
pub(super) const OPTIONS: ExportOptions<'static> = ExportOptions {
    include_extensions: true,
    stage_name: None,
    api_endpoint: "https://abc123.execute-api.us-east-1.amazonaws.com",
};

/// An API document with ids replaced by what they name, lists in a fixed order, and the
/// defaults (`authorizationType: NONE`, empty scopes) written out of existence: two API
/// documents are the same API modulo ids exactly when their canonical forms are equal.
pub(super) fn canonical(api: &Value) -> Value {
    let mut api = api.as_object().cloned().unwrap_or_default();
    api.remove("apiId");
    api.remove("stages");
    let list = |api: &Map<String, Value>, k: &str| api.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut authorizer_names = BTreeMap::new();
    let mut authorizers = Vec::new();
    for mut a in list(&api, "authorizers") {
        let id = a["authorizerId"].as_str().unwrap().to_owned();
        authorizer_names.insert(id, a["name"].clone());
        a.as_object_mut().unwrap().remove("authorizerId");
        authorizers.push(a);
    }
    authorizers.sort_by_key(Value::to_string);
    let mut integration_content = BTreeMap::new();
    let mut integrations = Vec::new();
    for mut i in list(&api, "integrations") {
        let id = i["integrationId"].as_str().unwrap().to_owned();
        i.as_object_mut().unwrap().remove("integrationId");
        integration_content.insert(format!("integrations/{id}"), i.clone());
        integrations.push(i);
    }
    integrations.sort_by_key(Value::to_string);
    let mut routes = Vec::new();
    for r in list(&api, "routes") {
        let mut r = r.as_object().cloned().unwrap();
        r.remove("routeId");
        if r.get("authorizationType") == Some(&json!("NONE")) {
            r.remove("authorizationType");
        }
        if r.get("authorizationScopes") == Some(&json!([])) {
            r.remove("authorizationScopes");
        }
        if let Some(id) = r.get("authorizerId").and_then(Value::as_str) {
            let name = authorizer_names[id].clone();
            r.insert("authorizerId".into(), name);
        }
        if let Some(t) = r.get("target").and_then(Value::as_str) {
            let content = integration_content[t].clone();
            r.insert("target".into(), content);
        }
        routes.push(Value::Object(r));
    }
    routes.sort_by_key(|r| r["routeKey"].to_string());
    api.insert("authorizers".into(), authorizers.into());
    api.insert("integrations".into(), integrations.into());
    api.insert("routes".into(), routes.into());
    Value::Object(api)
}

/// The solar-system example of the spec, §10.1.
pub(super) const SPEC_EXAMPLE: &str = r##"{
  "openapi": "3.0.1",
  "info": { "title": "solar-system", "version": "2026-01-01" },
  "x-amazon-apigateway-importexport-version": "1.0",
  "paths": {
    "/asteroids": { "get": {
        "operationId": "listAsteroids",
        "security": [ { "solar-jwt": [] } ],
        "responses": { "default": { "description": "Default response for GET /asteroids" } },
        "x-amazon-apigateway-integration": { "$ref": "#/components/x-amazon-apigateway-integrations/asteroids-backend" } } },
    "/planets": { "get": {
        "operationId": "listPlanets",
        "security": [ { "solar-jwt": [ "http://myapp.com/scp/silver" ] } ],
        "responses": { "default": { "description": "Default response for GET /planets" } },
        "x-amazon-apigateway-integration": {
          "type": "http_proxy", "httpMethod": "GET", "uri": "https://backend.solar.example.net/v1/planets",
          "payloadFormatVersion": "1.0", "connectionType": "INTERNET", "timeoutInMillis": 10000,
          "requestParameters": {
            "overwrite:header.x-caller-sub": "$context.authorizer.claims.sub",
            "append:header.x-request-id": "$context.requestId" } } } },
    "/moons": { "get": {
        "operationId": "listMoons",
        "security": [ { "solar-jwt": [ "http://myapp.com/scp/gold" ] } ],
        "responses": { "default": { "description": "Default response for GET /moons" } },
        "x-amazon-apigateway-integration": {
          "type": "http_proxy", "httpMethod": "GET", "uri": "https://backend.solar.example.net/v1/moons",
          "payloadFormatVersion": "1.0", "connectionType": "INTERNET", "timeoutInMillis": 10000 } } }
  },
  "components": {
    "securitySchemes": { "solar-jwt": {
        "type": "oauth2", "flows": {},
        "x-amazon-apigateway-authorizer": {
          "type": "jwt", "identitySource": "$request.header.Authorization",
          "jwtConfiguration": { "issuer": "https://auth.solar.example.net/", "audience": [ "solar-system-api" ] } } } },
    "x-amazon-apigateway-integrations": { "asteroids-backend": {
        "type": "http_proxy", "httpMethod": "GET", "uri": "https://backend.solar.example.net/v1/asteroids",
        "payloadFormatVersion": "1.0", "connectionType": "INTERNET", "timeoutInMillis": 10000 } }
  },
  "x-amazon-apigateway-cors": {
    "allowOrigins": [ "https://app.solar.example.net" ], "allowMethods": [ "GET", "OPTIONS" ],
    "allowHeaders": [ "authorization", "content-type" ], "exposeHeaders": [ "x-request-id" ],
    "maxAge": 600, "allowCredentials": true }
}"##;

/// The API of `examples/solar-system/gateway.yaml`.
pub(super) fn gateway_api() -> Value {
    let text = include_str!("../../examples/solar-system/gateway.yaml");
    source::parse(text).unwrap().value["gateway"]["apis"][0].clone()
}

#[test]
fn the_spec_example_imports_to_the_expected_api() {
    let (api, report) = ok(SPEC_EXAMPLE);
    assert_eq!(report, ImportReport::default());
    let expected = json!({
        "name": "solar-system", "version": "2026-01-01", "protocolType": "HTTP",
        "corsConfiguration": {
            "allowOrigins": ["https://app.solar.example.net"], "allowMethods": ["GET", "OPTIONS"],
            "allowHeaders": ["authorization", "content-type"], "exposeHeaders": ["x-request-id"],
            "maxAge": 600, "allowCredentials": true },
        "authorizers": [{
            "authorizerId": "a1", "name": "solar-jwt", "authorizerType": "JWT",
            "identitySource": ["$request.header.Authorization"],
            "jwtConfiguration": { "issuer": "https://auth.solar.example.net/", "audience": ["solar-system-api"] } }],
        "integrations": [
            { "integrationId": "i2", "integrationType": "HTTP_PROXY", "integrationMethod": "GET",
              "integrationUri": "https://backend.solar.example.net/v1/asteroids", "payloadFormatVersion": "1.0",
              "connectionType": "INTERNET", "timeoutInMillis": 10000 },
        ],
        "routes": []
    });
    assert_eq!(api["name"], expected["name"]);
    assert_eq!(api["version"], expected["version"]);
    assert_eq!(api["protocolType"], "HTTP");
    assert_eq!(api["corsConfiguration"], expected["corsConfiguration"]);
    assert_eq!(api["authorizers"], expected["authorizers"]);
    assert_eq!(api["integrations"][0], expected["integrations"][0]);
    let routes = api["routes"].as_array().unwrap();
    let keys: Vec<_> = routes.iter().map(|r| r["routeKey"].as_str().unwrap()).collect();
    assert_eq!(keys, ["GET /asteroids", "GET /moons", "GET /planets"]);
    assert_eq!(
        routes[0],
        json!({ "routeId": "r3", "routeKey": "GET /asteroids", "authorizationType": "JWT", "authorizerId": "a1",
                "target": "integrations/i2", "operationName": "listAsteroids" })
    );
    assert_eq!(routes[2]["authorizationScopes"], json!(["http://myapp.com/scp/silver"]));
    assert_eq!(routes[1]["authorizationScopes"], json!(["http://myapp.com/scp/gold"]));
    let planets = &api["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["integrationId"] == "i6")
        .unwrap();
    assert_eq!(
        planets["requestParameters"],
        json!({ "overwrite:header.x-caller-sub": "$context.authorizer.claims.sub",
                "append:header.x-request-id": "$context.requestId" })
    );
    assert_eq!(api["integrations"].as_array().unwrap().len(), 3);
    assert!(api.get("apiId").is_none() && api.get("stages").is_none());
}

#[test]
fn the_spec_example_survives_export_and_import_in_json_and_yaml() {
    let (api, _) = ok(SPEC_EXAMPLE);
    let exported = export(&api, &OPTIONS).unwrap();
    for text in [to_json(&exported), to_yaml(&exported)] {
        let (again, report) = ok(&text);
        assert_eq!(report, ImportReport::default(), "{text}");
        assert_eq!(canonical(&again), canonical(&api), "{text}");
    }
}

#[test]
fn export_of_an_import_is_stable() {
    let (api, _) = ok(SPEC_EXAMPLE);
    let first = export(&api, &OPTIONS).unwrap();
    let (again, _) = ok(&to_yaml(&first));
    let second = export(&again, &OPTIONS).unwrap();
    let (third, _) = ok(&to_json(&second));
    assert_eq!(canonical(&third), canonical(&again));
    // Ids differ, the shape does not.
    assert_eq!(
        first["paths"].as_object().unwrap().len(),
        second["paths"].as_object().unwrap().len()
    );
    assert_eq!(first["x-amazon-apigateway-cors"], second["x-amazon-apigateway-cors"]);
}

#[test]
fn the_gateway_yaml_api_survives_export_and_import() {
    let api = gateway_api();
    for options in [
        OPTIONS,
        ExportOptions {
            stage_name: Some("$default"),
            ..OPTIONS
        },
    ] {
        let exported = export(&api, &options).unwrap();
        let (again, report) = ok(&to_yaml(&exported));
        assert_eq!(report, ImportReport::default());
        assert_eq!(canonical(&again), canonical(&api));
    }
}

#[test]
fn the_example_openapi_yaml_imports_to_the_gateway_yaml_api() {
    let (api, report) = ok(include_str!("../../examples/solar-system/openapi.yaml"));
    assert_eq!(report, ImportReport::default());
    assert_eq!(
        api["corsConfiguration"]["allowOrigins"],
        json!(["http://localhost:8080"])
    );
    let mut expected = gateway_api();
    let e = expected.as_object_mut().unwrap();
    for key in ["version", "description", "corsConfiguration"] {
        e.insert(key.into(), api[key].clone());
    }
    assert_eq!(canonical(&api), canonical(&expected));
}

#[test]
fn ids_are_requested_in_document_order() {
    let mut seen = Vec::new();
    let mut new_id = |kind: IdKind| {
        seen.push(kind);
        format!("x{}", seen.len())
    };
    import(SPEC_EXAMPLE, &mut new_id).unwrap();
    use IdKind::{Authorizer as A, Integration as I, Route as R};
    assert_eq!(seen, [A, I, R, I, R, I, R]);
}

#[test]
fn import_is_deterministic() {
    assert_eq!(ok(SPEC_EXAMPLE), ok(SPEC_EXAMPLE));
}

/// A document with one route, `GET /x`, on an inline HTTP proxy.
pub(super) fn one_route() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "t", "version": "1" },
        "paths": { "/x": { "get": { "x-amazon-apigateway-integration": http("http://b/x") } } }
    })
}

pub(super) fn http(uri: &str) -> Value {
    json!({ "type": "http_proxy", "httpMethod": "GET", "uri": uri, "payloadFormatVersion": "1.0" })
}

/// `doc` with `value` at the JSON pointer `at` (intermediate objects created).
pub(super) fn set(mut doc: Value, at: &str, value: Value) -> Value {
    let mut node = &mut doc;
    let parts: Vec<String> = at
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let obj = node.as_object_mut().unwrap();
        if i + 1 == parts.len() {
            obj.insert(part.clone(), value);
            return doc;
        }
        node = obj.entry(part.clone()).or_insert_with(|| json!({}));
    }
    value
}

pub(super) const OP: &str = "/paths/~1x/get";
pub(super) const INTEGRATION: &str = "/paths/~1x/get/x-amazon-apigateway-integration";

pub(super) fn jwt_scheme() -> Value {
    json!({ "type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": {
        "type": "jwt", "identitySource": "$request.header.Authorization",
        "jwtConfiguration": { "issuer": "https://idp/", "audience": ["api"] } } })
}

pub(super) fn with_jwt(doc: Value) -> Value {
    set(doc, "/components/securitySchemes/jwt", jwt_scheme())
}

pub(super) fn report(doc: &Value) -> ImportReport {
    imp(doc).unwrap_or_else(|e| panic!("{e:?}")).1
}

pub(super) fn api_of(doc: &Value) -> Value {
    imp(doc).unwrap_or_else(|e| panic!("{e:?}")).0
}

pub(super) fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|m| m.contains(needle))
}

/// The property the fuzz target checks: a refusal has messages; an import exports, renders as
/// YAML and as JSON, and imports back without warnings to the same API modulo ids.
pub(super) fn check_round_trip(text: &str) {
    match import(text, &mut ids()) {
        Err(e) => assert!(
            !e.messages.is_empty() && e.messages.iter().all(|m| !m.is_empty()),
            "{text}"
        ),
        Ok((api, _)) => {
            let exported = export(&api, &OPTIONS).unwrap_or_else(|e| panic!("{e}\n{text}"));
            for again in [to_yaml(&exported), to_json(&exported)] {
                let (back, report) = import(&again, &mut ids()).unwrap_or_else(|e| panic!("{e}\n{text}\n{again}"));
                assert!(
                    report.warnings.is_empty() && report.info.is_empty(),
                    "{report:?}\n{again}"
                );
                assert_eq!(canonical(&back), canonical(&api), "{text}\n{again}");
            }
        }
    }
}

#[test]
fn mutated_documents_never_panic_and_round_trip_when_accepted() {
    let seeds = [
        SPEC_EXAMPLE.to_owned(),
        include_str!("../../examples/solar-system/openapi.yaml").to_owned(),
        to_yaml(&export(&gateway_api(), &OPTIONS).unwrap()),
    ];
    let snippets = [
        "x-amazon-apigateway-any-method",
        "isDefaultRoute: true",
        "$ref",
        "/$default",
        "- ",
        ": ",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "'",
        ",",
        "\n",
        "\n  ",
        "aws_proxy",
        "HTTP_PROXY",
        "security",
        "[]",
        "null",
        "1e999",
        "-1",
        "*a",
        "&a ",
        "#/components/x-amazon-apigateway-integrations/home",
        "openIdConnect",
        "{proxy+}",
        "~1",
        "%2F",
        "\t",
        "é",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n.max(1) as u64).unwrap()
    };
    let mut accepted = 0;
    for round in 0..300 {
        let mut text: Vec<char> = seeds[round % seeds.len()].chars().collect();
        for _ in 0..=next(3) {
            let at = next(text.len() + 1);
            match next(3) {
                0 => {
                    let end = (at + next(8)).min(text.len());
                    text.drain(at..end);
                }
                1 => text
                    .splice(at..at, snippets[next(snippets.len())].chars())
                    .for_each(drop),
                _ if at < text.len() => text[at] = snippets[next(snippets.len())].chars().next().unwrap_or(' '),
                _ => {}
            }
        }
        let text: String = text.into_iter().collect();
        if import(&text, &mut ids()).is_ok() {
            accepted += 1;
        }
        check_round_trip(&text);
    }
    assert!(accepted > 30, "only {accepted} mutants imported");
}
