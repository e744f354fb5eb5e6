//! Stages and deployments: CreateStage, UpdateStage, DeleteStage and their sub-resources, and
//! CreateDeployment, UpdateDeployment, DeleteDeployment. A deployment freezes the API's
//! configuration; a stage serves the deployment it points at; an `autoDeploy` stage follows
//! every change (handled in `service`).
//!
//! May import: std, `serde`, `serde_json`, and the sibling admin modules.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::apis::new_stage;
use super::error::{AdminError, to_value};
use super::ids::unique_id;
use super::resources::{ApiRecord, Deployment, Route, Stage};
use super::service::{Admin, check_deployable};

/// CreateStage / UpdateStage input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageInput {
    stage_name: Option<String>,
    auto_deploy: Option<bool>,
    deployment_id: Option<String>,
    description: Option<String>,
    stage_variables: Option<BTreeMap<String, String>>,
    default_route_settings: Option<Value>,
    route_settings: Option<BTreeMap<String, Value>>,
    access_log_settings: Option<Value>,
    tags: Option<BTreeMap<String, String>>,
    client_certificate_id: Option<String>,
}

/// What a stage write may refer to: the API's deployments and routes.
struct Context<'a> {
    deployments: &'a [Deployment],
    routes: &'a [Route],
}

impl<'a> Context<'a> {
    fn of(record: &'a ApiRecord) -> Self {
        Self {
            deployments: &record.deployments,
            routes: &record.routes,
        }
    }
}

/// Applies CreateStage/UpdateStage fields. The route settings' fields and values are checked
/// afterwards with the whole API by the configuration validator (`service::finish`); only
/// their keys are checked here, against the API's routes now, as AWS does on write.
fn apply_stage(stage: &mut Stage, input: StageInput, context: &Context<'_>, now: &str) -> Result<(), AdminError> {
    if input.client_certificate_id.is_some() {
        return Err(AdminError::bad_request(
            "clientCertificateId is not supported: client certificates apply to REST APIs",
        ));
    }
    if let Some(auto) = input.auto_deploy {
        stage.auto_deploy = auto;
    }
    if let Some(id) = input.deployment_id {
        if stage.auto_deploy {
            return Err(AdminError::bad_request(
                "DeploymentId cannot be updated while AutoDeploy is enabled for the stage",
            ));
        }
        if !context.deployments.iter().any(|d| d.deployment_id == id) {
            return Err(AdminError::no_child("Deployment", &id));
        }
        stage.deployment_id = Some(id);
    }
    if let Some(d) = input.description {
        stage.description = Some(d);
    }
    if let Some(vars) = input.stage_variables {
        // AWS: an empty value removes the variable.
        for (name, value) in vars {
            if value.is_empty() {
                stage.stage_variables.remove(&name);
            } else {
                stage.stage_variables.insert(name, value);
            }
        }
    }
    if let Some(settings) = input.default_route_settings {
        stage.default_route_settings = merge(stage.default_route_settings.clone(), settings);
    }
    if let Some(settings) = input.route_settings {
        for (key, value) in settings {
            check_route_key(&key, context.routes)?;
            let merged = merge(stage.route_settings.remove(&key).unwrap_or(Value::Null), value);
            stage.route_settings.insert(key, merged);
        }
    }
    if let Some(settings) = input.access_log_settings {
        stage.access_log_settings = Some(settings);
    }
    if let Some(tags) = input.tags {
        stage.tags.extend(tags);
    }
    stage.last_updated_date = now.to_owned();
    Ok(())
}

fn merge(old: Value, new: Value) -> Value {
    match (old, new) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (_, b) => b,
    }
}

/// A `routeSettings` key must be one of the API's route keys, exactly (AWS's CreateStage and
/// UpdateStage answer this 404; observed through Terraform, terraform-aws-apigateway-v2 #80).
fn check_route_key(key: &str, routes: &[Route]) -> Result<(), AdminError> {
    if routes.iter().any(|r| r.route_key == key) {
        return Ok(());
    }
    Err(AdminError::not_found(
        "Route",
        format!("Unable to find Route by key {key} within the provided RouteSettings"),
    ))
}

/// CreateStage (201).
pub fn create_stage(admin: &Admin, api_id: &str, mut input: StageInput) -> Result<Value, AdminError> {
    let Some(name) = input.stage_name.take().filter(|n| !n.is_empty()) else {
        return Err(AdminError::bad_request("StageName is required"));
    };
    admin
        .modify(api_id, |record, now| {
            if record.stages.iter().any(|s| s.stage_name == name) {
                return Err(AdminError::conflict(format!("Stage {name} already exists")));
            }
            let mut stage = new_stage(&name, false, now, false);
            stage.auto_deploy = input.auto_deploy.unwrap_or(false);
            let deployment = input.deployment_id.take();
            apply_stage(&mut stage, input, &Context::of(record), now)?;
            if let Some(id) = deployment {
                if !record.deployments.iter().any(|d| d.deployment_id == id) {
                    return Err(AdminError::no_child("Deployment", &id));
                }
                if !stage.auto_deploy {
                    stage.deployment_id = Some(id);
                }
            }
            record.stages.push(stage);
            Ok(name.clone())
        })
        .and_then(|name| stage_value(admin, api_id, &name))
}

fn stage_value(admin: &Admin, api_id: &str, name: &str) -> Result<Value, AdminError> {
    let record = admin.record(api_id)?;
    let stage = record
        .stages
        .iter()
        .find(|s| s.stage_name == name)
        .ok_or_else(|| AdminError::no_child("Stage", name))?;
    to_value(stage)
}

/// UpdateStage (200).
pub fn update_stage(admin: &Admin, api_id: &str, name: &str, input: StageInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, now| {
        let index = record
            .stages
            .iter()
            .position(|s| s.stage_name == name)
            .ok_or_else(|| AdminError::no_child("Stage", name))?;
        let mut stage = record.stages[index].clone();
        apply_stage(&mut stage, input, &Context::of(record), now)?;
        record.stages[index] = stage;
        Ok(())
    })?;
    stage_value(admin, api_id, name)
}

/// What a DELETE under a stage removes.
pub enum StagePart<'a> {
    /// DeleteStage.
    Whole,
    /// DeleteAccessLogSettings.
    AccessLogSettings,
    /// DeleteRouteSettings.
    RouteSettings(&'a str),
    /// ResetAuthorizersCache (JWT authorizers keep no per-stage cache: nothing to reset).
    AuthorizersCache,
}

/// The DELETEs under `/stages/{stageName}` (204).
pub fn delete_stage_part(admin: &Admin, api_id: &str, name: &str, part: StagePart<'_>) -> Result<(), AdminError> {
    admin.modify(api_id, |record, now| {
        let index = record
            .stages
            .iter()
            .position(|s| s.stage_name == name)
            .ok_or_else(|| AdminError::no_child("Stage", name))?;
        let stage = &mut record.stages[index];
        match part {
            StagePart::Whole => {
                record.stages.remove(index);
            }
            StagePart::AccessLogSettings => {
                stage.access_log_settings = None;
                stage.last_updated_date = now.to_owned();
            }
            StagePart::RouteSettings(key) => {
                if stage.route_settings.remove(key).is_none() {
                    return Err(AdminError::not_found(
                        "RouteSettings",
                        format!("Unable to find route settings for route key {key}"),
                    ));
                }
                stage.last_updated_date = now.to_owned();
            }
            StagePart::AuthorizersCache => {}
        }
        Ok(())
    })
}

/// CreateDeployment / UpdateDeployment input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInput {
    description: Option<String>,
    stage_name: Option<String>,
}

/// CreateDeployment (201): freezes the current configuration; with `stageName`, that stage
/// serves it.
pub fn create_deployment(admin: &Admin, api_id: &str, input: DeploymentInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, now| {
        let configuration = record.configuration();
        check_deployable(record, &configuration)?;
        let taken: HashSet<String> = record.deployments.iter().map(|d| d.deployment_id.clone()).collect();
        let deployment = Deployment {
            deployment_id: unique_id(6, |id| taken.contains(id)),
            auto_deployed: false,
            created_date: now.to_owned(),
            deployment_status: "DEPLOYED".to_owned(),
            description: input.description,
            configuration,
        };
        if let Some(name) = input.stage_name {
            let stage = record
                .stages
                .iter_mut()
                .find(|s| s.stage_name == name)
                .ok_or_else(|| AdminError::no_child("Stage", &name))?;
            if stage.auto_deploy {
                return Err(AdminError::bad_request(
                    "The stage deploys automatically; turn AutoDeploy off before deploying to it",
                ));
            }
            stage.deploy(&deployment.deployment_id, now);
        }
        let out = render_deployment(&deployment);
        record.deployments.push(deployment);
        Ok(out)
    })
}

/// A deployment as AWS returns it (without the frozen configuration).
pub fn render_deployment(deployment: &Deployment) -> Value {
    let mut value = serde_json::to_value(deployment).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("configuration");
    }
    value
}

/// UpdateDeployment (200): the description.
pub fn update_deployment(admin: &Admin, api_id: &str, id: &str, input: DeploymentInput) -> Result<Value, AdminError> {
    admin.modify(api_id, |record, _| {
        let deployment = record
            .deployments
            .iter_mut()
            .find(|d| d.deployment_id == id)
            .ok_or_else(|| AdminError::no_child("Deployment", id))?;
        if let Some(d) = input.description {
            deployment.description = Some(d);
        }
        Ok(render_deployment(deployment))
    })
}

/// DeleteDeployment (204): refused while a stage serves it.
pub fn delete_deployment(admin: &Admin, api_id: &str, id: &str) -> Result<(), AdminError> {
    admin.modify(api_id, |record, _| {
        if record.deployment(id).is_none() {
            return Err(AdminError::no_child("Deployment", id));
        }
        if let Some(stage) = record.stages.iter().find(|s| s.deployment_id.as_deref() == Some(id)) {
            return Err(AdminError::bad_request(format!(
                "Active stages pointing to this deployment must be moved or deleted (stage {})",
                stage.stage_name
            )));
        }
        record.deployments.retain(|d| d.deployment_id != id);
        Ok(())
    })
}
