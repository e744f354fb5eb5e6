//! `portcullis demo`: the whole reference scenario on loopback — the issuer with the example
//! tenant, the solar-system backend, the gateway with the example API, and the test web app —
//! in one process, from the same example files the README shows. Every port is bound before
//! anything starts, so a taken port is reported by name and flag with nothing half-started.

use std::path::{Path, PathBuf};

use tokio::sync::watch;

use super::{Listener, admin, bind, gateway, issuer, run_until_signal, server, stopped};
use crate::demo::webapp;

const ISSUER_YAML: &str = include_str!("../../examples/solar-system/issuer.yaml");
const GATEWAY_YAML: &str = include_str!("../../examples/solar-system/gateway.yaml");

/// Ports and the data directory.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Gateway port (8000).
    pub gateway_port: u16,
    /// Issuer port (8100).
    pub issuer_port: u16,
    /// Solar-system backend port (8200).
    pub backend_port: u16,
    /// Test web app port (8080).
    pub app_port: u16,
    /// Admin API port (8001).
    pub admin_port: u16,
    /// Where the issuer keeps its keys and sessions.
    pub data_dir: PathBuf,
}

/// The per-user data directory: `$XDG_DATA_HOME/portcullis`, else `~/.local/share/portcullis`.
pub fn default_data_dir() -> PathBuf {
    let xdg = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"));
    xdg.or(home).unwrap_or_else(|| PathBuf::from(".")).join("portcullis")
}

struct Listeners {
    issuer: Listener,
    backend: Listener,
    gateway: Listener,
    admin: Listener,
    app: tokio::net::TcpListener,
}

async fn bind_port(port: u16, what: &str, flag: &str) -> Result<Listener, String> {
    bind(([127, 0, 0, 1], port).into(), None).await.map_err(|e| {
        format!("{e}\n  the {what} needs port {port}: stop what uses it, or choose another port with {flag}")
    })
}

async fn bind_all(o: &DemoOptions) -> Result<Listeners, String> {
    let issuer = bind_port(o.issuer_port, "issuer", "--issuer-port").await?;
    let backend = bind_port(o.backend_port, "solar-system backend", "--backend-port").await?;
    let gateway = bind_port(o.gateway_port, "gateway", "--gateway-port").await?;
    let admin = bind_port(o.admin_port, "admin API", "--admin-port").await?;
    let app = tokio::net::TcpListener::bind(("127.0.0.1", o.app_port)).await.map_err(|e| {
        format!("cannot listen on 127.0.0.1:{}: {e}\n  the test web app needs port {}: stop what uses it, or choose another port with --app-port", o.app_port, o.app_port)
    })?;
    Ok(Listeners {
        issuer,
        backend,
        gateway,
        admin,
        app,
    })
}

/// The example gateway file with the chosen ports and data directory.
fn gateway_text(o: &DemoOptions) -> Result<String, String> {
    let store =
        serde_json::to_string(&o.data_dir.join("gateway.db").display().to_string()).map_err(|e| e.to_string())?;
    Ok(with_ports(GATEWAY_YAML, o).replace("store: portcullis-data/gateway.db", &format!("store: {store}")))
}

fn with_ports(text: &str, o: &DemoOptions) -> String {
    text.replace("localhost:8100", &format!("localhost:{}", o.issuer_port))
        .replace("127.0.0.1:8100", &format!("127.0.0.1:{}", o.issuer_port))
        .replace("localhost:8200", &format!("localhost:{}", o.backend_port))
        .replace("localhost:8080", &format!("localhost:{}", o.app_port))
        .replace("127.0.0.1:8000", &format!("127.0.0.1:{}", o.gateway_port))
        .replace("127.0.0.1:8001", &format!("127.0.0.1:{}", o.admin_port))
}

/// The example files with the chosen ports and data directory.
fn configs(o: &DemoOptions) -> Result<(crate::model::Config, crate::model::Config), String> {
    let store =
        serde_json::to_string(&o.data_dir.join("issuer.db").display().to_string()).map_err(|e| e.to_string())?;
    let issuer_text =
        with_ports(ISSUER_YAML, o).replace("store: portcullis-data/issuer.db", &format!("store: {store}"));
    let issuer = crate::config::from_text(&issuer_text).map_err(|d| format!("the demo tenant is invalid:\n{d}"))?;
    let gateway =
        crate::config::from_text(&gateway_text(o)?).map_err(|d| format!("the demo gateway is invalid:\n{d}"))?;
    Ok((issuer, gateway))
}

/// Runs the demo until SIGINT/SIGTERM.
pub async fn run(o: DemoOptions) -> Result<(), String> {
    let signal = super::shutdown_signal();
    std::fs::create_dir_all(&o.data_dir)
        .map_err(|e| format!("cannot create the data directory {}: {e}", o.data_dir.display()))?;
    let (issuer_config, gateway_config) = configs(&o)?;
    let (Some(tenant), Some(gateway_model), Some(admin_model)) =
        (issuer_config.issuer, gateway_config.gateway, gateway_config.admin)
    else {
        return Err("the demo configuration lacks a section".to_owned());
    };
    let listeners = bind_all(&o).await?;
    let issuer_url = format!("http://localhost:{}/oauth2/default", o.issuer_port);
    let app_config = webapp::AppConfig::demo(&issuer_url, &format!("http://localhost:{}", o.gateway_port), o.app_port)
        .map_err(|e| e.to_string())?;
    let (stop, shutdown) = watch::channel(false);
    let mut services = tokio::task::JoinSet::new();
    services.spawn(
        issuer::start(
            tenant,
            &o.data_dir.join("issuer.db"),
            listeners.issuer,
            shutdown.clone(),
        )
        .await?,
    );
    services.spawn(server::run(
        listeners.backend,
        |_, req| crate::demo::backend::handle(req),
        stopped(shutdown.clone()),
    ));
    let endpoint = gateway::endpoint_template(&gateway_model, &listeners.gateway);
    // The example is compiled in: it was last written when this binary was.
    let written = std::env::current_exe().map_or(std::time::UNIX_EPOCH, |exe| admin::written(&exe));
    let admin_state = admin::prepare(&admin_model, &admin_model.store, &gateway_text(&o)?, written, endpoint)?;
    services.spawn(admin::start(admin_state.clone(), listeners.admin, shutdown.clone()));
    services.spawn(gateway::start(
        &gateway_model,
        listeners.gateway,
        None,
        Some(admin_state),
        shutdown.clone(),
        1,
    )?);
    services.spawn(webapp::serve(app_config, listeners.app, stopped(shutdown.clone())));
    print_banner(&o, &issuer_url, &o.data_dir);
    run_until_signal(services, stop, signal).await
}

fn print_banner(o: &DemoOptions, issuer: &str, data: &Path) {
    let gw = format!("http://localhost:{}", o.gateway_port);
    let lines = [
        String::new(),
        "Portcullis demo: the solar-system API behind a JWT-checking gateway".to_owned(),
        String::new(),
        format!("  test web app      http://localhost:{}", o.app_port),
        format!("  gateway           {gw}   (GET /asteroids: any token; /planets: silver; /moons: gold)"),
        format!("  issuer            {issuer}"),
        format!(
            "  admin API         http://localhost:{}   (apigatewayv2; development key AKIDPORTCULLISLOCAL / portcullis-local-secret)",
            o.admin_port
        ),
        format!(
            "  solar-system API  http://localhost:{}   (the unprotected backend)",
            o.backend_port
        ),
        format!("  data              {}", data.display()),
        String::new(),
        "Demo users (development credentials):".to_owned(),
        "  carl.sagan@mailinator.com     PaleBlueDot-1980   silver subscribers".to_owned(),
        "  jodie.foster@mailinator.com   Contact-1997       gold subscribers".to_owned(),
        String::new(),
        "Try it:".to_owned(),
        format!("  curl -i {gw}/planets                                   # 401: no token"),
        format!(
            "  TOKEN=$(portcullis token --issuer {issuer} --user carl.sagan@mailinator.com --password PaleBlueDot-1980 --scope openid)"
        ),
        format!("  curl -i -H \"Authorization: Bearer $TOKEN\" {gw}/planets   # 403: a bronze token"),
        format!(
            "  TOKEN=$(portcullis token --issuer {issuer} --client solar-system-service --secret solar-system-service-secret --scope http://myapp.com/scp/silver)"
        ),
        format!("  curl -i -H \"Authorization: Bearer $TOKEN\" {gw}/planets   # 200: the planets"),
        String::new(),
        "Press Ctrl-C to stop.".to_owned(),
    ];
    println!("{}", lines.join("\n"));
}
