//! Tests of token extraction from headers and query strings.
//! Allowed imports: std, serde_json, http, base64, the auth module and the shared testkit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

use http::{HeaderMap, HeaderValue};

use super::super::error::ErrorKind;
use super::*;

const JWT: &str = "aaa.bbb.ccc";

fn auth() -> TokenLocation {
    TokenLocation::Header(http::header::AUTHORIZATION)
}

fn headers(values: &[&str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for v in values {
        map.append("authorization", HeaderValue::from_str(v).unwrap());
    }
    map
}

fn from_header(value: &str) -> Result<String, AuthError> {
    extract(&auth(), &headers(&[value]), None).map(|token| String::from_utf8(token.into_owned()).unwrap())
}

fn reason_of(result: Result<String, AuthError>) -> Reason {
    result.unwrap_err().reason
}

#[test]
fn reads_a_bearer_token_with_any_scheme_case() {
    for value in [
        "Bearer aaa.bbb.ccc",
        "bearer aaa.bbb.ccc",
        "BEARER aaa.bbb.ccc",
        "bEaReR aaa.bbb.ccc",
    ] {
        assert_eq!(from_header(value).unwrap(), JWT, "{value}");
    }
}

#[test]
fn tolerates_several_spaces_after_bearer() {
    assert_eq!(from_header("Bearer    aaa.bbb.ccc").unwrap(), JWT);
}

#[test]
fn reads_a_bare_token_without_scheme() {
    assert_eq!(from_header(JWT).unwrap(), JWT);
}

#[test]
fn hands_other_schemes_on_whole_to_fail_as_invalid_token() {
    assert_eq!(from_header("Basic abc").unwrap(), "Basic abc");
    assert_eq!(from_header("Bearertoken").unwrap(), "Bearertoken");
}

#[test]
fn a_missing_header_is_missing() {
    let err = extract(&auth(), &HeaderMap::new(), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Missing);
    assert_eq!(err.access_log_text(), "missing: token not provided");
}

#[test]
fn an_empty_header_value_is_missing() {
    assert_eq!(reason_of(from_header("")), Reason::TokenMissing);
    assert_eq!(reason_of(from_header("   ")), Reason::TokenMissing);
}

#[test]
fn two_authorization_headers_are_an_invalid_request() {
    let err = extract(&auth(), &headers(&["Bearer a.b.c", "Bearer d.e.f"]), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidRequest);
    assert_eq!(err.description, "the request has more than one token");
}

#[test]
fn malformed_bearer_values_are_invalid_requests() {
    let cases = [
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Bearer\taaa.bbb.ccc",
        "Bearer aaa.bbb.ccc extra",
        "Bearer a.b.c, Bearer d.e.f",
        "Bearer aaa.bbb.ccc,",
        "Bearer  \taaa",
    ];
    for value in cases {
        let err = from_header(value).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidRequest, "{value:?}");
        assert_eq!(err.description, "the authorization header is malformed", "{value:?}");
    }
}

#[test]
fn a_non_ascii_header_value_is_an_invalid_request() {
    let mut map = HeaderMap::new();
    map.insert("authorization", HeaderValue::from_bytes(b"Bearer \xFFabc").unwrap());
    assert_eq!(
        extract(&auth(), &map, None).unwrap_err().reason,
        Reason::MalformedAuthorization
    );
}

#[test]
fn a_header_token_plus_an_access_token_parameter_is_an_invalid_request() {
    let map = headers(&["Bearer aaa.bbb.ccc"]);
    for query in [
        "access_token=x.y.z",
        "a=1&access_token=",
        "access_token",
        "access%5Ftoken=q",
    ] {
        let err = extract(&auth(), &map, Some(query)).unwrap_err();
        assert_eq!(err.reason, Reason::MultipleTokens, "{query}");
    }
    assert!(extract(&auth(), &map, Some("other=1&access_tokens=2")).is_ok());
}

#[test]
fn reads_a_custom_header_identity_source() {
    let mut map = HeaderMap::new();
    map.insert("x-token", HeaderValue::from_static("Bearer aaa.bbb.ccc"));
    let location = TokenLocation::Header(http::HeaderName::from_static("x-token"));
    assert_eq!(*extract(&location, &map, None).unwrap(), *JWT.as_bytes());
}

fn query_loc() -> TokenLocation {
    TokenLocation::Query("token".to_owned())
}

#[test]
fn reads_and_percent_decodes_a_query_token() {
    let map = HeaderMap::new();
    assert_eq!(
        *extract(&query_loc(), &map, Some("a=1&token=aaa.bbb.ccc")).unwrap(),
        *JWT.as_bytes()
    );
    assert!(matches!(
        extract(&query_loc(), &map, Some("token=aaa.bbb.ccc")).unwrap(),
        Cow::Borrowed(_)
    ));
    assert_eq!(
        *extract(&query_loc(), &map, Some("token=aaa%2Ebbb.c%63c")).unwrap(),
        *JWT.as_bytes()
    );
    assert_eq!(*extract(&query_loc(), &map, Some("to%6Ben=a+b")).unwrap(), *b"a b");
}

#[test]
fn a_missing_or_empty_query_token_is_missing() {
    let map = HeaderMap::new();
    for query in [None, Some(""), Some("other=1"), Some("token="), Some("token")] {
        assert_eq!(
            extract(&query_loc(), &map, query).unwrap_err().reason,
            Reason::TokenMissing,
            "{query:?}"
        );
    }
}

#[test]
fn a_repeated_query_token_is_an_invalid_request() {
    let err = extract(&query_loc(), &HeaderMap::new(), Some("token=a.b.c&token=a.b.c")).unwrap_err();
    assert_eq!(err.reason, Reason::MultipleTokens);
}

#[test]
fn a_query_token_plus_a_bearer_header_is_an_invalid_request() {
    let err = extract(&query_loc(), &headers(&["bearer x.y.z"]), Some("token=a.b.c")).unwrap_err();
    assert_eq!(err.reason, Reason::MultipleTokens);
    assert!(extract(&query_loc(), &headers(&["Basic abc"]), Some("token=a.b.c")).is_ok());
}

#[test]
fn bad_percent_encoding_is_an_invalid_request() {
    for query in ["token=%zz", "token=%4", "token=%C3%28"] {
        let err = extract(&query_loc(), &HeaderMap::new(), Some(query)).unwrap_err();
        assert_eq!(err.reason, Reason::MalformedQuery, "{query}");
    }
}

#[test]
fn the_branch_free_byte_classes_agree_with_their_definitions_for_every_byte() {
    for b in 0..=u8::MAX {
        let visible = b == b'\t' || (0x20..0x7f).contains(&b);
        let separator = b.is_ascii_whitespace() || b == b',';
        assert_eq!(class(b) & INVISIBLE != 0, !visible, "byte {b:#04x}");
        // Whitespace other than tab and space is invisible, so refused before separators count.
        assert_eq!(class(b) & SEPARATOR != 0, visible && separator, "byte {b:#04x}");
        // The fast path's test: a plain byte has neither class, and every other byte has one.
        assert_eq!(plain(b), class(b) == 0, "byte {b:#04x}");
        let mut long = vec![b'a'; 40];
        long.push(b);
        assert_eq!(classes(&long), class(b), "byte {b:#04x} after 40 plain ones");
        // And inside a Bearer token, where the scan meets it: refused either way.
        let value = [b"Bearer ab".as_slice(), &[b], b"cd"].concat();
        let scan = Scan::of(&value);
        assert_eq!(scan.visible, visible, "byte {b:#04x} in the token");
        let refused = !scan.visible || scan.separated;
        assert_eq!(refused, !visible || separator, "byte {b:#04x}");
    }
}
