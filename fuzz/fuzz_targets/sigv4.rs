//! Fuzzes SigV4 verification: `admin::sigv4::verify` with arbitrary bytes as the
//! `Authorization` header value, the path, the query and the body, then a round trip through
//! `admin::sigv4::sign` for the same path, query and body.
//!
//! Input: `authorization 0x00 path 0x00 query 0x00 body`; missing parts are empty (no query at
//! all when there is no second 0x00), and an `Authorization` value that `http::HeaderValue`
//! refuses is left out. `host` and `x-amz-date` are fixed, and so is the clock.
//!
//! Properties beyond "no panic":
//! - a refusal is a 403 with one of AWS's four error types, and its message never holds the
//!   secret (unless the input itself does, since messages echo parts of the request);
//! - an accepted request names the fuzz access key;
//! - what `sign` signs, `verify` accepts, unless the query also carries presigned parameters,
//!   which AWS refuses beside an `Authorization` header.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use http::header::{AUTHORIZATION, HOST};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;
use portcullis::admin::sigv4::{self, SignedRequest};

const KEY: &str = "AKIDFUZZ";
const SECRET: &str = "fuzz-secret";
const SERVICE: &str = "apigateway";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0);
    let authorization = parts.next().unwrap_or_default();
    let path = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let query = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();
    let now = UNIX_EPOCH + Duration::from_secs(1_795_842_960); // 20261128T051600Z
    let secret_for = |key: &str| (key == KEY).then(|| SECRET.to_owned());
    let echoes_secret = data.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());

    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_static("localhost:9090"));
    headers.insert("x-amz-date", HeaderValue::from_static("20261128T051600Z"));
    if let Ok(value) = HeaderValue::from_bytes(authorization) {
        headers.insert(AUTHORIZATION, value);
    }
    let method = Method::POST;
    let req = SignedRequest {
        method: &method,
        path: &path,
        query: query.as_deref(),
        headers: &headers,
        body,
    };
    match sigv4::verify(&req, SERVICE, &secret_for, now) {
        Ok(identity) => assert_eq!(identity.access_key_id, KEY),
        Err(err) => {
            assert_eq!(err.status(), 403);
            let known = [
                "MissingAuthenticationTokenException",
                "IncompleteSignatureException",
                "UnrecognizedClientException",
                "InvalidSignatureException",
            ];
            assert!(known.contains(&err.error_type()), "{err:?}");
            assert!(echoes_secret || !err.message().contains(SECRET), "{err:?}");
        }
    }

    let mut headers = headers.clone();
    headers.remove(AUTHORIZATION);
    let unsigned = SignedRequest {
        headers: &headers,
        ..req
    };
    let signed = sigv4::sign(&unsigned, KEY, SECRET, "us-east-1", SERVICE, now);
    let value = HeaderValue::from_str(&signed.authorization).expect("the signer makes a valid header");
    headers.insert(AUTHORIZATION, value);
    let signed_req = SignedRequest {
        headers: &headers,
        ..req
    };
    match sigv4::verify(&signed_req, SERVICE, &secret_for, now) {
        Ok(identity) => assert_eq!(
            (identity.access_key_id.as_str(), identity.region.as_str()),
            (KEY, "us-east-1")
        ),
        Err(err) => assert!(
            err.message().starts_with("Found both 'X-Amz-Algorithm'"),
            "signed but refused: {err:?}"
        ),
    }
});
