//! The `portcullis` command line (clap): one subcommand per job in DESIGN.md.
//!
//! May import: everything; nothing imports it.

mod explain;
mod issuer_tools;
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

/// `portcullis serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The configuration file (YAML or JSON).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Listen here instead of the file's `gateway.listen` (e.g. 127.0.0.1:0).
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Listen here instead of the file's `issuer.listen`.
    #[arg(long)]
    pub issuer_listen: Option<std::net::SocketAddr>,
    /// Worker threads (default: the file's `workers`, else one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Do not write access-log lines to stdout.
    #[arg(long)]
    pub no_access_log: bool,
}

/// `portcullis keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Rotate now: the NEXT key signs, the ACTIVE key retires (still published).
    Rotate {
        /// The configuration file with the `issuer:` section.
        #[arg(long, short)]
        config: PathBuf,
        /// The authorization server.
        #[arg(long, default_value = "default")]
        server: String,
    },
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the gateway and/or issuer described by a configuration file.
    Serve(ServeArgs),
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
    /// Print the Argon2id hash of a password (read from standard input) for `passwordHash`.
    HashPassword {
        /// The password (prefer standard input: arguments end up in shell history).
        #[arg(long)]
        password: Option<String>,
    },
    /// Manage the issuer's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
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
        Command::Serve(args) => serve(args),
        Command::HashPassword { password } => issuer_tools::hash(password),
        Command::Keys(KeysCommand::Rotate { config, server }) => issuer_tools::rotate(&config, &server),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    crate::telemetry::set_access_log(!args.no_access_log);
    let workers = args.workers.or_else(|| configured_workers(&args.config));
    let runtime = match build_runtime(workers) {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    let options = crate::runtime::ServeOptions {
        config: args.config,
        listen: args.listen,
        issuer_listen: args.issuer_listen,
    };
    match runtime.block_on(crate::runtime::serve(options)) {
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
