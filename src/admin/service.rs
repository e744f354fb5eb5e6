//! The admin API's state and its one write path: load an API's record from the store, apply
//! an operation, validate the result with the configuration file's validator, redeploy the
//! `autoDeploy` stages, and write it back in one transaction; then tell the data plane.
//!
//! May import: std, `serde_json`, `tokio::sync`, `crate::store`, `crate::config`,
//! `crate::model`, `crate::client`, and the sibling admin modules.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use super::error::AdminError;
use super::ids::{iso8601, unique_id};
use super::resources::{ApiRecord, Deployment};
use crate::config::validate::{ApiRules, validate_api};
use crate::model::Deployed;
use crate::store::{AdminChange, Store};

/// Where the admin API's clock comes from (injected in tests).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Settings of the admin API.
#[derive(Clone)]
pub struct Settings {
    /// Access key id → secret access key.
    pub credentials: Vec<(String, String)>,
    /// Check the issuer's discovery document on CreateAuthorizer/UpdateAuthorizer (AWS does).
    pub check_issuer_discovery: bool,
    /// The invoke URL template, `{apiId}` replaced per API.
    pub api_endpoint: String,
    /// The configuration file's APIs: listed and readable here, never written.
    pub file_apis: Vec<ApiRecord>,
}

/// The admin API.
pub struct Admin {
    /// Settings.
    pub settings: Settings,
    /// The store holding every admin-API API.
    pub store: Arc<Store>,
    /// Client for issuer discovery checks.
    pub client: crate::client::HttpClient,
    /// Bumped after every committed write, so the data plane rebuilds at once.
    pub changed: tokio::sync::watch::Sender<u64>,
    /// Now.
    pub clock: Clock,
}

impl Admin {
    /// The current time as AWS writes it.
    pub fn now(&self) -> String {
        iso8601((self.clock)())
    }

    /// The invoke URL of `api_id`.
    pub fn api_endpoint(&self, api_id: &str) -> String {
        self.settings.api_endpoint.replace("{apiId}", api_id)
    }

    /// Every API: the configuration file's, then the admin API's, oldest first.
    pub fn records(&self) -> Result<Vec<ApiRecord>, AdminError> {
        let mut out = self.settings.file_apis.clone();
        out.extend(self.stored()?);
        Ok(out)
    }

    /// The admin API's own records, oldest first.
    fn stored(&self) -> Result<Vec<ApiRecord>, AdminError> {
        let rows = self
            .store
            .admin_apis()
            .map_err(|e| AdminError::internal(&e.to_string()))?;
        rows.iter().map(|(_, text)| decode(text)).collect()
    }

    /// One record (the file's APIs included), or AWS's 404.
    pub fn record(&self, api_id: &str) -> Result<ApiRecord, AdminError> {
        if let Some(file) = self.settings.file_apis.iter().find(|r| r.api.api_id == api_id) {
            return Ok(file.clone());
        }
        match self.store.admin_api(api_id) {
            Ok(Some(text)) => decode(&text),
            Ok(None) => Err(AdminError::no_api(api_id)),
            Err(e) => Err(AdminError::internal(&e.to_string())),
        }
    }

    /// Stores a new API (its id must be fresh).
    pub fn insert(&self, mut record: ApiRecord) -> Result<ApiRecord, AdminError> {
        let now = self.now();
        finish(&mut record, &now)?;
        let api_id = record.api.api_id.clone();
        let text = encode(&record)?;
        let outcome = self.store.admin_change(&api_id, |current| match current {
            Some(_) => Err(AdminError::conflict(format!("API {api_id} already exists"))),
            None => Ok(AdminChange::Put(text, ())),
        });
        self.committed(outcome)?;
        Ok(record)
    }

    /// Applies `op` to `api_id`'s record atomically; `op`'s value is the response.
    pub fn modify<T>(
        &self,
        api_id: &str,
        op: impl FnOnce(&mut ApiRecord, &str) -> Result<T, AdminError>,
    ) -> Result<T, AdminError> {
        self.check_not_file(api_id)?;
        let now = self.now();
        let outcome = self.store.admin_change(api_id, |current| {
            let current = current.ok_or_else(|| AdminError::no_api(api_id))?;
            let mut record = decode(&current)?;
            let before = record.clone();
            let value = op(&mut record, &now)?;
            if record == before {
                return Ok(AdminChange::Keep(value));
            }
            finish(&mut record, &now)?;
            Ok(AdminChange::Put(encode(&record)?, value))
        });
        self.committed(outcome)
    }

    /// Deletes `api_id`.
    pub fn delete(&self, api_id: &str) -> Result<(), AdminError> {
        self.check_not_file(api_id)?;
        let outcome = self.store.admin_change(api_id, |current| match current {
            Some(_) => Ok(AdminChange::Delete(())),
            None => Err(AdminError::no_api(api_id)),
        });
        self.committed(outcome)
    }

    /// What the data plane serves of every admin-API API: per API, one validated `Api` per
    /// stage that has a deployment. A record that no longer validates is skipped and logged.
    pub fn deployed(&self) -> Result<Vec<Deployed>, String> {
        let records = self.stored().map_err(|e| e.message)?;
        Ok(records.iter().map(served).collect())
    }

    fn check_not_file(&self, api_id: &str) -> Result<(), AdminError> {
        if self.settings.file_apis.iter().any(|r| r.api.api_id == api_id) {
            return Err(AdminError::bad_request(format!(
                "API {api_id} is defined in the gateway's configuration file and is read-only through the admin API; edit the file instead"
            )));
        }
        Ok(())
    }

    fn committed<T>(&self, outcome: Result<Result<T, AdminError>, crate::store::StoreError>) -> Result<T, AdminError> {
        let value = outcome.map_err(|e| AdminError::internal(&e.to_string()))??;
        self.changed.send_modify(|n| *n += 1);
        Ok(value)
    }
}

fn decode(text: &str) -> Result<ApiRecord, AdminError> {
    serde_json::from_str(text).map_err(|e| AdminError::internal(&format!("stored API record: {e}")))
}

fn encode(record: &ApiRecord) -> Result<String, AdminError> {
    serde_json::to_string(record).map_err(|e| AdminError::internal(&e.to_string()))
}

/// Validates a changed record and redeploys its `autoDeploy` stages.
fn finish(record: &mut ApiRecord, now: &str) -> Result<(), AdminError> {
    let stages: Vec<_> = record.stages.iter().collect();
    let shape = record.file_shape(&record.configuration(), &stages);
    validate_api(&shape, ApiRules::ADMIN).map_err(|d| AdminError::from_diagnostics(&d))?;
    auto_deploy(record, now);
    Ok(())
}

/// Points every `autoDeploy` stage at a deployment of the current configuration, creating one
/// when the configuration changed, and forgets automatic deployments no stage serves.
fn auto_deploy(record: &mut ApiRecord, now: &str) {
    let configuration = record.configuration();
    let stale = |r: &ApiRecord, id: &Option<String>| {
        id.as_deref()
            .and_then(|id| r.deployment(id))
            .is_none_or(|d| d.configuration != configuration)
    };
    let needs = record
        .stages
        .iter()
        .any(|s| s.auto_deploy && stale(record, &s.deployment_id));
    if needs {
        let taken: HashSet<String> = record.deployments.iter().map(|d| d.deployment_id.clone()).collect();
        let id = unique_id(6, |id| taken.contains(id));
        record.deployments.push(Deployment {
            deployment_id: id.clone(),
            auto_deployed: true,
            created_date: now.to_owned(),
            deployment_status: "DEPLOYED".to_owned(),
            description: Some("Automatic deployment triggered by changes to the Api configuration".to_owned()),
            configuration: configuration.clone(),
        });
        for stage in record.stages.iter_mut().filter(|s| s.auto_deploy) {
            if stage.deployment_id.as_deref() != Some(&id) {
                stage.deploy(&id, now);
            }
        }
    }
    let used: HashSet<String> = record.stages.iter().filter_map(|s| s.deployment_id.clone()).collect();
    record
        .deployments
        .retain(|d| !d.auto_deployed || used.contains(&d.deployment_id));
}

/// Checks that `configuration` can be deployed, as CreateDeployment does.
pub fn check_deployable(record: &ApiRecord, configuration: &Value) -> Result<(), AdminError> {
    if configuration
        .get("routes")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        return Err(AdminError::bad_request(
            "Unable to deploy API because no routes exist in this API",
        ));
    }
    let shape = record.file_shape(configuration, &[]);
    validate_api(&shape, ApiRules::ADMIN)
        .map(|_| ())
        .map_err(|d| AdminError::from_diagnostics(&d))
}

fn served(record: &ApiRecord) -> Deployed {
    let mut out = Vec::new();
    for stage in &record.stages {
        let Some(deployment) = stage.deployment_id.as_deref().and_then(|id| record.deployment(id)) else {
            continue;
        };
        let shape = record.file_shape(&deployment.configuration, &[stage]);
        match validate_api(&shape, ApiRules::ADMIN) {
            Ok(api) => out.push(api),
            Err(problems) => {
                tracing::error!(api = %record.api.api_id, stage = %stage.stage_name, %problems, "stored deployment no longer validates; not served");
            }
        }
    }
    Deployed {
        api_id: record.api.api_id.clone(),
        versions: out,
        endpoint_disabled: record.api.disable_execute_api_endpoint,
    }
}
