//! `portcullis explain --config FILE --token TOKEN 'GET /planets'`: the route a request would
//! take, every authorizer check with the actual and expected values, and the response the
//! gateway would send. It runs the same pipeline as the data plane (`auth::authorize` with a
//! `Recorder` instead of `NoTrace`) against keys fetched from the issuer like the gateway does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::auth::{self, Recorder};
use crate::jwks::{Fetcher, HttpFetcher};
use crate::model::{Api, Authorization, Authorizer, IdentitySource, Route};
use crate::proxy::{GatewayError, snapshot};
use crate::routing::{NormalizedPath, RouteTable, normalize};

/// What to explain.
pub struct Request {
    /// The configuration file.
    pub config: PathBuf,
    /// The access token (without `Bearer `), if any.
    pub token: Option<String>,
    /// `METHOD /path` or a URL.
    pub request: String,
    /// A local JWKS file to use instead of fetching the issuer's.
    pub jwks: Option<PathBuf>,
}

/// Prints the explanation; exit 0 when the request would reach the backend, 1 otherwise.
pub fn run(req: Request) -> ExitCode {
    match explain(&req) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("portcullis: {err}");
            ExitCode::from(2)
        }
    }
}

fn explain(req: &Request) -> Result<bool, String> {
    let config = crate::config::load(&req.config).map_err(|d| format!("{}:\n{d}", req.config.display()))?;
    let gateway = config.gateway.ok_or("the configuration has no gateway section")?;
    let api = gateway.apis.first().ok_or("the configuration has no API")?;
    let (method, target) = parse_request(&req.request)?;
    println!("request     {method} {target}");
    println!("api         {} ({})", api.api_id, api.name);
    let path = match normalize(target.split('?').next().unwrap_or("/")) {
        Ok(path) => path,
        Err(err) => return Ok(respond(GatewayError::BadRequest(err.to_string()))),
    };
    let Some((stage, route_path)) = select_stage(api, &path) else {
        return Ok(respond(GatewayError::NotFound));
    };
    println!("stage       {stage}");
    let table = route_table(api)?;
    let Some(found) = table.find(&method, &route_path) else {
        return Ok(respond(GatewayError::NotFound));
    };
    let route: &Route = found.value;
    let Some(integration) = route.integration_id.as_deref().and_then(|id| api.integration(id)) else {
        return Ok(respond(GatewayError::NotFound));
    };
    println!(
        "route       {} -> integration {} ({})",
        route.route_key, integration.integration_id, integration.uri
    );
    explain_auth(api, route, req, &target)
}

fn parse_request(text: &str) -> Result<(http::Method, String), String> {
    let (method, rest) = text.trim().split_once(' ').unwrap_or(("GET", text.trim()));
    let method: http::Method = method
        .parse()
        .map_err(|_| format!("'{method}' is not an HTTP method"))?;
    let target = match rest.parse::<http::Uri>() {
        Ok(uri) if uri.scheme().is_some() => uri.path_and_query().map_or("/".to_owned(), |p| p.to_string()),
        _ => rest.to_owned(),
    };
    Ok((method, target))
}

fn select_stage(api: &Api, path: &NormalizedPath) -> Option<(String, NormalizedPath)> {
    let first = path.first_segment();
    if let Some(stage) = api
        .stages
        .iter()
        .find(|s| !s.is_default() && Some(s.stage_name.as_str()) == first)
    {
        return Some((stage.stage_name.clone(), path.without_first_segment()));
    }
    api.stages
        .iter()
        .find(|s| s.is_default())
        .map(|s| (s.stage_name.clone(), path.clone()))
}

fn route_table(api: &Api) -> Result<RouteTable<&Route>, String> {
    let mut builder = RouteTable::builder();
    for route in &api.routes {
        builder
            .insert(route.route_key.clone(), route)
            .map_err(|e| e.to_string())?;
    }
    Ok(builder.build())
}

fn explain_auth(api: &Api, route: &Route, req: &Request, target: &str) -> Result<bool, String> {
    let Authorization::Jwt { authorizer_id, scopes } = &route.authorization else {
        println!("authorizer  none: the request goes straight to the backend");
        println!("response    the backend's");
        return Ok(true);
    };
    let authorizer = api.authorizer(authorizer_id).ok_or("missing authorizer")?;
    println!(
        "authorizer  {} (JWT), token from {}",
        authorizer.name, authorizer.identity_source
    );
    let style = snapshot::challenge_style(api.challenge_style);
    let refuse = |error| GatewayError::Auth {
        error,
        scopes: scopes.as_slice().into(),
        style,
    };
    let (headers, query) = simulated_request(authorizer, req.token.as_deref(), target);
    let location = snapshot::token_location(&authorizer.identity_source)?;
    let token = match auth::extract(&location, &headers, query.as_deref()) {
        Ok(token) => token.into_owned(),
        Err(err) => {
            println!("  [FAIL] token        not found ({})", err.access_log_text());
            return Ok(respond(refuse(err)));
        }
    };
    println!("  [ok]   token        found in {}", authorizer.identity_source);
    let keys = match load_keys(authorizer, req.jwks.as_deref()) {
        Ok(keys) => keys,
        Err(why) => {
            println!("  [FAIL] keys         {why}");
            return Ok(respond(GatewayError::KeysUnavailable(why)));
        }
    };
    println!(
        "  [ok]   keys         {} key(s) from {}",
        keys.len(),
        key_source(authorizer, req.jwks.as_deref())
    );
    let rules = snapshot::rules_for(&authorizer.jwt)?;
    let mut recorder = Recorder::default();
    let result = auth::authorize(
        &token,
        &keys,
        &rules,
        scopes,
        crate::telemetry::unix_secs(),
        &mut recorder,
    );
    for step in &recorder.steps {
        let mark = if step.ok { "[ok]  " } else { "[FAIL]" };
        println!(
            "  {mark} {:<12} {}  (expected {})",
            step.name, step.actual, step.expected
        );
    }
    match result {
        Ok(_) => {
            println!("response    forwarded to the backend");
            Ok(true)
        }
        Err(err) => Ok(respond(refuse(err))),
    }
}

fn simulated_request(authorizer: &Authorizer, token: Option<&str>, target: &str) -> (http::HeaderMap, Option<String>) {
    let mut headers = http::HeaderMap::new();
    let mut query = target.split_once('?').map(|(_, q)| q.to_owned());
    if let Some(token) = token {
        match &authorizer.identity_source {
            IdentitySource::Header(name) => {
                if let (Ok(name), Ok(value)) = (
                    http::header::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(&format!("Bearer {token}")),
                ) {
                    headers.insert(name, value);
                }
            }
            IdentitySource::QueryString(name) => {
                let pair = format!("{name}={token}");
                query = Some(query.map_or(pair.clone(), |q| format!("{q}&{pair}")));
            }
        }
    }
    (headers, query)
}

fn key_source(authorizer: &Authorizer, jwks: Option<&Path>) -> String {
    jwks.map_or_else(
        || format!("{} (discovery)", authorizer.jwt.issuer),
        |p| p.display().to_string(),
    )
}

fn load_keys(authorizer: &Authorizer, jwks: Option<&Path>) -> Result<auth::KeySet, String> {
    if let Some(path) = jwks {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return auth::KeySet::from_jwks(&bytes)
            .map(|(keys, _)| keys)
            .map_err(|e| e.to_string());
    }
    let settings = snapshot::issuer_settings(&authorizer.jwt);
    let runtime = super::current_thread_runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async { HttpFetcher::new(crate::client::build()).fetch(&settings).await })
}

/// Prints the response the gateway would send; returns false (the backend is not reached).
fn respond(err: GatewayError) -> bool {
    let response = err.into_response();
    let status = response.status();
    println!(
        "response    {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        println!("  {name}: {}", value.to_str().unwrap_or("?"));
    }
    println!("  {}", String::from_utf8_lossy(response.body()));
    false
}
