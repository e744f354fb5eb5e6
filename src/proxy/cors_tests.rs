#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::model::cors::OriginPattern;

const APP: &str = "http://localhost:8080";

fn policy(origins: &[&str], edit: impl FnOnce(&mut Cors)) -> CorsPolicy {
    let mut config = Cors {
        allow_origins: origins.iter().map(|o| OriginPattern::parse(o).unwrap()).collect(),
        allow_methods: vec!["GET".into(), "POST".into()],
        allow_headers: vec!["authorization".into(), "content-type".into()],
        expose_headers: vec!["x-request-id".into()],
        max_age: Some(300),
        allow_credentials: false,
    };
    edit(&mut config);
    CorsPolicy::new(&config)
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn preflight_from(origin: &str, extra: &[(&str, &str)]) -> HeaderMap {
    let mut request = headers(&[("origin", origin), ("access-control-request-method", "POST")]);
    request.extend(headers(extra));
    request
}

/// Every header as `name: value` lines, sorted, for whole-answer comparisons.
fn lines(map: &HeaderMap) -> Vec<String> {
    let mut out: Vec<String> = map
        .iter()
        .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_preflight_from_an_allowed_origin_gets_204_with_the_configured_lists() {
    let answer = policy(&[APP], |_| {}).preflight(&preflight_from(APP, &[]));
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert!(answer.body().is_empty());
    assert_eq!(
        lines(answer.headers()),
        [
            "access-control-allow-headers: authorization, content-type",
            "access-control-allow-methods: GET, POST",
            "access-control-allow-origin: http://localhost:8080",
            "access-control-max-age: 300",
            "vary: origin",
        ]
    );
}

#[test]
fn a_preflight_from_another_origin_gets_204_without_any_cors_header() {
    for origin in ["http://localhost:8081", "null", "http://evil.example"] {
        let answer = policy(&[APP], |_| {}).preflight(&preflight_from(origin, &[]));
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        assert_eq!(lines(answer.headers()), ["vary: origin"], "{origin}");
    }
}

#[test]
fn the_any_origin_without_credentials_answers_star_and_does_not_vary() {
    let answer = policy(&["*"], |_| {}).preflight(&preflight_from("https://any.example", &[]));
    assert_eq!(answer.headers()["access-control-allow-origin"], "*");
    assert!(answer.headers().get("vary").is_none());
    assert!(answer.headers().get("access-control-allow-credentials").is_none());
}

#[test]
fn credentials_echo_the_origin_and_say_true() {
    let p = policy(&[APP], |c| c.allow_credentials = true);
    let answer = p.preflight(&preflight_from(APP, &[]));
    assert_eq!(answer.headers()["access-control-allow-origin"], APP);
    assert_eq!(answer.headers()["access-control-allow-credentials"], "true");
    let mut actual = HeaderMap::new();
    p.decorate(Some(&HeaderValue::from_static(APP)), &mut actual);
    assert_eq!(actual["access-control-allow-credentials"], "true");
}

#[test]
fn star_methods_and_headers_echo_what_the_preflight_asks_for() {
    let p = policy(&[APP], |c| {
        c.allow_methods = vec!["*".into()];
        c.allow_headers = vec!["*".into()];
    });
    let request = preflight_from(
        APP,
        &[
            ("access-control-request-headers", "Authorization, X-Trace"),
            ("access-control-request-headers", "content-type"),
        ],
    );
    let answer = p.preflight(&request);
    let h = answer.headers();
    assert_eq!(h["access-control-allow-methods"], "POST");
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization, x-trace, content-type"
    );
    let vary: Vec<&str> = h.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(
        vary,
        [
            "origin",
            "access-control-request-method",
            "access-control-request-headers"
        ]
    );
}

#[test]
fn request_headers_that_are_not_tokens_are_never_echoed() {
    let p = policy(&[APP], |c| c.allow_headers = vec!["*".into()]);
    for hostile in ["x, a b", "x;y", "", " , "] {
        let answer = p.preflight(&preflight_from(APP, &[("access-control-request-headers", hostile)]));
        assert!(
            answer.headers().get("access-control-allow-headers").is_none(),
            "{hostile:?}"
        );
    }
}

#[test]
fn unset_lists_and_max_age_send_no_header() {
    let p = policy(&[APP], |c| {
        c.allow_methods.clear();
        c.allow_headers.clear();
        c.max_age = None;
    });
    let answer = p.preflight(&preflight_from(APP, &[]));
    assert_eq!(
        lines(answer.headers()),
        ["access-control-allow-origin: http://localhost:8080", "vary: origin"]
    );
}

#[test]
fn a_negative_max_age_is_sent_as_configured() {
    let answer = policy(&[APP], |c| c.max_age = Some(-1)).preflight(&preflight_from(APP, &[]));
    assert_eq!(answer.headers()["access-control-max-age"], "-1");
}

#[test]
fn the_backends_cors_headers_are_replaced_by_the_configured_ones() {
    let mut response = headers(&[
        ("content-type", "application/json"),
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "DELETE"),
        ("access-control-expose-headers", "x-secret"),
        ("access-control-max-age", "99999"),
    ]);
    policy(&[APP], |_| {}).decorate(Some(&HeaderValue::from_static(APP)), &mut response);
    assert_eq!(
        lines(&response),
        [
            "access-control-allow-origin: http://localhost:8080",
            "access-control-expose-headers: x-request-id",
            "content-type: application/json",
            "vary: origin",
        ]
    );
}

#[test]
fn a_disallowed_or_missing_origin_gets_no_cors_header_and_loses_the_backends() {
    for origin in [Some("http://evil.example"), None] {
        let mut response = headers(&[("access-control-allow-origin", "*"), ("etag", "\"1\"")]);
        let origin = origin.map(HeaderValue::from_static);
        policy(&[APP], |_| {}).decorate(origin.as_ref(), &mut response);
        assert_eq!(lines(&response), ["etag: \"1\"", "vary: origin"], "{origin:?}");
    }
}

#[test]
fn star_expose_headers_is_sent_as_star_without_credentials_and_as_the_names_with_them() {
    let origin = HeaderValue::from_static(APP);
    let mut plain = headers(&[("x-a", "1"), ("set-cookie", "s=1")]);
    policy(&[APP], |c| c.expose_headers = vec!["*".into()]).decorate(Some(&origin), &mut plain);
    assert_eq!(plain["access-control-expose-headers"], "*");
    let mut credentialed = headers(&[("x-a", "1"), ("set-cookie", "s=1"), ("x-b", "2")]);
    policy(&[APP], |c| {
        c.expose_headers = vec!["*".into()];
        c.allow_credentials = true;
    })
    .decorate(Some(&origin), &mut credentialed);
    assert_eq!(credentialed["access-control-expose-headers"], "x-a, x-b, vary");
}

#[test]
fn vary_is_merged_with_the_backends_and_never_doubled() {
    let origin = HeaderValue::from_static(APP);
    let mut listed = headers(&[("vary", "Accept-Encoding, Origin")]);
    policy(&[APP], |_| {}).decorate(Some(&origin), &mut listed);
    assert_eq!(listed.get_all("vary").iter().count(), 1);
    let mut other = headers(&[("vary", "accept-encoding")]);
    policy(&[APP], |_| {}).decorate(Some(&origin), &mut other);
    let vary: Vec<&str> = other.get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(vary, ["accept-encoding", "origin"]);
    let mut star = headers(&[("vary", "*")]);
    policy(&[APP], |_| {}).decorate(Some(&origin), &mut star);
    assert_eq!(star.get_all("vary").iter().count(), 1);
}

#[test]
fn a_preflight_is_an_options_request_with_origin_and_a_requested_method_only() {
    let ok = preflight_from(APP, &[]);
    assert!(is_preflight(&Method::OPTIONS, &ok, false));
    assert!(!is_preflight(&Method::GET, &ok, false));
    assert!(
        !is_preflight(&Method::OPTIONS, &ok, true),
        "a body makes it a normal request"
    );
    let with_token = preflight_from(APP, &[("authorization", "Bearer x")]);
    assert!(!is_preflight(&Method::OPTIONS, &with_token, false));
    assert!(!is_preflight(&Method::OPTIONS, &headers(&[("origin", APP)]), false));
    assert!(!is_preflight(
        &Method::OPTIONS,
        &headers(&[("access-control-request-method", "GET")]),
        false
    ));
}

#[test]
fn two_origin_headers_are_no_origin() {
    assert_eq!(
        origin(&headers(&[("origin", APP)])),
        Some(HeaderValue::from_static(APP))
    );
    assert_eq!(
        origin(&headers(&[("origin", APP), ("origin", "https://x.example")])),
        None
    );
}
