//! Tests of error texts, status codes and log escaping.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn missing_token_logs_as_missing_token_not_provided() {
    let err = AuthError::new(Reason::TokenMissing, "");
    assert_eq!(err.access_log_text(), "missing: token not provided");
    assert_eq!(err.kind, ErrorKind::Missing);
}

#[test]
fn expired_token_logs_as_invalid_token_the_token_has_expired() {
    let err = AuthError::new(Reason::Expired, "exp=1");
    assert_eq!(err.access_log_text(), "invalid_token: the token has expired");
    assert_eq!(err.to_string(), "invalid_token: the token has expired");
}

#[test]
fn insufficient_scope_is_403_and_everything_else_401() {
    assert_eq!(AuthError::scope(&["a".to_owned()], "").status(), 403);
    for reason in [
        Reason::TokenMissing,
        Reason::MultipleTokens,
        Reason::Signature,
        Reason::Expired,
    ] {
        assert_eq!(AuthError::new(reason, "").status(), 401, "{reason:?}");
    }
}

#[test]
fn request_errors_are_invalid_request() {
    for reason in [
        Reason::MultipleTokens,
        Reason::MalformedAuthorization,
        Reason::MalformedQuery,
    ] {
        assert_eq!(reason.kind(), ErrorKind::InvalidRequest);
    }
    let err = AuthError::new(Reason::MultipleTokens, "");
    assert_eq!(
        err.access_log_text(),
        "invalid_request: the request has more than one token"
    );
}

#[test]
fn only_unknown_kid_asks_for_a_jwks_refetch() {
    assert!(AuthError::new(Reason::UnknownKid, "").is_unknown_kid());
    assert!(!AuthError::new(Reason::NoKid, "").is_unknown_kid());
    assert!(!AuthError::new(Reason::Signature, "").is_unknown_kid());
}

#[test]
fn a_well_formed_alg_is_echoed_in_the_description() {
    assert_eq!(
        AuthError::algorithm(Some("ES256")).description,
        "signing method ES256 is invalid"
    );
    assert_eq!(
        AuthError::algorithm(Some("none")).description,
        "signing method none is invalid"
    );
}

#[test]
fn registered_alg_descriptions_read_exactly_as_the_formatted_ones() {
    assert_eq!(
        super::REGISTERED_ALGS.len(),
        15,
        "RFC 7518's twelve and none, RFC 8037's EdDSA, and the stand-in"
    );
    for name in super::REGISTERED_ALGS {
        assert_eq!(
            super::registered_alg_text(name),
            Some(format!("signing method {name} is invalid").as_str()),
        );
        assert_eq!(
            super::registered_alg_detail(name),
            Some(format!("alg={}", super::log_value(name)).as_str()),
        );
    }
    assert_eq!(super::registered_alg_text("RS257"), None);
    assert_eq!(
        AuthError::algorithm(Some("RS257")).description,
        "signing method RS257 is invalid"
    );
}

#[test]
fn a_hostile_or_missing_alg_is_never_echoed() {
    let long = "A".repeat(33);
    for alg in [
        Some("none "),
        Some("a\r\nb"),
        Some(""),
        Some("\"x"),
        Some(long.as_str()),
        None,
    ] {
        let err = AuthError::algorithm(alg);
        assert_eq!(err.description, "signing method (invalid) is invalid", "{alg:?}");
    }
}

#[test]
fn safe_alg_accepts_only_short_token_characters() {
    assert!(safe_alg("RS256"));
    assert!(safe_alg("a_b+c-d"));
    assert!(safe_alg(&"A".repeat(32)));
    assert!(!safe_alg(&"A".repeat(33)));
    assert!(!safe_alg("RS 256"));
    assert!(!safe_alg("RS256é"));
}

#[test]
fn scope_description_lists_route_scopes_in_go_slice_format() {
    let scopes = ["a".to_owned(), "b".to_owned()];
    assert_eq!(AuthError::scope(&scopes, "").description, "expected scopes: [a b]");
}

#[test]
fn log_values_are_escaped_and_bounded() {
    assert_eq!(log_value("a\r\nb\"c"), "a\\r\\nb\\\"c");
    let huge = "k".repeat(16 * 1024);
    let logged = log_value(&huge);
    assert_eq!(logged.len(), LOG_VALUE_MAX);
    assert!(logged.ends_with("..."));
    assert!(log_value("ключ").is_ascii());
}

#[test]
fn an_unforwardable_claim_is_an_invalid_token() {
    let err = AuthError::unsafe_claim("claim x holds CR");
    assert_eq!(
        err.access_log_text(),
        "invalid_token: the token has a claim that cannot be forwarded"
    );
    assert_eq!(err.status(), 401);
}
