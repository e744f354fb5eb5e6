//! The `portcullis` command line (clap): one subcommand per job in DESIGN.md.
//!
//! May import: everything; nothing imports it.

mod explain;
mod issuer_tools;
mod openapi;
mod token;
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
    /// Listen here instead of the file's `admin.listen`.
    #[arg(long)]
    pub admin_listen: Option<std::net::SocketAddr>,
    /// Data-plane workers (default: the file's `workers`, else one per core). One serves the
    /// gateway on the main thread; more serve it on threads of their own, one current-thread
    /// runtime each. `bench/compare` runs the gateway with `--workers 1` so that it is compared
    /// one worker to one worker.
    #[arg(long, value_parser = parse_workers)]
    pub workers: Option<usize>,
    /// Do not write access-log lines to stdout.
    #[arg(long)]
    pub no_access_log: bool,
}

/// `portcullis demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Gateway port.
    #[arg(long, default_value_t = 8000)]
    pub gateway_port: u16,
    /// Issuer port.
    #[arg(long, default_value_t = 8100)]
    pub issuer_port: u16,
    /// Solar-system backend port.
    #[arg(long, default_value_t = 8200)]
    pub backend_port: u16,
    /// Test web app port.
    #[arg(long, default_value_t = 8080)]
    pub app_port: u16,
    /// Admin API (apigatewayv2) port.
    #[arg(long, default_value_t = 8001)]
    pub admin_port: u16,
    /// Where the issuer keeps keys and sessions (default: the per-user data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// `portcullis token`.
#[derive(Debug, clap::Args)]
pub struct TokenCliArgs {
    /// The issuer.
    #[arg(long, default_value = "http://localhost:8100/oauth2/default")]
    pub issuer: String,
    /// Client id (client credentials; with --user, the web client to sign in with).
    #[arg(long)]
    pub client: Option<String>,
    /// Client secret.
    #[arg(long)]
    pub secret: Option<String>,
    /// Sign in as this user (authorization code + PKCE through the issuer's form).
    #[arg(long)]
    pub user: Option<String>,
    /// The user's password.
    #[arg(long)]
    pub password: Option<String>,
    /// Space-separated scopes.
    #[arg(long)]
    pub scope: Option<String>,
    /// Redirect URI registered for the web client.
    #[arg(long, default_value = "http://localhost:8080/authorization-code/callback")]
    pub redirect_uri: String,
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
    /// Run the whole reference scenario on loopback: issuer, backend, gateway, test web app.
    Demo(DemoArgs),
    /// Serve the gateway and/or issuer described by a configuration file.
    Serve(ServeArgs),
    /// Print an access token (client credentials, or a user's sign-in) for scripts and curl.
    Token(TokenCliArgs),
    /// Run only the test web app, configured like the original sample app (ISSUER, CLIENT_ID,
    /// CLIENT_SECRET, AUD, GATEWAY_URI, PORT, REDIRECT_URI, SESSION_SECRET, SESSION_MAX_AGE in the
    /// environment or a .env file), e.g. against a real Okta tenant and AWS HTTP API.
    Webapp {
        /// The .env file read for variables the environment lacks.
        #[arg(long, default_value = ".env")]
        env_file: PathBuf,
        /// Address to bind (the port comes from PORT).
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
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
    /// Print the Argon2id hash of a password (read from standard input) for `passwordHash`.
    HashPassword {
        /// The password (prefer standard input: arguments end up in shell history).
        #[arg(long)]
        password: Option<String>,
    },
    /// Manage the issuer's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check a configuration file (or an OpenAPI document) and print every problem with its location.
    Validate {
        /// The configuration file.
        file: PathBuf,
    },
    /// Turn an OpenAPI 3 document with AWS's x-amazon-apigateway-* extensions into an `apis:`
    /// entry of the configuration file (printed as YAML).
    Import {
        /// The OpenAPI document (YAML or JSON).
        file: PathBuf,
        /// The `apiId` to give the API (default: from the document's title).
        #[arg(long)]
        api_id: Option<String>,
    },
    /// Print an API of the configuration file (or of its admin store) as an OpenAPI 3.0
    /// document, as AWS's ExportApi does.
    Export {
        /// The gateway configuration file.
        #[arg(long, short)]
        config: PathBuf,
        /// The API's id.
        #[arg(long = "api")]
        api_id: String,
        /// yaml or json.
        #[arg(long, default_value = "yaml")]
        format: String,
        /// Export what this stage serves (admin-API APIs) and use it as the basePath.
        #[arg(long)]
        stage: Option<String>,
        /// Leave out the x-amazon-apigateway-* extensions.
        #[arg(long)]
        no_extensions: bool,
    },
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init_diagnostics();
    match cli.command {
        Command::Validate { file } => validate::run(&file),
        Command::Import { file, api_id } => openapi::import(&file, api_id.as_deref()),
        Command::Export {
            config,
            api_id,
            format,
            stage,
            no_extensions,
        } => openapi::export(&openapi::ExportArgs {
            config: &config,
            api_id: &api_id,
            format: &format,
            stage: stage.as_deref(),
            no_extensions,
        }),
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
        Command::Demo(args) => demo(args),
        Command::Token(args) => token_command(args),
        Command::Webapp { env_file, host } => webapp(&env_file, host),
        Command::HashPassword { password } => issuer_tools::hash(password),
        Command::Keys(KeysCommand::Rotate { config, server }) => issuer_tools::rotate(&config, &server),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    crate::telemetry::set_access_log(!args.no_access_log);
    let workers = args
        .workers
        .or_else(|| configured_workers(&args.config))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    // The main thread serves the gateway itself with one worker; with more, it keeps only the
    // control plane (issuer, admin API, reloads, scheduled JWKS refreshes) and the workers have
    // their own runtimes.
    let runtime = match current_thread_runtime() {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    let options = crate::runtime::ServeOptions {
        config: args.config,
        listen: args.listen,
        issuer_listen: args.issuer_listen,
        admin_listen: args.admin_listen,
        workers,
    };
    let result = runtime.block_on(crate::runtime::serve(options));
    crate::telemetry::flush_access_log();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn demo(args: DemoArgs) -> ExitCode {
    let options = crate::runtime::DemoOptions {
        gateway_port: args.gateway_port,
        issuer_port: args.issuer_port,
        backend_port: args.backend_port,
        app_port: args.app_port,
        admin_port: args.admin_port,
        data_dir: args.data_dir.unwrap_or_else(crate::runtime::default_data_dir),
    };
    let runtime = match multi_thread_runtime() {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    let result = runtime.block_on(crate::runtime::demo(options));
    crate::telemetry::flush_access_log();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn webapp(env_file: &std::path::Path, host: std::net::IpAddr) -> ExitCode {
    let config = match crate::demo::webapp::AppConfig::from_env_and_file(env_file) {
        Ok(c) => c,
        Err(err) => return fail(&err.to_string()),
    };
    let runtime = match multi_thread_runtime() {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((host, config.port)).await.map_err(|e| {
            format!(
                "cannot listen on {host}:{}: {e} (set PORT to another port)",
                config.port
            )
        })?;
        eprintln!(
            "portcullis: test web app listening on http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        crate::demo::webapp::serve(config, listener, crate::runtime::shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn token_command(args: TokenCliArgs) -> ExitCode {
    let args = token::TokenArgs {
        issuer: args.issuer,
        client: args.client,
        secret: args.secret,
        user: args.user,
        password: args.password,
        scope: args.scope,
        redirect_uri: args.redirect_uri,
    };
    let runtime = match current_thread_runtime() {
        Ok(rt) => rt,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    match runtime.block_on(token::run(args)) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err),
    }
}

fn configured_workers(config: &std::path::Path) -> Option<usize> {
    crate::config::load(config).ok()?.gateway?.workers
}

/// `--workers`: a whole number of at least 1, like the file's `workers`.
fn parse_workers(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("give a whole number of at least 1 (omit it for one worker per core)".to_owned()),
    }
}

/// How long a thread of tokio's blocking pool outlives its last task on a current-thread
/// runtime (`serve`'s main thread: the whole gateway with one worker, the control plane with
/// more).
///
/// The configuration watch reads its file on that pool every 500 ms (and the admin store's
/// watch every 250 ms). With tokio's default 10 s, one such thread lived for ever, and while a
/// process has a second thread the kernel takes and drops a reference on the file of every
/// socket call (`fdget`'s shared-table path). Perf, one worker, 64 connections, cached token:
/// `fdget` and `fput` cost 0.48 µs a request more than in HAProxy's single thread, 0.17 with
/// the thread gone. A thread started for each read costs at most ~1 ms of CPU a second while
/// idle (two 10 ms ticks in 20 s, against one before). (With more workers the process has their
/// threads anyway; the access log, when on, has a writer thread of its own,
/// `telemetry::access_log`.)
const BLOCKING_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_millis(1);

/// A current-thread runtime: one thread, without the work-stealing scheduler's queues, atomics
/// and wake-ups (nothing here uses `block_in_place`), and with no second thread between its
/// blocking tasks (see [`BLOCKING_KEEP_ALIVE`]).
fn current_thread_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_keep_alive(BLOCKING_KEEP_ALIVE)
        .build()
}

/// tokio's multi-thread runtime, one thread per core: the demo and the test web app, which run
/// several servers in one process.
fn multi_thread_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}

fn fail(message: &str) -> ExitCode {
    eprintln!("portcullis: {message}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_must_be_at_least_one() {
        assert_eq!(parse_workers("1"), Ok(1));
        assert_eq!(parse_workers("8"), Ok(8));
        for bad in ["0", "-1", "two", ""] {
            assert!(parse_workers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serve_takes_a_workers_flag() {
        let cli = Cli::try_parse_from(["portcullis", "serve", "--config", "g.yaml", "--workers", "1"]);
        let Ok(Cli {
            command: Command::Serve(args),
        }) = cli
        else {
            unreachable!("serve --workers 1 parses")
        };
        assert_eq!(args.workers, Some(1));
        assert!(Cli::try_parse_from(["portcullis", "serve", "--config", "g.yaml", "--workers", "0"]).is_err());
    }
}
