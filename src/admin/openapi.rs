//! ImportApi, ReimportApi and ExportApi (spec §9.2, §10): OpenAPI 3 documents with AWS's
//! extensions in and out, through `crate::openapi` and the same write path as every other
//! operation.
//!
//! May import: std, `serde`, `serde_json`, `crate::openapi`, and the sibling admin modules.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::apis::render;
use super::error::AdminError;
use super::ids::{random_id, unique_id};
use super::resources::{Api, ApiRecord, Authorizer, Integration, Route};
use super::service::Admin;
use crate::openapi::{self, ExportOptions, IdKind, ImportReport};

/// The ImportApi / ReimportApi body.
#[derive(Debug, Default, Deserialize)]
pub struct ImportInput {
    body: Option<String>,
}

/// The query parameters of ImportApi / ReimportApi.
pub struct ImportOptions {
    /// `failOnWarnings=true`.
    pub fail_on_warnings: bool,
}

/// Parses `text` into an API document and its report, refusing it as AWS does.
fn parse(input: ImportInput, options: &ImportOptions) -> Result<(Value, ImportReport), AdminError> {
    let text = input
        .body
        .ok_or_else(|| AdminError::bad_request("Body is required: the OpenAPI definition as a string"))?;
    let mut taken = HashSet::new();
    let mut new_id = |_: IdKind| {
        let id = unique_id(7, |id| taken.contains(id));
        taken.insert(id.clone());
        id
    };
    let (shape, report) = openapi::import(&text, &mut new_id).map_err(|e| AdminError::bad_request(e.to_string()))?;
    if options.fail_on_warnings && !report.warnings.is_empty() {
        return Err(AdminError::bad_request(format!(
            "Warnings found during import:\n{}",
            report.warnings.join("\n")
        )));
    }
    Ok((shape, report))
}

fn text(shape: &Value, key: &str) -> Option<String> {
    shape.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn list<T: serde::de::DeserializeOwned>(shape: &Value, key: &str) -> Vec<T> {
    shape
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| serde_json::from_value(i.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The API document's routes, integrations and authorizers as admin resources; a route
/// without `routeId` gets `route_id(routeKey)`.
fn children(shape: &Value, route_id: &dyn Fn(&str) -> String) -> (Vec<Route>, Vec<Integration>, Vec<Authorizer>) {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        route_id: Option<String>,
        route_key: String,
        authorization_type: Option<String>,
        authorizer_id: Option<String>,
        authorization_scopes: Option<Vec<String>>,
        operation_name: Option<String>,
        target: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct I {
        integration_id: String,
        integration_type: String,
        integration_method: Option<String>,
        integration_uri: Option<String>,
        payload_format_version: Option<String>,
        timeout_in_millis: Option<i64>,
        connection_type: Option<String>,
        description: Option<String>,
        request_parameters: Option<BTreeMap<String, String>>,
    }
    let routes = list::<R>(shape, "routes")
        .into_iter()
        .map(|r| Route {
            route_id: r.route_id.unwrap_or_else(|| route_id(&r.route_key)),
            route_key: r.route_key,
            api_gateway_managed: false,
            api_key_required: false,
            authorization_type: r.authorization_type.unwrap_or_else(|| "NONE".to_owned()),
            authorizer_id: r.authorizer_id,
            authorization_scopes: r.authorization_scopes.filter(|s| !s.is_empty()),
            operation_name: r.operation_name,
            target: r.target,
        })
        .collect();
    let integrations = list::<I>(shape, "integrations")
        .into_iter()
        .map(|i| Integration {
            integration_id: i.integration_id,
            api_gateway_managed: false,
            connection_type: i.connection_type.unwrap_or_else(|| "INTERNET".to_owned()),
            description: i.description,
            integration_method: i.integration_method,
            integration_type: i.integration_type,
            integration_uri: i.integration_uri,
            payload_format_version: i.payload_format_version.unwrap_or_else(|| "1.0".to_owned()),
            request_parameters: i.request_parameters,
            timeout_in_millis: i.timeout_in_millis.unwrap_or(30_000),
        })
        .collect();
    (routes, integrations, list(shape, "authorizers"))
}

fn record_info(api: &mut Api, report: ImportReport) {
    api.import_info = (!report.info.is_empty()).then_some(report.info);
    api.warnings = (!report.warnings.is_empty()).then_some(report.warnings);
}

/// A configuration file's API (an `apis:` entry) as the admin API shows it, read-only: ids
/// the file does not give are derived from the API id and route key, so they are stable
/// across restarts; `createdDate` is when the file was last written (`started`).
pub fn file_record(shape: &Value, started: &str) -> ApiRecord {
    let api_id = text(shape, "apiId").unwrap_or_default();
    let stable = |key: &str| {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, format!("{api_id} {key}").as_bytes());
        digest.as_ref()[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()[..7]
            .to_owned()
    };
    let mut api = super::apis::blank_api(api_id.clone(), text(shape, "name").unwrap_or_default(), started);
    api.version = text(shape, "version");
    api.description = text(shape, "description");
    api.cors_configuration = shape.get("corsConfiguration").cloned();
    if let Some(tags) = shape.get("tags").and_then(|t| serde_json::from_value(t.clone()).ok()) {
        api.tags = tags;
    }
    let (routes, integrations, authorizers) = children(shape, &stable);
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct S {
        stage_name: String,
        auto_deploy: Option<bool>,
        description: Option<String>,
        stage_variables: Option<BTreeMap<String, String>>,
        default_route_settings: Option<Map<String, Value>>,
        route_settings: Option<BTreeMap<String, Value>>,
    }
    let stages = list::<S>(shape, "stages")
        .into_iter()
        .map(|s| {
            let mut stage = super::apis::new_stage(&s.stage_name, s.auto_deploy.unwrap_or(false), started, false);
            stage.description = s.description;
            stage.stage_variables = s.stage_variables.unwrap_or_default();
            if let (Some(given), Value::Object(defaults)) =
                (s.default_route_settings, &mut stage.default_route_settings)
            {
                defaults.extend(given);
            }
            stage.route_settings = s.route_settings.unwrap_or_default();
            stage
        })
        .collect();
    ApiRecord {
        api,
        routes,
        integrations,
        authorizers,
        stages,
        deployments: Vec::new(),
    }
}

/// ImportApi (201): a new API from an OpenAPI document. As on AWS, no stage is created.
pub fn import(admin: &Admin, input: ImportInput, options: &ImportOptions) -> Result<Value, AdminError> {
    let (shape, report) = parse(input, options)?;
    let now = admin.now();
    let taken = admin.records()?;
    let api_id = unique_id(10, |id| taken.iter().any(|r| r.api.api_id == id));
    let mut api = super::apis::blank_api(api_id, text(&shape, "name").unwrap_or_default(), &now);
    api.version = text(&shape, "version");
    api.description = text(&shape, "description");
    api.cors_configuration = shape.get("corsConfiguration").cloned();
    record_info(&mut api, report);
    let (routes, integrations, authorizers) = children(&shape, &|_| random_id(7));
    let record = admin.insert(ApiRecord {
        api,
        routes,
        integrations,
        authorizers,
        stages: Vec::new(),
        deployments: Vec::new(),
    })?;
    Ok(render(admin, &record.api))
}

/// ReimportApi (201): replaces the API's definition; stages and deployments stay, and
/// `autoDeploy` stages redeploy.
pub fn reimport(admin: &Admin, api_id: &str, input: ImportInput, options: &ImportOptions) -> Result<Value, AdminError> {
    let (shape, report) = parse(input, options)?;
    let api = admin.modify(api_id, |record, _| {
        if let Some(name) = text(&shape, "name") {
            record.api.name = name;
        }
        record.api.version = text(&shape, "version");
        record.api.description = text(&shape, "description");
        record.api.cors_configuration = shape.get("corsConfiguration").cloned();
        record_info(&mut record.api, report);
        let (routes, integrations, authorizers) = children(&shape, &|_| random_id(7));
        record.routes = routes;
        record.integrations = integrations;
        record.authorizers = authorizers;
        Ok(record.api.clone())
    })?;
    Ok(render(admin, &api))
}

/// The API document ExportApi exports: the latest configuration, or what `stage` serves.
pub fn shape_for_export(record: &ApiRecord, stage: Option<&str>) -> Result<Value, AdminError> {
    let Some(name) = stage else {
        return Ok(record.file_shape(&record.configuration(), &[]));
    };
    let stage = record
        .stages
        .iter()
        .find(|s| s.stage_name == name)
        .ok_or_else(|| AdminError::no_child("Stage", name))?;
    let deployment = stage
        .deployment_id
        .as_deref()
        .and_then(|id| record.deployment(id))
        .ok_or_else(|| AdminError::bad_request(format!("Stage {name} has no deployment to export")))?;
    Ok(record.file_shape(&deployment.configuration, &[stage]))
}

/// ExportApi's query parameters.
pub struct ExportQuery<'a> {
    /// `outputType`: `JSON` (default) or `YAML`.
    pub output_type: Option<&'a str>,
    /// `stageName`: export what this stage serves instead of the latest configuration.
    pub stage_name: Option<&'a str>,
    /// `includeExtensions` (default true).
    pub include_extensions: Option<&'a str>,
    /// `exportVersion`: only `1.0`.
    pub export_version: Option<&'a str>,
}

/// ExportApi (200): the API as an OpenAPI 3.0 document, JSON or YAML.
pub fn export(
    admin: &Admin,
    api_id: &str,
    specification: &str,
    q: &ExportQuery<'_>,
) -> Result<(String, &'static str), AdminError> {
    if specification != "OAS30" {
        return Err(AdminError::bad_request("Invalid specification. Must be OAS30"));
    }
    if q.export_version.is_some_and(|v| v != "1.0") {
        return Err(AdminError::bad_request("Invalid exportVersion. Must be 1.0"));
    }
    let include_extensions = match q.include_extensions {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(AdminError::bad_request("includeExtensions must be true or false")),
    };
    let record = admin.record(api_id)?;
    let shape = shape_for_export(&record, q.stage_name)?;
    let endpoint = admin.api_endpoint(api_id);
    let options = ExportOptions {
        include_extensions,
        stage_name: q.stage_name,
        api_endpoint: &endpoint,
    };
    let document = openapi::export(&shape, &options).map_err(AdminError::bad_request)?;
    match q.output_type {
        None | Some("JSON") => Ok((openapi::to_json(&document), "application/json")),
        Some("YAML") => Ok((openapi::to_yaml(&document), "application/yaml")),
        Some(_) => Err(AdminError::bad_request("Invalid outputType. Must be JSON or YAML")),
    }
}
