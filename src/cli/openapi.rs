//! `portcullis import FILE` and `portcullis export --api ID`: OpenAPI 3 documents with AWS's
//! `x-amazon-apigateway-*` extensions to and from the configuration file's `apis:` entries
//! (and the admin API's store); `validate` of an OpenAPI document.

use std::path::Path;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::openapi::{self, ExportOptions, IdKind, ImportReport};

/// Whether `text` is an OpenAPI (or Swagger) document rather than a Portcullis configuration.
pub fn is_openapi(text: &str) -> bool {
    crate::config::source::parse(text)
        .is_ok_and(|doc| doc.value.get("openapi").is_some() || doc.value.get("swagger").is_some())
}

fn report(file: &Path, report: &ImportReport) {
    for info in &report.info {
        eprintln!("{}: info: {info}", file.display());
    }
    for warning in &report.warnings {
        eprintln!("{}: warning: {warning}", file.display());
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// A host label from the document's title, for `apiId`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(63).collect();
    if out.is_empty() {
        "api".to_owned()
    } else {
        out.trim_end_matches('-').to_owned()
    }
}

/// Imports `file` into an `apis:` entry, validated by the configuration rules.
fn import_entry(file: &Path, api_id: Option<&str>) -> Result<(Value, ImportReport), String> {
    let text = crate::config::read(file).map_err(|d| d.to_string())?;
    let mut counters = [0usize; 3];
    let mut new_id = |kind: IdKind| {
        let (i, prefix) = match kind {
            IdKind::Authorizer => (0, "auth"),
            IdKind::Integration => (1, "int"),
            IdKind::Route => (2, "route"),
        };
        counters[i] += 1;
        format!("{prefix}{}", counters[i])
    };
    let (mut shape, report) = openapi::import(&text, &mut new_id).map_err(|e| e.to_string())?;
    if let Value::Object(map) = &mut shape {
        let name = map.get("name").and_then(Value::as_str).unwrap_or("api").to_owned();
        map.insert("apiId".into(), json!(api_id.map_or_else(|| slug(&name), str::to_owned)));
        map.insert("protocolType".into(), json!("HTTP"));
        map.insert(
            "stages".into(),
            json!([{ "stageName": "$default", "autoDeploy": true }]),
        );
    }
    crate::config::validate::validate_api(&shape, crate::config::validate::ApiRules::FILE)
        .map_err(|d| d.to_string())?;
    Ok((shape, report))
}

/// `portcullis import FILE`: prints the `apis:` entry (YAML) the document describes.
pub fn import(file: &Path, api_id: Option<&str>) -> ExitCode {
    match import_entry(file, api_id) {
        Ok((shape, rep)) => {
            report(file, &rep);
            println!(
                "# Imported from {} by portcullis import: paste under gateway.apis.",
                file.display()
            );
            println!("{}", openapi::to_yaml(&json!([shape])));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{}: cannot be imported:\n{problems}", file.display());
            ExitCode::FAILURE
        }
    }
}

/// `portcullis validate` of an OpenAPI document.
pub fn validate(file: &Path) -> ExitCode {
    match import_entry(file, None) {
        Ok((shape, rep)) => {
            report(file, &rep);
            let routes = shape.get("routes").and_then(Value::as_array).map_or(0, Vec::len);
            println!(
                "{}: OK — OpenAPI document: {routes} route(s), {} warning(s), {} info",
                file.display(),
                rep.warnings.len(),
                rep.info.len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            println!("{}: {problems}", file.display());
            ExitCode::FAILURE
        }
    }
}

/// What `portcullis export` writes.
pub struct ExportArgs<'a> {
    /// The gateway configuration file.
    pub config: &'a Path,
    /// The API.
    pub api_id: &'a str,
    /// `yaml` or `json`.
    pub format: &'a str,
    /// Export what this stage serves.
    pub stage: Option<&'a str>,
    /// Leave out the `x-amazon-apigateway-*` extensions.
    pub no_extensions: bool,
}

/// `portcullis export --config FILE --api ID`: the file's API, or an admin-API API from the
/// file's admin store, as an OpenAPI 3.0 document on stdout.
pub fn export(args: &ExportArgs<'_>) -> ExitCode {
    match export_text(args) {
        Ok(text) => {
            out(&text);
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("portcullis export: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn export_text(args: &ExportArgs<'_>) -> Result<String, String> {
    let text = crate::config::read(args.config).map_err(|d| d.to_string())?;
    let config = crate::config::from_text(&text).map_err(|d| d.to_string())?;
    let gateway = config.gateway.ok_or("the configuration has no gateway section")?;
    let endpoint = gateway
        .api_endpoint
        .clone()
        .unwrap_or_else(|| format!("http://{{apiId}}.execute-api.localhost:{}", gateway.listen.port()));
    let endpoint = endpoint.replace("{apiId}", args.api_id);
    let doc = crate::config::source::parse(&text).map_err(|d| d.to_string())?;
    let file_api = doc
        .value
        .pointer("/gateway/apis")
        .and_then(Value::as_array)
        .and_then(|apis| {
            apis.iter()
                .find(|a| a.get("apiId").and_then(Value::as_str) == Some(args.api_id))
        });
    let shape = match (file_api, &config.admin) {
        (Some(api), _) => api.clone(),
        (None, Some(admin)) => {
            let dir = args.config.parent().unwrap_or_else(|| Path::new("."));
            let store_path = if admin.store.is_absolute() {
                admin.store.clone()
            } else {
                dir.join(&admin.store)
            };
            if !store_path.exists() {
                return Err(format!(
                    "no API {} in {} (its admin store {} does not exist yet)",
                    args.api_id,
                    args.config.display(),
                    store_path.display()
                ));
            }
            let store = crate::store::Store::open(&store_path).map_err(|e| e.to_string())?;
            let record = store
                .admin_api(args.api_id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no API {} in {} or its admin store", args.api_id, args.config.display()))?;
            let record: crate::admin::resources::ApiRecord =
                serde_json::from_str(&record).map_err(|e| e.to_string())?;
            crate::admin::openapi::shape_for_export(&record, args.stage).map_err(|e| e.message)?
        }
        (None, None) => return Err(format!("no API {} in {}", args.api_id, args.config.display())),
    };
    let options = ExportOptions {
        include_extensions: !args.no_extensions,
        stage_name: args.stage,
        api_endpoint: &endpoint,
    };
    let document = openapi::export(&shape, &options)?;
    match args.format {
        "json" => Ok(openapi::to_json(&document)),
        "yaml" => Ok(openapi::to_yaml(&document)),
        other => Err(format!("unknown format {other}: use yaml or json")),
    }
}
