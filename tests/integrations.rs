//! HTTP proxy integrations: backend failures (D15), timeouts, limits, streaming, parameter
//! mapping of claims (D10), hop-by-hop headers, named stages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{Backend, Gateway, TestIssuer, get, send, solar_config};

fn with_timeout(config: &str, ms: u32) -> String {
    config.replace(
        "integrationUri: BACKEND/asteroids\n",
        &format!("integrationUri: BACKEND/asteroids\n          timeoutInMillis: {ms}\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_timeout_is_503_like_aws() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = with_timeout(&solar_config(&issuer.url, "BACKEND"), 200).replace("BACKEND", &backend.url);
    assert!(config.contains("timeoutInMillis: 200"));
    let gateway = Gateway::start(&config);
    backend.set_delay(2_000);
    let r = get(&format!("{}/asteroids", gateway.url), Some(&issuer.token(""))).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body, r#"{"message":"Service Unavailable"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_cancels_its_backend_exchange() {
    // A backend that reads one request, never answers, and reports when the gateway closes the
    // connection. The integration's timeout is AWS's default 30 s, so the exchange ends within
    // the few seconds allowed below only if the gateway gives it up when its client goes
    // (as nginx and Envoy do; `runtime::hangup`'s watch of the client's socket is what notices).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let backend = format!("http://{}", listener.local_addr().unwrap());
    let (events, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::Read as _;
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let (mut head, mut chunk) = (Vec::new(), [0u8; 1024]);
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
            }
        }
        let _ = events.send("request");
        let closed = matches!(conn.read(&mut chunk), Ok(0) | Err(_));
        let _ = events.send(if closed { "closed" } else { "more data" });
    });
    let issuer = TestIssuer::start().await;
    let gateway = Gateway::start(&solar_config(&issuer.url, &backend));
    let mut client = std::net::TcpStream::connect(gateway.addr).unwrap();
    std::io::Write::write_all(&mut client, b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let wait = |secs| tokio::task::block_in_place(|| seen.recv_timeout(std::time::Duration::from_secs(secs)));
    assert_eq!(
        wait(10),
        Ok("request"),
        "the open $default route forwards to the backend"
    );
    drop(client);
    assert_eq!(
        wait(5),
        Ok("closed"),
        "the backend connection is closed once the client hangs up, not at the 30 s timeout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_backend_is_502() {
    let issuer = TestIssuer::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let gateway = Gateway::start(&solar_config(&issuer.url, &dead));
    let r = get(&format!("{}/", gateway.url), None).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.body, r#"{"message":"Bad Gateway"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_errors_pass_through_unchanged() {
    let s = support::Solar::start().await;
    let r = get(&s.url("/boom"), None).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["backend"], "failed");
    assert!(r.header("apigw-requestid").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_and_headers_are_refused_before_the_backend() {
    let s = support::Solar::start().await;
    let r = support::raw(
        s.gateway.addr,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(support::raw_status(&r), 413, "{r}");
    let huge = "a".repeat(100_000);
    let r = support::raw_get(s.gateway.addr, "/", &format!("X-Big: {huge}\r\n"));
    assert_eq!(support::raw_status(&r), 431, "{:.200}", r);
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_stream_to_the_backend() {
    let s = support::Solar::start().await;
    let body = "x".repeat(300_000);
    let req = format!(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = support::raw(s.gateway.addr, req.as_bytes());
    assert_eq!(support::raw_status(&r), 200, "{:.300}", r);
    assert_eq!(s.backend.last().body.len(), 300_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_mapped_into_headers_and_spoofed_copies_removed() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url).replace("integrationUri: BACKEND_PLANETS\n", "");
    let planets = format!("integrationUri: {}/planets\n", backend.url);
    let config = config.replacen(
        &planets,
        &format!("{planets}          requestParameters:\n            \"overwrite:header.x-user-sub\": \"$context.authorizer.claims.sub\"\n            \"overwrite:header.x-scopes\": \"$context.authorizer.claims.scp\"\n            \"overwrite:header.x-path\": \"$context.path\"\n            \"append:querystring.via\": \"gw-${{context.stage}}\"\n"),
        1,
    );
    let gateway = Gateway::start(&config);
    let token = issuer.token("openid http://myapp.com/scp/silver");
    let r = send(
        "GET",
        &format!("{}/planets?a=1", gateway.url),
        &[("authorization", &format!("Bearer {token}")), ("x-user-sub", "admin")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", gateway.stderr());
    let seen = backend.last();
    assert_eq!(seen.header_all("x-user-sub"), vec!["carl.sagan@mailinator.com"]);
    assert_eq!(seen.header("x-scopes"), Some("[openid http://myapp.com/scp/silver]"));
    // Not a `$default` route: the whole path is still made for a mapping that reads it.
    assert_eq!(seen.header("x-path"), Some("/planets"));
    assert_eq!(seen.uri, "/planets?a=1&via=gw-%24default");

    let mut claims = issuer.claims("http://myapp.com/scp/silver");
    claims["sub"] = json!("alice\r\nX-Admin: 1");
    let r = get(&format!("{}/planets", gateway.url), Some(&issuer.sign(&claims))).await;
    assert_eq!(r.status, 401, "a claim with CR/LF must not be forwarded (D10)");
    assert!(r.header("www-authenticate").unwrap().contains("invalid_token"));
    assert_eq!(backend.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_stages_consume_their_prefix_for_routing() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url).replace("        - stageName: $default\n          autoDeploy: true\n", "        - stageName: $default\n          autoDeploy: true\n        - stageName: beta\n          autoDeploy: true\n");
    let gateway = Gateway::start(&config);
    assert_eq!(get(&format!("{}/beta/planets", gateway.url), None).await.status, 401);
    let r = get(&format!("{}/beta/other", gateway.url), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        backend.last().uri,
        "/beta/other",
        "the $default route forwards the full path, stage included"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_default_stage_means_404_for_unprefixed_paths() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url).replace("stageName: $default", "stageName: prod");
    let gateway = Gateway::start(&config);
    let r = get(&format!("{}/planets", gateway.url), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body, r#"{"message":"Not Found"}"#);
    assert_eq!(get(&format!("{}/prod/", gateway.url), None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_named_headers_are_stripped_before_gateway_headers_are_added() {
    let s = support::Solar::start().await;
    let r = send(
        "GET",
        &s.url("/x"),
        &[
            ("connection", "x-secret, forwarded, via"),
            ("x-secret", "1"),
            ("x-forwarded-for", "6.6.6.6"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    let seen = s.backend.last();
    assert!(seen.header("x-secret").is_none());
    assert!(seen.header("x-forwarded-for").is_none());
    assert!(
        seen.header("forwarded")
            .unwrap()
            .starts_with("by=127.0.0.1;for=127.0.0.1")
    );
    assert_eq!(seen.header("via"), Some("HTTP/1.1 Portcullis"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forwarded_host_follows_each_request_on_one_connection() {
    // The `forwarded` value is kept per connection and remade when the Host changes.
    let s = support::Solar::start().await;
    let before = s.backend.count();
    let wire: String = ["a.example", "b.example", "a.example", "b.example"]
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let close = if i == 3 { "Connection: close\r\n" } else { "" };
            format!("GET /x/{i} HTTP/1.1\r\nHost: {host}\r\n{close}\r\n")
        })
        .collect();
    let stream = tokio::net::TcpStream::connect(s.gateway.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    tokio::io::AsyncWriteExt::write_all(&mut write, wire.as_bytes())
        .await
        .unwrap();
    let mut answers = String::new();
    let reading = tokio::io::AsyncReadExt::read_to_string(&mut read, &mut answers);
    tokio::time::timeout(std::time::Duration::from_secs(10), reading)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answers.matches("HTTP/1.1 200").count(), 4, "{answers}");
    let hosts: Vec<String> = s.backend.requests()[before..]
        .iter()
        .map(|r| r.header("forwarded").unwrap_or_default().to_owned())
        .collect();
    let expected = ["a.example", "b.example", "a.example", "b.example"]
        .map(|host| format!("by=127.0.0.1;for=127.0.0.1;host={host};proto=http"));
    assert_eq!(hosts, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_connections_are_pooled_and_kept_alive() {
    // Two data-plane workers (support::Gateway), each with its own pool: each request comes on
    // a new client connection, accepted by either worker, and reuses that worker's connection.
    let s = support::Solar::start().await;
    for _ in 0..12 {
        assert_eq!(get(&s.url("/x"), None).await.status, 200);
    }
    let peers: std::collections::HashSet<_> = s.backend.requests().iter().map(|r| r.peer).collect();
    assert!(
        (1..=2).contains(&peers.len()),
        "twelve sequential requests share at most one backend connection per worker: {peers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_responses_stream_through() {
    let s = support::Solar::start().await;
    let r = get(&s.url("/big"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 5 * 1024 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_string_identity_source_reads_the_token_from_the_query() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url)
        .replace("$request.header.Authorization", "$request.querystring.access_token");
    let gateway = Gateway::start(&config);
    let token = issuer.token("http://myapp.com/scp/silver");
    assert_eq!(
        get(&format!("{}/planets?access_token={token}", gateway.url), None)
            .await
            .status,
        200
    );
    let r = get(&format!("{}/planets", gateway.url), Some(&token)).await;
    assert_eq!(
        r.status, 401,
        "a header token does not count when the source is the query string"
    );
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_finish_on_the_snapshot_they_started_with() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url);
    let gateway = Gateway::start(&config);
    backend.set_delay(1_500);
    let url = format!("{}/asteroids", gateway.url);
    let token = issuer.token("");
    let in_flight = tokio::spawn(async move { get(&url, Some(&token)).await.status });
    support::eventually("the slow request to reach the backend", || {
        let n = backend.count();
        async move { n == 1 }
    })
    .await;
    let moved = config.replace(
        &format!("{}/asteroids", backend.url),
        &format!("{}/elsewhere", backend.url),
    );
    std::fs::write(&gateway.config, moved).unwrap();
    support::eventually("the reload", || {
        let err = gateway.stderr();
        async move { err.contains("configuration reloaded") }
    })
    .await;
    assert_eq!(in_flight.await.unwrap(), 200);
    backend.set_delay(0);
    assert_eq!(
        get(&format!("{}/asteroids", gateway.url), Some(&issuer.token("")))
            .await
            .status,
        200
    );
    assert_eq!(backend.last().uri, "/elsewhere", "new requests use the new snapshot");
}
