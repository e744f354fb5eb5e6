//! Path normalization at the gateway (security cases G-P01…G-P14, decision D8): every raw path
//! is either refused with 400 or routed and forwarded on the same canonical path, so a protected
//! route can never be reached without its authorizer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{Solar, raw_get, raw_status};

const BAD_REQUEST: &str = r#"{"message":"Bad Request"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_and_encodings_resolve_to_the_protected_route() {
    let s = Solar::start().await;
    for path in [
        "/asteroids/../planets",
        "/x/%2e%2e/planets",
        "/x/%2E%2E/planets",
        "/x/.%2e/planets",
        "//planets",
        "/x//../planets",
        "/./planets",
        "/%70lanets",
        "/planets/",
    ] {
        let r = raw_get(s.gateway.addr, path, "");
        assert_eq!(
            raw_status(&r),
            401,
            "{path} must hit GET /planets and its authorizer:\n{r}"
        );
        assert!(r.contains("www-authenticate: Bearer\r\n"), "{path}");
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ambiguous_paths_are_refused_with_400() {
    let s = Solar::start().await;
    for path in [
        "/asteroids%2f..%2fplanets",
        "/planets%2Fx",
        "/planets%5cx",
        "/x/%252e%252e/planets",
        "/planets%252fx",
        "/planets;jsessionid=1",
        "/planets%00/x",
        "/planets%0a",
        "/planets%0d",
        "/%c0%ae%c0%ae/planets",
        "/planets\\x",
    ] {
        let r = raw_get(s.gateway.addr, path, "");
        assert_eq!(raw_status(&r), 400, "{path}:\n{r}");
        assert!(r.ends_with(BAD_REQUEST), "{path}:\n{r}");
        assert!(r.contains("apigw-requestid: "), "{path}");
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_route_forwards_the_normalized_path() {
    let s = Solar::start().await;
    let r = raw_get(s.gateway.addr, "/a/./b/../c//d/%7e%41?q=%2F", "");
    assert_eq!(raw_status(&r), 200, "{r}");
    assert_eq!(s.backend.last().uri, "/a/c/d/~A?q=%2F");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_uses_the_get_routes_authorizer() {
    let s = Solar::start().await;
    let r = support::send("HEAD", &s.url("/moons"), &[]).await;
    assert_eq!(r.status, 401, "HEAD must not fall through to the open $default route");
    let gold = s.issuer.token("http://myapp.com/scp/gold");
    let r = support::send(
        "HEAD",
        &s.url("/moons"),
        &[("authorization", &format!("Bearer {gold}"))],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(s.backend.last().method, "HEAD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_matching_is_case_sensitive_and_other_methods_take_the_default_route() {
    let s = Solar::start().await;
    assert_eq!(support::get(&s.url("/PLANETS"), None).await.status, 200);
    assert_eq!(s.backend.last().uri, "/PLANETS");
    assert_eq!(support::send("POST", &s.url("/planets"), &[]).await.status, 200);
    assert_eq!(s.backend.last().method, "POST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_form_targets_are_routed_on_their_path() {
    let s = Solar::start().await;
    let r = support::raw(
        s.gateway.addr,
        b"GET http://backend.internal/planets HTTP/1.1\r\nHost: public\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(raw_status(&r), 401, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_targets_without_a_leading_slash_are_refused() {
    let s = Solar::start().await;
    for line in [
        "GET planets HTTP/1.1",
        "OPTIONS * HTTP/1.1",
        "CONNECT localhost:8200 HTTP/1.1",
    ] {
        let r = support::raw(
            s.gateway.addr,
            format!("{line}\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(raw_status(&r), 400, "{line}: {r}");
    }
    assert_eq!(s.backend.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_alike_paths_are_different_paths_and_never_skip_an_authorizer() {
    let s = Solar::start().await;
    for path in ["/planets%20", "/planets.", "/%EF%BD%90lanets", "/planets%09"] {
        let r = raw_get(s.gateway.addr, path, "");
        assert_eq!(raw_status(&r), 200, "{path} is not /planets: it goes to $default");
        assert_eq!(
            s.backend.last().uri,
            path.replace("%ef", "%EF"),
            "{path} is forwarded exactly as routed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_rewrite_headers_are_never_forwarded() {
    let s = Solar::start().await;
    let r = raw_get(
        s.gateway.addr,
        "/public",
        "X-Original-URL: /planets\r\nX-Rewrite-URL: /planets\r\nX-HTTP-Method-Override: DELETE\r\n",
    );
    assert_eq!(raw_status(&r), 200);
    let seen = s.backend.last();
    assert_eq!(seen.uri, "/public");
    for h in ["x-original-url", "x-rewrite-url", "x-http-method-override"] {
        assert!(seen.header(h).is_none(), "{h}");
    }
}
