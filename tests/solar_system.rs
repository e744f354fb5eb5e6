//! The reference scenario end to end: the example configuration served by the real binary,
//! with a real issuer (discovery + JWKS over HTTP) and a recording backend.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Solar, get};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_is_401_with_a_bare_bearer_challenge() {
    let s = Solar::start().await;
    let r = get(&s.url("/planets"), None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("apigw-requestid").map(str::len), Some(16));
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_token_on_planets_is_403_naming_the_silver_scope() {
    let s = Solar::start().await;
    let r = get(&s.url("/planets"), Some(&s.issuer.token("openid"))).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body, r#"{"message":"Forbidden"}"#);
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer scope="http://myapp.com/scp/silver" error="insufficient_scope" error_description="expected scopes: [http://myapp.com/scp/silver]""#
        )
    );
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silver_token_on_planets_reaches_the_backend() {
    let s = Solar::start().await;
    let token = s.issuer.token("openid http://myapp.com/scp/silver");
    let r = get(&s.url("/planets"), Some(&token)).await;
    assert_eq!(r.status, 200, "{}", s.gateway.stderr());
    assert_eq!(r.json()["planets"][2], "Earth");
    let seen = s.backend.last();
    assert_eq!(seen.uri, "/planets");
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {token}").as_str()),
        "Authorization passes through"
    );
    assert!(seen.header("forwarded").unwrap().contains("for=127.0.0.1"));
    assert_eq!(seen.header("via"), Some("HTTP/1.1 Portcullis"));
    assert_eq!(seen.header("host"), Some(s.backend.url.trim_start_matches("http://")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_route_accepts_any_valid_token() {
    let s = Solar::start().await;
    let r = get(&s.url("/asteroids"), Some(&s.issuer.token(""))).await;
    assert_eq!(r.status, 200);
    assert_eq!(s.backend.last().uri, "/asteroids");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gold_route_refuses_silver_and_admits_gold() {
    let s = Solar::start().await;
    let silver = get(&s.url("/moons"), Some(&s.issuer.token("http://myapp.com/scp/silver"))).await;
    assert_eq!(silver.status, 403);
    let gold = get(
        &s.url("/moons"),
        Some(&s.issuer.token("http://myapp.com/scp/silver http://myapp.com/scp/gold")),
    )
    .await;
    assert_eq!(gold.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_and_unknown_paths_go_to_the_default_route() {
    let s = Solar::start().await;
    let home = get(&s.url("/"), None).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Solar system API"));
    let other = get(&s.url("/nothing/here?x=1"), None).await;
    assert_eq!(other.status, 200);
    assert_eq!(s.backend.last().uri, "/nothing/here?x=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_access_logged_as_one_json_line() {
    let s = Solar::start().await;
    let r = get(&s.url("/planets"), None).await;
    let id = r.header("apigw-requestid").unwrap().to_owned();
    support::eventually("the access-log line", || {
        let out = s.gateway.stdout();
        let id = id.clone();
        async move { out.contains(&id) }
    })
    .await;
    let line = s.gateway.stdout().lines().find(|l| l.contains(&id)).unwrap().to_owned();
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["status"], 401);
    assert_eq!(entry["routeKey"], "GET /planets");
    assert_eq!(entry["authorizerError"], "missing: token not provided");
    assert_eq!(entry["httpMethod"], "GET");
    assert_eq!(entry["integrationStatus"], "-");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_serves_the_whole_story_and_logs_every_request() {
    let issuer = support::TestIssuer::start().await;
    let backend = support::Backend::start().await;
    let config = support::solar_config(&issuer.url, &backend.url);
    let gateway = support::Gateway::start_with_workers(&config, &[], 1);
    let url = |p: &str| format!("{}{p}", gateway.url);
    let silver = issuer.token("openid http://myapp.com/scp/silver");
    assert_eq!(get(&url("/planets"), None).await.status, 401);
    assert_eq!(get(&url("/planets"), Some(&issuer.token("openid"))).await.status, 403);
    for _ in 0..3 {
        assert_eq!(get(&url("/planets"), Some(&silver)).await.status, 200);
    }
    assert_eq!(get(&url("/"), None).await.status, 200);
    assert_eq!(backend.count(), 4);
    support::eventually("six access-log lines", || {
        let lines = gateway.stdout().lines().count();
        async move { lines == 6 }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_data_plane_worker_is_a_thread_of_its_own_and_all_of_them_serve() {
    let issuer = support::TestIssuer::start().await;
    let backend = support::Backend::start().await;
    let config = support::solar_config(&issuer.url, &backend.url);
    let workers = |g: &support::Gateway| {
        g.thread_names()
            .iter()
            .filter(|n| n.starts_with("portcullis-w"))
            .count()
    };

    let one = support::Gateway::start_with_workers(&config, &[], 1);
    assert_eq!(workers(&one), 0, "one worker is the main thread");
    drop(one);

    let mut gateway = support::Gateway::start_with_workers(&config, &[], 3);
    // The listener is announced before the worker threads start.
    support::eventually("three worker threads", || {
        let count = workers(&gateway);
        async move { count == 3 }
    })
    .await;
    let silver = issuer.token("openid http://myapp.com/scp/silver");
    // 48 requests at once: whichever worker accepts a connection, every request is answered.
    let url = format!("{}/planets", gateway.url);
    let answers = futures_util::future::join_all((0..48).map(|_| {
        let (url, token) = (url.clone(), silver.clone());
        async move { get(&url, Some(&token)).await.status }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    assert_eq!(backend.count(), 48);
    // SIGTERM reaches every worker: each drains and the process exits cleanly.
    let status = gateway.terminate().await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}\n{}", gateway.stderr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_without_an_access_log_serves_from_a_single_thread() {
    // While a process has a second thread, the kernel references and releases the file behind
    // every socket call; one worker keeps no other thread alive between its background reads.
    let issuer = support::TestIssuer::start().await;
    let backend = support::Backend::start().await;
    let config = support::solar_config(&issuer.url, &backend.url);
    let gateway = support::Gateway::start_with_args(&config, &[], &["--workers", "1", "--no-access-log"]);
    let silver = issuer.token("openid http://myapp.com/scp/silver");
    assert_eq!(
        get(&format!("{}/planets", gateway.url), Some(&silver)).await.status,
        200
    );
    // The configuration file is read every 500 ms and the admin store every 250 ms, each on
    // tokio's blocking pool; the thread that did it leaves as soon as it is done. (Reloads on
    // such threads: tests/cli.rs, the main thread's runtime being the same with any workers.)
    support::eventually("a single thread", || {
        let threads = gateway.thread_names();
        async move { threads.len() == 1 }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_access_log_format_shapes_its_lines() {
    let issuer = support::TestIssuer::start().await;
    let backend = support::Backend::start().await;
    let format = r#"$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod $context.routeKey $context.protocol\" $context.status $context.responseLength $context.requestId $context.authorizer.error"#;
    let config = support::solar_config(&issuer.url, &backend.url).replace(
        "        - stageName: $default\n          autoDeploy: true\n",
        &format!(
            "        - stageName: $default\n          autoDeploy: true\n          accessLogSettings:\n            destinationArn: arn:aws:logs:us-east-1:000000000000:log-group:solar\n            format: \"{format}\"\n"
        ),
    );
    assert!(config.contains("accessLogSettings"), "the example's stage moved");
    let gateway = support::Gateway::start(&config);
    let r = get(&format!("{}/planets", gateway.url), None).await;
    let id = r.header("apigw-requestid").unwrap().to_owned();
    support::eventually("the access-log line", || {
        let out = gateway.stdout();
        let id = id.clone();
        async move { out.contains(&id) }
    })
    .await;
    let line = gateway.stdout().lines().find(|l| l.contains(&id)).unwrap().to_owned();
    let expected_tail = format!("\"GET GET /planets HTTP/1.1\" 401 26 {id} missing: token not provided");
    assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
    assert!(line.ends_with(&expected_tail), "{line}");

    let bad = support::solar_config(&issuer.url, &backend.url).replace(
        "          autoDeploy: true\n",
        "          autoDeploy: true\n          accessLogSettings:\n            format: \"$context.status $context.nope\"\n",
    );
    let dir = support::TempDir::new();
    let path = dir.0.join("bad.yaml");
    std::fs::write(&path, bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        text.contains("accessLogSettings.format: access log format uses an unknown variable $context.nope"),
        "{text}"
    );
}
