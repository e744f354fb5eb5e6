//! Tests of the strict JSON reader (decision D5).
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn accepts_a_plain_object_with_surrounding_whitespace() {
    let map = parse_object(b" {\"alg\":\"RS256\",\"n\":[1,{\"a\":null}]}\n").unwrap();
    assert_eq!(map["alg"], "RS256");
}

#[test]
fn rejects_duplicate_member_names_at_the_top_level() {
    assert!(parse_object(br#"{"alg":"RS256","alg":"none"}"#).is_err());
    assert!(parse_object(br#"{"exp":1,"exp":4102444800}"#).is_err());
}

#[test]
fn rejects_duplicate_member_names_at_every_depth() {
    assert!(parse_object(br#"{"a":{"b":1,"b":2}}"#).is_err());
    assert!(parse_object(br#"{"a":[{"b":1},{"c":1,"c":1}]}"#).is_err());
}

#[test]
fn rejects_duplicates_spelled_with_escapes() {
    assert!(parse_object(br#"{"alg":"RS256","\u0061lg":"none"}"#).is_err());
}

#[test]
fn allows_the_same_name_in_sibling_objects() {
    assert!(parse_object(br#"{"a":{"b":1},"c":{"b":2}}"#).is_ok());
}

#[test]
fn rejects_anything_but_an_object() {
    for text in ["[]", "\"x\"", "null", "0", "{", "", "true"] {
        assert!(parse_object(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn rejects_trailing_bytes() {
    assert!(parse_object(br#"{"a":1}x"#).is_err());
    assert!(parse_object(br#"{"a":1}{"b":2}"#).is_err());
    assert!(parse_object(b"{\"a\":1}\0").is_err());
}

#[test]
fn rejects_a_byte_order_mark() {
    assert!(parse_object(b"\xEF\xBB\xBF{\"a\":1}").is_err());
}

#[test]
fn rejects_invalid_utf8() {
    assert!(parse_object(b"{\"a\":\"\xFF\"}").is_err());
    assert!(parse_object(b"{\"\xC0\xAF\":1}").is_err());
}

#[test]
fn rejects_a_lone_surrogate_but_accepts_a_pair() {
    assert!(parse_object(br#"{"a":"\ud800"}"#).is_err());
    assert!(parse_object(br#"{"a":"\udc00x"}"#).is_err());
    assert_eq!(parse_object(br#"{"a":"\ud83d\ude00"}"#).unwrap()["a"], "\u{1F600}");
}

#[test]
fn rejects_ten_thousand_nested_arrays_without_overflowing_the_stack() {
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_object(deep.as_bytes()).is_err());
}

#[test]
fn rejects_ten_thousand_nested_objects_without_overflowing_the_stack() {
    let deep = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert!(parse_object(deep.as_bytes()).is_err());
}

#[test]
fn accepts_moderate_nesting() {
    let nested = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
    assert!(parse_object(nested.as_bytes()).is_ok());
}

#[test]
fn rejects_numbers_beyond_f64_but_accepts_large_finite_ones() {
    assert!(parse_object(br#"{"exp":1e400}"#).is_err());
    assert_eq!(parse_object(br#"{"exp":1e300}"#).unwrap()["exp"], 1e300);
}
