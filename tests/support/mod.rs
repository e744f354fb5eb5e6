//! Integration-test harness: a real `portcullis serve` process on an ephemeral port, a test
//! issuer serving discovery and JWKS over real HTTP (and minting any token, hostile ones
//! included), and a recording backend that answers and remembers exactly what it received.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod issuer;

#[path = "../../testkit/jwt.rs"]
pub mod jwt;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis::admin::sigv4;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// Serves `handler` on 127.0.0.1:0 until the test ends; the handler gets the peer address.
async fn serve<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(SocketAddr, Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, std::convert::Infallible>(handler(peer, req).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn json_response(status: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

/// How the test issuer's JWKS endpoint behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwksMode {
    /// Serve the key set.
    Normal,
    /// Answer 500.
    Fail,
    /// Answer 200 with an HTML page.
    Html,
    /// Answer 200 with a JSON document larger than AWS's 150 000-byte cap.
    Huge,
    /// Accept the request and never answer (a tarpit).
    Hang,
    /// Answer `{"keys":[]}`.
    Empty,
}

/// A test authorization server: discovery + JWKS at `{url}`.
pub struct TestIssuer {
    /// The issuer URL (`iss`).
    pub url: String,
    jwks: Arc<Mutex<Vec<Value>>>,
    mode: Arc<Mutex<JwksMode>>,
    jwks_hits: Arc<AtomicUsize>,
}

impl TestIssuer {
    /// Starts an issuer publishing the main RSA key as kid `rsa1`.
    pub async fn start() -> Self {
        let jwks = Arc::new(Mutex::new(vec![jwt::keys().rsa.public_jwk("rsa1")]));
        let mode = Arc::new(Mutex::new(JwksMode::Normal));
        let hits = Arc::new(AtomicUsize::new(0));
        let url_cell: Arc<Mutex<String>> = Arc::default();
        let (j, m, h, u) = (jwks.clone(), mode.clone(), hits.clone(), url_cell.clone());
        let addr = serve(move |_, req: Request<Incoming>| {
            let (j, m, h, u) = (j.clone(), m.clone(), h.clone(), u.clone());
            async move {
                let url = u.lock().unwrap().clone();
                match req.uri().path() {
                    "/oauth2/default/.well-known/openid-configuration" => {
                        json_response(200, &json!({"issuer": url, "jwks_uri": format!("{url}/v1/keys")}))
                    }
                    "/oauth2/default/v1/keys" => {
                        h.fetch_add(1, Ordering::SeqCst);
                        let mode = *m.lock().unwrap();
                        match mode {
                            JwksMode::Normal => json_response(200, &json!({"keys": *j.lock().unwrap()})),
                            JwksMode::Fail => json_response(500, &json!({})),
                            JwksMode::Empty => json_response(200, &json!({"keys": []})),
                            JwksMode::Html => Response::builder()
                                .header("content-type", "text/html")
                                .body(Full::new(Bytes::from_static(b"<html>keys</html>")))
                                .unwrap(),
                            JwksMode::Huge => {
                                let mut keys = j.lock().unwrap().clone();
                                keys.push(json!({"kty": "oct", "kid": "pad", "k": "A".repeat(160_000)}));
                                json_response(200, &json!({ "keys": keys }))
                            }
                            JwksMode::Hang => {
                                tokio::time::sleep(Duration::from_secs(60)).await;
                                json_response(500, &json!({}))
                            }
                        }
                    }
                    _ => json_response(404, &json!({})),
                }
            }
        })
        .await;
        let url = format!("http://{addr}/oauth2/default");
        *url_cell.lock().unwrap() = url.clone();
        Self {
            url,
            jwks,
            mode,
            jwks_hits: hits,
        }
    }

    /// Replaces the published keys.
    pub fn publish(&self, keys: Vec<Value>) {
        *self.jwks.lock().unwrap() = keys;
    }

    /// Switches the JWKS endpoint's behaviour.
    pub fn set_mode(&self, mode: JwksMode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// How many times the JWKS was downloaded.
    pub fn jwks_hits(&self) -> usize {
        self.jwks_hits.load(Ordering::SeqCst)
    }

    /// Standard valid claims for this issuer, with `scope`.
    pub fn claims(&self, scope: &str) -> Value {
        let now = now();
        json!({"iss": self.url, "aud": "api://default", "sub": "carl.sagan@mailinator.com", "iat": now, "exp": now + 3600, "scp": scope.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(), "cid": "solar-system-app"})
    }

    /// A valid RS256 token signed by kid `rsa1` with these claims.
    pub fn sign(&self, claims: &Value) -> String {
        jwt::mint_json(
            &jwt::keys().rsa,
            "RS256",
            &json!({"alg": "RS256", "kid": "rsa1", "typ": "JWT"}),
            claims,
        )
    }

    /// A valid token with `scope`.
    pub fn token(&self, scope: &str) -> String {
        self.sign(&self.claims(scope))
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// What the recording backend saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query as received.
    pub uri: String,
    /// Headers, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The connection it came on (the gateway's side).
    pub peer: SocketAddr,
}

impl Recorded {
    /// All values of a header.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).first().copied()
    }
}

/// A backend that records every request and answers with JSON naming the path.
pub struct Backend {
    /// `http://127.0.0.1:port`.
    pub url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
    delay_ms: Arc<AtomicU64>,
}

impl Backend {
    /// Starts the backend.
    pub async fn start() -> Self {
        let seen: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let delay = Arc::new(AtomicU64::new(0));
        let (s, d) = (seen.clone(), delay.clone());
        let addr = serve(move |peer, req: Request<Incoming>| {
            let (s, d) = (s.clone(), d.clone());
            async move {
                let method = req.method().to_string();
                let uri = req.uri().to_string();
                let headers = req
                    .headers()
                    .iter()
                    .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect();
                let body = req
                    .into_body()
                    .collect()
                    .await
                    .map(|b| b.to_bytes().to_vec())
                    .unwrap_or_default();
                s.lock().unwrap().push(Recorded {
                    method,
                    uri: uri.clone(),
                    headers,
                    body,
                    peer,
                });
                let delay = d.load(Ordering::SeqCst);
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                let path = uri.split('?').next().unwrap_or("").to_owned();
                match path.as_str() {
                    "/" => Response::builder()
                        .header("content-type", "text/html")
                        .body(Full::new(Bytes::from_static(b"<h1>Solar system API</h1>")))
                        .unwrap(),
                    "/planets" => json_response(200, &json!({"planets": ["Mercury", "Venus", "Earth", "Mars"]})),
                    "/boom" => json_response(500, &json!({"backend": "failed"})),
                    "/with-cors" => Response::builder()
                        .header("content-type", "application/json")
                        .header("access-control-allow-origin", "*")
                        .header("access-control-allow-credentials", "true")
                        .header("access-control-expose-headers", "x-backend-secret")
                        .header("x-backend-secret", "s3cret")
                        .body(Full::new(Bytes::from_static(br#"{"cors":"backend"}"#)))
                        .unwrap(),
                    "/big" => Response::builder()
                        .header("content-type", "application/octet-stream")
                        .body(Full::new(Bytes::from(vec![b'x'; 5 * 1024 * 1024])))
                        .unwrap(),
                    _ => json_response(200, &json!({"path": path})),
                }
            }
        })
        .await;
        Self {
            url: format!("http://{addr}"),
            seen,
            delay_ms: delay,
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }

    /// The last request received.
    pub fn last(&self) -> Recorded {
        self.requests()
            .last()
            .cloned()
            .expect("the backend received no request")
    }

    /// How many requests it received.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Makes every answer wait this long.
    pub fn set_delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory.
    pub fn new() -> Self {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("portcullis-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The solar-system gateway configuration, pointed at a test issuer and backend.
pub fn solar_config(issuer: &str, backend: &str) -> String {
    include_str!("../../examples/solar-system/gateway.yaml")
        .replace("http://localhost:8100/oauth2/default", issuer)
        .replace("http://localhost:8200", backend)
}

/// `config` with a `corsConfiguration` (YAML lines at API indentation) added to its first API.
pub fn with_cors(config: &str, cors: &str) -> String {
    let anchor = "      protocolType: HTTP\n";
    assert!(config.contains(anchor), "the configuration has no API to add CORS to");
    let indented: String = cors.lines().map(|l| format!("        {l}\n")).collect();
    config.replacen(anchor, &format!("{anchor}      corsConfiguration:\n{indented}"), 1)
}

/// A running `portcullis serve`.
pub struct Gateway {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The configuration file.
    pub config: PathBuf,
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    _dir: TempDir,
}

impl Gateway {
    /// Writes `config` to a file and serves it on an ephemeral port.
    pub fn start(config: &str) -> Self {
        Self::start_with_env(config, &[])
    }

    /// Like `start`, with extra environment variables for the process.
    pub fn start_with_env(config: &str, env: &[(&str, &str)]) -> Self {
        Self::start_with_workers(config, env, 2)
    }

    /// Like `start_with_env`, with `--workers workers` (one worker is a current-thread runtime).
    pub fn start_with_workers(config: &str, env: &[(&str, &str)], workers: usize) -> Self {
        Self::start_with_args(config, env, &["--workers", &workers.to_string()])
    }

    /// Like `start_with_env`, with these arguments to `serve` instead of `--workers 2`.
    pub fn start_with_args(config: &str, env: &[(&str, &str)], args: &[&str]) -> Self {
        let dir = TempDir::new();
        let path = dir.0.join("gateway.yaml");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(["serve", "--config"])
            .arg(&path)
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = drain(child.stdout.take().unwrap());
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr: Arc<Mutex<String>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let announced = line
                    .strip_prefix("portcullis: gateway listening on ")
                    .and_then(|u| u.split_once("://"));
                if let (false, Some((_, addr))) = (sent, announced) {
                    let _ = tx.send(addr.to_owned());
                    sent = true;
                }
                sink.lock().unwrap().push_str(&line);
                sink.lock().unwrap().push('\n');
            }
        });
        let addr: SocketAddr = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => addr.parse().unwrap(),
            Err(_) => {
                let _ = child.kill();
                panic!("the gateway did not start:\n{}", stderr.lock().unwrap());
            }
        };
        Self {
            url: format!("http://{addr}"),
            addr,
            config: path,
            child,
            stdout,
            stderr,
            _dir: dir,
        }
    }

    /// Like `start`, for a configuration that terminates TLS (the URL is https).
    pub fn start_tls(config: &str) -> Self {
        let mut gateway = Self::start(config);
        gateway.url = format!("https://localhost:{}", gateway.addr.port());
        gateway
    }

    /// Everything written to stdout so far (the access log).
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Everything written to stderr so far (diagnostics).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends SIGHUP.
    pub fn hangup(&self) {
        self.signal("-HUP");
    }

    fn signal(&self, flag: &str) {
        let _ = Command::new("kill").args([flag, &self.child.id().to_string()]).status();
    }

    /// The names of the process's threads (Linux: at most 15 bytes each).
    pub fn thread_names(&self) -> Vec<String> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).unwrap();
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .map(|name| name.trim_end().to_owned())
            .collect()
    }

    /// Sends SIGTERM and waits (at most 15 s) for the process to exit; its exit status, or
    /// `None` if it is still running.
    pub async fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        self.signal("-TERM");
        for _ in 0..150 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf: Arc<Mutex<String>> = Arc::default();
    let sink = buf.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut b = sink.lock().unwrap();
            b.push_str(&line);
            b.push('\n');
        }
    });
    buf
}

/// A response as the tests see it.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body.
    pub body: String,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends a request with headers and an empty body (redirects are not followed).
pub async fn send(method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
    issuer::request(method, url, headers, String::new()).await
}

/// GET with an optional bearer token.
pub async fn get(url: &str, token: Option<&str>) -> Reply {
    match token {
        Some(t) => send("GET", url, &[("authorization", &format!("Bearer {t}"))]).await,
        None => send("GET", url, &[]).await,
    }
}

/// Writes raw bytes to the gateway and reads the whole answer (connection closed after).
pub fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if complete(&out) {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn complete(out: &[u8]) -> bool {
    let text = String::from_utf8_lossy(out);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let len = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
    });
    len.is_some_and(|n| body.len() >= n)
}

/// Raw GET of a path as written (no client-side normalization).
pub fn raw_get(addr: SocketAddr, path: &str, extra: &str) -> String {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n").as_bytes(),
    )
}

/// The status code of a raw response.
pub fn raw_status(response: &str) -> u16 {
    response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Polls `check` until it holds (bounded): for asynchronous effects like reloads.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 10 s");
}

/// The set of everything needed for the solar-system scenario.
pub struct Solar {
    /// The issuer.
    pub issuer: TestIssuer,
    /// The backend.
    pub backend: Backend,
    /// The gateway process.
    pub gateway: Gateway,
}

impl Solar {
    /// Starts issuer, backend and gateway with the example configuration.
    pub async fn start() -> Self {
        let issuer = TestIssuer::start().await;
        let backend = Backend::start().await;
        let gateway = Gateway::start(&solar_config(&issuer.url, &backend.url));
        Self {
            issuer,
            backend,
            gateway,
        }
    }

    /// The gateway URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway.url)
    }
}

/// A port that was free a moment ago (for processes that need their ports up front).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `portcullis demo` on the given ports (gateway, issuer, backend, app, admin) with its state in `data`.
pub fn spawn_demo(ports: &[u16; 5], data: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["demo", "--data-dir"])
        .arg(data)
        .args([
            "--gateway-port",
            &ports[0].to_string(),
            "--issuer-port",
            &ports[1].to_string(),
        ])
        .args([
            "--backend-port",
            &ports[2].to_string(),
            "--app-port",
            &ports[3].to_string(),
            "--admin-port",
            &ports[4].to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (bounded) until the demo has printed its banner, i.e. every service is up.
pub fn wait_for_demo(child: &mut Child) {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Press Ctrl-C") {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(30)).is_err() {
        let _ = child.kill();
        panic!("the demo did not start");
    }
}

/// The development access key of the example configuration's `admin:` section.
pub const ADMIN_KEY: &str = "AKIDPORTCULLISLOCAL";
/// Its secret.
pub const ADMIN_SECRET: &str = "portcullis-local-secret";

/// The admin listener's address of a `serve` process, from the line it prints.
pub fn admin_url(gateway: &Gateway) -> String {
    let stderr = gateway.stderr();
    let line = stderr
        .lines()
        .find(|l| l.contains("admin API (apigatewayv2) listening on"))
        .unwrap_or_else(|| panic!("no admin listener in:\n{stderr}"));
    line.rsplit(' ').next().unwrap().to_owned()
}

/// A request to the admin API signed with SigV4 (`ADMIN_KEY`), as botocore would send it.
pub async fn admin(base: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let host = base.trim_start_matches("http://");
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    headers.insert("content-type", "application/json".parse().unwrap());
    let method_value: http::Method = method.parse().unwrap();
    let (path_only, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let signed = sigv4::sign(
        &sigv4::SignedRequest {
            method: &method_value,
            path: path_only,
            query,
            headers: &headers,
            body: body.as_bytes(),
        },
        ADMIN_KEY,
        ADMIN_SECRET,
        "us-east-1",
        "apigateway",
        SystemTime::now(),
    );
    issuer::request(
        method,
        &format!("{base}{path}"),
        &[
            ("content-type", "application/json"),
            ("x-amz-date", &signed.amz_date),
            ("authorization", &signed.authorization),
        ],
        body,
    )
    .await
}

/// GET `path` on the gateway for `api_id` (its invoke host name in `Host`).
pub async fn call_api(gateway: &Gateway, api_id: &str, path: &str) -> Reply {
    let host = format!("{api_id}.execute-api.localhost:{}", gateway.addr.port());
    send("GET", &format!("{}{path}", gateway.url), &[("host", &host)]).await
}
