//! Validation of an API's `corsConfiguration` (aws-http-api.md §6.1): origins, methods, header
//! names, the `maxAge` range and AWS's credentials rule, each problem a diagnostic at its path
//! with a one-line fix.
//!
//! This is the one way into `model::Cors`: the configuration file reaches it through
//! `api::validate_api`, and the admin API hands the same JSON (AWS's `Cors` shape) to
//! [`validate_cors`].
//!
//! May import: std, `serde_json`, `crate::model::cors` and the sibling config modules.

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::file::FileCors;
use super::super::source::join;
use super::decode;
use crate::model::cors::{self, Cors, OriginPattern, WILDCARD};

/// AWS's refusal of `allowCredentials: true` with the `*` origin (BadRequestException,
/// observed in aws-cdk#9076), word for word.
pub const CREDENTIALS_WITH_ANY_ORIGIN: &str = "allow-credentials is not supported if 'allow-origin' is *";

/// The largest `maxAge` AWS accepts (one day); −1 is the smallest.
const MAX_AGE_LIMIT: i64 = 86_400;

/// Validates a `corsConfiguration` value found at `path`. Every problem is recorded in `diags`;
/// the configuration is returned only when there was none.
pub fn validate_cors(value: &Value, path: &str, diags: &mut Diagnostics) -> Option<Cors> {
    let before = diags.0.len();
    let file: FileCors = decode(value, path, diags)?;
    let allow_credentials = file.allow_credentials.unwrap_or(false);
    let allow_origins = origins(
        &file.allow_origins.unwrap_or_default(),
        allow_credentials,
        &join(path, "allowOrigins"),
        diags,
    );
    if allow_credentials && allow_origins.contains(&OriginPattern::Any) {
        diags.error(
            &join(path, "allowCredentials"),
            CREDENTIALS_WITH_ANY_ORIGIN,
            "list the origins that may send credentials instead of *, or set allowCredentials: false",
        );
    }
    let cors = Cors {
        allow_origins,
        allow_methods: methods(
            &file.allow_methods.unwrap_or_default(),
            &join(path, "allowMethods"),
            diags,
        ),
        allow_headers: header_names(
            &file.allow_headers.unwrap_or_default(),
            &join(path, "allowHeaders"),
            diags,
        ),
        expose_headers: header_names(
            &file.expose_headers.unwrap_or_default(),
            &join(path, "exposeHeaders"),
            diags,
        ),
        max_age: max_age(file.max_age, &join(path, "maxAge"), diags),
        allow_credentials,
    };
    (diags.0.len() == before).then_some(cors)
}

fn origins(list: &[String], credentials: bool, path: &str, diags: &mut Diagnostics) -> Vec<OriginPattern> {
    let mut out: Vec<OriginPattern> = Vec::new();
    for (i, text) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match OriginPattern::parse(text) {
            Ok(OriginPattern::Scheme(scheme)) if credentials => diags.error(
                &at,
                format!("'{scheme}://*' with allowCredentials lets every {scheme} site send the user's credentials"),
                "list the origins, or use a domain pattern such as https://*.example.com",
            ),
            Ok(pattern) if !out.contains(&pattern) => out.push(pattern),
            Ok(_) => {}
            Err(err) => diags.error(&at, err.to_string(), err.hint()),
        }
    }
    out
}

fn methods(list: &[String], path: &str, diags: &mut Diagnostics) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, text) in list.iter().enumerate() {
        let method = text.to_ascii_uppercase();
        let known = method == WILDCARD || cors::METHODS.contains(&method.as_str());
        if !known {
            let hint = if method == "ANY" {
                "write * for every method"
            } else {
                "use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *"
            };
            diags.error(
                &format!("{path}[{i}]"),
                format!("'{}' is not a method API Gateway routes", text.escape_debug()),
                hint,
            );
        } else if !out.contains(&method) {
            out.push(method);
        }
    }
    out
}

fn header_names(list: &[String], path: &str, diags: &mut Diagnostics) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, text) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if text != WILDCARD && text.contains('*') {
            diags.error(
                &at,
                format!("'{}' uses '*' inside a header name", text.escape_debug()),
                "write * alone for every header, or list the names",
            );
        } else if text != WILDCARD && !cors::is_header_name(text) {
            diags.error(
                &at,
                format!("'{}' is not a header name", text.escape_debug()),
                "use letters, digits and !#$%&'+-.^_`|~ only: no spaces, colons or values",
            );
        } else if !out.contains(&text.to_ascii_lowercase()) {
            out.push(text.to_ascii_lowercase());
        }
    }
    out
}

fn max_age(value: Option<i64>, path: &str, diags: &mut Diagnostics) -> Option<i32> {
    let seconds = value?;
    match i32::try_from(seconds) {
        Ok(s) if (-1..=MAX_AGE_LIMIT).contains(&seconds) => Some(s),
        _ => {
            diags.error(
                path,
                format!("maxAge must be between -1 and {MAX_AGE_LIMIT} (it is {seconds})"),
                "give the seconds a browser may reuse a preflight answer, at most 86400; -1 disables reuse",
            );
            None
        }
    }
}

#[cfg(test)]
#[path = "cors_tests.rs"]
mod tests;
