//! Tests for route-key parsing, printing and error texts.
//!
//! Invariant checked throughout: every accepted key prints back to the text
//! it was parsed from. Imports: std, `http` and the parent module only.

use super::*;
use RouteKeyError as E;

const AWS_SEGMENT_TEXT: &str = "One or more path parts appear to be invalid. Parts are validated against this regular expression: ^(\\{[\\w.-]+\\+?\\}|[a-zA-Z0-9._-]+)$";

fn err(text: &str) -> RouteKeyError {
    match RouteKey::parse(text) {
        Err(e) => e,
        Ok(key) => E::MissingPath(format!("unexpectedly parsed as {key}")),
    }
}

#[test]
fn canonical_keys_round_trip_through_display() {
    let keys = [
        "$default",
        "GET /pets/{id}",
        "ANY /{proxy+}",
        "GET /",
        "POST /a.b/c_d/e-f/{x.y-z_1}",
        "PUT /pets/{proxy+}",
        "PATCH /x",
        "DELETE /x",
        "HEAD /x",
        "OPTIONS /x",
    ];
    for text in keys {
        let key = RouteKey::parse(text);
        assert_eq!(key.map(|k| k.to_string()), Ok(text.to_string()), "{text}");
    }
}

#[test]
fn parsed_key_exposes_method_and_segments() {
    let key: Result<RouteKey, _> = "GET /pets/{id}/{rest+}".parse();
    let expected = RouteKey::Route {
        method: MethodSel::Get,
        path: PathPattern {
            segments: vec![
                PatternSegment::Static("pets".into()),
                PatternSegment::Var("id".into()),
                PatternSegment::Greedy("rest".into()),
            ],
        },
    };
    assert_eq!(key, Ok(expected));
}

#[test]
fn root_path_has_zero_segments() {
    let key = RouteKey::parse("GET /");
    assert_eq!(
        key.as_ref().ok().and_then(RouteKey::path),
        Some(&PathPattern::default())
    );
}

#[test]
fn default_key_has_no_method_or_path() {
    assert_eq!(RouteKey::Default.method(), None);
    assert_eq!(RouteKey::Default.path(), None);
}

#[test]
fn variable_names_lists_plain_and_greedy_variables_in_order() {
    let path = PathPattern::parse("/a/{x}/b/{y}/{z+}");
    let names: Vec<String> = path
        .map(|p| p.variable_names().map(String::from).collect())
        .unwrap_or_default();
    assert_eq!(names, ["x", "y", "z"]);
}

#[test]
fn is_greedy_is_true_only_for_a_trailing_greedy_variable() {
    assert_eq!(PathPattern::parse("/a/{p+}").map(|p| p.is_greedy()), Ok(true));
    assert_eq!(PathPattern::parse("/a/{p}").map(|p| p.is_greedy()), Ok(false));
    assert_eq!(PathPattern::parse("/").map(|p| p.is_greedy()), Ok(false));
}

#[test]
fn every_malformed_key_yields_its_specific_error() {
    let cases: Vec<(&str, RouteKeyError)> = vec![
        ("", E::Empty),
        ("GET", E::MissingPath("GET".into())),
        ("GET ", E::MissingPath("GET ".into())),
        ("/pets", E::MissingPath("/pets".into())),
        ("GET  /pets", E::BadSeparator("GET  /pets".into())),
        ("get /pets", E::InvalidMethod("get".into())),
        ("PROPFIND /x", E::InvalidMethod("PROPFIND".into())),
        ("$DEFAULT /x", E::InvalidMethod("$DEFAULT".into())),
        ("GET pets", E::PathNotAbsolute("pets".into())),
        ("GET /pets/", E::TrailingSlash("/pets/".into())),
        ("GET //", E::TrailingSlash("//".into())),
        ("GET /a//b", E::EmptySegment("/a//b".into())),
        ("GET //a", E::EmptySegment("//a".into())),
        ("GET /a/../b", E::DotSegment("/a/../b".into())),
        ("GET /.", E::DotSegment("/.".into())),
        ("GET /{p+}/x", E::GreedyNotLast("/{p+}/x".into())),
        ("GET /{id}/{id}", E::DuplicateVariable("id".into())),
        ("GET /{id}/{id+}", E::DuplicateVariable("id".into())),
    ];
    for (text, expected) in cases {
        assert_eq!(err(text), expected, "{text:?}");
    }
}

#[test]
fn segments_outside_the_aws_regex_are_invalid() {
    let bad = [
        "/a b",
        "/a%20b",
        "/{}",
        "/{+}",
        "/{a",
        "/a}",
        "/{a}b",
        "/{a++}",
        "/{a b}",
        "/~x",
        "/é",
        "/a;b",
        "/{a/b}",
        "/*",
        "/$default",
    ];
    for path in bad {
        let text = format!("GET {path}");
        assert!(
            matches!(err(&text), E::InvalidSegment(_)),
            "{text:?} gave {:?}",
            err(&text)
        );
    }
}

#[test]
fn segments_inside_the_aws_regex_are_valid() {
    let good = ["/...", "/.a", "/a.", "/{.}", "/{..+}", "/_-", "/{A_b-c.d}", "/0"];
    for path in good {
        assert!(PathPattern::parse(path).is_ok(), "{path}");
    }
}

#[test]
fn known_aws_error_texts_are_reproduced_exactly() {
    assert_eq!(E::Empty.to_string(), "Route key is required");
    assert_eq!(err("GET /a b").to_string(), AWS_SEGMENT_TEXT);
}

#[test]
fn every_error_has_a_display_and_a_hint() {
    let texts = [
        "",
        "GET",
        "GET  /x",
        "get /x",
        "GET x",
        "GET /x/",
        "GET /a//b",
        "GET /a b",
        "GET /..",
        "GET /{p+}/x",
        "GET /{a}/{a}",
    ];
    for text in texts {
        let e = err(text);
        assert!(!e.to_string().is_empty(), "{text:?}");
        assert!(!e.hint().is_empty(), "{text:?}");
        assert!(!e.hint().contains('\n'), "{text:?}");
    }
}

#[test]
fn trailing_slash_hint_shows_the_fixed_path() {
    assert!(err("GET /pets/").hint().starts_with("write '/pets'"));
}

#[test]
fn method_selector_maps_only_exact_http_methods() {
    let cases: Vec<(http::Method, Option<MethodSel>)> = vec![
        (http::Method::GET, Some(MethodSel::Get)),
        (http::Method::POST, Some(MethodSel::Post)),
        (http::Method::PUT, Some(MethodSel::Put)),
        (http::Method::PATCH, Some(MethodSel::Patch)),
        (http::Method::DELETE, Some(MethodSel::Delete)),
        (http::Method::HEAD, Some(MethodSel::Head)),
        (http::Method::OPTIONS, Some(MethodSel::Options)),
        (http::Method::TRACE, None),
        (http::Method::CONNECT, None),
    ];
    for (method, expected) in cases {
        assert_eq!(MethodSel::from_method(&method), expected, "{method}");
    }
    let lower = http::Method::from_bytes(b"get").ok();
    assert_eq!(lower.as_ref().and_then(MethodSel::from_method), None);
}

#[test]
fn method_selector_parses_each_keyword_and_nothing_else() {
    for sel in MethodSel::ALL {
        assert_eq!(MethodSel::parse(sel.as_str()), Some(sel));
        assert_eq!(MethodSel::parse(&sel.as_str().to_lowercase()), None);
    }
    assert_eq!(MethodSel::parse("TRACE"), None);
}
