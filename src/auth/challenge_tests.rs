//! Tests of the exact `WWW-Authenticate` texts.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::error::Reason;
use super::*;

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn text(err: &AuthError, route: &[&str], style: ChallengeStyle) -> String {
    www_authenticate(err, &scopes(route), style)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_missing_token_gets_the_bare_bearer_challenge() {
    let err = AuthError::new(Reason::TokenMissing, "");
    assert_eq!(text(&err, &["a"], ChallengeStyle::Aws), "Bearer");
    assert_eq!(text(&err, &[], ChallengeStyle::Rfc6750), "Bearer");
}

#[test]
fn a_malformed_token_challenge_has_an_empty_scope_on_an_unscoped_route() {
    let err = AuthError::new(Reason::Segments, "");
    assert_eq!(
        text(&err, &[], ChallengeStyle::Aws),
        r#"Bearer scope="" error="invalid_token" error_description="token contains an invalid number of segments""#
    );
}

#[test]
fn an_expired_token_challenge_names_the_route_scope() {
    let err = AuthError::new(Reason::Expired, "");
    assert_eq!(
        text(&err, &["orders:read"], ChallengeStyle::Aws),
        r#"Bearer scope="orders:read" error="invalid_token" error_description="the token has expired""#
    );
}

#[test]
fn an_insufficient_scope_challenge_matches_aws_exactly() {
    let route = scopes(&["http://myapp.com/scp/silver"]);
    let err = AuthError::scope(&route, "");
    assert_eq!(
        text(&err, &["http://myapp.com/scp/silver"], ChallengeStyle::Aws),
        r#"Bearer scope="http://myapp.com/scp/silver" error="insufficient_scope" error_description="expected scopes: [http://myapp.com/scp/silver]""#
    );
}

#[test]
fn an_insufficient_scope_challenge_with_two_scopes_in_both_styles() {
    let route = ["orders:read", "orders:admin"];
    let err = AuthError::scope(&scopes(&route), "");
    assert_eq!(
        text(&err, &route, ChallengeStyle::Aws),
        r#"Bearer scope="orders:read orders:admin" error="insufficient_scope" error_description="expected scopes: [orders:read orders:admin]""#
    );
    assert_eq!(
        text(&err, &route, ChallengeStyle::Rfc6750),
        r#"Bearer scope="orders:read orders:admin", error="insufficient_scope", error_description="expected scopes: [orders:read orders:admin]""#
    );
}

#[test]
fn an_invalid_request_challenge_uses_the_invalid_request_code() {
    let err = AuthError::new(Reason::MultipleTokens, "");
    assert_eq!(
        text(&err, &[], ChallengeStyle::Aws),
        r#"Bearer scope="" error="invalid_request" error_description="the request has more than one token""#
    );
}

#[test]
fn quoted_strings_escape_quotes_and_backslashes_and_drop_controls() {
    assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(quoted("a\r\nb\tc\u{7f}d\u{43e}"), "\"a??b?c?d?\"");
}

#[test]
fn hostile_route_scopes_and_descriptions_still_make_a_valid_header() {
    let mut err = AuthError::new(Reason::Signature, "");
    err.description = "x\r\nSet-Cookie: a=b".into();
    let value = text(&err, &["s\"\r\n"], ChallengeStyle::Aws);
    assert!(!value.contains('\r') && !value.contains('\n'), "{value}");
    assert!(value.contains(r#"scope="s\"??""#), "{value}");
}

#[test]
fn a_remembered_challenge_is_always_the_one_built_for_the_same_refusal_route_and_style() {
    let refusals = [
        AuthError::new(Reason::Expired, ""),
        AuthError::new(Reason::Issuer, ""),
        AuthError::new(Reason::Segments, ""),
        AuthError::new(Reason::Scope, ""),
        AuthError::new(Reason::MultipleTokens, ""),
    ];
    let routes: [&[&str]; 4] = [&[], &["a"], &["a", "b"], &["b"]];
    // More combinations than the memo holds, twice over, so entries are both found and replaced.
    for _ in 0..2 {
        for err in &refusals {
            for route in routes {
                for style in [ChallengeStyle::Aws, ChallengeStyle::Rfc6750] {
                    let fresh = build(err, &scopes(route), style);
                    assert_eq!(
                        www_authenticate(err, &scopes(route), style),
                        fresh,
                        "{err:?} {route:?} {style:?}"
                    );
                    assert_eq!(
                        www_authenticate(err, &scopes(route), style),
                        fresh,
                        "{err:?} {route:?} {style:?}"
                    );
                }
            }
        }
    }
}
