//! CORS end to end (aws-http-api.md §6, security case G-H07, docs/compat.md "CORS"): the real
//! binary serving the solar-system API with a `corsConfiguration`, a real issuer and a recording
//! backend. Preflights are answered by the gateway without the authorizer or the backend unless
//! an `OPTIONS` route claims them; every other response, the gateway's 401s included, carries the
//! configured headers for an allowed origin and never the backend's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Backend, Gateway, Reply, TestIssuer, get, send, solar_config, with_cors};

const APP: &str = "http://localhost:8080";

/// The web app's CORS settings, with credentials.
const APP_CORS: &str = r#"allowOrigins: ["http://localhost:8080"]
allowMethods: [GET, POST]
allowHeaders: [authorization, content-type]
exposeHeaders: [www-authenticate, apigw-requestid]
maxAge: 300
allowCredentials: true"#;

/// Routes added to the solar-system API: a protected `ANY` route and an `OPTIONS` route.
const EXTRA_ROUTES: &str = "        - routeKey: ANY /orders/{id}
          authorizationType: JWT
          authorizerId: okta
          target: integrations/home
        - routeKey: OPTIONS /custom/{proxy+}
          target: integrations/home
";

struct Cors {
    issuer: TestIssuer,
    backend: Backend,
    gateway: Gateway,
}

impl Cors {
    async fn start(cors: &str) -> Self {
        let issuer = TestIssuer::start().await;
        let backend = Backend::start().await;
        let config = with_cors(&solar_config(&issuer.url, &backend.url), cors).replacen(
            "      routes:\n",
            &format!("      routes:\n{EXTRA_ROUTES}"),
            1,
        );
        let gateway = Gateway::start(&config);
        Self {
            issuer,
            backend,
            gateway,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway.url)
    }

    async fn preflight(&self, path: &str, origin: &str, extra: &[(&str, &str)]) -> Reply {
        let mut headers = vec![("origin", origin), ("access-control-request-method", "GET")];
        headers.extend_from_slice(extra);
        send("OPTIONS", &self.url(path), &headers).await
    }
}

fn cors_headers(r: &Reply) -> Vec<String> {
    let mut names: Vec<String> = r
        .headers
        .keys()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n.starts_with("access-control-"))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_is_answered_by_the_gateway_without_the_authorizer_or_the_backend() {
    let s = Cors::start(APP_CORS).await;
    // A JWT route, a protected ANY route, and a path only the $default route serves.
    for path in ["/planets", "/orders/7", "/nothing/here"] {
        let r = s
            .preflight(path, APP, &[("access-control-request-headers", "authorization")])
            .await;
        assert_eq!(r.status, 204, "{path}: {}", s.gateway.stderr());
        assert_eq!(r.body, "");
        assert_eq!(r.header("access-control-allow-origin"), Some(APP));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        assert_eq!(r.header("access-control-allow-methods"), Some("GET, POST"));
        assert_eq!(
            r.header("access-control-allow-headers"),
            Some("authorization, content-type")
        );
        assert_eq!(r.header("access-control-max-age"), Some("300"));
        assert_eq!(r.header("vary"), Some("origin"));
        assert!(r.header("www-authenticate").is_none(), "{path}: no authorizer ran");
        assert_eq!(r.header("apigw-requestid").map(str::len), Some(16));
    }
    assert_eq!(s.backend.count(), 0, "the backend saw a preflight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_answer_is_access_logged_without_a_route() {
    let s = Cors::start(APP_CORS).await;
    let r = s.preflight("/planets", APP, &[]).await;
    let id = r.header("apigw-requestid").unwrap().to_owned();
    support::eventually("the access-log line", || {
        let out = s.gateway.stdout();
        let id = id.clone();
        async move { out.contains(&id) }
    })
    .await;
    let line = s.gateway.stdout().lines().find(|l| l.contains(&id)).unwrap().to_owned();
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["status"], 204);
    assert_eq!(entry["httpMethod"], "OPTIONS");
    assert_eq!(entry["routeKey"], "-");
    assert_eq!(entry["integrationStatus"], "-");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_from_another_origin_gets_204_without_cors_headers() {
    let s = Cors::start(APP_CORS).await;
    for origin in ["http://localhost:8081", "https://evil.example", "null"] {
        let r = s.preflight("/planets", origin, &[]).await;
        assert_eq!(r.status, 204, "{origin}");
        assert_eq!(cors_headers(&r), Vec::<String>::new(), "{origin}");
        assert_eq!(r.header("vary"), Some("origin"));
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_options_route_claims_the_preflight() {
    let s = Cors::start(APP_CORS).await;
    let r = s.preflight("/custom/anything", APP, &[]).await;
    assert_eq!(r.status, 200, "routed to OPTIONS /custom/{{proxy+}}");
    assert!(r.body.contains("Solar system API"));
    let seen = s.backend.last();
    assert_eq!(seen.method, "OPTIONS");
    assert_eq!(seen.header("access-control-request-method"), Some("GET"));
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(APP),
        "decorated like any response"
    );
    assert!(r.header("access-control-allow-methods").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_options_request_that_is_not_a_preflight_is_routed_and_authorized() {
    let s = Cors::start(APP_CORS).await;
    // No Access-Control-Request-Method: an ordinary OPTIONS on a protected ANY route.
    let r = send("OPTIONS", &s.url("/orders/7"), &[("origin", APP)]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    // A "preflight" with credentials or a body is no browser preflight (G-H07 (c)).
    let bad = s
        .preflight("/orders/7", APP, &[("authorization", "Bearer not-a-token")])
        .await;
    assert_eq!(bad.status, 401);
    let with_body = support::issuer::request(
        "OPTIONS",
        &s.url("/orders/7"),
        &[("origin", APP), ("access-control-request-method", "GET")],
        "x".to_owned(),
    )
    .await;
    assert_eq!(with_body.status, 401);
    assert_eq!(s.backend.count(), 0, "nothing unauthenticated reached the backend");
    let token = s.issuer.token("");
    let ok = s
        .preflight("/orders/7", APP, &[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(s.backend.last().method, "OPTIONS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actual_request_from_the_app_gets_the_configured_headers() {
    let s = Cors::start(APP_CORS).await;
    let token = s.issuer.token("http://myapp.com/scp/silver");
    let r = send(
        "GET",
        &s.url("/planets"),
        &[("origin", APP), ("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["planets"][2], "Earth");
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("www-authenticate, apigw-requestid")
    );
    assert_eq!(r.header("vary"), Some("origin"));
    assert_eq!(
        s.backend.last().header("origin"),
        Some(APP),
        "Origin reaches the backend"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backends_cors_headers_are_replaced_by_the_configured_ones() {
    let s = Cors::start(APP_CORS).await;
    let r = send("GET", &s.url("/with-cors"), &[("origin", APP)]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("www-authenticate, apigw-requestid")
    );
    assert_eq!(r.headers.get_all("access-control-allow-origin").iter().count(), 1);
    assert_eq!(r.header("x-backend-secret"), Some("s3cret"), "other headers pass");
    let evil = send("GET", &s.url("/with-cors"), &[("origin", "https://evil.example")]).await;
    assert_eq!(evil.status, 200, "CORS is no access control: the request is served");
    assert_eq!(
        cors_headers(&evil),
        Vec::<String>::new(),
        "but the browser may not read it"
    );
    let no_origin = get(&s.url("/with-cors"), None).await;
    assert_eq!(cors_headers(&no_origin), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateways_401_and_403_carry_the_cors_headers() {
    let s = Cors::start(APP_CORS).await;
    let unauthorized = send("GET", &s.url("/planets"), &[("origin", APP)]).await;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(unauthorized.header("www-authenticate"), Some("Bearer"));
    assert_eq!(unauthorized.header("access-control-allow-origin"), Some(APP));
    assert_eq!(unauthorized.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        unauthorized.header("access-control-expose-headers"),
        Some("www-authenticate, apigw-requestid")
    );
    let bronze = s.issuer.token("openid");
    let forbidden = send(
        "GET",
        &s.url("/planets"),
        &[("origin", APP), ("authorization", &format!("Bearer {bronze}"))],
    )
    .await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.header("access-control-allow-origin"), Some(APP));
    let other = send("GET", &s.url("/planets"), &[("origin", "https://evil.example")]).await;
    assert_eq!(other.status, 401);
    assert_eq!(cors_headers(&other), Vec::<String>::new());
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_any_origin_answers_star_without_vary() {
    let s = Cors::start("allowOrigins: [\"*\"]\nallowHeaders: [\"*\"]").await;
    let r = s
        .preflight(
            "/planets",
            "https://anywhere.example",
            &[("access-control-request-headers", "Authorization, X-Trace")],
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, x-trace"),
        "* echoes the request, so that it covers Authorization too"
    );
    assert!(r.header("access-control-allow-credentials").is_none());
    assert!(r.header("access-control-allow-methods").is_none());
    let actual = send("GET", &s.url("/"), &[("origin", "https://anywhere.example")]).await;
    assert_eq!(actual.header("access-control-allow-origin"), Some("*"));
    assert!(actual.header("vary").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cors_configuration_nothing_changes() {
    let s = support::Solar::start().await;
    let preflight = send(
        "OPTIONS",
        &s.url("/planets"),
        &[("origin", APP), ("access-control-request-method", "GET")],
    )
    .await;
    assert_eq!(preflight.status, 200, "routed to the open $default route, as AWS does");
    assert_eq!(s.backend.last().method, "OPTIONS");
    let r = send("GET", &s.url("/with-cors"), &[("origin", APP)]).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"), "the backend's own");
    assert_eq!(r.header("access-control-expose-headers"), Some("x-backend-secret"));
    assert!(r.header("vary").is_none());
}
