//! `portcullis validate FILE`: every problem with its location and a fix, exit 1; or a
//! one-line summary, exit 0.

use std::path::Path;
use std::process::ExitCode;

use crate::model::Config;

/// Runs the check and prints the result.
pub fn run(file: &Path) -> ExitCode {
    if let Ok(text) = crate::config::read(file)
        && super::openapi::is_openapi(&text)
    {
        return super::openapi::validate(file);
    }
    match crate::config::load(file) {
        Ok(config) => {
            println!("{}: OK — {}", file.display(), summary(&config));
            ExitCode::SUCCESS
        }
        Err(diags) => {
            for d in &diags.0 {
                println!("{}:{d}", file.display());
            }
            println!("{}: {} problem(s)", file.display(), diags.0.len());
            ExitCode::FAILURE
        }
    }
}

fn summary(config: &Config) -> String {
    let parts: Vec<String> = [
        config.gateway.as_ref().map(gateway_summary),
        config.issuer.as_ref().map(issuer_summary),
        config
            .admin
            .as_ref()
            .map(|a| format!("admin API on {}: {} access key(s)", a.listen, a.credentials.len())),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join("; ")
}

fn gateway_summary(gateway: &crate::model::Gateway) -> String {
    let count = |f: fn(&crate::model::Api) -> usize| gateway.apis.iter().map(f).sum::<usize>();
    format!(
        "gateway on {}: {} API(s), {} route(s), {} authorizer(s), {} integration(s), {} stage(s)",
        gateway.listen,
        gateway.apis.len(),
        count(|a| a.routes.len()),
        count(|a| a.authorizers.len()),
        count(|a| a.integrations.len()),
        count(|a| a.stages.len()),
    )
}

fn issuer_summary(issuer: &crate::model::issuer::Issuer) -> String {
    let rules: usize = issuer
        .authorization_servers
        .iter()
        .flat_map(|s| &s.policies)
        .map(|p| p.rules.len())
        .sum();
    format!(
        "issuer on {}: {} authorization server(s), {} rule(s), {} user(s), {} group(s), {} client(s)",
        issuer.listen,
        issuer.authorization_servers.len(),
        rules,
        issuer.users.len(),
        issuer.groups.len(),
        issuer.clients.len(),
    )
}
