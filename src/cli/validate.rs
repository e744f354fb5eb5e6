//! `portcullis validate FILE`: every problem with its location and a fix, exit 1; or a
//! one-line summary, exit 0.

use std::path::Path;
use std::process::ExitCode;

use crate::model::Config;

/// Runs the check and prints the result.
pub fn run(file: &Path) -> ExitCode {
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
    let Some(gateway) = &config.gateway else {
        return "nothing to serve".to_owned();
    };
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
