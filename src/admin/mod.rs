//! The control plane: AWS's apigatewayv2 REST API (spec §9), so the AWS CLI, boto3, Terraform
//! and CDK can manage a Portcullis gateway as they manage API Gateway.
//!
//! Requests are authenticated with SigV4 (`sigv4`) against access keys from the configuration.
//! APIs written here live in the store as one JSON record each (`resources`); every write goes
//! through one path (`service::Admin::modify`): apply the operation, validate the whole API with
//! the configuration file's validator, redeploy `autoDeploy` stages, commit atomically, and
//! signal the data plane, which rebuilds its snapshot from the file's APIs plus the deployed
//! admin-API ones. The configuration file's own APIs are read-only here.
//!
//! May import: `crate::config`, `crate::model`, `crate::store`, `crate::client`, `crate::jwks`
//! (issuer discovery checks), `crate::openapi`, `crate::conn`, `crate::telemetry`. Never
//! `crate::proxy` or `crate::issuer`.

pub mod apis;
pub mod children;
pub mod error;
pub mod http;
pub mod ids;
pub mod openapi;
pub mod resources;
pub mod service;
pub mod sigv4;
pub mod stages;

pub use error::AdminError;
pub use service::{Admin, Clock, Settings};

#[cfg(test)]
mod tests;
