//! Import tests: document structure, info, paths and operations, integrations and their
//! components.
//!
//! May import: std, serde_json, crate::config::source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::tests::{INTEGRATION, OP, api_of, errors, has, http, ids, imp, one_route, report, set};
use super::{ImportReport, import};

#[test]
fn a_minimal_document_gives_one_route_and_one_integration() {
    let (api, report) = imp(&one_route()).unwrap();
    assert_eq!(report, ImportReport::default());
    assert_eq!(
        api,
        json!({ "name": "t", "version": "1", "protocolType": "HTTP", "authorizers": [],
                "integrations": [{ "integrationId": "i1", "integrationType": "HTTP_PROXY", "integrationMethod": "GET",
                                   "integrationUri": "http://b/x", "payloadFormatVersion": "1.0" }],
                "routes": [{ "routeId": "r2", "routeKey": "GET /x", "target": "integrations/i1" }] })
    );
}

#[test]
fn openapi_versions() {
    let two = json!({ "swagger": "2.0", "info": { "title": "t", "version": "1" }, "paths": {} });
    assert!(errors(&two).contains("OpenAPI 2.0"));
    assert!(errors(&set(one_route(), "/openapi", json!("2.0.0"))).contains("not supported"));
    let mut none = one_route();
    none.as_object_mut().unwrap().remove("openapi");
    assert!(errors(&none).contains("no openapi version"));
    assert!(has(
        &report(&set(one_route(), "/openapi", json!("3.1.0"))).warnings,
        "read as OpenAPI 3.0"
    ));
    assert_eq!(
        report(&set(one_route(), "/openapi", json!(3.0))),
        ImportReport::default()
    );
}

#[test]
fn the_document_must_be_a_mapping_of_valid_yaml() {
    for text in ["", "42", "- a\n- b", "\"text\"", "null"] {
        let e = import(text, &mut ids()).unwrap_err();
        assert!(e.messages[0].contains("must be a mapping"), "{text}: {e}");
    }
    let e = import("openapi: [\n", &mut ids()).unwrap_err();
    assert!(e.messages[0].starts_with("2:") || e.messages[0].contains(':'), "{e}");
    let dup = import("openapi: 3.0.1\nopenapi: 3.0.1\n", &mut ids()).unwrap_err();
    assert!(!dup.messages.is_empty());
}

#[test]
fn info_gives_name_version_and_description() {
    let doc = set(
        one_route(),
        "/info",
        json!({ "title": "solar", "version": 2.5, "description": "d" }),
    );
    let api = api_of(&doc);
    assert_eq!(
        (&api["name"], &api["version"], &api["description"]),
        (&json!("solar"), &json!("2.5"), &json!("d"))
    );
    let blank = api_of(&set(one_route(), "/info/version", json!("")));
    assert!(blank.get("version").is_none());
    assert!(errors(&set(one_route(), "/info", json!("x"))).contains("info"));
    assert!(errors(&set(one_route(), "/info/title", json!(3))).contains("info.title"));
    let odd = report(&set(
        set(one_route(), "/info/version", json!([])),
        "/info/description",
        json!(1),
    ));
    assert_eq!(odd.warnings.len(), 2);
}

#[test]
fn importexport_version() {
    assert_eq!(
        report(&set(
            one_route(),
            "/x-amazon-apigateway-importexport-version",
            json!("1.0")
        )),
        ImportReport::default()
    );
    assert_eq!(
        report(&set(
            one_route(),
            "/x-amazon-apigateway-importexport-version",
            json!(1.0)
        )),
        ImportReport::default()
    );
    assert!(
        errors(&set(
            one_route(),
            "/x-amazon-apigateway-importexport-version",
            json!("2.0")
        ))
        .contains("1.0")
    );
}

#[test]
fn paths_are_required_and_must_be_well_formed() {
    let mut none = one_route();
    none.as_object_mut().unwrap().remove("paths");
    assert!(errors(&none).contains("no paths"));
    assert!(errors(&set(one_route(), "/paths", json!([]))).contains("paths must be a mapping"));
    assert!(errors(&set(one_route(), "/paths/x", json!({}))).contains("must start with /"));
    assert!(errors(&set(one_route(), "/paths/~1y", json!(7))).contains("path item must be a mapping"));
    assert!(errors(&set(one_route(), "/paths/~1y", json!({ "$ref": "#/x" }))).contains("$ref"));
    assert!(errors(&set(one_route(), "/paths/~1y/trace", json!({}))).contains("TRACE"));
    assert!(errors(&set(one_route(), OP, json!("GET"))).contains("operation must be a mapping"));
    let empty = api_of(&set(one_route(), "/paths", json!({})));
    assert_eq!(empty["routes"], json!([]));
}

#[test]
fn path_item_extras() {
    let doc = set(one_route(), "/paths/~1x/summary", json!("s"));
    let doc = set(doc, "/paths/~1x/x-vendor", json!(1));
    assert_eq!(report(&doc), ImportReport::default());
    assert!(has(
        &report(&set(one_route(), "/paths/~1x/frobnicate", json!(1))).warnings,
        "frobnicate"
    ));
    assert!(has(
        &report(&set(one_route(), "/paths/~1x/x-amazon-apigateway-foo", json!(1))).info,
        "x-amazon-apigateway-foo"
    ));
}

#[test]
fn parameters_are_documentation() {
    let path_param = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let doc = set(one_route(), "/paths/~1x/parameters", path_param.clone());
    assert_eq!(report(&doc), ImportReport::default());
    let doc = set(
        one_route(),
        "/paths/~1x/get/parameters",
        json!([{ "name": "q", "in": "query" }]),
    );
    assert!(has(&report(&doc).info, "do not validate request parameters"));
    assert!(has(
        &report(&set(one_route(), "/paths/~1x/parameters", json!("p"))).warnings,
        "must be a list"
    ));
}

#[test]
fn all_methods_and_any() {
    let mut doc = one_route();
    for m in [
        "put",
        "post",
        "delete",
        "options",
        "head",
        "patch",
        "x-amazon-apigateway-any-method",
    ] {
        doc = set(
            doc,
            &format!("/paths/~1x/{m}"),
            json!({ "x-amazon-apigateway-integration": http("http://b") }),
        );
    }
    let keys: Vec<String> = api_of(&doc)["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["routeKey"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        keys,
        [
            "GET /x",
            "PUT /x",
            "POST /x",
            "DELETE /x",
            "OPTIONS /x",
            "HEAD /x",
            "PATCH /x",
            "ANY /x"
        ]
    );
}

#[test]
fn the_default_route() {
    let any = json!({ "isDefaultRoute": true, "x-amazon-apigateway-integration": http("http://b") });
    let doc = set(
        one_route(),
        "/paths/~1$default/x-amazon-apigateway-any-method",
        any.clone(),
    );
    let routes = api_of(&doc)["routes"].clone();
    assert!(routes.as_array().unwrap().iter().any(|r| r["routeKey"] == "$default"));
    let no_flag = json!({ "x-amazon-apigateway-integration": http("http://b") });
    assert!(
        errors(&set(
            one_route(),
            "/paths/~1$default/x-amazon-apigateway-any-method",
            no_flag.clone()
        ))
        .contains("isDefaultRoute")
    );
    assert!(errors(&set(one_route(), "/paths/~1$default/get", any.clone())).contains("/$default"));
    assert!(errors(&set(one_route(), "/paths/~1y/x-amazon-apigateway-any-method", any)).contains("belongs under"));
    assert!(errors(&set(one_route(), "/paths/~1x/get/isDefaultRoute", json!("yes"))).contains("true or false"));
    assert_eq!(
        report(&set(one_route(), "/paths/~1x/get/isDefaultRoute", json!(false))),
        ImportReport::default()
    );
}

#[test]
fn integration_type_is_case_insensitive_and_only_http_proxy_is_served() {
    assert_eq!(
        api_of(&set(one_route(), &format!("{INTEGRATION}/type"), json!("HTTP_Proxy")))["integrations"][0]["integrationType"],
        "HTTP_PROXY"
    );
    for t in ["aws_proxy", "AWS", "http", "mock"] {
        let e = errors(&set(one_route(), &format!("{INTEGRATION}/type"), json!(t)));
        assert!(
            e.contains(&t.to_ascii_uppercase()) && e.contains("could not be served"),
            "{e}"
        );
    }
    assert!(errors(&set(one_route(), &format!("{INTEGRATION}/type"), json!(1))).contains("type must be a string"));
    let mut untyped = http("http://b");
    untyped.as_object_mut().unwrap().remove("type");
    assert!(errors(&set(one_route(), INTEGRATION, untyped)).contains("no type"));
    assert!(
        errors(&set(
            one_route(),
            &format!("{INTEGRATION}/connectionType"),
            json!("VPC_LINK")
        ))
        .contains("VPC_LINK")
    );
    let mut no_uri = http("http://b");
    no_uri.as_object_mut().unwrap().remove("uri");
    assert!(errors(&set(one_route(), INTEGRATION, no_uri)).contains("needs a uri"));
    assert!(errors(&set(one_route(), INTEGRATION, json!("http://b"))).contains("must be a mapping"));
    let mut bare = one_route();
    bare["paths"]["/x"]["get"]
        .as_object_mut()
        .unwrap()
        .remove("x-amazon-apigateway-integration");
    assert!(errors(&bare).contains("cannot serve a route without one"));
}

#[test]
fn integration_fields_are_copied_and_coerced() {
    let full = json!({ "type": "http_proxy", "httpMethod": "POST", "uri": "http://b/{id}", "payloadFormatVersion": 1.0,
                       "connectionType": "INTERNET", "timeoutInMillis": 12000.0, "description": "d",
                       "requestParameters": { "append:querystring.pageNo": 1, "overwrite:header.x": "$request.path.id", "append:querystring.f": true } });
    let (api, report) = imp(&set(one_route(), INTEGRATION, full)).unwrap();
    assert_eq!(report, ImportReport::default());
    assert_eq!(
        api["integrations"][0],
        json!({ "integrationId": "i1", "integrationType": "HTTP_PROXY", "integrationMethod": "POST", "integrationUri": "http://b/{id}",
                "payloadFormatVersion": "1.0", "connectionType": "INTERNET", "timeoutInMillis": 12000, "description": "d",
                "requestParameters": { "append:querystring.pageNo": "1", "overwrite:header.x": "$request.path.id", "append:querystring.f": "true" } })
    );
    for (field, value, needle) in [
        ("timeoutInMillis", json!("10"), "timeoutInMillis"),
        ("timeoutInMillis", json!(1.5), "timeoutInMillis"),
        ("timeoutInMillis", json!(1e300), "timeoutInMillis"),
        ("payloadFormatVersion", json!([]), "payloadFormatVersion"),
        ("requestParameters", json!(["a"]), "requestParameters"),
        ("requestParameters", json!({ "a": { "b": 1 } }), "requestParameters"),
        ("httpMethod", json!(1), "httpMethod must be a string"),
        ("uri", json!(null), "uri must be a string"),
    ] {
        assert!(
            errors(&set(one_route(), &format!("{INTEGRATION}/{field}"), value)).contains(needle),
            "{field}"
        );
    }
    let v2 = api_of(&set(
        one_route(),
        &format!("{INTEGRATION}/payloadFormatVersion"),
        json!(2),
    ));
    assert_eq!(v2["integrations"][0]["payloadFormatVersion"], "2.0");
}

#[test]
fn integration_properties_portcullis_ignores() {
    for field in [
        "responseParameters",
        "tlsConfig",
        "credentials",
        "connectionId",
        "integrationSubtype",
    ] {
        let r = report(&set(one_route(), &format!("{INTEGRATION}/{field}"), json!({})));
        assert!(has(&r.warnings, field) && r.info.is_empty(), "{field}: {r:?}");
    }
    for field in [
        "passthroughBehavior",
        "contentHandling",
        "requestTemplates",
        "responses",
        "cacheKeyParameters",
        "cacheNamespace",
    ] {
        let r = report(&set(one_route(), &format!("{INTEGRATION}/{field}"), json!("x")));
        assert!(has(&r.info, field) && r.warnings.is_empty(), "{field}: {r:?}");
    }
    assert!(has(
        &report(&set(one_route(), &format!("{INTEGRATION}/bogus"), json!(1))).warnings,
        "bogus"
    ));
}

fn with_components(doc: Value) -> Value {
    set(
        doc,
        "/components/x-amazon-apigateway-integrations",
        json!({ "shared": http("http://b/shared"), "a/b": http("http://b/ab") }),
    )
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/x-amazon-apigateway-integrations/{name}") })
}

#[test]
fn component_integrations_are_shared_by_the_routes_that_reference_them() {
    let doc = with_components(one_route());
    let doc = set(doc, INTEGRATION, reference("shared"));
    let doc = set(
        doc,
        "/paths/~1y/post/x-amazon-apigateway-integration",
        reference("shared"),
    );
    let doc = set(doc, "/paths/~1z/put/x-amazon-apigateway-integration", reference("a~1b"));
    let (api, report) = imp(&doc).unwrap();
    assert_eq!(report, ImportReport::default());
    let targets: Vec<&str> = api["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    // Components by name: "a/b" → i1, "shared" → i2.
    assert_eq!(targets, ["integrations/i2", "integrations/i2", "integrations/i1"]);
    assert_eq!(api["integrations"].as_array().unwrap().len(), 2);
    let escaped = set(with_components(one_route()), INTEGRATION, reference("a%2Fb"));
    assert_eq!(api_of(&escaped)["routes"][0]["target"], "integrations/i1");
}

#[test]
fn unused_components_are_imported_and_unusable_ones_dropped_with_a_warning() {
    let doc = set(
        with_components(one_route()),
        "/components/x-amazon-apigateway-integrations/lambda",
        json!({ "type": "aws_proxy", "uri": "arn:x", "payloadFormatVersion": "2.0" }),
    );
    let (api, report) = imp(&doc).unwrap();
    assert_eq!(api["integrations"].as_array().unwrap().len(), 3); // a/b, shared, the inline one
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].contains("AWS_PROXY") && report.warnings[0].contains("not imported"));
    let used = set(doc, INTEGRATION, reference("lambda"));
    assert!(errors(&used).contains("could not be served"));
}

#[test]
fn bad_references_are_errors() {
    let doc = with_components(one_route());
    assert!(
        errors(&set(doc.clone(), INTEGRATION, reference("missing")))
            .contains("no integration component named 'missing'")
    );
    assert!(
        errors(&set(
            doc.clone(),
            INTEGRATION,
            json!({ "$ref": "#/components/schemas/x" })
        ))
        .contains("$ref must name")
    );
    assert!(errors(&set(doc.clone(), INTEGRATION, json!({ "$ref": 3 }))).contains("$ref must name"));
    assert!(errors(&set(doc.clone(), INTEGRATION, json!({ "$ref": "other.yaml#/x" }))).contains("$ref must name"));
    let cycle = set(
        doc,
        "/components/x-amazon-apigateway-integrations",
        json!({ "a": reference("b"), "b": reference("a") }),
    );
    let cycle = set(cycle, INTEGRATION, reference("a"));
    assert!(errors(&cycle).contains("cannot itself be a $ref"));
    assert!(
        errors(&set(
            one_route(),
            "/components/x-amazon-apigateway-integrations",
            json!([])
        ))
        .contains("must be a mapping")
    );
    assert!(errors(&set(one_route(), "/components", json!("c"))).contains("components must be a mapping"));
}
