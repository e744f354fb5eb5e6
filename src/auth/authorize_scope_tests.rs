//! Pipeline tests: route scopes against `scp` / `scope`.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::fixtures::*;
use super::{ErrorKind, challenge};

const ROUTE: &[&str] = &["orders:read"];

fn scoped(claim: &str, value: Value) -> Result<super::Claims, super::AuthError> {
    let mut c = claims_with("scope", None);
    c[claim] = value;
    run_with(&rs256(&c), &rules(), ROUTE)
}

fn refused_with_403(claim: &str, value: Value) {
    let err = scoped(claim, value.clone()).unwrap_err();
    assert_eq!(
        (err.kind, err.status()),
        (ErrorKind::InsufficientScope, 403),
        "{claim}={value}"
    );
    assert_eq!(err.description, "expected scopes: [orders:read]");
}

#[test]
fn accepts_a_space_delimited_scope_string() {
    let accepted = scoped("scope", json!("orders:read orders:write")).unwrap();
    assert_eq!(accepted.scopes(), ["orders:read", "orders:write"]);
}

#[test]
fn accepts_scp_as_an_array_or_a_string() {
    assert!(scoped("scp", json!(["orders:read"])).is_ok());
    assert!(scoped("scp", json!("orders:read")).is_ok());
}

#[test]
fn scp_takes_precedence_over_scope() {
    let mut c = claims_with("scope", Some(json!("orders:read")));
    c["scp"] = json!(["billing:read"]);
    assert_eq!(run_with(&rs256(&c), &rules(), ROUTE).unwrap_err().status(), 403);
}

#[test]
fn tolerates_extra_spaces_around_scopes() {
    assert!(scoped("scope", json!("  orders:read  ")).is_ok());
    assert!(scoped("scope", json!("a   orders:read")).is_ok());
}

#[test]
fn refuses_near_miss_scopes_with_403() {
    for near in [
        "orders:readx",
        "orders",
        "ORDERS:READ",
        "xorders:read",
        "\u{43e}rders:read",
        "orders:read\u{200b}",
    ] {
        refused_with_403("scope", json!(near));
    }
}

#[test]
fn tab_and_comma_do_not_separate_scopes() {
    refused_with_403("scope", json!("orders:write\torders:read"));
    refused_with_403("scope", json!("orders:write,orders:read"));
}

#[test]
fn array_elements_are_not_split() {
    refused_with_403("scp", json!(["orders:write orders:read"]));
}

#[test]
fn malformed_scope_claims_hold_no_scope() {
    for bad in [
        json!(5),
        json!({"orders:read": true}),
        json!([1, "orders:read"]),
        json!(null),
    ] {
        refused_with_403("scp", bad);
    }
}

#[test]
fn a_token_without_scope_claim_is_refused_on_a_scoped_route() {
    let err = run_with(&rs256(&claims_with("scope", None)), &rules(), ROUTE).unwrap_err();
    assert_eq!(err.status(), 403);
}

#[test]
fn one_of_several_route_scopes_is_enough() {
    let token = rs256(&claims_with("scope", Some(json!("orders:admin"))));
    assert!(run_with(&token, &rules(), &["orders:read", "orders:admin"]).is_ok());
}

#[test]
fn routes_without_scopes_do_not_check_them() {
    assert!(run_with(&rs256(&claims_with("scope", None)), &rules(), &[]).is_ok());
    assert!(run_with(&rs256(&claims_with("scope", Some(json!(5)))), &rules(), &[]).is_ok());
}

#[test]
fn scope_is_checked_after_every_other_claim() {
    let expired = claims_with("exp", Some(json!(NOW - 10)));
    assert_eq!(
        run_with(&rs256(&expired), &rules(), &["nope"]).unwrap_err().status(),
        401
    );
}

#[test]
fn the_insufficient_scope_challenge_lists_both_route_scopes() {
    let route = ["orders:read", "orders:admin"];
    let token = rs256(&claims_with("scope", Some(json!("billing:read"))));
    let err = run_with(&token, &rules(), &route).unwrap_err();
    let route: Vec<String> = route.iter().map(|s| (*s).to_owned()).collect();
    let value = challenge::www_authenticate(&err, &route, challenge::ChallengeStyle::Aws);
    assert_eq!(
        value.to_str().unwrap(),
        r#"Bearer scope="orders:read orders:admin" error="insufficient_scope" error_description="expected scopes: [orders:read orders:admin]""#
    );
}
