//! Parameter mapping (issue 6): a route that forwards claims and context to the backend in
//! headers, as the solar-system example does.
//!
//! `cargo bench --bench mapping`. Not run by CI; `cargo clippy --all-targets` keeps it compiling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../testkit/jwt.rs"]
mod jwt;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue};
use portcullis::auth::{KeySet, NoTrace, Rules, verify};
use portcullis::model::ParameterMapping;
use portcullis::proxy::RequestFacts;
use portcullis::proxy::mapping::{BackendParts, MappingContext, apply};
use portcullis::telemetry::RequestId;
use serde_json::json;

fn mapping(c: &mut Criterion) {
    let now = 1_800_000_000;
    let iss = "https://idp.example";
    let claims = json!({"iss": iss, "aud": "api", "exp": now + 60, "sub": "jane", "scp": ["a", "b"]});
    let token = jwt::mint_json(&jwt::keys().rsa, "RS256", &json!({"alg": "RS256", "kid": "k"}), &claims);
    let keys = KeySet::from_jwks(&jwt::jwks(&[jwt::keys().rsa.public_jwk("k")]))
        .unwrap()
        .0;
    let claims = verify(
        &token,
        &keys,
        &Rules::new(iss, vec!["api".to_owned()]),
        now,
        &mut NoTrace,
    )
    .unwrap();
    let mappings: Vec<ParameterMapping> = [
        ("overwrite:header.x-user", "$context.authorizer.claims.sub"),
        ("overwrite:header.x-scopes", "$context.authorizer.claims.scp"),
        ("append:header.x-request", "$context.requestId"),
        ("overwrite:querystring.planet", "$request.path.name"),
        ("remove:header.x-debug", "''"),
    ]
    .iter()
    .map(|(k, v)| ParameterMapping::parse(k, v).unwrap())
    .collect();
    let mut headers = HeaderMap::new();
    headers.insert("x-debug", "1".parse().unwrap());
    headers.insert("user-agent", "bench".parse().unwrap());
    let facts = RequestFacts {
        request_id: RequestId::parse("Ab3dEf6hIj9kLm0=").unwrap(),
        method: http::Method::GET,
        client: "127.0.0.1:40000".parse().unwrap(),
        host: Some(HeaderValue::from_static("localhost")),
        user_agent: Some(HeaderValue::from_static("bench")),
        protocol: "HTTP/1.1",
        start_unix_ms: 1_800_000_000_000,
        start: Instant::now(),
        api_id: Arc::from("bench"),
        stage: Arc::from("$default"),
        route_key: Arc::from("GET /planets/{name}"),
        log_format: None,
    };
    let (stage_variables, params) = (HashMap::new(), vec![("name".to_owned(), "mars".to_owned())]);
    c.bench_function("parameter mapping (5 mappings, claims and context)", |b| {
        b.iter(|| {
            let ctx = MappingContext {
                headers: &headers,
                query: Some("x=1"),
                path: "/planets/mars",
                full_path: "/planets/mars",
                params: &params,
                stage_variables: &stage_variables,
                claims: Some(&claims),
                facts: &facts,
            };
            let mut out = BackendParts {
                headers: headers.clone(),
                query: None,
                path: None,
            };
            apply(black_box(&mappings), &ctx, &mut out).is_ok()
        })
    });
}

criterion_group!(benches, mapping);
criterion_main!(benches);
