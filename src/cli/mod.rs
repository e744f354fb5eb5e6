//! The `portcullis` command line (clap): one subcommand per job in DESIGN.md.
//!
//! May import: everything; nothing imports it.

mod explain;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A self-hosted HTTP API gateway with AWS HTTP API JWT authorizers.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the gateway described by a configuration file.
    Serve {
        /// The configuration file (YAML or JSON).
        #[arg(long, short)]
        config: PathBuf,
        /// Listen here instead of the file's `gateway.listen` (e.g. 127.0.0.1:0).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Worker threads (default: the file's `workers`, else one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Do not write access-log lines to stdout.
        #[arg(long)]
        no_access_log: bool,
    },
    /// Show the route a request takes and every authorizer check on its token.
    Explain {
        /// The configuration file.
        #[arg(long, short)]
        config: PathBuf,
        /// The access token (as sent after `Bearer `); omit to explain a request without one.
        #[arg(long)]
        token: Option<String>,
        /// Use this JWKS file instead of fetching the issuer's keys.
        #[arg(long)]
        jwks: Option<PathBuf>,
        /// The request: `GET /planets` or a URL.
        request: String,
    },
    /// Check a configuration file and print every problem with its location.
    Validate {
        /// The configuration file.
        file: PathBuf,
    },
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init_diagnostics();
    match cli.command {
        Command::Validate { file } => validate::run(&file),
        Command::Explain {
            config,
            token,
            jwks,
            request,
        } => explain::run(explain::Request {
            config,
            token,
            request,
            jwks,
        }),
        Command::Serve {
            config,
            listen,
            workers,
            no_access_log,
        } => serve(config, listen, workers, no_access_log),
    }
}

fn serve(
    config: PathBuf,
    listen: Option<std::net::SocketAddr>,
    workers: Option<usize>,
    no_access_log: bool,
) -> ExitCode {
    crate::telemetry::set_access_log(!no_access_log);
    let workers = workers.or_else(|| configured_workers(&config));
    let runtime = match build_runtime(workers) {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    match runtime.block_on(crate::runtime::serve(crate::runtime::ServeOptions { config, listen })) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn configured_workers(config: &std::path::Path) -> Option<usize> {
    crate::config::load(config).ok()?.gateway?.workers
}

fn build_runtime(workers: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if let Some(n) = workers {
        builder.worker_threads(n.max(1));
    }
    builder.build()
}

fn fail(message: &str) -> ExitCode {
    eprintln!("portcullis: {message}");
    ExitCode::FAILURE
}
