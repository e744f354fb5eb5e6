//! Stage throttling (`defaultRouteSettings`, `routeSettings`) on the real binary: one shared
//! token bucket per route, 429 `{"message":"Too Many Requests"}` when it is empty, route
//! settings over the stage's defaults, settings of 0 blocking, the throttle checked before the
//! authorizer, and buckets that survive a reload or an admin write that leaves them unchanged.
//!
//! A rate of 0.001 requests per second refills nothing within a test, so every count below is
//! exact.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Backend, Gateway, Reply, TestIssuer, admin, admin_url, call_api, eventually, get, solar_config};

const TOO_MANY: &str = r#"{"message":"Too Many Requests"}"#;
const STAGE_ANCHOR: &str = "        - stageName: $default\n          autoDeploy: true\n";

/// The solar-system configuration with `settings` (YAML, stage-field indentation) on its stage.
fn with_stage_settings(config: &str, settings: &str) -> String {
    assert!(config.contains(STAGE_ANCHOR));
    let indented: String = settings.lines().map(|l| format!("          {l}\n")).collect();
    config.replacen(STAGE_ANCHOR, &format!("{STAGE_ANCHOR}{indented}"), 1)
}

/// `config` with an open `GET /ping` route to the `planets` integration.
fn with_ping_route(config: &str) -> String {
    let anchor = "        - routeKey: $default\n          target: integrations/home\n";
    assert!(config.contains(anchor));
    config.replacen(
        anchor,
        &format!("{anchor}        - routeKey: GET /ping\n          target: integrations/planets\n"),
        1,
    )
}

struct Setup {
    issuer: TestIssuer,
    backend: Backend,
    gateway: Gateway,
}

impl Setup {
    async fn start(settings: &str) -> Self {
        let issuer = TestIssuer::start().await;
        let backend = Backend::start().await;
        let config = with_stage_settings(&solar_config(&issuer.url, &backend.url), settings);
        let gateway = Gateway::start(&config);
        Self {
            issuer,
            backend,
            gateway,
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        get(&format!("{}{path}", self.gateway.url), token).await
    }

    /// The statuses of `n` requests in a row.
    async fn statuses(&self, path: &str, token: Option<&str>, n: usize) -> Vec<u16> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.get(path, token).await.status.as_u16());
        }
        out
    }

    fn backend_saw(&self, path: &str) -> usize {
        self.backend.requests().iter().filter(|r| r.uri == path).count()
    }
}

fn assert_throttled(r: &Reply) {
    assert_eq!(r.status, 429);
    assert_eq!(r.body, TOO_MANY);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("apigw-requestid").is_some());
    assert!(r.header("www-authenticate").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_after_the_burst_gets_429_and_other_routes_are_unaffected() {
    let s = Setup::start("routeSettings:\n  $default: {throttlingBurstLimit: 2, throttlingRateLimit: 0.001}").await;
    assert_eq!(s.statuses("/anything", None, 2).await, [200, 200]);
    let third = s.get("/anything", None).await;
    assert_throttled(&third);
    assert_eq!(
        s.backend_saw("/anything"),
        2,
        "a throttled request never reaches the backend"
    );
    // Every client shares the bucket: another path on the same route is throttled too.
    assert_throttled(&s.get("/elsewhere", None).await);
    let token = s.issuer.token("");
    assert_eq!(s.statuses("/asteroids", Some(&token), 4).await, [200; 4]);

    let id = third.header("apigw-requestid").unwrap().to_owned();
    eventually("the access-log line", || {
        let out = s.gateway.stdout();
        let id = id.clone();
        async move { out.contains(&id) }
    })
    .await;
    let line = s.gateway.stdout().lines().find(|l| l.contains(&id)).unwrap().to_owned();
    let entry: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["status"], 429);
    assert_eq!(entry["routeKey"], "$default");
    assert_eq!(entry["errorSource"], "client");
    assert_eq!(entry["integrationStatus"], "-");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_setting_overrides_the_stage_default_and_every_route_has_its_own_bucket() {
    let s = Setup::start(
        "defaultRouteSettings: {throttlingBurstLimit: 1, throttlingRateLimit: 0.001}\n\
         routeSettings:\n  $default: {throttlingBurstLimit: 3}",
    )
    .await;
    assert_eq!(s.statuses("/x", None, 4).await, [200, 200, 200, 429]);
    let silver = s.issuer.token("http://myapp.com/scp/silver");
    assert_eq!(s.statuses("/planets", Some(&silver), 2).await, [200, 429]);
    assert_eq!(s.statuses("/moons", None, 2).await, [401, 429]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_is_checked_before_the_authorizer() {
    let s = Setup::start("routeSettings:\n  \"GET /asteroids\": {throttlingBurstLimit: 1, throttlingRateLimit: 0.001}")
        .await;
    // The refused token spends the bucket; a valid one cannot get past the empty bucket.
    assert_eq!(s.get("/asteroids", Some("not-a-token")).await.status, 401);
    let valid = s.get("/asteroids", Some(&s.issuer.token(""))).await;
    assert_throttled(&valid);
    assert_eq!(s.backend_saw("/asteroids"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_of_zero_block_every_request() {
    let s = Setup::start(
        "defaultRouteSettings: {throttlingBurstLimit: 0, throttlingRateLimit: 0}\n\
         routeSettings:\n  \"GET /planets\": {throttlingRateLimit: 1000}",
    )
    .await;
    assert_throttled(&s.get("/", None).await);
    assert_throttled(&s.get("/asteroids", None).await);
    let silver = s.issuer.token("http://myapp.com/scp/silver");
    assert_throttled(&s.get("/planets", Some(&silver)).await);
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_unchanged_buckets_and_replaces_changed_ones() {
    let s = Setup::start("routeSettings:\n  $default: {throttlingBurstLimit: 2, throttlingRateLimit: 0.001}").await;
    assert_eq!(s.statuses("/x", None, 3).await, [200, 200, 429]);

    let unchanged = with_ping_route(&std::fs::read_to_string(&s.gateway.config).unwrap());
    std::fs::write(&s.gateway.config, &unchanged).unwrap();
    eventually("the reload adding GET /ping", || async {
        s.get("/ping", None).await.status == 200
    })
    .await;
    assert_throttled(&s.get("/x", None).await);

    let changed = unchanged.replace("throttlingBurstLimit: 2", "throttlingBurstLimit: 3");
    std::fs::write(&s.gateway.config, changed).unwrap();
    eventually("the reload changing the burst", || async {
        s.get("/x", None).await.status == 200
    })
    .await;
    assert_eq!(
        s.statuses("/x", None, 3).await,
        [200, 200, 429],
        "a new, full bucket of 3"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_route_settings_are_validated_and_enforced_and_other_writes_keep_the_bucket() {
    let backend = Backend::start().await;
    let issuer = TestIssuer::start().await;
    let gateway = Gateway::start(&solar_config(&issuer.url, &backend.url));
    let base = admin_url(&gateway);
    let created = admin(
        &base,
        "POST",
        "/v2/apis",
        Some(json!({ "name": "throttled", "protocolType": "HTTP", "target": backend.url })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let api_id = created.json()["apiId"].as_str().unwrap().to_owned();
    let stage = format!("/v2/apis/{api_id}/stages/%24default");
    let update = |body: Value| admin(&base, "PATCH", &stage, Some(body));

    let unknown = update(json!({ "routeSettings": { "GET /nope": { "throttlingBurstLimit": 1 } } })).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(
        unknown.json()["message"],
        "Unable to find Route by key GET /nope within the provided RouteSettings"
    );
    let negative = update(json!({ "defaultRouteSettings": { "throttlingBurstLimit": -1 } })).await;
    assert_eq!(negative.status, 400);
    assert!(
        negative.body.contains("throttlingBurstLimit must be from 0"),
        "{}",
        negative.body
    );
    let logging = update(json!({ "routeSettings": { "$default": { "loggingLevel": "INFO" } } })).await;
    assert_eq!(logging.status, 400);
    assert!(
        logging
            .body
            .contains("Execution logs are not supported on protocolType HTTP")
    );

    let set =
        update(json!({ "routeSettings": { "$default": { "throttlingBurstLimit": 2, "throttlingRateLimit": 0.001 } } }))
            .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["routeSettings"]["$default"]["throttlingBurstLimit"], 2);
    eventually("the route setting to be enforced", || async {
        call_api(&gateway, &api_id, "/x").await.status == 429
    })
    .await;

    // An unrelated write (a new route, auto-deployed) rebuilds the data plane.
    let integrations = admin(&base, "GET", &format!("/v2/apis/{api_id}/integrations"), None).await;
    let integration = integrations.json()["items"][0]["integrationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let route = admin(
        &base,
        "POST",
        &format!("/v2/apis/{api_id}/routes"),
        Some(json!({ "routeKey": "GET /fresh", "target": format!("integrations/{integration}") })),
    )
    .await;
    assert_eq!(route.status, 201, "{}", route.body);
    eventually("the new route to be served", || async {
        call_api(&gateway, &api_id, "/fresh").await.status == 200
    })
    .await;
    assert_eq!(
        call_api(&gateway, &api_id, "/x").await.status,
        429,
        "the bucket was kept"
    );

    let deleted = admin(&base, "DELETE", &format!("{stage}/routesettings/%24default"), None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    eventually("the throttle to be lifted", || async {
        call_api(&gateway, &api_id, "/x").await.status == 200
    })
    .await;
}
