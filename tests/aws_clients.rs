//! The admin API (apigatewayv2) against AWS's own clients and under the conditions the issue
//! names: boto3 and the AWS CLI replay the console walkthrough on a running `portcullis demo`
//! (interop/python/test_boto3_admin.py, test_awscli_admin.py); everything the admin API created
//! survives a restart byte for byte; and configuration changes under load fail no request.
//!
//! boto3, botocore and awscli are pinned in interop/requirements.txt and installed by
//! scripts/test-all; when missing these tests fail (never skip) and say so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Reply, TempDir, free_port, spawn_demo, wait_for_demo};

const SUITE_TIMEOUT: Duration = Duration::from_secs(150);
const KEY: &str = support::ADMIN_KEY;
const SECRET: &str = support::ADMIN_SECRET;

/// A running `portcullis demo` on free ports, stopped on drop.
struct Demo {
    child: std::process::Child,
    ports: [u16; 5],
}

impl Demo {
    fn start(data: &std::path::Path) -> Self {
        let ports = [free_port(), free_port(), free_port(), free_port(), free_port()];
        Self::start_on(ports, data)
    }

    fn start_on(ports: [u16; 5], data: &std::path::Path) -> Self {
        let mut child = spawn_demo(&ports, data);
        wait_for_demo(&mut child);
        Self { child, ports }
    }

    fn admin(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports[4])
    }

    fn gateway(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports[0])
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one Python suite against `demo`, asserting it passed and ran something.
fn python_suite(file: &str) {
    let check = Command::new("python3")
        .args(["-c", "import boto3, awscli"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "python3 cannot import boto3 and awscli: run scripts/test-all once (it installs interop/requirements.txt)\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let data = TempDir::new();
    let demo = Demo::start(&data.0);
    let started = Instant::now();
    let mut child = Command::new("python3")
        .args(["-m", "unittest", "-v", file])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/interop/python"))
        .env("ADMIN_URL", demo.admin())
        .env("GATEWAY_URL", demo.gateway())
        .env("ISSUER", format!("http://localhost:{}/oauth2/default", demo.ports[1]))
        .env("BACKEND_URL", format!("http://localhost:{}", demo.ports[2]))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() && started.elapsed() < SUITE_TIMEOUT {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ran = text
        .lines()
        .find_map(|l| l.strip_prefix("Ran "))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    assert!(
        out.status.success() && ran > 0 && text.lines().any(|l| l.trim() == "OK"),
        "{file} failed after {:.1?}:\n{text}",
        started.elapsed()
    );
    demo.stop();
}

#[test]
fn boto3_replays_the_console_walkthrough() {
    python_suite("test_boto3_admin.py");
}

#[test]
fn the_aws_cli_replays_the_console_walkthrough() {
    python_suite("test_awscli_admin.py");
}

/// A SigV4-signed admin request, as botocore would send it.
async fn admin(base: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    support::admin(base, method, path, body).await
}

/// Calls the gateway for `api_id` (its invoke host name in `Host`).
async fn call(gateway: &str, port: u16, api_id: &str, path: &str) -> Reply {
    let host = format!("{api_id}.execute-api.localhost:{port}");
    support::send("GET", &format!("{gateway}{path}"), &[("host", &host)]).await
}

/// Creates an API with a route to the demo backend on an auto-deploying `$default` stage.
async fn create_api(admin_url: &str, backend_port: u16) -> String {
    let api = admin(
        admin_url,
        "POST",
        "/v2/apis",
        Some(json!({ "name": "persisted", "protocolType": "HTTP", "target": format!("http://localhost:{backend_port}") })),
    )
    .await;
    assert_eq!(api.status, 201, "{}", api.body);
    api.json()["apiId"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_the_admin_api_created_survives_a_restart_byte_for_byte() {
    let data = TempDir::new();
    let demo = Demo::start(&data.0);
    let ports = demo.ports;
    let api_id = create_api(&demo.admin(), ports[2]).await;
    // The quick-create `$default` route forwards `/prod/planets` as is (the stage prefix is
    // part of the path it appends), so the named stage gets a route of its own.
    let planets = admin(&demo.admin(), "POST", &format!("/v2/apis/{api_id}/integrations"), Some(json!({"integrationType": "HTTP_PROXY", "integrationMethod": "GET", "integrationUri": format!("http://localhost:{}/planets", ports[2]), "payloadFormatVersion": "1.0"}))).await;
    assert_eq!(planets.status, 201, "{}", planets.body);
    let target = format!("integrations/{}", planets.json()["integrationId"].as_str().unwrap());
    let route = admin(
        &demo.admin(),
        "POST",
        &format!("/v2/apis/{api_id}/routes"),
        Some(json!({"routeKey": "GET /planets", "target": target})),
    )
    .await;
    assert_eq!(route.status, 201, "{}", route.body);
    let stage = admin(
        &demo.admin(),
        "POST",
        &format!("/v2/apis/{api_id}/stages"),
        Some(json!({"stageName": "prod", "stageVariables": {"v": "1"}})),
    )
    .await;
    assert_eq!(stage.status, 201, "{}", stage.body);
    let deployment = admin(
        &demo.admin(),
        "POST",
        &format!("/v2/apis/{api_id}/deployments"),
        Some(json!({"stageName": "prod", "description": "first"})),
    )
    .await;
    assert_eq!(deployment.status, 201, "{}", deployment.body);
    let paths = [
        "/v2/apis".to_owned(),
        format!("/v2/apis/{api_id}"),
        format!("/v2/apis/{api_id}/routes"),
        format!("/v2/apis/{api_id}/integrations"),
        format!("/v2/apis/{api_id}/stages"),
        format!("/v2/apis/{api_id}/deployments"),
    ];
    let mut before = Vec::new();
    for path in &paths {
        let reply = admin(&demo.admin(), "GET", path, None).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        before.push(reply.body);
    }
    support::eventually("the deployment is served", || {
        let (gw, id) = (demo.gateway(), api_id.clone());
        async move { call(&gw, ports[0], &id, "/prod/planets").await.status == 200 }
    })
    .await;
    demo.stop();

    let demo = Demo::start_on(ports, &data.0);
    for (path, earlier) in paths.iter().zip(&before) {
        let reply = admin(&demo.admin(), "GET", path, None).await;
        assert_eq!(&reply.body, earlier, "{path} changed across the restart");
    }
    assert_eq!(
        call(&demo.gateway(), ports[0], &api_id, "/prod/planets").await.status,
        200
    );
    assert_eq!(call(&demo.gateway(), ports[0], &api_id, "/planets").await.status, 200);
    demo.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configuration_changes_under_load_fail_no_request() {
    let data = TempDir::new();
    let demo = Demo::start(&data.0);
    let ports = demo.ports;
    let api_id = create_api(&demo.admin(), ports[2]).await;
    support::eventually("the new API is served", || {
        let (gw, id) = (demo.gateway(), api_id.clone());
        async move { call(&gw, ports[0], &id, "/planets").await.status == 200 }
    })
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        let (gw, id) = (demo.gateway(), api_id.clone());
        clients.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let reply = call(&gw, ports[0], &id, "/planets").await;
                if reply.status == 200 && reply.body.contains("Jupiter") {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                    eprintln!("failed: {} {}", reply.status, reply.body);
                }
            }
        }));
    }
    // Twenty writes that each redeploy the stage the load is hitting.
    let integration = admin(&demo.admin(), "GET", &format!("/v2/apis/{api_id}/integrations"), None)
        .await
        .json()["items"][0]["integrationId"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..20 {
        let route = admin(
            &demo.admin(),
            "POST",
            &format!("/v2/apis/{api_id}/routes"),
            Some(json!({ "routeKey": format!("GET /extra{i}"), "target": format!("integrations/{integration}") })),
        )
        .await;
        assert_eq!(route.status, 201, "{}", route.body);
        let timeout = admin(
            &demo.admin(),
            "PATCH",
            &format!("/v2/apis/{api_id}/integrations/{integration}"),
            Some(json!({ "timeoutInMillis": 10_000 + i })),
        )
        .await;
        assert_eq!(timeout.status, 200, "{}", timeout.body);
    }
    support::eventually("the last write is served", || {
        let (gw, id) = (demo.gateway(), api_id.clone());
        // The quick-create integration has no path: the backend's index page answers.
        async move { call(&gw, ports[0], &id, "/extra19").await.status == 200 }
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("{ok} requests succeeded, {failed} failed during 40 configuration changes");
    assert!(ok > 100, "too little load to mean anything: {ok}");
    assert_eq!(failed, 0);
    demo.stop();
}

/// The admin listener's address, from the line `serve` prints.
fn admin_url(gateway: &support::Gateway) -> String {
    support::admin_url(gateway)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_is_served_by_another_sharing_the_store_within_a_second() {
    let backend = support::Backend::start().await;
    let data = TempDir::new();
    let store = data.0.join("shared.db");
    let config = format!(
        "gateway:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n  store: {}\n  credentials:\n    - accessKeyId: {KEY}\n      secretAccessKey: {SECRET}\n",
        store.display()
    );
    let (a, b) = (support::Gateway::start(&config), support::Gateway::start(&config));
    let created = admin(
        &admin_url(&a),
        "POST",
        "/v2/apis",
        Some(json!({ "name": "shared", "protocolType": "HTTP", "target": backend.url })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let written = Instant::now();
    let api_id = created.json()["apiId"].as_str().unwrap().to_owned();
    loop {
        let reply = call(&b.url, b.addr.port(), &api_id, "/anything").await;
        if reply.status == 200 {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "node b still answers {} {} after {:?}",
            reply.status,
            reply.body,
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("node b served the API {:?} after node a's write", written.elapsed());
    // Node b's admin API reads the same store.
    let listed = admin(&admin_url(&b), "GET", &format!("/v2/apis/{api_id}"), None).await;
    assert_eq!(listed.json()["name"], "shared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_none_of_each_others_changes() {
    let data = TempDir::new();
    let demo = Demo::start(&data.0);
    let api_id = create_api(&demo.admin(), demo.ports[2]).await;
    let writers: Vec<_> = (0..24)
        .map(|i| {
            let (base, id) = (demo.admin(), api_id.clone());
            tokio::spawn(async move {
                let body = json!({ "routeKey": format!("GET /concurrent/{i}") });
                admin(&base, "POST", &format!("/v2/apis/{id}/routes"), Some(body))
                    .await
                    .status
            })
        })
        .collect();
    for w in writers {
        assert_eq!(w.await.unwrap(), 201);
    }
    let routes = admin(&demo.admin(), "GET", &format!("/v2/apis/{api_id}/routes"), None)
        .await
        .json();
    let keys: std::collections::BTreeSet<String> = routes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["routeKey"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 25, "the quick-create route and all 24 new ones: {keys:?}");
    demo.stop();
}
