//! OpenAPI 3.0 import and export for HTTP APIs, with AWS's `x-amazon-apigateway-*` extensions,
//! as API Gateway's ImportApi / ReimportApi / ExportApi do them.
//!
//! Both directions work on an *API document*: a `serde_json::Value` shaped like one entry of
//! `gateway.apis` in the configuration file (AWS's camelCase names: `name`, `corsConfiguration`,
//! `authorizers`, `integrations`, `routes`, …). Import never validates what the configuration
//! validator checks (route key syntax, URIs, mapping keys, limits); it reports at AWS's three
//! levels what the OpenAPI document says that the API document cannot: *info* (valid OpenAPI
//! that HTTP APIs ignore), *warnings* (ignored, import goes on) and *errors* (nothing is
//! imported). `docs/openapi.md` lists every case.
//!
//! Everything here is pure: no I/O, no clock, ids come from the caller. Untrusted text never
//! panics and never recurses without bound (see `guard`).
//!
//! May import: std, serde_json, crate::config::source.

mod export;
mod extensions;
mod guard;
mod import;
mod render;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_export;
#[cfg(test)]
mod tests_import;
#[cfg(test)]
mod tests_render;
#[cfg(test)]
mod tests_security;

use std::fmt;

use serde_json::Value;

/// What an import reports besides the API, at AWS's levels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Valid OpenAPI that HTTP APIs (or Portcullis) ignore, e.g. `requestBody` schemas
    /// (AWS's `importInfo`).
    pub info: Vec<String>,
    /// Problems that do not stop the import, e.g. `responseParameters` Portcullis cannot apply
    /// (AWS's `warnings`; ImportApi's `failOnWarnings=true` turns them into a failure).
    pub warnings: Vec<String>,
}

/// A document that cannot be imported (AWS's "Error" level); the messages are what
/// `BadRequestException` carries. Each message starts with `line:column: path:` when the
/// place is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Every problem found, in document order; never empty.
    pub messages: Vec<String>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for ImportError {}

/// The kind of object an import needs a fresh id for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// An authorizer (`authorizerId`).
    Authorizer,
    /// An integration (`integrationId`).
    Integration,
    /// A route (`routeId`).
    Route,
}

/// How to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions<'a> {
    /// Whether to write the `x-amazon-apigateway-*` extensions (ExportApi's
    /// `includeExtensions`, default true). Without them `ANY` routes become one operation per
    /// method the path does not define otherwise and the `$default` route is left out.
    pub include_extensions: bool,
    /// The stage exported (ExportApi's `stageName`); it becomes the `basePath` server variable.
    /// `None` exports the latest configuration with an empty `basePath`, as AWS does.
    pub stage_name: Option<&'a str>,
    /// The API's endpoint without a stage, e.g. `https://abc.execute-api.us-east-1.amazonaws.com`
    /// or `http://localhost:8000`.
    pub api_endpoint: &'a str,
}

/// Imports an OpenAPI 3.0 document (JSON or YAML text). `new_id(kind)` returns a fresh id for
/// an authorizer, integration or route; it is called in document order (authorizers by scheme
/// name, then `components.x-amazon-apigateway-integrations` by name, then per route its inline
/// integration and the route), so a deterministic `new_id` gives a deterministic result.
/// Returns the API document (without `apiId` and `stages`) and the report.
pub fn import(text: &str, new_id: &mut dyn FnMut(IdKind) -> String) -> Result<(Value, ImportReport), ImportError> {
    import::import(text, new_id)
}

/// Exports an API document as AWS's ExportApi would (OAS 3.0.1, `exportVersion` 1.0). Fails
/// when the API document is not one (no `name`, a route key that is neither `$default` nor
/// `METHOD /path`, a target or authorizer id that names nothing, an unknown stage).
pub fn export(api: &Value, options: &ExportOptions<'_>) -> Result<Value, String> {
    export::export(api, options)
}

/// Renders a JSON value as YAML text (ExportApi `outputType=YAML`): block style, every string
/// double-quoted as AWS writes them, object keys of an OpenAPI document in AWS's order
/// (`serde_json` keeps objects sorted; the order is applied while writing).
/// `config::source::parse` of the result gives the value back (integers beyond `i64` aside).
pub fn to_yaml(value: &Value) -> String {
    render::to_yaml(value)
}

/// Renders a JSON value as JSON text the way ExportApi does (`"key" : value`, two-space
/// indentation, inline arrays), object keys of an OpenAPI document in AWS's order.
pub fn to_json(value: &Value) -> String {
    render::to_json(value)
}
