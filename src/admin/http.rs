//! The admin API over HTTP: AWS's apigatewayv2 REST paths (spec §9.2), SigV4 authentication,
//! JSON bodies, pagination, and AWS's error shapes. Every request is logged with its access
//! key id, operation and status; secrets and signatures never are.
//!
//! May import: std, `http`, `hyper`, `http-body-util`, `bytes`, `serde_json`, `crate::conn`,
//! `crate::telemetry`, and the sibling admin modules.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::error::AdminError;
use super::resources::ApiRecord;
use super::service::Admin;
use super::stages::StagePart;
use super::{apis, children, openapi, sigv4, stages};
use crate::conn::Connection;

/// AWS's limit for a control-plane request body (an OpenAPI import is the largest).
const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;
/// The signing name of the apigatewayv2 service.
const SERVICE: &str = "apigateway";

/// What a successful operation answers.
enum Reply {
    /// A JSON body with this status.
    Json(StatusCode, Value),
    /// A raw body (ExportApi) with its content type.
    Raw(String, &'static str),
    /// 204.
    NoContent,
}

/// Serves one admin request. Never fails: every error becomes AWS's error response.
pub async fn handle(
    admin: Arc<Admin>,
    _conn: Connection,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let id = crate::telemetry::new_request_id();
    let request_id = id.as_str();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let err = AdminError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                error_type: "PayloadTooLargeException",
                message: "Request Too Long".to_owned(),
                resource_type: None,
            };
            return Ok(error_response(&err, request_id));
        }
    };
    let signed = sigv4::SignedRequest {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    let secret_for = |key: &str| {
        admin
            .settings
            .credentials
            .iter()
            .find(|(id, _)| id == key)
            .map(|(_, secret)| secret.clone())
    };
    let identity = match sigv4::verify(&signed, SERVICE, &secret_for, (admin.clock)()) {
        Ok(identity) => identity,
        Err(err) => {
            tracing::info!(%method, %path, reason = err.error_type(), "admin request refused: authentication");
            return Ok(error_response(&AdminError::from(err), request_id));
        }
    };
    let query = parts.uri.query().unwrap_or("");
    let outcome = dispatch(&admin, &method, &path, query, &body).await;
    let status = match &outcome {
        Ok(Reply::Json(status, _)) => *status,
        Ok(Reply::Raw(..)) => StatusCode::OK,
        Ok(Reply::NoContent) => StatusCode::NO_CONTENT,
        Err(err) => err.status,
    };
    tracing::info!(%method, %path, status = status.as_u16(), access_key = %identity.access_key_id, request_id = %request_id, "admin request");
    Ok(match outcome {
        Ok(reply) => ok_response(reply, request_id),
        Err(err) => error_response(&err, request_id),
    })
}

fn ok_response(reply: Reply, request_id: &str) -> Response<Full<Bytes>> {
    let (status, body, content_type) = match reply {
        Reply::Json(status, value) => (status, value.to_string(), "application/json"),
        Reply::Raw(text, content_type) => (StatusCode::OK, text, content_type),
        Reply::NoContent => (StatusCode::NO_CONTENT, String::new(), "application/json"),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn error_response(err: &AdminError, request_id: &str) -> Response<Full<Bytes>> {
    let mut response = ok_response(Reply::Json(err.status, err.body()), request_id);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(err.error_type));
    response
}

/// Runs one already-authenticated request (for unit tests of the operations).
#[cfg(test)]
pub(super) async fn call(admin: &Admin, method: &str, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let method: Method = method.parse().unwrap_or(Method::GET);
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    match dispatch(admin, &method, path, query, body.as_bytes()).await {
        Ok(Reply::Json(status, value)) => (status.as_u16(), value),
        Ok(Reply::Raw(text, _)) => (200, Value::String(text)),
        Ok(Reply::NoContent) => (204, Value::Null),
        Err(err) => (
            err.status.as_u16(),
            json!({ "type": err.error_type, "body": err.body() }),
        ),
    }
}

/// Percent-decodes one path segment (`%24default` → `$default`).
fn decode_segment(segment: &str) -> Result<String, AdminError> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(AdminError::bad_request("Invalid percent-encoding in the request path"));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| AdminError::bad_request("The request path is not UTF-8"))
}

/// The query parameters, decoded (`+` is a space, as in forms).
fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| decode_segment(&s.replace('+', " ")).unwrap_or_default();
            (dec(k), dec(v))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, AdminError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| AdminError::bad_request(format!("Invalid request body: {e}")))
}

async fn dispatch(admin: &Admin, method: &Method, path: &str, query: &str, body: &[u8]) -> Result<Reply, AdminError> {
    let Some(rest) = path.strip_prefix("/v2/") else {
        return Err(unknown_operation());
    };
    let segments: Vec<String> = rest.split('/').map(decode_segment).collect::<Result<_, _>>()?;
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let params = query_params(query);
    let created = |v: Value| Ok(Reply::Json(StatusCode::CREATED, v));
    let ok = |v: Value| Ok(Reply::Json(StatusCode::OK, v));
    let m = method.as_str();
    match (m, segs.as_slice()) {
        ("POST", ["apis"]) => created(apis::create(admin, parse(body)?)?),
        ("GET", ["apis"]) => {
            let items: Vec<Value> = admin.records()?.iter().map(|r| apis::render(admin, &r.api)).collect();
            ok(page(items, &params)?)
        }
        ("PUT", ["apis"]) => created(openapi::import(admin, parse(body)?, &import_options(&params))?),
        ("PUT", ["apis", id]) => created(openapi::reimport(admin, id, parse(body)?, &import_options(&params))?),
        ("GET", ["apis", id, "exports", spec]) => {
            let query = openapi::ExportQuery {
                output_type: param(&params, "outputType"),
                stage_name: param(&params, "stageName"),
                include_extensions: param(&params, "includeExtensions"),
                export_version: param(&params, "exportVersion"),
            };
            let (text, content_type) = openapi::export(admin, id, spec, &query)?;
            Ok(Reply::Raw(text, content_type))
        }
        ("GET", ["apis", id]) => ok(apis::render(admin, &admin.record(id)?.api)),
        ("PATCH", ["apis", id]) => ok(apis::update(admin, id, parse(body)?)?),
        ("DELETE", ["apis", id]) => admin.delete(id).map(|()| Reply::NoContent),
        ("DELETE", ["apis", id, "cors"]) => apis::delete_cors(admin, id).map(|()| Reply::NoContent),
        ("POST", ["apis", id, "routes"]) => created(children::create_route(admin, id, parse(body)?)?),
        ("PATCH", ["apis", id, "routes", rid]) => ok(children::update_route(admin, id, rid, parse(body)?)?),
        ("DELETE", ["apis", id, "routes", rid]) => children::delete_route(admin, id, rid).map(|()| Reply::NoContent),
        ("DELETE", ["apis", id, "routes", rid, "requestparameters", key]) => {
            let record = admin.record(id)?;
            find(&record.routes, |r| r.route_id == *rid, "Route", rid)?;
            Err(AdminError::not_found(
                "RouteRequestParameter",
                format!("Invalid request parameter key specified {key}: HTTP API routes have no request parameters"),
            ))
        }
        ("POST", ["apis", id, "integrations"]) => created(children::create_integration(admin, id, parse(body)?)?),
        ("PATCH", ["apis", id, "integrations", iid]) => ok(children::update_integration(admin, id, iid, parse(body)?)?),
        ("DELETE", ["apis", id, "integrations", iid]) => {
            children::delete_integration(admin, id, iid).map(|()| Reply::NoContent)
        }
        ("POST", ["apis", id, "authorizers"]) => {
            let input: children::AuthorizerInput = parse(body)?;
            if let Some(issuer) = input.issuer() {
                children::check_discovery(admin, issuer, input.allow_insecure_http()).await?;
            }
            created(children::create_authorizer(admin, id, input)?)
        }
        ("PATCH", ["apis", id, "authorizers", aid]) => {
            let input: children::AuthorizerInput = parse(body)?;
            if let Some(issuer) = input.issuer() {
                children::check_discovery(admin, issuer, input.allow_insecure_http()).await?;
            }
            ok(children::update_authorizer(admin, id, aid, input)?)
        }
        ("DELETE", ["apis", id, "authorizers", aid]) => {
            children::delete_authorizer(admin, id, aid).map(|()| Reply::NoContent)
        }
        ("POST", ["apis", id, "stages"]) => created(stages::create_stage(admin, id, parse(body)?)?),
        ("PATCH", ["apis", id, "stages", name]) => ok(stages::update_stage(admin, id, name, parse(body)?)?),
        ("DELETE", ["apis", id, "stages", name]) => {
            stages::delete_stage_part(admin, id, name, StagePart::Whole).map(|()| Reply::NoContent)
        }
        ("DELETE", ["apis", id, "stages", name, "accesslogsettings"]) => {
            stages::delete_stage_part(admin, id, name, StagePart::AccessLogSettings).map(|()| Reply::NoContent)
        }
        ("DELETE", ["apis", id, "stages", name, "routesettings", key]) => {
            stages::delete_stage_part(admin, id, name, StagePart::RouteSettings(key)).map(|()| Reply::NoContent)
        }
        ("DELETE", ["apis", id, "stages", name, "cache", "authorizers"]) => {
            stages::delete_stage_part(admin, id, name, StagePart::AuthorizersCache).map(|()| Reply::NoContent)
        }
        ("POST", ["apis", id, "deployments"]) => created(stages::create_deployment(admin, id, parse(body)?)?),
        ("PATCH", ["apis", id, "deployments", did]) => ok(stages::update_deployment(admin, id, did, parse(body)?)?),
        ("DELETE", ["apis", id, "deployments", did]) => {
            stages::delete_deployment(admin, id, did).map(|()| Reply::NoContent)
        }
        ("GET", ["apis", id, kind]) => ok(page(list_children(&admin.record(id)?, kind)?, &params)?),
        ("GET", ["apis", id, kind, child]) => ok(get_child(&admin.record(id)?, kind, child)?),
        ("GET", ["tags", arn]) => ok(json!({ "tags": tags_of(admin, arn)? })),
        ("POST", ["tags", arn]) => {
            #[derive(serde::Deserialize, Default)]
            struct TagInput {
                tags: Option<std::collections::BTreeMap<String, String>>,
            }
            let input: TagInput = parse(body)?;
            let tags = input.tags.unwrap_or_default();
            change_tags(admin, arn, |t| t.extend(tags))?;
            created(json!({}))
        }
        ("DELETE", ["tags", arn]) => {
            let keys: Vec<String> = params
                .iter()
                .filter(|(k, _)| k == "tagKeys")
                .map(|(_, v)| v.clone())
                .collect();
            change_tags(admin, arn, |t| t.retain(|k, _| !keys.contains(k)))?;
            Ok(Reply::NoContent)
        }
        _ => Err(unknown_operation()),
    }
}

fn import_options(params: &[(String, String)]) -> openapi::ImportOptions {
    openapi::ImportOptions {
        fail_on_warnings: param(params, "failOnWarnings") == Some("true"),
    }
}

fn unknown_operation() -> AdminError {
    AdminError::not_found("Operation", "The requested resource or operation does not exist")
}

fn find<'a, T>(items: &'a [T], pred: impl Fn(&T) -> bool, kind: &'static str, id: &str) -> Result<&'a T, AdminError> {
    items
        .iter()
        .find(|i| pred(i))
        .ok_or_else(|| AdminError::no_child(kind, id))
}

fn values<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    items.iter().filter_map(|i| serde_json::to_value(i).ok()).collect()
}

fn list_children(record: &ApiRecord, kind: &str) -> Result<Vec<Value>, AdminError> {
    Ok(match kind {
        "routes" => values(&record.routes),
        "integrations" => values(&record.integrations),
        "authorizers" => values(&record.authorizers),
        "stages" => values(&record.stages),
        "deployments" => record.deployments.iter().map(stages::render_deployment).collect(),
        _ => return Err(unknown_operation()),
    })
}

fn get_child(record: &ApiRecord, kind: &str, id: &str) -> Result<Value, AdminError> {
    let value = match kind {
        "routes" => serde_json::to_value(find(&record.routes, |r| r.route_id == id, "Route", id)?),
        "integrations" => serde_json::to_value(find(
            &record.integrations,
            |i| i.integration_id == id,
            "Integration",
            id,
        )?),
        "authorizers" => serde_json::to_value(find(&record.authorizers, |a| a.authorizer_id == id, "Authorizer", id)?),
        "stages" => serde_json::to_value(find(&record.stages, |s| s.stage_name == id, "Stage", id)?),
        "deployments" => Ok(stages::render_deployment(find(
            &record.deployments,
            |d| d.deployment_id == id,
            "Deployment",
            id,
        )?)),
        _ => return Err(unknown_operation()),
    };
    value.map_err(|e| AdminError::internal(&e.to_string()))
}

/// `{"items": […], "nextToken": …}` for `maxResults` / `nextToken` (an opaque offset).
fn page(items: Vec<Value>, params: &[(String, String)]) -> Result<Value, AdminError> {
    let start = match param(params, "nextToken") {
        None => 0,
        Some(token) => token
            .strip_prefix("p")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| AdminError::bad_request("Invalid pagination token"))?,
    };
    let size = match param(params, "maxResults") {
        None => items.len().max(1),
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| AdminError::bad_request("maxResults must be a number from 1 to 500"))?,
    };
    let end = start.saturating_add(size).min(items.len());
    let mut out = json!({ "items": items.get(start..end).unwrap_or_default() });
    if end < items.len() {
        out["nextToken"] = json!(format!("p{end}"));
    }
    Ok(out)
}

/// The API (and stage) an ARN names: `arn:aws:apigateway:{region}::/apis/{apiId}[/stages/{name}]`.
fn arn_target(arn: &str) -> Result<(String, Option<String>), AdminError> {
    let bad = || AdminError::bad_request(format!("Invalid resource ARN {arn}"));
    let path = arn
        .strip_prefix("arn:aws:apigateway:")
        .and_then(|r| r.split_once("::"))
        .map(|(_, p)| p)
        .ok_or_else(bad)?;
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["apis", id] => Ok(((*id).to_owned(), None)),
        ["apis", id, "stages", stage] => Ok(((*id).to_owned(), Some((*stage).to_owned()))),
        _ => Err(bad()),
    }
}

fn tags_of(admin: &Admin, arn: &str) -> Result<Value, AdminError> {
    let (api_id, stage) = arn_target(arn)?;
    let record = admin.record(&api_id)?;
    let tags = match stage {
        None => &record.api.tags,
        Some(name) => &find(&record.stages, |s| s.stage_name == name, "Stage", &name)?.tags,
    };
    Ok(json!(tags))
}

fn change_tags(
    admin: &Admin,
    arn: &str,
    change: impl FnOnce(&mut std::collections::BTreeMap<String, String>),
) -> Result<(), AdminError> {
    let (api_id, stage) = arn_target(arn)?;
    admin.modify(&api_id, |record, _| {
        let tags = match stage {
            None => &mut record.api.tags,
            Some(name) => {
                &mut record
                    .stages
                    .iter_mut()
                    .find(|s| s.stage_name == name)
                    .ok_or_else(|| AdminError::no_child("Stage", &name))?
                    .tags
            }
        };
        change(tags);
        Ok(())
    })
}
