//! The JWT authorizer through the real gateway: AWS's failure table (spec §1.6), token
//! extraction (J-E rows), issuer outages (D7, F-01) and key rotation (F-07, F-09).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{Backend, Gateway, JwksMode, Solar, TestIssuer, get, jwt, send, solar_config};

fn challenge(r: &support::Reply) -> String {
    r.header("www-authenticate").unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_table_matches_aws() {
    let s = Solar::start().await;
    let url = s.url("/asteroids");
    let mut expired = s.issuer.claims("");
    expired["exp"] = json!(support::now() - 10);
    let mut wrong_aud = s.issuer.claims("");
    wrong_aud["aud"] = json!("api://other");
    let mut wrong_iss = s.issuer.claims("");
    wrong_iss["iss"] = json!(format!("{}/", s.issuer.url));
    let es256 = jwt::mint_json(
        &jwt::keys().p256,
        "ES256",
        &json!({"alg": "ES256", "kid": "rsa1"}),
        &s.issuer.claims(""),
    );
    let cases = [
        (
            "not-a-token".to_owned(),
            r#"Bearer scope="" error="invalid_token" error_description="token contains an invalid number of segments""#,
        ),
        (
            s.issuer.sign(&expired),
            r#"Bearer scope="" error="invalid_token" error_description="the token has expired""#,
        ),
        (
            s.issuer.sign(&wrong_aud),
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#,
        ),
        (
            s.issuer.sign(&wrong_iss),
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer""#,
        ),
        (
            es256,
            r#"Bearer scope="" error="invalid_token" error_description="signing method ES256 is invalid""#,
        ),
    ];
    for (token, expected) in cases {
        let r = get(&url, Some(&token)).await;
        assert_eq!(r.status, 401, "{expected}");
        assert_eq!(r.body, r#"{"message":"Unauthorized"}"#);
        assert_eq!(challenge(&r), expected);
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_on_a_scoped_route_names_the_routes_scope() {
    let s = Solar::start().await;
    let mut claims = s.issuer.claims("http://myapp.com/scp/gold");
    claims["exp"] = json!(support::now() - 1);
    let r = get(&s.url("/moons"), Some(&s.issuer.sign(&claims))).await;
    assert_eq!(
        challenge(&r),
        r#"Bearer scope="http://myapp.com/scp/gold" error="invalid_token" error_description="the token has expired""#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_prefix_is_optional_and_case_insensitive() {
    let s = Solar::start().await;
    let t = s.issuer.token("");
    for value in [
        t.clone(),
        format!("bearer {t}"),
        format!("BEARER {t}"),
        format!("Bearer   {t}"),
    ] {
        let r = send("GET", &s.url("/asteroids"), &[("authorization", &value)]).await;
        assert_eq!(r.status, 200, "{value:.20}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_or_doubled_credentials_are_invalid_requests() {
    let s = Solar::start().await;
    let t = s.issuer.token("");
    for value in [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer {t} extra"),
        format!("Bearer {t}, Bearer {t}"),
    ] {
        let r = send("GET", &s.url("/asteroids"), &[("authorization", &value)]).await;
        assert_eq!(r.status, 401);
        assert!(
            challenge(&r).contains(r#"error="invalid_request""#),
            "{value:.30}: {}",
            challenge(&r)
        );
    }
    let bearer = format!("Bearer {t}");
    let r = send(
        "GET",
        &s.url("/asteroids"),
        &[("authorization", &bearer), ("authorization", &bearer)],
    )
    .await;
    assert!(challenge(&r).contains("invalid_request"), "two Authorization headers");
    let r = send(
        "GET",
        &format!("{}?access_token={t}", s.url("/asteroids")),
        &[("authorization", &bearer)],
    )
    .await;
    assert!(
        challenge(&r).contains("invalid_request"),
        "header plus query token (D11)"
    );
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_on_a_kept_alive_connection_is_authorized_on_its_own() {
    let s = Solar::start().await;
    let t = s.issuer.token("");
    let both = format!(
        "GET /asteroids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\n\r\nGET /asteroids HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let r = support::raw(s.gateway.addr, both.as_bytes());
    let mut stream = r.split("HTTP/1.1 ").skip(1);
    assert!(stream.next().unwrap().starts_with("200"));
    // The raw reader may stop after the first complete response; read the rest if needed.
    assert_eq!(s.backend.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_down_gives_503_on_protected_routes_only_and_recovers_without_restart() {
    let issuer = TestIssuer::start().await;
    issuer.set_mode(JwksMode::Fail);
    let backend = Backend::start().await;
    let gateway = Gateway::start(&solar_config(&issuer.url, &backend.url));
    let url = |p: &str| format!("{}{p}", gateway.url);
    let r = get(&url("/asteroids"), Some(&issuer.token(""))).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body, r#"{"message":"Service Unavailable"}"#);
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        get(&url("/"), None).await.status,
        200,
        "routes without an authorizer keep working"
    );
    issuer.set_mode(JwksMode::Normal);
    let token = issuer.token("");
    support::eventually("recovery after the issuer comes back", || {
        let (u, t) = (url("/asteroids"), token.clone());
        async move { get(&u, Some(&t)).await.status == 200 }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_fetched_once_and_unknown_kid_floods_are_rate_limited() {
    let s = Solar::start().await;
    assert_eq!(get(&s.url("/asteroids"), Some(&s.issuer.token(""))).await.status, 200);
    let before = s.issuer.jwks_hits();
    s.issuer.publish(vec![
        jwt::keys().rsa.public_jwk("rsa1"),
        jwt::keys().rsa2.public_jwk("rsa2"),
    ]);
    let rotated = jwt::mint_json(
        &jwt::keys().rsa2,
        "RS256",
        &json!({"alg": "RS256", "kid": "rsa2"}),
        &s.issuer.claims(""),
    );
    assert_eq!(
        get(&s.url("/asteroids"), Some(&rotated)).await.status,
        200,
        "new kid triggers one refetch"
    );
    assert_eq!(s.issuer.jwks_hits(), before + 1);
    for i in 0..50 {
        let forged = jwt::mint_json(
            &jwt::keys().attacker,
            "RS256",
            &json!({"alg": "RS256", "kid": format!("random-{i}")}),
            &s.issuer.claims(""),
        );
        let r = get(&s.url("/asteroids"), Some(&forged)).await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(
        s.issuer.jwks_hits(),
        before + 1,
        "refetches are limited to one per 10 s"
    );
    assert_eq!(s.backend.count(), 2, "only the two valid tokens got through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacker_signed_token_with_trusted_kid_is_refused() {
    let s = Solar::start().await;
    let forged = jwt::mint_json(
        &jwt::keys().attacker,
        "RS256",
        &json!({"alg": "RS256", "kid": "rsa1"}),
        &s.issuer.claims("http://myapp.com/scp/gold"),
    );
    let r = get(&s.url("/moons"), Some(&forged)).await;
    assert_eq!(r.status, 401);
    assert_eq!(s.backend.count(), 0);
    // Replayed (a new connection each time): answered from the remembered refusals, with the
    // pipeline's own answer, and no second verification.
    let again = get(&s.url("/moons"), Some(&forged)).await;
    assert_eq!(again.status, 401);
    assert_eq!(challenge(&again), challenge(&r));
    assert_eq!(
        (
            log_entry(&s.gateway, &r).await["tokenCache"].clone(),
            log_entry(&s.gateway, &again).await["tokenCache"].clone()
        ),
        (json!("miss"), json!("hit"))
    );
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_key_documents_are_failures_answered_with_503_in_bounded_time() {
    for mode in [JwksMode::Html, JwksMode::Huge, JwksMode::Hang, JwksMode::Empty] {
        let issuer = TestIssuer::start().await;
        issuer.set_mode(mode);
        let backend = Backend::start().await;
        let gateway = Gateway::start(&solar_config(&issuer.url, &backend.url));
        let started = std::time::Instant::now();
        let r = get(&format!("{}/asteroids", gateway.url), Some(&issuer.token(""))).await;
        assert_eq!(r.status, 503, "{mode:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{mode:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(backend.count(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_refresh_keeps_serving_with_the_last_good_keys() {
    let s = Solar::start().await;
    assert_eq!(get(&s.url("/asteroids"), Some(&s.issuer.token(""))).await.status, 200);
    s.issuer.set_mode(JwksMode::Html);
    let unknown = jwt::mint_json(
        &jwt::keys().rsa2,
        "RS256",
        &json!({"alg": "RS256", "kid": "rsa2"}),
        &s.issuer.claims(""),
    );
    assert_eq!(
        get(&s.url("/asteroids"), Some(&unknown)).await.status,
        401,
        "the refetch fails"
    );
    assert_eq!(
        get(&s.url("/asteroids"), Some(&s.issuer.token(""))).await.status,
        200,
        "old keys still serve"
    );
}

/// The access-log entry of the request that got `reply`.
async fn log_entry(gateway: &Gateway, reply: &support::Reply) -> serde_json::Value {
    let id = reply.header("apigw-requestid").unwrap().to_owned();
    support::eventually("the access-log line", || {
        let (out, id) = (gateway.stdout(), id.clone());
        async move { out.contains(&id) }
    })
    .await;
    let out = gateway.stdout();
    let line = out.lines().find(|l| l.contains(&id)).unwrap();
    serde_json::from_str(line).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_cache_answers_repeated_tokens_unless_the_setting_or_the_environment_turns_it_off() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url);
    let off_in_file = config.replacen(
        "listen: 127.0.0.1:8000",
        "listen: 127.0.0.1:8000\n  tokenCache: {enabled: false}",
        1,
    );
    let cases = [
        ("default", Gateway::start(&config), ["miss", "hit", "hit"]),
        (
            "PORTCULLIS_TOKEN_CACHE=off",
            Gateway::start_with_env(&config, &[("PORTCULLIS_TOKEN_CACHE", "off")]),
            ["off"; 3],
        ),
        ("enabled: false", Gateway::start(&off_in_file), ["off"; 3]),
    ];
    let silver = issuer.token("http://myapp.com/scp/silver");
    for (name, gateway, expected) in cases {
        let planets = format!("{}/planets", gateway.url);
        let mut seen = Vec::new();
        for _ in 0..3 {
            let r = get(&planets, Some(&silver)).await;
            assert_eq!(r.status, 200, "{name}");
            seen.push(log_entry(&gateway, &r).await["tokenCache"].clone());
        }
        assert_eq!(seen, expected, "{name}");
        let gold = get(&format!("{}/moons", gateway.url), Some(&silver)).await;
        assert_eq!(gold.status, 403, "{name}: scopes are checked per route, cached or not");
        let entry = log_entry(&gateway, &gold).await;
        assert_eq!(entry["tokenCache"], expected[2], "{name}");
        let open = get(&format!("{}/", gateway.url), None).await;
        assert_eq!(log_entry(&gateway, &open).await["tokenCache"], "-", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_removed_from_the_jwks_stops_its_cached_tokens_at_the_next_refetch() {
    let s = Solar::start().await;
    let url = s.url("/asteroids");
    let cached = s.issuer.token("");
    assert_eq!(get(&url, Some(&cached)).await.status, 200);
    let again = get(&url, Some(&cached)).await;
    assert_eq!(log_entry(&s.gateway, &again).await["tokenCache"], "hit");
    s.issuer.publish(vec![jwt::keys().rsa2.public_jwk("rsa2")]);
    let rotated = jwt::mint_json(
        &jwt::keys().rsa2,
        "RS256",
        &json!({"alg": "RS256", "kid": "rsa2"}),
        &s.issuer.claims(""),
    );
    assert_eq!(
        get(&url, Some(&rotated)).await.status,
        200,
        "the new kid refetches the JWKS"
    );
    let r = get(&url, Some(&cached)).await;
    assert_eq!(r.status, 401, "rsa1 is gone, and so is every token it verified");
    assert_eq!(
        challenge(&r),
        r#"Bearer scope="" error="invalid_token" error_description="no key found for the token's kid""#
    );
    assert_eq!(log_entry(&s.gateway, &r).await["tokenCache"], "miss");
}

/// One keep-alive connection to the gateway, spoken to by hand so that requests share it.
struct KeepAlive(tokio::net::TcpStream);

impl KeepAlive {
    async fn open(gateway: &Gateway) -> Self {
        let addr = gateway.url.trim_start_matches("http://").to_owned();
        Self(tokio::net::TcpStream::connect(addr).await.unwrap())
    }

    /// GET `path` with `token`; returns the status and the `apigw-requestid`.
    async fn get(&mut self, path: &str, token: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\r\n");
        self.0.write_all(request.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        loop {
            let mut chunk = [0u8; 4096];
            let n = self.0.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed");
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            let Some(end) = text.find("\r\n\r\n") else { continue };
            let head = text[..end].to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                let id = head
                    .lines()
                    .find_map(|l| l.strip_prefix("apigw-requestid: "))
                    .unwrap()
                    .to_owned();
                return (status, id);
            }
        }
    }
}

async fn log_by_id(gateway: &Gateway, id: &str) -> serde_json::Value {
    let id_upper = id.to_owned();
    support::eventually("the access-log line", || {
        let (out, id) = (gateway.stdout(), id_upper.clone());
        async move { out.to_ascii_lowercase().contains(&id) }
    })
    .await;
    let out = gateway.stdout();
    let line = out.lines().find(|l| l.to_ascii_lowercase().contains(id)).unwrap();
    serde_json::from_str(line).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_signatures_slow_only_their_own_connection() {
    let s = Solar::start().await;
    // Each forged token is new (its jti differs), so none is answered from the table of
    // remembered refusals: every one costs a verification.
    let forged = |n: u32| {
        let mut claims = s.issuer.claims("http://myapp.com/scp/silver");
        claims["jti"] = json!(format!("forged-{n}"));
        jwt::mint_json(
            &jwt::keys().rsa2,
            "RS256",
            &json!({"alg": "RS256", "kid": "rsa1", "typ": "JWT"}),
            &claims,
        )
    };
    let fresh_valid = |n: u32| {
        let mut claims = s.issuer.claims("http://myapp.com/scp/silver");
        claims["jti"] = json!(format!("valid-{n}"));
        s.issuer.sign(&claims)
    };
    let mut attacker = KeepAlive::open(&s.gateway).await;
    let mut waits = Vec::new();
    for n in 0..5 {
        let (status, id) = attacker.get("/planets", &forged(n)).await;
        assert_eq!(status, 401);
        waits.push(log_by_id(&s.gateway, &id).await["authorizerWaitMs"].clone());
    }
    assert_eq!(waits, [json!("-"), json!("-"), json!("1"), json!("2"), json!("4")]);

    // Another connection is not slowed, even with a token the cache has never seen.
    // Minted once: minting again could cross a second and change iat/exp, hence the token.
    let first_valid = fresh_valid(1);
    let mut other = KeepAlive::open(&s.gateway).await;
    let (status, id) = other.get("/planets", &first_valid).await;
    assert_eq!(status, 200);
    assert_eq!(log_by_id(&s.gateway, &id).await["authorizerWaitMs"], "-");

    // The attacker's connection: a cached token is never delayed; a new one waits, is
    // accepted, and the valid signature forgives the connection.
    let (status, id) = attacker.get("/planets", &first_valid).await;
    assert_eq!(
        (status, log_by_id(&s.gateway, &id).await["tokenCache"].clone()),
        (200, json!("hit"))
    );
    assert_eq!(log_by_id(&s.gateway, &id).await["authorizerWaitMs"], "-");
    let (status, id) = attacker.get("/planets", &fresh_valid(2)).await;
    assert_eq!(
        (status, log_by_id(&s.gateway, &id).await["authorizerWaitMs"].clone()),
        (200, json!("8"))
    );
    let (status, id) = attacker.get("/planets", &fresh_valid(3)).await;
    assert_eq!(
        (status, log_by_id(&s.gateway, &id).await["authorizerWaitMs"].clone()),
        (200, json!("-"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_logs_its_reason_and_detail_at_debug_level() {
    let issuer = TestIssuer::start().await;
    let backend = Backend::start().await;
    let config = solar_config(&issuer.url, &backend.url);
    let gateway = Gateway::start_with_env(&config, &[("RUST_LOG", "info,portcullis::proxy=debug")]);
    let r = get(&format!("{}/planets", gateway.url), Some("only.two")).await;
    assert_eq!(r.status, 401);
    // The client sees the description only; the log also says which check and what it saw.
    support::eventually("the refusal in the log", || {
        let log = gateway.stderr();
        async move {
            log.lines().any(|l| {
                l.contains("request refused")
                    && l.contains("Segments")
                    && l.contains("2 segments")
                    && l.contains("token contains an invalid number of segments")
            })
        }
    })
    .await;
    let quiet = Gateway::start(&config);
    assert_eq!(
        get(&format!("{}/planets", quiet.url), Some("only.two")).await.status,
        401
    );
    assert!(!quiet.stderr().contains("request refused"), "not at the default level");
}
