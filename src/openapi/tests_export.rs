//! Export tests: AWS's document shape, options, and refusals.
//!
//! May import: std, serde_json, crate::config::source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::tests::{OPTIONS, canonical, ok};
use super::{ExportOptions, ImportReport, export, to_yaml};

/// An API with every kind of route: `$default`, `ANY`, greedy and plain variables, a shared
/// integration, an unused one, a scoped JWT route, CORS.
fn api() -> Value {
    json!({
        "apiId": "abc123", "name": "pets", "protocolType": "HTTP", "description": "Pet store", "version": "7",
        "corsConfiguration": { "allowOrigins": ["https://a"], "maxAge": 60 },
        "authorizers": [{ "authorizerId": "au1", "name": "cognito", "authorizerType": "JWT",
                          "identitySource": ["$request.header.Authorization"],
                          "jwtConfiguration": { "issuer": "https://idp/", "audience": ["pets"] } }],
        "integrations": [
            { "integrationId": "shared", "integrationType": "HTTP_PROXY", "integrationMethod": "ANY",
              "integrationUri": "http://b/{proxy}", "payloadFormatVersion": "1.0" },
            { "integrationId": "one", "integrationType": "HTTP_PROXY", "integrationMethod": "GET",
              "integrationUri": "http://b/pets/{petId}", "payloadFormatVersion": "1.0", "connectionType": "INTERNET",
              "timeoutInMillis": 5000, "requestParameters": { "append:header.x": "$request.path.petId" } },
            { "integrationId": "spare", "integrationType": "HTTP_PROXY", "integrationUri": "http://spare" }
        ],
        "routes": [
            { "routeId": "r1", "routeKey": "$default", "target": "integrations/shared" },
            { "routeId": "r2", "routeKey": "ANY /pets/{proxy+}", "target": "integrations/shared" },
            { "routeId": "r3", "routeKey": "GET /pets/{petId}", "target": "integrations/one", "operationName": "getPet",
              "authorizationType": "JWT", "authorizerId": "au1", "authorizationScopes": ["pets/read"] },
            { "routeId": "r4", "routeKey": "POST /pets/{petId}", "authorizationType": "NONE" }
        ],
        "stages": [{ "stageName": "$default" }, { "stageName": "prod" }]
    })
}

#[test]
fn export_writes_what_aws_writes() {
    let doc = export(
        &api(),
        &ExportOptions {
            stage_name: Some("prod"),
            ..OPTIONS
        },
    )
    .unwrap();
    let expected = json!({
        "openapi": "3.0.1",
        "info": { "title": "pets", "description": "Pet store", "version": "7" },
        "servers": [{ "url": "https://abc123.execute-api.us-east-1.amazonaws.com/{basePath}",
                      "variables": { "basePath": { "default": "prod" } } }],
        "paths": {
            "/$default": { "x-amazon-apigateway-any-method": {
                "responses": { "default": { "description": "Default response for $default" } },
                "isDefaultRoute": true,
                "x-amazon-apigateway-integration": { "$ref": "#/components/x-amazon-apigateway-integrations/shared" } } },
            "/pets/{proxy+}": {
                "x-amazon-apigateway-any-method": {
                    "responses": { "default": { "description": "Default response for ANY /pets/{proxy+}" } },
                    "x-amazon-apigateway-integration": { "$ref": "#/components/x-amazon-apigateway-integrations/shared" } },
                "parameters": [{ "name": "proxy+", "in": "path", "description": "Generated path parameter for proxy+",
                                 "required": true, "schema": { "type": "string" } }] },
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "responses": { "default": { "description": "Default response for GET /pets/{petId}" } },
                    "security": [{ "cognito": ["pets/read"] }],
                    "x-amazon-apigateway-integration": {
                        "requestParameters": { "append:header.x": "$request.path.petId" },
                        "payloadFormatVersion": "1.0", "type": "http_proxy", "httpMethod": "GET",
                        "uri": "http://b/pets/{petId}", "connectionType": "INTERNET", "timeoutInMillis": 5000 } },
                "post": { "responses": { "default": { "description": "Default response for POST /pets/{petId}" } } },
                "parameters": [{ "name": "petId", "in": "path", "description": "Generated path parameter for petId",
                                 "required": true, "schema": { "type": "string" } }] }
        },
        "components": {
            "securitySchemes": { "cognito": { "type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": {
                "identitySource": "$request.header.Authorization",
                "jwtConfiguration": { "issuer": "https://idp/", "audience": ["pets"] }, "type": "jwt" } } },
            "x-amazon-apigateway-integrations": {
                "shared": { "type": "http_proxy", "httpMethod": "ANY", "uri": "http://b/{proxy}", "payloadFormatVersion": "1.0" },
                "unusedIntegration_spare": { "type": "http_proxy", "uri": "http://spare" } }
        },
        "x-amazon-apigateway-cors": { "allowOrigins": ["https://a"], "maxAge": 60 },
        "x-amazon-apigateway-importexport-version": "1.0"
    });
    assert_eq!(doc, expected);
}

#[test]
fn an_export_imports_back_to_the_same_api_with_sharing_and_unused_integrations() {
    let mut original = api();
    // An API document from configuration has a target on every route.
    original["routes"][3]["target"] = json!("integrations/one");
    let doc = export(&original, &OPTIONS).unwrap();
    let (again, report) = ok(&to_yaml(&doc));
    assert_eq!(report, ImportReport::default());
    assert_eq!(canonical(&again), canonical(&original));
}

fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn without_extensions_there_is_no_x_amazon_apigateway_key() {
    let doc = export(
        &api(),
        &ExportOptions {
            include_extensions: false,
            ..OPTIONS
        },
    )
    .unwrap();
    let mut all = Vec::new();
    keys(&doc, &mut all);
    assert!(
        all.iter()
            .all(|k| !k.starts_with("x-amazon-apigateway") && k != "isDefaultRoute"),
        "{all:?}"
    );
    assert!(doc["paths"].get("/$default").is_none());
    let greedy = doc["paths"]["/pets/{proxy+}"].as_object().unwrap();
    for m in ["get", "put", "post", "delete", "options", "head", "patch"] {
        assert_eq!(
            greedy[m]["responses"]["default"]["description"],
            "Default response for ANY /pets/{proxy+}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["cognito"],
        json!({ "type": "oauth2", "flows": {} })
    );
    assert_eq!(
        doc["paths"]["/pets/{petId}"]["get"]["security"],
        json!([{ "cognito": ["pets/read"] }])
    );
}

#[test]
fn any_expansion_keeps_explicit_methods() {
    let mut a = api();
    a["routes"] = json!([
        { "routeKey": "ANY /x", "operationName": "any" },
        { "routeKey": "GET /x", "operationName": "get" }
    ]);
    let doc = export(
        &a,
        &ExportOptions {
            include_extensions: false,
            ..OPTIONS
        },
    )
    .unwrap();
    assert_eq!(doc["paths"]["/x"]["get"]["operationId"], "get");
    assert!(doc["paths"]["/x"]["post"].get("operationId").is_none());
}

#[test]
fn servers_follow_the_stage() {
    let base = |o: ExportOptions<'_>| export(&api(), &o).unwrap()["servers"][0].clone();
    assert_eq!(base(OPTIONS)["variables"]["basePath"]["default"], "");
    assert_eq!(
        base(ExportOptions {
            stage_name: Some("$default"),
            ..OPTIONS
        })["variables"]["basePath"]["default"],
        ""
    );
    let slash = base(ExportOptions {
        api_endpoint: "http://localhost:8000/",
        ..OPTIONS
    });
    assert_eq!(slash["url"], "http://localhost:8000/{basePath}");
    let e = export(
        &api(),
        &ExportOptions {
            stage_name: Some("beta"),
            ..OPTIONS
        },
    )
    .unwrap_err();
    assert!(e.contains("beta"));
    let mut stageless = api();
    stageless.as_object_mut().unwrap().remove("stages");
    assert!(
        export(
            &stageless,
            &ExportOptions {
                stage_name: Some("beta"),
                ..OPTIONS
            }
        )
        .is_ok()
    );
}

#[test]
fn an_api_without_version_or_extras_exports_plainly() {
    let doc = export(&json!({ "name": "n" }), &OPTIONS).unwrap();
    assert_eq!(doc["info"], json!({ "title": "n", "version": "" }));
    assert_eq!(doc["paths"], json!({}));
    assert!(doc.get("components").is_none() && doc.get("x-amazon-apigateway-cors").is_none());
    let (again, _) = ok(&to_yaml(&doc));
    assert!(again.get("version").is_none());
}

#[test]
fn scheme_names_stay_unique_and_other_authorizer_types_are_written() {
    let mut a = api();
    a["authorizers"] = json!([
        { "authorizerId": "x1", "name": "same", "authorizerType": "JWT", "identitySource": ["$request.header.A"] },
        { "authorizerId": "x2", "name": "same", "authorizerType": "REQUEST", "identitySource": ["$request.header.B", "$request.querystring.c"],
          "authorizerUri": "arn:f", "enableSimpleResponses": true }
    ]);
    a["routes"] = json!([{ "routeKey": "GET /a", "authorizationType": "CUSTOM", "authorizerId": "x2" }]);
    let doc = export(&a, &OPTIONS).unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["same"]["type"], "oauth2");
    assert_eq!(
        schemes["same_x2"],
        json!({ "type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": {
            "identitySource": "$request.header.B, $request.querystring.c", "authorizerUri": "arn:f",
            "enableSimpleResponses": true, "type": "request" } })
    );
    assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([{ "same_x2": [] }]));
}

#[test]
fn refusals() {
    let cases = [
        (json!([]), "must be an object"),
        (json!({ "routes": [] }), "no name"),
        (json!({ "name": "n", "routes": {} }), "routes must be a list"),
        (json!({ "name": "n", "routes": [1] }), "routes must hold objects"),
        (json!({ "name": "n", "routes": [{}] }), "no routeKey"),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "GET" }] }),
            "neither $default",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "FETCH /a" }] }),
            "neither $default",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "GET a" }] }),
            "neither $default",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "ANY /$default" }] }),
            "neither $default",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "GET /a", "target": "integrations/none" }] }),
            "names no integration",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "GET /a", "target": "lambda" }] }),
            "names no integration",
        ),
        (
            json!({ "name": "n", "routes": [{ "routeKey": "GET /a", "authorizationType": "JWT" }] }),
            "names no authorizer",
        ),
        (json!({ "name": "n", "integrations": [{}] }), "no integrationId"),
        (json!({ "name": "n", "authorizers": [3] }), "must hold objects"),
    ];
    for (api, needle) in cases {
        let e = export(&api, &OPTIONS).unwrap_err();
        assert!(e.contains(needle), "{api}: {e}");
    }
}
