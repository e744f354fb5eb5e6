//! The command line: `validate` output and exit codes, and `serve`'s reload on edit and SIGHUP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

use support::{Backend, Gateway, TestIssuer, get, solar_config};

fn validate(text: &str) -> (i32, String) {
    let dir = support::TempDir::new();
    let path = dir.0.join("gateway.yaml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).replace(&path.display().to_string(), "FILE"),
    )
}

const SOLAR: &str = include_str!("../examples/solar-system/gateway.yaml");

#[test]
fn validate_accepts_the_example_with_a_one_line_summary() {
    let (code, out) = validate(SOLAR);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        "FILE: OK — gateway on 127.0.0.1:8000: 1 API(s), 4 route(s), 1 authorizer(s), 4 integration(s), 1 stage(s); admin API on 127.0.0.1:8001: 1 access key(s)"
    );
}

#[test]
fn validate_prints_every_problem_with_path_line_column_and_hint() {
    let bad = SOLAR
        .replace("routeKey: GET /planets", "routeKey: GET /planets/")
        .replace(
            "authorizerId: okta\n          authorizationScopes: [\"http://myapp.com/scp/gold\"]",
            "authorizerId: nobody\n          authorizationScopes: [\"http://myapp.com/scp/gold\"]",
        );
    let (code, out) = validate(&bad);
    assert_eq!(code, 1);
    let line = SOLAR
        .lines()
        .position(|l| l.contains("routeKey: GET /planets"))
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("FILE:{line}:11: gateway.apis[0].routes[2].routeKey: ")),
        "{out}"
    );
    assert!(
        out.contains("gateway.apis[0].routes[3].authorizerId: Invalid authorizer ID specified."),
        "{out}"
    );
    assert!(out.contains("    hint: "), "{out}");
    assert!(out.trim_end().ends_with("FILE: 2 problem(s)"), "{out}");
}

#[test]
fn validate_reports_unreadable_files() {
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["validate", "/nonexistent/gateway.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reloads_and_an_invalid_edit_keeps_the_old_configuration() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url);
    let gateway = Gateway::start(&config);
    let url = format!("{}/asteroids", gateway.url);
    assert_eq!(get(&url, None).await.status, 401);

    let open = config.replacen(
        "authorizationType: JWT\n          authorizerId: okta\n          target: integrations/asteroids",
        "target: integrations/asteroids",
        1,
    );
    std::fs::write(&gateway.config, &open).unwrap();
    support::eventually("the edit to be applied", || {
        let url = url.clone();
        async move { get(&url, None).await.status == 200 }
    })
    .await;

    std::fs::write(
        &gateway.config,
        open.replace("routeKey: GET /asteroids", "routeKey: GET /asteroids/"),
    )
    .unwrap();
    support::eventually("the rejection to be logged", || {
        let err = gateway.stderr();
        async move { err.contains("configuration change rejected") }
    })
    .await;
    assert_eq!(
        get(&url, None).await.status,
        200,
        "the previous configuration keeps serving"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let gateway = Gateway::start(&solar_config(&issuer.url, &backend.url));
    gateway.hangup();
    support::eventually("the SIGHUP reload", || {
        let err = gateway.stderr();
        async move { err.contains("configuration reloaded") }
    })
    .await;
    assert_eq!(get(&format!("{}/", gateway.url), None).await.status, 200);
}

async fn explain(config: &str, token: Option<String>, request: &str) -> (i32, String) {
    let dir = support::TempDir::new();
    let path = dir.0.join("gateway.yaml");
    std::fs::write(&path, config).unwrap();
    let request = request.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portcullis"));
        cmd.arg("explain").arg("--config").arg(&path);
        if let Some(t) = token {
            cmd.args(["--token", &t]);
        }
        cmd.arg(request).output().unwrap()
    })
    .await
    .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_shows_every_check_and_the_403_the_gateway_would_send() {
    let issuer = TestIssuer::start().await;
    let config = solar_config(&issuer.url, "http://127.0.0.1:9");
    let (code, out) = explain(&config, Some(issuer.token("openid")), "GET /planets").await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("route       GET /planets -> integration planets"), "{out}");
    for step in [
        "[ok]   token",
        "[ok]   alg",
        "[ok]   kid",
        "[ok]   signature",
        "[ok]   iss",
        "[ok]   aud",
        "[ok]   exp",
        "[FAIL] scope",
    ] {
        assert!(out.contains(step), "{step} missing:\n{out}");
    }
    assert!(out.contains("response    403 Forbidden"), "{out}");
    assert!(out.contains(r#"error="insufficient_scope""#), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_passes_a_silver_token_and_explains_a_missing_one() {
    let issuer = TestIssuer::start().await;
    let config = solar_config(&issuer.url, "http://127.0.0.1:9");
    let (code, out) = explain(
        &config,
        Some(issuer.token("http://myapp.com/scp/silver")),
        "GET http://localhost:8000/planets",
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[ok]   scope") && out.contains("forwarded to the backend"),
        "{out}"
    );
    let (code, out) = explain(&config, None, "GET /planets").await;
    assert_eq!(code, 1);
    assert!(
        out.contains("response    401 Unauthorized") && out.contains("www-authenticate: Bearer\n"),
        "{out}"
    );
    let (code, out) = explain(&config, None, "GET /nothing").await;
    assert_eq!(code, 0);
    assert!(out.contains("route       $default"), "{out}");
}

fn portcullis(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/solar-system/openapi.yaml");
const GATEWAY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/solar-system/gateway.yaml");

#[test]
fn validate_accepts_the_example_openapi_document_and_refuses_swagger() {
    let (code, out, _) = portcullis(&["validate", OPENAPI]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK — OpenAPI document: 4 route(s), 0 warning(s)"), "{out}");
    let (code, out) = validate("swagger: \"2.0\"\ninfo: {title: old, version: \"1\"}\npaths: {}\n");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.to_lowercase().contains("openapi 2.0") || out.contains("swagger"),
        "{out}"
    );
}

#[test]
fn import_prints_an_apis_entry_the_gateway_accepts() {
    let (code, out, err) = portcullis(&["import", OPENAPI, "--api-id", "imported"]);
    assert_eq!(code, 0, "{err}");
    let entry: String = out
        .lines()
        .filter(|l| !l.starts_with('#') && *l != "---")
        .map(|l| format!("    {l}\n"))
        .collect();
    let config = format!("gateway:\n  listen: 127.0.0.1:8000\n  apis:\n{entry}");
    let (code, summary) = validate(&config);
    assert_eq!(code, 0, "{summary}\n{config}");
    assert!(summary.contains("1 API(s), 4 route(s), 1 authorizer(s)"), "{summary}");
}

#[test]
fn export_then_import_round_trips_the_example_api() {
    let (code, exported, err) = portcullis(&["export", "--config", GATEWAY, "--api", "solar", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(doc["openapi"], "3.0.1");
    assert_eq!(
        doc["servers"][0]["url"],
        "http://solar.execute-api.localhost:8000/{basePath}"
    );
    assert_eq!(
        doc["paths"]["/moons"]["get"]["security"][0]["Okta"][0],
        "http://myapp.com/scp/gold"
    );
    let dir = support::TempDir::new();
    let path = dir.0.join("exported.json");
    std::fs::write(&path, &exported).unwrap();
    let (code, out, err) = portcullis(&["import", path.to_str().unwrap(), "--api-id", "solar"]);
    assert_eq!(code, 0, "{err}");
    for key in ["$default", "GET /asteroids", "GET /planets", "GET /moons"] {
        assert!(out.contains(&format!("routeKey: \"{key}\"")), "{key} missing:\n{out}");
    }
    let (code, _, err) = portcullis(&["export", "--config", GATEWAY, "--api", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("no API nope"), "{err}");
}
