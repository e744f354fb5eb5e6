//! Routes, integrations and authorizers of an API: Create, Update, Delete (reads are generic
//! in `http`). Each write goes through `Admin::modify`, so the whole API is validated by the
//! configuration file's rules before anything is stored.
//!
//! May import: std, `serde`, `serde_json`, `crate::client`, `crate::jwks` (the discovery
//! check), and the sibling admin modules.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::error::{AdminError, to_value};
use super::ids::unique_id;
use super::resources::{ApiRecord, Authorizer, Integration, Route};
use super::service::Admin;

fn fresh_child_id(record: &ApiRecord) -> String {
    let taken: HashSet<&str> = record
        .routes
        .iter()
        .map(|r| r.route_id.as_str())
        .chain(record.integrations.iter().map(|i| i.integration_id.as_str()))
        .chain(record.authorizers.iter().map(|a| a.authorizer_id.as_str()))
        .collect();
    unique_id(7, |id| taken.contains(id))
}

// ---------------------------------------------------------------------------------- routes

/// CreateRoute / UpdateRoute input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteInput {
    route_key: Option<String>,
    authorization_type: Option<String>,
    authorizer_id: Option<String>,
    authorization_scopes: Option<Vec<String>>,
    operation_name: Option<String>,
    target: Option<String>,
    api_key_required: Option<bool>,
}

fn apply_route(route: &mut Route, input: RouteInput) -> Result<(), AdminError> {
    if input.api_key_required == Some(true) {
        return Err(AdminError::bad_request("API keys are not supported for HTTP APIs"));
    }
    if let Some(key) = input.route_key {
        if route.api_gateway_managed && key != route.route_key {
            return Err(AdminError::bad_request(
                "The route key of a route managed by API Gateway cannot be changed",
            ));
        }
        route.route_key = key;
    }
    if let Some(kind) = input.authorization_type {
        if kind == "NONE" && input.authorizer_id.is_none() {
            route.authorizer_id = None;
            route.authorization_scopes = None;
        }
        route.authorization_type = kind;
    }
    if let Some(id) = input.authorizer_id {
        route.authorizer_id = Some(id);
    }
    if let Some(scopes) = input.authorization_scopes {
        route.authorization_scopes = Some(scopes);
    }
    if let Some(name) = input.operation_name {
        route.operation_name = Some(name);
    }
    if let Some(target) = input.target {
        route.target = (!target.is_empty()).then_some(target);
    }
    Ok(())
}

/// CreateRoute (201).
pub fn create_route(admin: &Admin, api_id: &str, input: RouteInput) -> Result<Value, AdminError> {
    if input.route_key.as_deref().is_none_or(str::is_empty) {
        return Err(AdminError::bad_request("Route key is required"));
    }
    admin.modify(api_id, |record, _| {
        let mut route = Route {
            route_id: fresh_child_id(record),
            route_key: String::new(),
            api_gateway_managed: false,
            api_key_required: false,
            authorization_type: "NONE".to_owned(),
            authorizer_id: None,
            authorization_scopes: None,
            operation_name: None,
            target: None,
        };
        apply_route(&mut route, input)?;
        let out = to_value(&route)?;
        record.routes.push(route);
        Ok(out)
    })
}

/// UpdateRoute (200).
pub fn update_route(admin: &Admin, api_id: &str, route_id: &str, input: RouteInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, _| {
        let route = record
            .routes
            .iter_mut()
            .find(|r| r.route_id == route_id)
            .ok_or_else(|| AdminError::no_child("Route", route_id))?;
        apply_route(route, input)?;
        to_value(route)
    })
}

/// DeleteRoute (204).
pub fn delete_route(admin: &Admin, api_id: &str, route_id: &str) -> Result<(), AdminError> {
    admin.modify(api_id, |record, _| {
        let before = record.routes.len();
        record.routes.retain(|r| r.route_id != route_id);
        if record.routes.len() == before {
            return Err(AdminError::no_child("Route", route_id));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------- integrations

/// CreateIntegration / UpdateIntegration input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationInput {
    integration_type: Option<String>,
    integration_method: Option<String>,
    integration_uri: Option<String>,
    payload_format_version: Option<String>,
    timeout_in_millis: Option<i64>,
    connection_type: Option<String>,
    description: Option<String>,
    request_parameters: Option<BTreeMap<String, String>>,
    connection_id: Option<String>,
    credentials_arn: Option<String>,
    integration_subtype: Option<String>,
    tls_config: Option<Value>,
    response_parameters: Option<Value>,
    request_templates: Option<Value>,
}

fn apply_integration(integration: &mut Integration, input: IntegrationInput) -> Result<(), AdminError> {
    let unsupported = [
        ("connectionId", input.connection_id.is_some()),
        ("credentialsArn", input.credentials_arn.is_some()),
        ("integrationSubtype", input.integration_subtype.is_some()),
        ("tlsConfig", input.tls_config.is_some()),
        ("responseParameters", input.response_parameters.is_some()),
        ("requestTemplates", input.request_templates.is_some()),
    ];
    if let Some((field, _)) = unsupported.iter().find(|(_, present)| *present) {
        return Err(AdminError::bad_request(format!(
            "{field} is not supported by Portcullis (HTTP_PROXY integrations over the internet only)"
        )));
    }
    if let Some(kind) = input.integration_type {
        integration.integration_type = kind;
    }
    if let Some(method) = input.integration_method {
        integration.integration_method = Some(method);
    }
    if let Some(uri) = input.integration_uri {
        integration.integration_uri = Some(uri);
    }
    if let Some(version) = input.payload_format_version {
        integration.payload_format_version = version;
    }
    if let Some(timeout) = input.timeout_in_millis {
        integration.timeout_in_millis = timeout;
    }
    if let Some(kind) = input.connection_type {
        integration.connection_type = kind;
    }
    if let Some(d) = input.description {
        integration.description = Some(d);
    }
    if let Some(params) = input.request_parameters {
        integration.request_parameters = Some(params);
    }
    Ok(())
}

/// CreateIntegration (201).
pub fn create_integration(admin: &Admin, api_id: &str, input: IntegrationInput) -> Result<Value, AdminError> {
    if input.integration_type.is_none() {
        return Err(AdminError::bad_request("IntegrationType is required"));
    }
    admin.modify(api_id, |record, _| {
        let mut integration = Integration {
            integration_id: fresh_child_id(record),
            api_gateway_managed: false,
            connection_type: "INTERNET".to_owned(),
            description: None,
            integration_method: None,
            integration_type: String::new(),
            integration_uri: None,
            payload_format_version: "1.0".to_owned(),
            request_parameters: None,
            timeout_in_millis: 30_000,
        };
        apply_integration(&mut integration, input)?;
        let out = to_value(&integration)?;
        record.integrations.push(integration);
        Ok(out)
    })
}

/// UpdateIntegration (200).
pub fn update_integration(admin: &Admin, api_id: &str, id: &str, input: IntegrationInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, _| {
        let integration = record
            .integrations
            .iter_mut()
            .find(|i| i.integration_id == id)
            .ok_or_else(|| AdminError::no_child("Integration", id))?;
        apply_integration(integration, input)?;
        to_value(integration)
    })
}

/// DeleteIntegration (204): refused while a route targets it or API Gateway manages it.
pub fn delete_integration(admin: &Admin, api_id: &str, id: &str) -> Result<(), AdminError> {
    admin.modify(api_id, |record, _| {
        let integration = record
            .integrations
            .iter()
            .find(|i| i.integration_id == id)
            .ok_or_else(|| AdminError::no_child("Integration", id))?;
        if integration.api_gateway_managed {
            return Err(AdminError::bad_request(
                "An integration managed by API Gateway cannot be deleted; delete the API instead",
            ));
        }
        let target = format!("integrations/{id}");
        if let Some(route) = record
            .routes
            .iter()
            .find(|r| r.target.as_deref() == Some(target.as_str()))
        {
            return Err(AdminError::conflict(format!(
                "Integration {id} is the target of route {} ({}); change or delete the route first",
                route.route_id, route.route_key
            )));
        }
        record.integrations.retain(|i| i.integration_id != id);
        Ok(())
    })
}

// ----------------------------------------------------------------------------- authorizers

/// CreateAuthorizer / UpdateAuthorizer input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerInput {
    authorizer_type: Option<String>,
    name: Option<String>,
    identity_source: Option<Vec<String>>,
    jwt_configuration: Option<Value>,
    authorizer_uri: Option<String>,
}

impl AuthorizerInput {
    /// The issuer the input names, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.jwt_configuration.as_ref()?.get("issuer")?.as_str()
    }

    /// The `allowInsecureHttp` extension, if set.
    pub fn allow_insecure_http(&self) -> bool {
        self.jwt_configuration
            .as_ref()
            .and_then(|j| j.get("allowInsecureHttp"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

fn apply_authorizer(authorizer: &mut Authorizer, input: AuthorizerInput) -> Result<(), AdminError> {
    if input.authorizer_uri.is_some() {
        return Err(AdminError::bad_request(
            "authorizerUri is not supported: Portcullis has JWT authorizers only",
        ));
    }
    if let Some(kind) = input.authorizer_type {
        authorizer.authorizer_type = kind;
    }
    if let Some(name) = input.name {
        authorizer.name = name;
    }
    if let Some(source) = input.identity_source {
        authorizer.identity_source = source;
    }
    if let Some(jwt) = input.jwt_configuration {
        let merged = match (authorizer.jwt_configuration.take(), jwt) {
            (Some(Value::Object(mut old)), Value::Object(new)) => {
                old.extend(new);
                Value::Object(old)
            }
            (_, new) => new,
        };
        authorizer.jwt_configuration = Some(merged);
    }
    Ok(())
}

/// CreateAuthorizer (201).
pub fn create_authorizer(admin: &Admin, api_id: &str, input: AuthorizerInput) -> Result<Value, AdminError> {
    for (field, missing) in [
        ("AuthorizerType", input.authorizer_type.is_none()),
        ("IdentitySource", input.identity_source.is_none()),
        ("Name", input.name.is_none()),
    ] {
        if missing {
            return Err(AdminError::bad_request(format!("{field} is required")));
        }
    }
    admin.modify(api_id, |record, _| {
        let mut authorizer = Authorizer {
            authorizer_id: fresh_child_id(record),
            authorizer_type: String::new(),
            identity_source: Vec::new(),
            jwt_configuration: None,
            name: String::new(),
        };
        apply_authorizer(&mut authorizer, input)?;
        let out = to_value(&authorizer)?;
        record.authorizers.push(authorizer);
        Ok(out)
    })
}

/// UpdateAuthorizer (200).
pub fn update_authorizer(admin: &Admin, api_id: &str, id: &str, input: AuthorizerInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, _| {
        let authorizer = record
            .authorizers
            .iter_mut()
            .find(|a| a.authorizer_id == id)
            .ok_or_else(|| AdminError::no_child("Authorizer", id))?;
        apply_authorizer(authorizer, input)?;
        to_value(authorizer)
    })
}

/// DeleteAuthorizer (204): refused while a route uses it.
pub fn delete_authorizer(admin: &Admin, api_id: &str, id: &str) -> Result<(), AdminError> {
    admin.modify(api_id, |record, _| {
        if !record.authorizers.iter().any(|a| a.authorizer_id == id) {
            return Err(AdminError::no_child("Authorizer", id));
        }
        if let Some(route) = record.routes.iter().find(|r| r.authorizer_id.as_deref() == Some(id)) {
            return Err(AdminError::conflict(format!(
                "Authorizer {id} is used by route {} ({}); change the route's authorization first",
                route.route_id, route.route_key
            )));
        }
        record.authorizers.retain(|a| a.authorizer_id != id);
        Ok(())
    })
}

/// AWS reads the issuer's discovery document when an authorizer is created or changed
/// (spec §1.2); an issuer without one is refused with AWS's message.
pub async fn check_discovery(admin: &Admin, issuer: &str, allow_insecure_http: bool) -> Result<(), AdminError> {
    if !admin.settings.check_issuer_discovery {
        return Ok(());
    }
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    match crate::jwks::check_discovery(&admin.client, issuer, allow_insecure_http).await {
        Ok(()) => Ok(()),
        Err(reason) => {
            tracing::info!(%issuer, %reason, "authorizer refused: issuer discovery failed");
            Err(AdminError::bad_request(format!(
                "Caught exception when connecting to {url} for issuer {issuer}. Please try again later. Error: Invalid issuer: {issuer}. Issuer must have a valid discovery endpoint ended with '/.well-known/openid-configuration'"
            )))
        }
    }
}
