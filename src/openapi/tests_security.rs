//! Import tests: security schemes and requirements, JWT authorizers, CORS, other extensions,
//! messages, and hostile input.
//!
//! May import: std, serde_json, crate::config::source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::tests::{
    INTEGRATION, OP, api_of, errors, has, http, ids, imp, jwt_scheme, one_route, report, set, with_jwt,
};
use super::{ImportReport, import};

#[test]
fn jwt_security_with_scopes() {
    let doc = set(
        with_jwt(one_route()),
        &format!("{OP}/security"),
        json!([{ "jwt": ["s1", "s2"] }]),
    );
    let (api, report) = imp(&doc).unwrap();
    assert_eq!(report, ImportReport::default());
    assert_eq!(
        api["routes"][0],
        json!({ "routeId": "r3", "routeKey": "GET /x", "authorizationType": "JWT", "authorizerId": "a1",
                "authorizationScopes": ["s1", "s2"], "target": "integrations/i2" })
    );
    let no_scopes = api_of(&set(
        with_jwt(one_route()),
        &format!("{OP}/security"),
        json!([{ "jwt": [] }]),
    ));
    assert!(no_scopes["routes"][0].get("authorizationScopes").is_none());
}

#[test]
fn root_security_is_the_default_and_operations_override_it() {
    let doc = set(with_jwt(one_route()), "/security", json!([{ "jwt": ["root"] }]));
    let doc = set(
        doc,
        "/paths/~1open/get",
        json!({ "security": [], "x-amazon-apigateway-integration": http("http://b") }),
    );
    let doc = set(
        doc,
        "/paths/~1anon/get",
        json!({ "security": [{}], "x-amazon-apigateway-integration": http("http://b") }),
    );
    let api = api_of(&doc);
    let routes = api["routes"].as_array().unwrap();
    let by_key = |k: &str| routes.iter().find(|r| r["routeKey"] == k).unwrap().clone();
    assert_eq!(by_key("GET /x")["authorizationScopes"], json!(["root"]));
    assert!(by_key("GET /open").get("authorizationType").is_none());
    assert!(by_key("GET /anon").get("authorizerId").is_none());
}

#[test]
fn security_errors() {
    let base = with_jwt(one_route());
    let sec = format!("{OP}/security");
    let second = set(base.clone(), "/components/securitySchemes/other", jwt_scheme());
    assert!(
        errors(&set(second.clone(), &sec, json!([{ "jwt": [] }, { "other": [] }])))
            .contains("multiple security requirements")
    );
    assert!(errors(&set(second, &sec, json!([{ "jwt": [], "other": [] }]))).contains("multiple security requirements"));
    assert!(errors(&set(base.clone(), &sec, json!([{ "nope": [] }]))).contains("'nope' is not defined"));
    assert!(errors(&set(base.clone(), &sec, json!({ "jwt": [] }))).contains("must be a list"));
    assert!(errors(&set(base.clone(), &sec, json!(["jwt"]))).contains("must be a mapping"));
    assert!(errors(&set(base.clone(), &sec, json!([{ "jwt": "s" }]))).contains("scopes must be a list"));
    let iam = json!({ "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4" });
    let iam_doc = set(
        set(base.clone(), "/components/securitySchemes/sigv4", iam),
        &sec,
        json!([{ "sigv4": [] }]),
    );
    assert!(errors(&iam_doc).contains("IAM authorization"));
    let plain = set(
        set(
            base.clone(),
            "/components/securitySchemes/bearer",
            json!({ "type": "http", "scheme": "bearer" }),
        ),
        &sec,
        json!([{ "bearer": [] }]),
    );
    assert!(errors(&plain).contains("could not be protected"));
    let auth = set(
        base,
        &format!("{OP}/x-amazon-apigateway-auth"),
        json!({ "type": "AWS_IAM" }),
    );
    assert!(errors(&auth).contains("AWS_IAM"));
}

#[test]
fn lambda_authorizers_are_errors_when_used_and_warnings_when_not() {
    let lambda = json!({ "type": "apiKey", "name": "Authorization", "in": "header",
                         "x-amazon-apigateway-authorizer": { "type": "request", "identitySource": "$request.header.Authorization",
                                                             "authorizerUri": "arn:x", "authorizerPayloadFormatVersion": "2.0" } });
    let doc = set(one_route(), "/components/securitySchemes/lambda", lambda);
    let r = report(&doc);
    assert!(has(&r.warnings, "Lambda (request) authorizers are not supported") && has(&r.warnings, "not imported"));
    assert!(api_of(&doc)["authorizers"].as_array().unwrap().is_empty());
    assert!(errors(&set(doc, &format!("{OP}/security"), json!([{ "lambda": [] }]))).contains("Lambda"));
    let plain = set(
        one_route(),
        "/components/securitySchemes/key",
        json!({ "type": "apiKey", "name": "k", "in": "header" }),
    );
    let r = report(&plain);
    assert!(has(&r.info, "no x-amazon-apigateway-authorizer") && r.warnings.is_empty());
}

#[test]
fn jwt_authorizer_details() {
    let ext = "/components/securitySchemes/jwt/x-amazon-apigateway-authorizer";
    let two = api_of(&set(
        with_jwt(one_route()),
        &format!("{ext}/identitySource"),
        json!("$request.header.A, $request.querystring.t,"),
    ));
    assert_eq!(
        two["authorizers"][0]["identitySource"],
        json!(["$request.header.A", "$request.querystring.t"])
    );
    let list = api_of(&set(
        with_jwt(one_route()),
        &format!("{ext}/identitySource"),
        json!(["$request.header.A"]),
    ));
    assert_eq!(list["authorizers"][0]["identitySource"], json!(["$request.header.A"]));
    let mut unsourced = with_jwt(one_route());
    unsourced["components"]["securitySchemes"]["jwt"]["x-amazon-apigateway-authorizer"]
        .as_object_mut()
        .unwrap()
        .remove("identitySource");
    let (api, r) = imp(&unsourced).unwrap();
    assert_eq!(
        api["authorizers"][0]["identitySource"],
        json!(["$request.header.Authorization"])
    );
    assert!(has(&r.info, "identitySource"));
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/identitySource"),
            json!(" , ")
        ))
        .contains("identitySource")
    );
    assert!(errors(&set(with_jwt(one_route()), &format!("{ext}/identitySource"), json!(5))).contains("identitySource"));
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/jwtConfiguration/audience"),
            json!("api")
        ))
        .contains("audience must be a list")
    );
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/jwtConfiguration/issuer"),
            json!(1)
        ))
        .contains("issuer must be a string")
    );
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/jwtConfiguration"),
            json!({ "audience": ["a"] })
        ))
        .contains("needs jwtConfiguration.issuer")
    );
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/jwtConfiguration"),
            json!({ "issuer": "i" })
        ))
        .contains("needs jwtConfiguration.audience")
    );
    assert!(
        errors(&set(
            with_jwt(one_route()),
            &format!("{ext}/jwtConfiguration"),
            json!([])
        ))
        .contains("must be a mapping")
    );
    assert!(errors(&set(with_jwt(one_route()), ext, json!("jwt"))).contains("must be a mapping"));
    assert!(errors(&set(with_jwt(one_route()), &format!("{ext}/type"), json!(null))).contains("needs a type"));
    assert!(
        errors(&set(
            with_jwt(one_route()),
            "/components/securitySchemes/jwt",
            json!({ "$ref": "#/x" })
        ))
        .contains("$ref")
    );
    assert!(errors(&set(with_jwt(one_route()), "/components/securitySchemes", json!(3))).contains("must be a mapping"));
    let r = report(&set(
        with_jwt(one_route()),
        &format!("{ext}/authorizerResultTtlInSeconds"),
        json!(300),
    ));
    assert!(has(&r.warnings, "does not apply to JWT authorizers"));
    let r = report(&set(
        with_jwt(one_route()),
        &format!("{ext}/jwtConfiguration/clockSkew"),
        json!(3),
    ));
    assert!(has(&r.warnings, "clockSkew"));
    let extras = set(
        with_jwt(one_route()),
        &format!("{ext}/jwtConfiguration/algorithms"),
        json!(["ES256"]),
    );
    let extras = set(extras, &format!("{ext}/jwtConfiguration/leewaySeconds"), json!(30));
    let (api, r) = imp(&extras).unwrap();
    assert_eq!(r, ImportReport::default());
    assert_eq!(
        api["authorizers"][0]["jwtConfiguration"]["algorithms"],
        json!(["ES256"])
    );
    assert_eq!(api["authorizers"][0]["jwtConfiguration"]["leewaySeconds"], 30);
    assert_eq!(api["authorizers"][0]["name"], "jwt");
}

#[test]
fn open_id_connect_schemes_derive_the_issuer() {
    let scheme = json!({ "type": "openIdConnect", "openIdConnectUrl": "https://idp.example/oauth2/default/.well-known/openid-configuration",
                         "x-amazon-apigateway-authorizer": { "type": "jwt", "identitySource": "$request.header.Authorization",
                                                             "jwtConfiguration": { "audience": ["api"] } } });
    let doc = set(one_route(), "/components/securitySchemes/oidc", scheme.clone());
    let (api, r) = imp(&doc).unwrap();
    assert_eq!(r, ImportReport::default());
    assert_eq!(
        api["authorizers"][0]["jwtConfiguration"],
        json!({ "issuer": "https://idp.example/oauth2/default", "audience": ["api"] })
    );
    let bad = set(
        doc.clone(),
        "/components/securitySchemes/oidc/openIdConnectUrl",
        json!("https://idp.example/"),
    );
    assert!(errors(&bad).contains("/.well-known/openid-configuration"));
    let conflict = set(
        doc,
        "/components/securitySchemes/oidc/x-amazon-apigateway-authorizer/jwtConfiguration/issuer",
        json!("https://other/"),
    );
    let (api, r) = imp(&conflict).unwrap();
    assert_eq!(api["authorizers"][0]["jwtConfiguration"]["issuer"], "https://other/");
    assert!(has(
        &r.warnings,
        "openIdConnectUrl names https://idp.example/oauth2/default"
    ));
}

#[test]
fn cors() {
    let cors = json!({ "allowOrigins": ["https://a"], "allowMethods": ["GET"], "allowHeaders": ["authorization"],
                       "exposeHeaders": ["date"], "maxAge": 300.0, "allowCredentials": false });
    let (api, r) = imp(&set(one_route(), "/x-amazon-apigateway-cors", cors.clone())).unwrap();
    assert_eq!(r, ImportReport::default());
    let mut expected = cors;
    expected["maxAge"] = json!(300);
    assert_eq!(api["corsConfiguration"], expected);
    for (field, value) in [
        ("allowOrigins", json!("*")),
        ("maxAge", json!("1")),
        ("allowCredentials", json!("yes")),
        ("allowHeaders", json!([1])),
    ] {
        assert!(errors(&set(one_route(), &format!("/x-amazon-apigateway-cors/{field}"), value)).contains(field));
    }
    assert!(errors(&set(one_route(), "/x-amazon-apigateway-cors", json!(["*"]))).contains("must be a mapping"));
    assert!(has(
        &report(&set(one_route(), "/x-amazon-apigateway-cors/allowOrigin", json!(["*"]))).warnings,
        "allowOrigin"
    ));
}

#[test]
fn root_and_operation_extras() {
    let quiet = set(
        set(
            set(one_route(), "/servers", json!([{ "url": "https://x/{basePath}" }])),
            "/tags",
            json!([]),
        ),
        "/x-vendor",
        json!(1),
    );
    assert_eq!(report(&quiet), ImportReport::default());
    assert!(has(
        &report(&set(one_route(), "/x-amazon-apigateway-policy", json!({}))).info,
        "x-amazon-apigateway-policy"
    ));
    assert!(has(
        &report(&set(one_route(), "/x-amazon-apigateway-request-validators", json!({}))).info,
        "request-validators"
    ));
    assert!(has(
        &report(&set(one_route(), "/webhooks", json!({}))).warnings,
        "webhooks"
    ));
    let body = set(one_route(), &format!("{OP}/requestBody"), json!({ "content": {} }));
    assert!(has(&report(&body).info, "requestBody"));
    assert!(has(
        &report(&set(
            one_route(),
            &format!("{OP}/x-amazon-apigateway-request-validator"),
            json!("all")
        ))
        .info,
        "validator"
    ));
    assert!(has(
        &report(&set(one_route(), &format!("{OP}/x-amazon-apigateway-foo"), json!(1))).info,
        "x-amazon-apigateway-foo"
    ));
    assert!(has(
        &report(&set(one_route(), &format!("{OP}/operationId"), json!(5))).warnings,
        "operationId"
    ));
    assert!(has(
        &report(&set(one_route(), &format!("{OP}/frob"), json!(5))).warnings,
        "frob"
    ));
    let named = set(one_route(), &format!("{OP}/operationId"), json!("getX"));
    assert_eq!(api_of(&named)["routes"][0]["operationName"], "getX");
    let quiet_op = set(
        set(one_route(), &format!("{OP}/tags"), json!(["t"])),
        &format!("{OP}/x-amazon-apigateway-auth"),
        json!({ "type": "NONE" }),
    );
    assert_eq!(report(&quiet_op), ImportReport::default());
}

#[test]
fn messages_carry_line_and_column() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        uri: arn:x\n";
    let e = import(text, &mut ids()).unwrap_err();
    assert!(
        e.messages[0].starts_with("8:7: paths./x.get.x-amazon-apigateway-integration:"),
        "{e}"
    );
    assert_eq!(e.to_string(), e.messages.join("\n"));
}

#[test]
fn all_errors_are_reported_at_once() {
    let doc = set(
        set(one_route(), &format!("{INTEGRATION}/type"), json!("mock")),
        "/info/title",
        json!(1),
    );
    let doc = set(doc, "/x-amazon-apigateway-cors/maxAge", json!("x"));
    assert_eq!(imp(&doc).unwrap_err().len(), 3);
}

#[test]
fn hostile_nesting_is_refused_without_exhausting_the_stack() {
    let texts = [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("openapi: {}", "{a: ".repeat(50_000)),
        format!("{}x", "- ".repeat(100_000)),
        (0..2000)
            .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
            .collect::<String>(),
        (0..3000)
            .map(|i| {
                if i == 0 {
                    "x0: &x0 [a]\n".to_owned()
                } else {
                    format!("x{i}: &x{i} [*x{}]\n", i - 1)
                }
            })
            .collect(),
        format!("{{\"openapi\": {}1{}}}", "[".repeat(5000), "]".repeat(5000)),
    ];
    // A small stack, like a Tokio worker's, must do.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for text in &texts {
                let e = import(text, &mut ids()).unwrap_err();
                assert!(!e.messages.is_empty());
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn hostile_values_are_errors_not_panics() {
    let docs = [
        json!({ "openapi": "3.0.1", "info": { "title": "t" }, "paths": { "/x": { "get": { "x-amazon-apigateway-integration": http("u"), "security": [[]] } } } }),
        set(one_route(), &format!("{INTEGRATION}/timeoutInMillis"), json!(u64::MAX)),
        set(
            one_route(),
            &format!("{INTEGRATION}/payloadFormatVersion"),
            json!(1e300),
        ),
        set(
            one_route(),
            "/paths/~1x/get/x-amazon-apigateway-integration/requestParameters",
            json!({ "a": null }),
        ),
        set(one_route(), "/components/securitySchemes/s", json!([1, 2])),
        set(one_route(), "/x-amazon-apigateway-cors/maxAge", json!(-1e300)),
        set(one_route(), "/paths/~1x/get/isDefaultRoute", json!(null)),
    ];
    for doc in &docs {
        let _ = imp(doc);
    }
    let odd_paths = set(
        one_route(),
        "/paths/~1a b~1{c}~1:\"#",
        json!({ "get": { "x-amazon-apigateway-integration": http("u") } }),
    );
    assert!(
        api_of(&odd_paths)["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["routeKey"] == "GET /a b/{c}/:\"#")
    );
    let junk = [
        "\u{feff}openapi: 3.0.1",
        "openapi: 3.0.1\n\t- x",
        "!!binary aGk=",
        "&a a: *a",
        "? |\n x\n: y",
        "\0",
        "openapi: *x",
    ];
    for text in junk {
        let _ = import(text, &mut ids());
    }
}
