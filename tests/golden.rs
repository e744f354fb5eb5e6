//! Golden files for every error response the data plane produces (throttling's 429 included),
//! and for its own answers to CORS preflights: status, headers (all but `date` and the random
//! `apigw-requestid`) and body, byte for byte. `UPDATE_GOLDEN=1` rewrites them; review the diff
//! like code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{Backend, Gateway, JwksMode, Reply, Solar, TestIssuer, get, raw_get, send, solar_config, with_cors};

fn render(r: &Reply) -> String {
    let mut out = format!("{} {}\n", r.status.as_u16(), r.status.canonical_reason().unwrap_or(""));
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(n, _)| *n != "date" && *n != "apigw-requestid")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_owned()))
        .collect();
    headers.sort();
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\n"));
    }
    out.push('\n');
    out.push_str(&r.body);
    out.push('\n');
    out
}

fn check(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.http"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(actual, expected, "golden file {name}.http differs");
}

fn raw_reply(raw: &str) -> String {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().trim_start_matches("HTTP/1.1 ").to_owned();
    let mut headers: Vec<&str> = lines
        .filter(|l| !l.starts_with("date:") && !l.starts_with("apigw-requestid:"))
        .collect();
    headers.sort();
    format!("{status}\n{}\n\n{body}\n", headers.join("\n"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorizer_responses() {
    let s = Solar::start().await;
    let mut expired = s.issuer.claims("http://myapp.com/scp/gold");
    expired["exp"] = json!(1);
    check("401-missing-token", &render(&get(&s.url("/moons"), None).await));
    check(
        "401-malformed-token",
        &render(&get(&s.url("/moons"), Some("not-a-token")).await),
    );
    check(
        "401-expired-token",
        &render(&get(&s.url("/moons"), Some(&s.issuer.sign(&expired))).await),
    );
    check(
        "401-invalid-request",
        &render(&send("GET", &s.url("/moons"), &[("authorization", "Bearer")]).await),
    );
    check(
        "403-insufficient-scope",
        &render(
            &get(
                &s.url("/moons"),
                Some(&s.issuer.token("openid http://myapp.com/scp/silver")),
            )
            .await,
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_routing_responses() {
    let s = Solar::start().await;
    check("400-bad-path", &raw_reply(&raw_get(s.gateway.addr, "/planets%2Fx", "")));
    let big = support::raw(
        s.gateway.addr,
        b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\nConnection: close\r\n\r\n",
    );
    check("413-payload-too-large", &raw_reply(&big));
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let staged =
        Gateway::start(&solar_config(&issuer.url, &backend.url).replace("stageName: $default", "stageName: prod"));
    check(
        "404-not-found",
        &render(&get(&format!("{}/planets", staged.url), None).await),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failure_responses() {
    let issuer = TestIssuer::start().await;
    issuer.set_mode(JwksMode::Fail);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let gateway = Gateway::start(&solar_config(&issuer.url, &dead));
    check(
        "503-no-issuer-keys",
        &render(&get(&format!("{}/asteroids", gateway.url), Some(&issuer.token(""))).await),
    );
    check(
        "502-backend-unreachable",
        &render(&get(&format!("{}/", gateway.url), None).await),
    );
    let backend = Backend::start().await;
    backend.set_delay(3_000);
    let slow = solar_config(&issuer.url, &backend.url).replacen(
        "payloadFormatVersion: \"1.0\"",
        "payloadFormatVersion: \"1.0\"\n          timeoutInMillis: 100",
        1,
    );
    let gateway = Gateway::start(&slow);
    check(
        "503-backend-timeout",
        &render(&get(&format!("{}/", gateway.url), None).await),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_responses() {
    const APP: &str = "http://localhost:8080";
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let cors = "allowOrigins: [\"http://localhost:8080\"]\nallowMethods: [GET, POST]\n\
                allowHeaders: [authorization]\nexposeHeaders: [www-authenticate]\nmaxAge: 600\n\
                allowCredentials: true";
    let gateway = Gateway::start(&with_cors(&solar_config(&issuer.url, &backend.url), cors));
    let planets = format!("{}/planets", gateway.url);
    let preflight = |origin: &'static str| {
        let planets = planets.clone();
        async move {
            let headers = [
                ("origin", origin),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization"),
            ];
            send("OPTIONS", &planets, &headers).await
        }
    };
    check("204-cors-preflight", &render(&preflight(APP).await));
    check(
        "204-cors-preflight-other-origin",
        &render(&preflight("https://evil.example").await),
    );
    check(
        "401-missing-token-cors",
        &render(&send("GET", &planets, &[("origin", APP)]).await),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_responses() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let anchor = "          autoDeploy: true\n";
    let blocked = solar_config(&issuer.url, &backend.url).replacen(
        anchor,
        &format!("{anchor}          defaultRouteSettings: {{throttlingBurstLimit: 0, throttlingRateLimit: 0}}\n"),
        1,
    );
    let gateway = Gateway::start(&blocked);
    check(
        "429-too-many-requests",
        &render(&get(&format!("{}/planets", gateway.url), None).await),
    );
}
