//! Validation of JWT authorizers: AWS's limits (one identity source, 1–50 audiences, issuer
//! URL) and the Portcullis extensions (algorithms, leeway, typ, cache timings).

use std::time::Duration;

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::{FileAuthorizer, FileJwtConfiguration};
use super::super::source::join;
use super::{ListRules, check_len, decode_unique};
use crate::model::{Authorizer, IdentitySource, JwtConfiguration};

const MAX_AUTHORIZERS: usize = 10;
const MAX_AUDIENCES: usize = 50;
/// Algorithms an authorizer may accept; `none` and HMAC never.
pub const SUPPORTED_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];
const DEFAULT_ALGORITHMS: &[&str] = &["RS256", "RS384", "RS512"];

pub(super) fn validate_authorizers(values: &[Value], path: &str, diags: &mut Diagnostics) -> Vec<Authorizer> {
    let rules = ListRules {
        max: MAX_AUTHORIZERS,
        noun: "authorizers per API",
        key: "authorizerId",
    };
    decode_unique::<FileAuthorizer>(values, path, &rules, |a| &a.authorizer_id, diags)
        .into_iter()
        .filter_map(|(at, file)| validate_authorizer(file, &at, diags))
        .collect()
}

fn validate_authorizer(file: FileAuthorizer, path: &str, diags: &mut Diagnostics) -> Option<Authorizer> {
    check_len(
        &file.authorizer_id,
        1,
        64,
        &join(path, "authorizerId"),
        "authorizerId",
        diags,
    );
    check_len(&file.name, 1, 128, &join(path, "name"), "name", diags);
    if file.authorizer_type != "JWT" {
        diags.error(
            &join(path, "authorizerType"),
            format!("authorizerType '{}' is not supported", file.authorizer_type),
            "use JWT",
        );
    }
    let source = identity_source(&file.identity_source, &join(path, "identitySource"), diags);
    let jwt = jwt_configuration(file.jwt_configuration, &join(path, "jwtConfiguration"), diags);
    Some(Authorizer {
        authorizer_id: file.authorizer_id,
        name: file.name,
        identity_source: source?,
        jwt: jwt?,
    })
}

fn identity_source(sources: &[String], path: &str, diags: &mut Diagnostics) -> Option<IdentitySource> {
    let [only] = sources else {
        diags.error(
            path,
            format!(
                "a JWT authorizer takes exactly one identity source (found {})",
                sources.len()
            ),
            "use [\"$request.header.Authorization\"]",
        );
        return None;
    };
    let parsed = if let Some(name) = only.strip_prefix("$request.header.") {
        valid_header_name(name).then(|| IdentitySource::Header(name.to_ascii_lowercase()))
    } else if let Some(name) = only.strip_prefix("$request.querystring.") {
        (!name.is_empty()).then(|| IdentitySource::QueryString(name.to_owned()))
    } else {
        None
    };
    if parsed.is_none() {
        diags.error(
            &format!("{path}[0]"),
            format!("'{only}' is not a header or query-string selection expression"),
            "use $request.header.<Name> or $request.querystring.<name>",
        );
    }
    parsed
}

fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn jwt_configuration(file: FileJwtConfiguration, path: &str, diags: &mut Diagnostics) -> Option<JwtConfiguration> {
    check_issuer(
        &file.issuer,
        file.allow_insecure_http.unwrap_or(false),
        &join(path, "issuer"),
        diags,
    );
    check_audiences(&file.audience, &join(path, "audience"), diags);
    let algorithms = algorithms(file.algorithms, &join(path, "algorithms"), diags);
    let leeway = file.leeway_seconds.unwrap_or(0);
    if leeway > 300 {
        diags.error(
            &join(path, "leewaySeconds"),
            format!("leeway of {leeway} s is above the 300 s maximum"),
            "use 0–300 (default 0, as AWS)",
        );
    }
    if file.required_token_type.as_deref() == Some("") {
        diags.error(
            &join(path, "requiredTokenType"),
            "requiredTokenType is empty",
            "use at+jwt or remove it",
        );
    }
    let ttl = file.jwks_cache_ttl_seconds.unwrap_or(7200);
    if !(60..=86_400).contains(&ttl) {
        diags.error(
            &join(path, "jwksCacheTtlSeconds"),
            format!("a JWKS cache lifetime of {ttl} s is out of range"),
            "use 60–86400 (default 7200)",
        );
    }
    let refetch = file.unknown_kid_refetch_interval_seconds.unwrap_or(10);
    if !(1..=3600).contains(&refetch) {
        diags.error(
            &join(path, "unknownKidRefetchIntervalSeconds"),
            format!("{refetch} s is out of range"),
            "use 1–3600 (default 10)",
        );
    }
    Some(JwtConfiguration {
        issuer: file.issuer,
        audience: file.audience,
        algorithms,
        leeway: Duration::from_secs(leeway),
        required_token_type: file.required_token_type,
        jwks_cache_ttl: Duration::from_secs(ttl),
        unknown_kid_refetch_interval: Duration::from_secs(refetch),
        allow_insecure_http: file.allow_insecure_http.unwrap_or(false),
    })
}

fn check_issuer(issuer: &str, allow_http: bool, path: &str, diags: &mut Diagnostics) {
    check_len(issuer, 1, 2048, path, "issuer", diags);
    let Ok(uri) = issuer.parse::<http::Uri>() else {
        diags.error(
            path,
            format!("issuer '{issuer}' is not a URL"),
            "write the issuer exactly as its tokens' iss claim, e.g. https://example.okta.com/oauth2/default",
        );
        return;
    };
    match (uri.scheme_str(), uri.host()) {
        (Some("https"), Some(_)) => {}
        (Some("http"), Some(host)) if allow_http || crate::model::is_loopback_host(host) => {}
        (Some("http"), Some(_)) => diags.error(
            path,
            "discovery over plain http is only allowed for loopback issuers",
            "use https, or set allowInsecureHttp: true for a test setup",
        ),
        _ => diags.error(
            path,
            format!("issuer '{issuer}' must be an absolute https URL"),
            "write the issuer exactly as its tokens' iss claim",
        ),
    }
}

fn check_audiences(audiences: &[String], path: &str, diags: &mut Diagnostics) {
    if audiences.is_empty() || audiences.len() > MAX_AUDIENCES {
        diags.error(
            path,
            format!(
                "a JWT authorizer needs 1–{MAX_AUDIENCES} audiences (found {})",
                audiences.len()
            ),
            "list the aud (or client_id) values your tokens carry",
        );
    }
    for (i, aud) in audiences.iter().enumerate() {
        if aud.is_empty() {
            diags.error(
                &format!("{path}[{i}]"),
                "an audience is empty",
                "remove it or fill it in",
            );
        }
    }
}

fn algorithms(file: Option<Vec<String>>, path: &str, diags: &mut Diagnostics) -> Vec<String> {
    let Some(list) = file else {
        return DEFAULT_ALGORITHMS.iter().map(|s| (*s).to_owned()).collect();
    };
    if list.is_empty() {
        diags.error(
            path,
            "the algorithm list is empty",
            "remove it to accept RS256, RS384 and RS512",
        );
    }
    for (i, alg) in list.iter().enumerate() {
        if !SUPPORTED_ALGORITHMS.contains(&alg.as_str()) {
            diags.error(
                &format!("{path}[{i}]"),
                format!("algorithm '{alg}' is not supported"),
                &format!("use some of {}", SUPPORTED_ALGORITHMS.join(", ")),
            );
        }
    }
    list
}
