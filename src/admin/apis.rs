//! API-level operations: CreateApi (with quick create), GetApi(s), UpdateApi, DeleteApi,
//! DeleteCorsConfiguration, and the rendering of an API as AWS returns it.
//!
//! May import: std, `serde`, `serde_json`, and the sibling admin modules.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::error::AdminError;
use super::ids::random_id;
use super::resources::{Api, ApiRecord, Integration, Route, Stage};
use super::service::Admin;

/// CreateApi / UpdateApi input (every field optional; CreateApi checks the required ones).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInput {
    name: Option<String>,
    protocol_type: Option<String>,
    description: Option<String>,
    version: Option<String>,
    cors_configuration: Option<Value>,
    disable_execute_api_endpoint: Option<bool>,
    disable_schema_validation: Option<bool>,
    ip_address_type: Option<String>,
    route_selection_expression: Option<String>,
    api_key_selection_expression: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    /// Quick create: the integration URL.
    target: Option<String>,
    /// Quick create: the catch-all route's key.
    route_key: Option<String>,
    /// Quick create: Lambda credentials (not supported).
    credentials_arn: Option<String>,
}

const ROUTE_SELECTION: &str = "$request.method $request.path";

/// The API as GetApi returns it.
pub fn render(admin: &Admin, api: &Api) -> Value {
    let mut value = serde_json::to_value(api).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut value {
        map.insert("apiEndpoint".into(), json!(admin.api_endpoint(&api.api_id)));
    }
    value
}

/// CreateApi (201).
pub fn create(admin: &Admin, input: ApiInput) -> Result<Value, AdminError> {
    let Some(name) = input.name.clone() else {
        return Err(AdminError::bad_request("Name is required"));
    };
    match input.protocol_type.as_deref() {
        Some("HTTP") => {}
        Some("WEBSOCKET") => {
            return Err(AdminError::bad_request(
                "Portcullis serves HTTP APIs only; WebSocket APIs are not supported",
            ));
        }
        _ => {
            return Err(AdminError::bad_request(
                "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]",
            ));
        }
    }
    if input.credentials_arn.is_some() {
        return Err(AdminError::bad_request(
            "credentialsArn is not supported: Portcullis integrations are HTTP proxies",
        ));
    }
    if input.route_key.is_some() && input.target.is_none() {
        return Err(AdminError::bad_request(
            "RouteKey can only be specified together with Target",
        ));
    }
    let now = admin.now();
    let taken = admin.records()?;
    let api_id = super::ids::unique_id(10, |id| taken.iter().any(|r| r.api.api_id == id));
    let mut api = blank_api(api_id, name, &now);
    apply(&mut api, input_without_quick_create(&input))?;
    let mut record = ApiRecord {
        api,
        routes: Vec::new(),
        integrations: Vec::new(),
        authorizers: Vec::new(),
        stages: Vec::new(),
        deployments: Vec::new(),
    };
    if let Some(target) = &input.target {
        quick_create(
            &mut record,
            target,
            input.route_key.as_deref().unwrap_or("$default"),
            &now,
        );
    }
    let record = admin.insert(record)?;
    Ok(render(admin, &record.api))
}

/// An HTTP API with AWS's defaults.
pub fn blank_api(api_id: String, name: String, now: &str) -> Api {
    Api {
        api_id,
        name,
        protocol_type: "HTTP".to_owned(),
        created_date: now.to_owned(),
        description: None,
        version: None,
        cors_configuration: None,
        disable_execute_api_endpoint: false,
        api_key_selection_expression: "$request.header.x-api-key".to_owned(),
        route_selection_expression: ROUTE_SELECTION.to_owned(),
        ip_address_type: "ipv4".to_owned(),
        tags: BTreeMap::new(),
        import_info: None,
        warnings: None,
    }
}

fn input_without_quick_create(input: &ApiInput) -> ApiInput {
    ApiInput {
        name: None,
        protocol_type: None,
        description: input.description.clone(),
        version: input.version.clone(),
        cors_configuration: input.cors_configuration.clone(),
        disable_execute_api_endpoint: input.disable_execute_api_endpoint,
        disable_schema_validation: input.disable_schema_validation,
        ip_address_type: input.ip_address_type.clone(),
        route_selection_expression: input.route_selection_expression.clone(),
        api_key_selection_expression: input.api_key_selection_expression.clone(),
        tags: input.tags.clone(),
        target: None,
        route_key: None,
        credentials_arn: None,
    }
}

/// Quick create (spec §5): an HTTP_PROXY integration to `target`, a catch-all route and an
/// auto-deploying `$default` stage, all `apiGatewayManaged`.
fn quick_create(record: &mut ApiRecord, target: &str, route_key: &str, now: &str) {
    let integration_id = random_id(7);
    record.integrations.push(Integration {
        integration_id: integration_id.clone(),
        api_gateway_managed: true,
        connection_type: "INTERNET".to_owned(),
        description: None,
        integration_method: Some("ANY".to_owned()),
        integration_type: "HTTP_PROXY".to_owned(),
        integration_uri: Some(target.to_owned()),
        payload_format_version: "1.0".to_owned(),
        request_parameters: None,
        timeout_in_millis: 30_000,
    });
    record.routes.push(Route {
        route_id: random_id(7),
        route_key: route_key.to_owned(),
        api_gateway_managed: true,
        api_key_required: false,
        authorization_type: "NONE".to_owned(),
        authorizer_id: None,
        authorization_scopes: None,
        operation_name: None,
        target: Some(format!("integrations/{integration_id}")),
    });
    record.stages.push(new_stage("$default", true, now, true));
}

/// A stage as CreateStage makes it.
pub fn new_stage(name: &str, auto_deploy: bool, now: &str, managed: bool) -> Stage {
    Stage {
        stage_name: name.to_owned(),
        access_log_settings: None,
        api_gateway_managed: managed,
        auto_deploy,
        created_date: now.to_owned(),
        default_route_settings: json!({ "detailedMetricsEnabled": false }),
        deployment_id: None,
        description: None,
        last_deployment_status_message: None,
        last_updated_date: now.to_owned(),
        route_settings: BTreeMap::new(),
        stage_variables: BTreeMap::new(),
        tags: BTreeMap::new(),
    }
}

/// UpdateApi's fields onto `api`.
fn apply(api: &mut Api, input: ApiInput) -> Result<(), AdminError> {
    if let Some(p) = input.protocol_type
        && p != api.protocol_type
    {
        return Err(AdminError::bad_request("protocolType cannot be changed"));
    }
    if input.target.is_some() || input.route_key.is_some() || input.credentials_arn.is_some() {
        return Err(AdminError::bad_request(
            "target, routeKey and credentialsArn are quick-create fields of CreateApi only",
        ));
    }
    if let Some(expr) = input.route_selection_expression
        && expr != ROUTE_SELECTION
        && expr != "${request.method} ${request.path}"
    {
        return Err(AdminError::bad_request(
            "HTTP APIs select routes by method and path only: routeSelectionExpression must be $request.method $request.path",
        ));
    }
    if let Some(ip) = input.ip_address_type {
        if ip != "ipv4" && ip != "dualstack" {
            return Err(AdminError::bad_request("ipAddressType must be ipv4 or dualstack"));
        }
        api.ip_address_type = ip;
    }
    if let Some(name) = input.name {
        api.name = name;
    }
    if let Some(d) = input.description {
        if d.chars().count() > 1024 {
            return Err(AdminError::bad_request("description must be at most 1024 characters"));
        }
        api.description = Some(d);
    }
    if let Some(v) = input.version {
        if v.is_empty() || v.chars().count() > 64 {
            return Err(AdminError::bad_request("version must be 1–64 characters"));
        }
        api.version = Some(v);
    }
    if let Some(cors) = input.cors_configuration {
        api.cors_configuration = Some(cors);
    }
    if let Some(flag) = input.disable_execute_api_endpoint {
        api.disable_execute_api_endpoint = flag;
    }
    if let Some(expr) = input.api_key_selection_expression {
        api.api_key_selection_expression = expr;
    }
    if let Some(tags) = input.tags {
        api.tags.extend(tags);
    }
    Ok(())
}

/// UpdateApi (200).
pub fn update(admin: &Admin, api_id: &str, input: ApiInput) -> Result<Value, AdminError> {
    let api = admin.modify(api_id, |record, _| {
        apply(&mut record.api, input)?;
        Ok(record.api.clone())
    })?;
    Ok(render(admin, &api))
}

/// DeleteCorsConfiguration (204).
pub fn delete_cors(admin: &Admin, api_id: &str) -> Result<(), AdminError> {
    admin.modify(api_id, |record, _| {
        record.api.cors_configuration = None;
        Ok(())
    })
}
