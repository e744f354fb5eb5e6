//! The apigatewayv2 resources as the admin API stores and returns them: AWS's camelCase JSON
//! field for field (spec §9.3), one `ApiRecord` per API holding everything that belongs to it.
//!
//! The record is what the store keeps, so a restart returns exactly what was written (same ids,
//! same timestamps). `to_file_shape` turns the parts a gateway serves into the configuration
//! file's shape, which is how every write reaches the one validator (`config::validate_api`).
//!
//! May import: std, `serde`, `serde_json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// One API and everything under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRecord {
    /// The API itself.
    pub api: Api,
    /// Its routes, in creation order.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Its integrations.
    #[serde(default)]
    pub integrations: Vec<Integration>,
    /// Its authorizers.
    #[serde(default)]
    pub authorizers: Vec<Authorizer>,
    /// Its stages.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Its deployments, each with the configuration it froze.
    #[serde(default)]
    pub deployments: Vec<Deployment>,
}

/// `Api` (without `apiEndpoint`, which depends on where the gateway listens).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    /// `apiId`: 10 lower-case alphanumerics.
    pub api_id: String,
    /// `name`.
    pub name: String,
    /// `protocolType`: always `HTTP` here.
    pub protocol_type: String,
    /// `createdDate`, ISO-8601.
    pub created_date: String,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `corsConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors_configuration: Option<Value>,
    /// `disableExecuteApiEndpoint`.
    #[serde(default)]
    pub disable_execute_api_endpoint: bool,
    /// `apiKeySelectionExpression`.
    pub api_key_selection_expression: String,
    /// `routeSelectionExpression`.
    pub route_selection_expression: String,
    /// `ipAddressType`.
    pub ip_address_type: String,
    /// `tags`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `importInfo` of the last import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_info: Option<Vec<String>>,
    /// `warnings` of the last import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
}

/// `Route`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// `routeId`.
    pub route_id: String,
    /// `routeKey`.
    pub route_key: String,
    /// `apiGatewayManaged`: made by quick create.
    #[serde(default)]
    pub api_gateway_managed: bool,
    /// `apiKeyRequired` (always false for HTTP APIs).
    #[serde(default)]
    pub api_key_required: bool,
    /// `authorizationType`.
    pub authorization_type: String,
    /// `authorizerId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    /// `authorizationScopes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_scopes: Option<Vec<String>>,
    /// `operationName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// `target`: `integrations/{integrationId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// `Integration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    /// `integrationId`.
    pub integration_id: String,
    /// `apiGatewayManaged`: made by quick create (may be updated, not deleted).
    #[serde(default)]
    pub api_gateway_managed: bool,
    /// `connectionType`.
    pub connection_type: String,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `integrationMethod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_method: Option<String>,
    /// `integrationType`.
    pub integration_type: String,
    /// `integrationUri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_uri: Option<String>,
    /// `payloadFormatVersion`.
    pub payload_format_version: String,
    /// `requestParameters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<BTreeMap<String, String>>,
    /// `timeoutInMillis`.
    pub timeout_in_millis: i64,
}

/// `Authorizer` (JWT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    /// `authorizerId`.
    pub authorizer_id: String,
    /// `authorizerType`.
    pub authorizer_type: String,
    /// `identitySource`.
    pub identity_source: Vec<String>,
    /// `jwtConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<Value>,
    /// `name`.
    pub name: String,
}

/// `Stage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// `stageName`.
    pub stage_name: String,
    /// `accessLogSettings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_log_settings: Option<Value>,
    /// `apiGatewayManaged`: made by quick create.
    #[serde(default)]
    pub api_gateway_managed: bool,
    /// `autoDeploy`.
    #[serde(default)]
    pub auto_deploy: bool,
    /// `createdDate`.
    pub created_date: String,
    /// `defaultRouteSettings`.
    pub default_route_settings: Value,
    /// `deploymentId`: the deployment this stage serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `lastDeploymentStatusMessage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployment_status_message: Option<String>,
    /// `lastUpdatedDate`.
    pub last_updated_date: String,
    /// `routeSettings`, keyed by route key.
    #[serde(default)]
    pub route_settings: BTreeMap<String, Value>,
    /// `stageVariables`.
    #[serde(default)]
    pub stage_variables: BTreeMap<String, String>,
    /// `tags`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `Deployment`, plus the configuration it froze (never returned by the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// `deploymentId`: 6 lower-case alphanumerics.
    pub deployment_id: String,
    /// `autoDeployed`.
    #[serde(default)]
    pub auto_deployed: bool,
    /// `createdDate`.
    pub created_date: String,
    /// `deploymentStatus`: `DEPLOYED` (a deployment that would fail is refused instead).
    pub deployment_status: String,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The routes, integrations, authorizers and CORS settings, in the file's shape.
    pub configuration: Value,
}

impl ApiRecord {
    /// The routes, integrations, authorizers and CORS settings as the configuration file
    /// writes them (what a deployment freezes).
    pub fn configuration(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "authorizers".into(),
            self.authorizers.iter().map(Authorizer::file_shape).collect(),
        );
        out.insert(
            "integrations".into(),
            self.integrations.iter().map(Integration::file_shape).collect(),
        );
        out.insert("routes".into(), self.routes.iter().map(Route::file_shape).collect());
        if let Some(cors) = &self.api.cors_configuration {
            out.insert("corsConfiguration".into(), cors.clone());
        }
        Value::Object(out)
    }

    /// An `apis:` entry of the configuration file: `configuration` plus the API's identity and
    /// the given stages.
    pub fn file_shape(&self, configuration: &Value, stages: &[&Stage]) -> Value {
        let mut out = match configuration {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        out.insert("apiId".into(), json!(self.api.api_id));
        out.insert("name".into(), json!(self.api.name));
        out.insert("protocolType".into(), json!(self.api.protocol_type));
        put(&mut out, "description", &self.api.description);
        put(&mut out, "version", &self.api.version);
        out.insert("stages".into(), stages.iter().map(|s| s.file_shape()).collect());
        Value::Object(out)
    }

    /// Finds a deployment.
    pub fn deployment(&self, id: &str) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.deployment_id == id)
    }
}

/// Inserts `value` under `key` when it is `Some`.
fn put<T: Serialize>(map: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value
        && let Ok(v) = serde_json::to_value(v)
    {
        map.insert(key.to_owned(), v);
    }
}

impl Route {
    fn file_shape(&self) -> Value {
        let mut m = Map::new();
        m.insert("routeId".into(), json!(self.route_id));
        m.insert("routeKey".into(), json!(self.route_key));
        m.insert("authorizationType".into(), json!(self.authorization_type));
        put(&mut m, "authorizerId", &self.authorizer_id);
        put(&mut m, "authorizationScopes", &self.authorization_scopes);
        put(&mut m, "target", &self.target);
        put(&mut m, "operationName", &self.operation_name);
        Value::Object(m)
    }
}

impl Integration {
    fn file_shape(&self) -> Value {
        let mut m = Map::new();
        m.insert("integrationId".into(), json!(self.integration_id));
        m.insert("integrationType".into(), json!(self.integration_type));
        put(&mut m, "integrationMethod", &self.integration_method);
        m.insert(
            "integrationUri".into(),
            json!(self.integration_uri.clone().unwrap_or_default()),
        );
        m.insert("payloadFormatVersion".into(), json!(self.payload_format_version));
        m.insert("timeoutInMillis".into(), json!(self.timeout_in_millis));
        m.insert("connectionType".into(), json!(self.connection_type));
        put(&mut m, "description", &self.description);
        put(&mut m, "requestParameters", &self.request_parameters);
        Value::Object(m)
    }
}

impl Authorizer {
    fn file_shape(&self) -> Value {
        let mut m = Map::new();
        m.insert("authorizerId".into(), json!(self.authorizer_id));
        m.insert("name".into(), json!(self.name));
        m.insert("authorizerType".into(), json!(self.authorizer_type));
        m.insert("identitySource".into(), json!(self.identity_source));
        put(&mut m, "jwtConfiguration", &self.jwt_configuration);
        Value::Object(m)
    }
}

impl Stage {
    /// Points the stage at deployment `id`, as AWS reports it.
    pub fn deploy(&mut self, id: &str, now: &str) {
        self.deployment_id = Some(id.to_owned());
        self.last_deployment_status_message = Some(format!("Successfully deployed stage with deployment ID '{id}'"));
        self.last_updated_date = now.to_owned();
    }

    fn file_shape(&self) -> Value {
        let mut m = Map::new();
        m.insert("stageName".into(), json!(self.stage_name));
        m.insert("autoDeploy".into(), json!(self.auto_deploy));
        put(&mut m, "description", &self.description);
        m.insert("stageVariables".into(), json!(self.stage_variables));
        // Validated (and enforced) by the same code as a configuration file's stage.
        if !self.default_route_settings.is_null() {
            m.insert("defaultRouteSettings".into(), self.default_route_settings.clone());
        }
        if !self.route_settings.is_empty() {
            m.insert("routeSettings".into(), json!(self.route_settings));
        }
        put(&mut m, "accessLogSettings", &self.access_log_settings);
        Value::Object(m)
    }
}
