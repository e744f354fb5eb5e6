//! Tests for the route table: one table-driven test per precedence rule, the
//! AWS documentation examples; builder tests live in `tests/insert.rs`.
//!
//! Invariant checked: the chosen route is the same whatever order the routes
//! were inserted in. Imports: std, `http`, the routing modules and
//! `crate::model::route_key`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::routing::path::normalize;

/// Builds a table whose payload is each route's key text.
fn table(keys: &[&str]) -> RouteTable<String> {
    let mut builder = RouteTable::builder();
    for key in keys {
        let parsed = RouteKey::parse(key).expect("valid route key");
        builder.insert(parsed, (*key).to_string()).expect("no conflict");
    }
    builder.build()
}

/// The payload of the matched route and its params, or `None`.
fn route(table: &RouteTable<String>, method: &str, path: &str) -> Option<(String, Vec<(String, String)>)> {
    let method = http::Method::from_bytes(method.as_bytes()).expect("valid method");
    let path = normalize(path).expect("valid path");
    table.find(&method, &path).map(|m| (m.value.clone(), m.params))
}

/// Runs `(method, path, expected key)` cases against `keys` inserted in
/// order and in reverse order.
fn check(keys: &[&str], cases: &[(&str, &str, &str)]) {
    let mut reversed = keys.to_vec();
    reversed.reverse();
    for order in [keys, &reversed[..]] {
        let table = table(order);
        for (method, path, expected) in cases {
            let got = route(&table, method, path).map(|(key, _)| key);
            assert_eq!(got.as_deref(), Some(*expected), "{method} {path} with {order:?}");
        }
    }
}

/// A routing case with expected params: (method, path, key, params).
type ParamCase<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

#[test]
fn aws_documented_example_table_routes_as_documented() {
    let keys = [
        "GET /pets/dog/1",
        "GET /pets/dog/{id}",
        "GET /pets/{proxy+}",
        "ANY /{proxy+}",
        "$default",
    ];
    let t = table(&keys);
    let cases: &[ParamCase] = &[
        ("GET", "/pets/dog/1", "GET /pets/dog/1", &[]),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}", &[("id", "2")]),
        ("GET", "/pets/cat/1", "GET /pets/{proxy+}", &[("proxy", "cat/1")]),
        ("POST", "/test/5", "ANY /{proxy+}", &[("proxy", "test/5")]),
        ("GET", "/", "$default", &[]),
    ];
    for (method, path, key, params) in cases {
        let expected = Some((key.to_string(), pairs(params)));
        assert_eq!(route(&t, method, path), expected, "{method} {path}");
    }
}

#[test]
fn solar_system_table_routes_as_documented() {
    let keys = ["$default", "GET /asteroids", "GET /planets", "GET /moons"];
    let cases = [
        ("GET", "/planets", "GET /planets"),
        ("GET", "/planets/", "GET /planets"),
        ("POST", "/planets", "$default"),
        ("HEAD", "/moons", "GET /moons"),
        ("GET", "/nothing/here", "$default"),
        ("GET", "/", "$default"),
    ];
    check(&keys, &cases);
}

#[test]
fn full_match_beats_greedy_and_greedy_beats_default() {
    let keys = [
        "ANY /a/{x}",
        "GET /a/{proxy+}",
        "GET /{all+}",
        "$default",
        "GET /b/c",
        "GET /b/{rest+}",
    ];
    let cases = [
        ("GET", "/a/b", "ANY /a/{x}"),
        ("GET", "/a/b/c", "GET /a/{proxy+}"),
        ("GET", "/z", "GET /{all+}"),
        ("POST", "/z", "$default"),
        ("GET", "/b/c", "GET /b/c"),
        ("GET", "/b/c/d", "GET /b/{rest+}"),
        ("GET", "/b", "GET /{all+}"),
    ];
    check(&keys, &cases);
}

#[test]
fn greedy_variable_needs_at_least_one_segment() {
    let keys = ["ANY /{proxy+}", "GET /a/{rest+}", "$default"];
    let cases = [
        ("GET", "/", "$default"),
        ("GET", "/a", "ANY /{proxy+}"),
        ("GET", "/a/", "ANY /{proxy+}"),
        ("GET", "/a/b", "GET /a/{rest+}"),
    ];
    check(&keys, &cases);
}

#[test]
fn static_segment_beats_variable_at_same_depth() {
    let keys = [
        "GET /pets/dog/1",
        "GET /pets/dog/{id}",
        "GET /pets/{kind}/1",
        "GET /pets/{kind}/{id}",
        "GET /{a}/dog/1",
    ];
    let cases = [
        ("GET", "/pets/dog/1", "GET /pets/dog/1"),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}"),
        ("GET", "/pets/cat/1", "GET /pets/{kind}/1"),
        ("GET", "/pets/cat/2", "GET /pets/{kind}/{id}"),
        ("GET", "/cats/dog/1", "GET /{a}/dog/1"),
    ];
    check(&keys, &cases);
}

#[test]
fn leftmost_static_segment_decides_between_full_matches() {
    let keys = ["GET /a/{x}/{y}", "GET /{x}/b/c"];
    let cases = [("GET", "/a/b/c", "GET /a/{x}/{y}"), ("GET", "/z/b/c", "GET /{x}/b/c")];
    check(&keys, &cases);
}

#[test]
fn deeper_greedy_beats_shallower_greedy() {
    let keys = ["GET /{p+}", "GET /a/{p+}", "GET /a/b/{p+}", "GET /{x}/b/c/{p+}"];
    let cases = [
        ("GET", "/a/b/c", "GET /a/b/{p+}"),
        ("GET", "/a/c/d", "GET /a/{p+}"),
        ("GET", "/z/b/c/d", "GET /{x}/b/c/{p+}"),
        ("GET", "/a/b/c/d", "GET /{x}/b/c/{p+}"),
        ("GET", "/z/b", "GET /{p+}"),
    ];
    check(&keys, &cases);
}

#[test]
fn static_greedy_beats_variable_greedy_at_equal_depth() {
    let keys = ["GET /{x}/b/{p+}", "GET /a/{y}/{p+}", "GET /{x}/{y}/{p+}"];
    let cases = [
        ("GET", "/a/b/c", "GET /a/{y}/{p+}"),
        ("GET", "/z/b/c", "GET /{x}/b/{p+}"),
        ("GET", "/z/z/c", "GET /{x}/{y}/{p+}"),
    ];
    check(&keys, &cases);
}

#[test]
fn specific_method_beats_any_at_same_pattern() {
    let keys = ["ANY /a", "GET /a", "ANY /g/{p+}", "POST /g/{p+}"];
    let cases = [
        ("GET", "/a", "GET /a"),
        ("POST", "/a", "ANY /a"),
        ("POST", "/g/x", "POST /g/{p+}"),
        ("GET", "/g/x", "ANY /g/{p+}"),
    ];
    check(&keys, &cases);
}

#[test]
fn method_mismatch_backtracks_to_later_patterns() {
    let keys = [
        "GET /pets/{id}",
        "ANY /pets/{proxy+}",
        "POST /{a}/{b}",
        "GET /x/y",
        "$default",
    ];
    let cases = [
        ("POST", "/pets/1", "POST /{a}/{b}"),
        ("PUT", "/pets/1", "ANY /pets/{proxy+}"),
        ("POST", "/x/y", "POST /{a}/{b}"),
        ("DELETE", "/x/y", "$default"),
    ];
    check(&keys, &cases);
}

#[test]
fn head_prefers_head_then_get_then_any() {
    let keys = [
        "HEAD /h",
        "GET /h",
        "ANY /h",
        "GET /g",
        "ANY /g",
        "ANY /n",
        "POST /p",
        "GET /{p+}",
    ];
    let cases = [
        ("HEAD", "/h", "HEAD /h"),
        ("HEAD", "/g", "GET /g"),
        ("HEAD", "/n", "ANY /n"),
        ("HEAD", "/p", "GET /{p+}"),
        ("GET", "/h", "GET /h"),
    ];
    check(&keys, &cases);
}

#[test]
fn unknown_methods_match_only_any_or_default() {
    let keys = ["GET /a", "ANY /b", "GET /c", "$default"];
    let cases = [
        ("PROPFIND", "/a", "$default"),
        ("PROPFIND", "/b", "ANY /b"),
        ("get", "/c", "$default"),
        ("TRACE", "/b", "ANY /b"),
    ];
    check(&keys, &cases);
}

#[test]
fn matching_is_case_sensitive() {
    let keys = ["GET /Pets", "$default"];
    let cases = [
        ("GET", "/Pets", "GET /Pets"),
        ("GET", "/pets", "$default"),
        ("GET", "/PETS", "$default"),
    ];
    check(&keys, &cases);
}

#[test]
fn root_route_matches_only_the_root() {
    let keys = ["GET /", "GET /{x}"];
    let cases = [("GET", "/", "GET /"), ("GET", "//", "GET /"), ("GET", "/a", "GET /{x}")];
    check(&keys, &cases);
}

#[test]
fn no_match_without_default_is_none() {
    let t = table(&["GET /a", "GET /b/{p+}"]);
    assert_eq!(route(&t, "GET", "/c"), None);
    assert_eq!(route(&t, "POST", "/a"), None);
    assert_eq!(route(&t, "GET", "/b"), None);
    assert_eq!(route(&RouteTable::<String>::builder().build(), "GET", "/"), None);
}

#[test]
fn default_match_has_default_key_and_no_params() {
    let t = table(&["$default"]);
    let path = normalize("/x/y").unwrap();
    let found = t.find(&http::Method::GET, &path).unwrap();
    assert_eq!(found.key, &RouteKey::Default);
    assert!(found.params.is_empty());
}

#[test]
fn params_are_canonical_segments_in_pattern_order() {
    let t = table(&["GET /{a}/x/{b}/{rest+}"]);
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("/1/x/2/3", &[("a", "1"), ("b", "2"), ("rest", "3")]),
        ("/%61%3a/x/%7e/p/%2e/q/", &[("a", "a%3A"), ("b", "~"), ("rest", "p/q")]),
        ("/%20/x/b/c%2F", &[]),
    ];
    for (path, params) in cases {
        let got = normalize(path)
            .ok()
            .and_then(|p| t.find(&http::Method::GET, &p).map(|m| m.params));
        let expected = (!params.is_empty()).then(|| pairs(params));
        assert_eq!(got, expected, "{path}");
    }
}

#[test]
fn param_looks_up_a_variable_by_name() {
    let t = table(&["GET /pets/{id}"]);
    let path = normalize("/pets/7").unwrap();
    let found = t.find(&http::Method::GET, &path).unwrap();
    assert_eq!(found.param("id"), Some("7"));
    assert_eq!(found.param("other"), None);
}

mod insert;

#[test]
fn paths_longer_than_the_inline_segments_match_alike() {
    // 16 segments are searched on the stack, more in a Vec: both must find the same routes.
    let deep = |n: usize| (0..n).map(|i| format!("/s{i}")).collect::<String>();
    let keys = [
        format!("GET {}", deep(INLINE_SEGMENTS)),
        format!("GET {}/{{last}}", deep(INLINE_SEGMENTS)),
        "GET /s0/{proxy+}".to_owned(),
    ];
    let t = table(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    let at = deep(INLINE_SEGMENTS);
    assert_eq!(route(&t, "GET", &at), Some((keys[0].clone(), vec![])));
    let one_more = format!("{at}/x");
    assert_eq!(
        route(&t, "GET", &one_more),
        Some((keys[1].clone(), pairs(&[("last", "x")])))
    );
    let far = format!("{at}/x/y/z");
    let rest = far.trim_start_matches("/s0/").to_owned();
    assert_eq!(
        route(&t, "GET", &far),
        Some((keys[2].clone(), vec![("proxy".to_owned(), rest)]))
    );
}
