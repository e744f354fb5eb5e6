//! The operations against an in-memory store, without HTTP or SigV4 (those are covered by
//! `sigv4`'s tests and by `tests/aws_clients.rs` with boto3 and the AWS CLI).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::http::call;
use super::{Admin, Settings};
use crate::store::Store;

fn admin_with(file_apis: Vec<super::resources::ApiRecord>) -> Admin {
    let (changed, _) = tokio::sync::watch::channel(0);
    Admin {
        settings: Settings {
            credentials: Vec::new(),
            check_issuer_discovery: false,
            api_endpoint: "http://{apiId}.execute-api.localhost:8000".to_owned(),
            file_apis,
        },
        store: Arc::new(Store::open_in_memory().unwrap()),
        client: crate::client::build(),
        changed,
        clock: Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_795_844_304)),
    }
}

fn admin() -> Admin {
    admin_with(Vec::new())
}

async fn ok(admin: &Admin, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, value) = call(admin, method, path, body).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {value}");
    value
}

async fn api_with_route(admin: &Admin) -> (String, String) {
    let api = ok(
        admin,
        "POST",
        "/v2/apis",
        Some(json!({"name": "t", "protocolType": "HTTP"})),
    )
    .await;
    let id = api["apiId"].as_str().unwrap().to_owned();
    let integration = ok(
        admin,
        "POST",
        &format!("/v2/apis/{id}/integrations"),
        Some(json!({"integrationType": "HTTP_PROXY", "integrationMethod": "GET", "integrationUri": "http://127.0.0.1:9/x", "payloadFormatVersion": "1.0"})),
    )
    .await;
    let target = format!("integrations/{}", integration["integrationId"].as_str().unwrap());
    ok(
        admin,
        "POST",
        &format!("/v2/apis/{id}/routes"),
        Some(json!({"routeKey": "GET /x", "target": target})),
    )
    .await;
    (id, target)
}

#[tokio::test]
async fn create_returns_awss_shape_with_the_injected_clock() {
    let admin = admin();
    let api = ok(
        &admin,
        "POST",
        "/v2/apis",
        Some(json!({"name": "t", "protocolType": "HTTP"})),
    )
    .await;
    let id = api["apiId"].as_str().unwrap();
    assert_eq!(id.len(), 10);
    assert_eq!(api["createdDate"], "2026-11-28T05:38:24Z");
    assert_eq!(api["apiEndpoint"], format!("http://{id}.execute-api.localhost:8000"));
    assert_eq!(api["routeSelectionExpression"], "$request.method $request.path");
    assert_eq!(*admin.changed.borrow(), 1, "the data plane was told");
}

#[tokio::test]
async fn auto_deploy_follows_every_change_and_forgets_unserved_automatic_deployments() {
    let admin = admin();
    let (id, target) = api_with_route(&admin).await;
    let stage = ok(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/stages"),
        Some(json!({"stageName": "$default", "autoDeploy": true})),
    )
    .await;
    let first = stage["deploymentId"].as_str().unwrap().to_owned();
    ok(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/routes"),
        Some(json!({"routeKey": "GET /y", "target": target})),
    )
    .await;
    let stage = ok(&admin, "GET", &format!("/v2/apis/{id}/stages/%24default"), None).await;
    let second = stage["deploymentId"].as_str().unwrap();
    assert_ne!(first, second);
    let deployments = ok(&admin, "GET", &format!("/v2/apis/{id}/deployments"), None).await;
    let ids: Vec<&str> = deployments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deploymentId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second], "the first automatic deployment is no longer served");
    assert!(
        deployments["items"][0].get("configuration").is_none(),
        "internal field hidden"
    );
    // What the data plane gets: one version per served stage, holding both routes.
    let deployed = admin.deployed().unwrap();
    assert_eq!(deployed[0].versions[0].routes.len(), 2);
}

#[tokio::test]
async fn an_invalid_write_changes_nothing_and_conflicts_are_409() {
    let admin = admin();
    let (id, target) = api_with_route(&admin).await;
    let generation = admin.store.admin_generation().unwrap();
    let (status, err) = call(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/routes"),
        Some(json!({"routeKey": "GET /x", "target": target})),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["type"], "ConflictException");
    let (status, err) = call(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/routes"),
        Some(json!({"routeKey": "GET /x", "authorizationType": "JWT", "authorizerId": "nope123"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        err["body"]["message"],
        "Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer."
    );
    let (status, _) = call(&admin, "POST", &format!("/v2/apis/{id}/routes"), Some(json!({}))).await;
    assert_eq!(status, 400, "Route key is required");
    assert_eq!(
        admin.store.admin_generation().unwrap(),
        generation,
        "nothing was written"
    );
    let (status, err) = call(&admin, "GET", "/v2/apis/zzzzzzzzzz", None).await;
    assert_eq!(status, 404);
    assert_eq!(err["body"]["resourceType"], "Api");
}

#[tokio::test]
async fn deployments_in_use_and_integrations_in_use_cannot_be_deleted() {
    let admin = admin();
    let (id, target) = api_with_route(&admin).await;
    ok(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/stages"),
        Some(json!({"stageName": "prod"})),
    )
    .await;
    let deployment = ok(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/deployments"),
        Some(json!({"stageName": "prod"})),
    )
    .await;
    let did = deployment["deploymentId"].as_str().unwrap();
    assert_eq!(deployment["autoDeployed"], false);
    let (status, _) = call(&admin, "DELETE", &format!("/v2/apis/{id}/deployments/{did}"), None).await;
    assert_eq!(status, 400);
    let iid = target.trim_start_matches("integrations/");
    let (status, err) = call(&admin, "DELETE", &format!("/v2/apis/{id}/integrations/{iid}"), None).await;
    assert_eq!(status, 409, "{err}");
    let (status, _) = call(
        &admin,
        "PATCH",
        &format!("/v2/apis/{id}/stages/prod"),
        Some(json!({"deploymentId": "nope00"})),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn pagination_walks_every_item_once() {
    let admin = admin();
    for i in 0..5 {
        ok(
            &admin,
            "POST",
            "/v2/apis",
            Some(json!({"name": format!("a{i}"), "protocolType": "HTTP"})),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(t) => format!("/v2/apis?maxResults=2&nextToken={t}"),
            None => "/v2/apis?maxResults=2".to_owned(),
        };
        let page = ok(&admin, "GET", &path, None).await;
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_owned()),
        );
        match page.get("nextToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(names, ["a0", "a1", "a2", "a3", "a4"]);
    for bad in [
        "/v2/apis?maxResults=0",
        "/v2/apis?maxResults=x",
        "/v2/apis?nextToken=p99",
    ] {
        assert_eq!(call(&admin, "GET", bad, None).await.0, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_files_apis_are_readable_but_never_written() {
    let shape = json!({
        "apiId": "solar", "name": "file api", "protocolType": "HTTP",
        "integrations": [{"integrationId": "home", "integrationType": "HTTP_PROXY", "integrationUri": "http://127.0.0.1:9"}],
        "routes": [{"routeKey": "$default", "target": "integrations/home"}],
        "stages": [{"stageName": "$default", "autoDeploy": true}]
    });
    let started = "2026-11-28T00:00:00Z";
    let admin = admin_with(vec![super::openapi::file_record(&shape, started)]);
    let routes = ok(&admin, "GET", "/v2/apis/solar/routes", None).await;
    let again = super::openapi::file_record(&shape, started);
    assert_eq!(
        routes["items"][0]["routeId"],
        json!(again.routes[0].route_id),
        "stable ids"
    );
    let (status, err) = call(&admin, "DELETE", "/v2/apis/solar", None).await;
    assert_eq!(status, 400);
    assert!(err["body"]["message"].as_str().unwrap().contains("read-only"));
    let created = ok(
        &admin,
        "POST",
        "/v2/apis",
        Some(json!({"name": "n", "protocolType": "HTTP"})),
    )
    .await;
    assert_ne!(created["apiId"], "solar");
}

#[tokio::test]
async fn tags_on_apis_and_stages() {
    let admin = admin();
    let (id, _) = api_with_route(&admin).await;
    let arn = format!("arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F{id}");
    ok(
        &admin,
        "POST",
        &format!("/v2/tags/{arn}"),
        Some(json!({"tags": {"team": "solar", "env": "dev"}})),
    )
    .await;
    ok(&admin, "DELETE", &format!("/v2/tags/{arn}?tagKeys=env"), None).await;
    let tags = ok(&admin, "GET", &format!("/v2/tags/{arn}"), None).await;
    assert_eq!(tags, json!({"tags": {"team": "solar"}}));
    assert_eq!(call(&admin, "GET", "/v2/tags/arn%3Anope", None).await.0, 400);
}

#[test]
fn timestamps_come_from_the_injected_clock() {
    let admin = admin();
    assert_eq!(admin.now(), "2026-11-28T05:38:24Z");
}

#[tokio::test]
async fn access_log_settings_are_validated_like_the_files() {
    let admin = admin();
    let (id, _) = api_with_route(&admin).await;
    ok(
        &admin,
        "POST",
        &format!("/v2/apis/{id}/stages"),
        Some(json!({"stageName": "prod"})),
    )
    .await;
    let (status, err) = call(
        &admin,
        "PATCH",
        &format!("/v2/apis/{id}/stages/prod"),
        Some(json!({"accessLogSettings": {"destinationArn": "arn:aws:logs:x", "format": "$context.status"}})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        err["body"]["message"],
        "Access log format must contain $context.requestId or $context.extendedRequestId"
    );
    let format = "$context.requestId $context.status";
    let stage = ok(
        &admin,
        "PATCH",
        &format!("/v2/apis/{id}/stages/prod"),
        Some(json!({"accessLogSettings": {"destinationArn": "arn:aws:logs:x", "format": format}})),
    )
    .await;
    assert_eq!(stage["accessLogSettings"]["format"], format);
    ok(
        &admin,
        "DELETE",
        &format!("/v2/apis/{id}/stages/prod/accesslogsettings"),
        None,
    )
    .await;
    let stage = ok(&admin, "GET", &format!("/v2/apis/{id}/stages/prod"), None).await;
    assert!(stage.get("accessLogSettings").is_none());
}
