//! Tests of claim rendering.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::*;

fn shown(value: serde_json::Value) -> Option<String> {
    render_value(&value)
}

#[test]
fn integers_render_as_decimal_text() {
    assert_eq!(shown(json!(1787996002)).as_deref(), Some("1787996002"));
    assert_eq!(shown(json!(-3)).as_deref(), Some("-3"));
    assert_eq!(shown(json!(u64::MAX)).as_deref(), Some("18446744073709551615"));
    assert_eq!(shown(json!(i64::MIN)).as_deref(), Some("-9223372036854775808"));
}

#[test]
fn floats_render_without_a_spurious_fraction_or_exponent() {
    assert_eq!(shown(json!(1787996002.0)).as_deref(), Some("1787996002"));
    assert_eq!(shown(json!(1.5)).as_deref(), Some("1.5"));
    assert_eq!(shown(json!(1e21)).as_deref(), Some("1000000000000000000000"));
}

#[test]
fn booleans_render_as_true_and_false() {
    assert_eq!(shown(json!(true)).as_deref(), Some("true"));
    assert_eq!(shown(json!(false)).as_deref(), Some("false"));
}

#[test]
fn strings_render_as_is_including_spaces() {
    assert_eq!(shown(json!("Jane Q. Doe")).as_deref(), Some("Jane Q. Doe"));
}

#[test]
fn arrays_render_in_go_slice_format() {
    assert_eq!(shown(json!(["admin", "ops"])).as_deref(), Some("[admin ops]"));
    assert_eq!(shown(json!(["admin"])).as_deref(), Some("[admin]"));
    assert_eq!(shown(json!([])).as_deref(), Some("[]"));
    assert_eq!(
        shown(json!([1, true, ["x", "y"], null])).as_deref(),
        Some("[1 true [x y] <nil>]")
    );
}

#[test]
fn objects_render_as_compact_json() {
    assert_eq!(shown(json!({"a": 1})).as_deref(), Some("{\"a\":1}"));
    assert_eq!(shown(json!([{"a": "b"}])).as_deref(), Some("[{\"a\":\"b\"}]"));
}

#[test]
fn null_renders_as_nothing() {
    assert_eq!(shown(json!(null)), None);
}

#[test]
fn go_slice_joins_with_single_spaces() {
    assert_eq!(go_slice(&["a", "b", "c"]), "[a b c]");
    assert_eq!(go_slice::<&str>(&[]), "[]");
}
