//! A real `portcullis serve` running the embedded issuer, and a minimal browser (cookie jar,
//! no redirect following) to drive its sign-in page the way a person would.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::{Reply, TempDir};

/// The example tenant, with the listener's own origin as base URL.
pub fn solar_tenant() -> String {
    include_str!("../../examples/solar-system/issuer.yaml").replace("  baseUrl: http://localhost:8100\n", "")
}

/// A running issuer.
pub struct Issuer {
    /// `http://127.0.0.1:port`.
    pub origin: String,
    /// The default authorization server's issuer URL.
    pub url: String,
    /// The configuration file.
    pub config: std::path::PathBuf,
    child: Child,
    stderr: Arc<Mutex<String>>,
    dir: Option<TempDir>,
}

impl Issuer {
    /// Serves `config` on an ephemeral port with its store in a fresh directory.
    pub fn start(config: &str) -> Self {
        let dir = TempDir::new();
        let path = dir.0.join("issuer.yaml");
        std::fs::write(&path, config).unwrap();
        let mut issuer = Self::spawn(&path, None);
        issuer.dir = Some(dir);
        issuer
    }

    /// Serves the file at `path` (its store stays where the file says), optionally on `port`.
    pub fn spawn(path: &std::path::Path, port: Option<u16>) -> Self {
        let listen = format!("127.0.0.1:{}", port.unwrap_or(0));
        let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(["serve", "--config"])
            .arg(path)
            .args(["--issuer-listen", &listen])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe = child.stderr.take().unwrap();
        let stderr: Arc<Mutex<String>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("portcullis: issuer listening on ") {
                    let _ = tx.send(rest.to_owned());
                }
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("the issuer did not start:\n{}", stderr.lock().unwrap());
        };
        let (origin, rest) = line.split_once(" (issuer ").unwrap();
        let url = rest.trim_end_matches(')').to_owned();
        Self {
            origin: origin.to_owned(),
            url,
            config: path.to_owned(),
            child,
            stderr,
            dir: None,
        }
    }

    /// Stops the process (keeping its directory).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Diagnostics so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Takes the temp directory out (so a restarted issuer can reuse it).
    pub fn take_dir(&mut self) -> Option<TempDir> {
        self.dir.take()
    }

    /// An endpoint URL under the issuer.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A client-credentials token for the service client.
    pub async fn service_token(&self, scope: &str) -> Value {
        let r = token_request(
            self,
            "solar-system-service",
            "solar-system-service-secret",
            &[("grant_type", "client_credentials"), ("scope", scope)],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `POST {issuer}/v1/token` with client_secret_basic.
pub async fn token_request(issuer: &Issuer, id: &str, secret: &str, form: &[(&str, &str)]) -> Reply {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    post_form(
        &issuer.endpoint("/v1/token"),
        form,
        &[("authorization", &format!("Basic {basic}"))],
    )
    .await
}

/// Form-encodes pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A POST of a form with extra headers.
pub async fn post_form(url: &str, pairs: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    request("POST", url, &all, form(pairs)).await
}

/// Any request, without following redirects.
pub async fn request(method: &str, url: &str, headers: &[(&str, &str)], body: String) -> Reply {
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder().method(method).uri(url);
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let resp = tokio::time::timeout(
        Duration::from_secs(20),
        client.request(req.body(Full::new(Bytes::from(body))).unwrap()),
    )
    .await
    .unwrap()
    .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A browser: a cookie jar (names only; tests use one issuer) and no redirect following.
#[derive(Default)]
pub struct Browser {
    cookies: HashMap<String, String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, val) = pair.split_once('=').unwrap();
            if val.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), val.to_owned());
            }
        }
    }

    /// GET with cookies.
    pub async fn get(&mut self, url: &str) -> Reply {
        let cookie = self.cookie_header();
        let reply = request("GET", url, &[("cookie", &cookie)], String::new()).await;
        self.absorb(&reply);
        reply
    }

    /// POST a form with cookies.
    pub async fn post(&mut self, url: &str, pairs: &[(&str, &str)]) -> Reply {
        let cookie = self.cookie_header();
        let reply = post_form(url, pairs, &[("cookie", &cookie)]).await;
        self.absorb(&reply);
        reply
    }

    /// Whether the jar holds a cookie.
    pub fn has(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    /// Opens `authorize_url`, signs in on the form, and returns the final answer (a redirect
    /// to the client, or the form again).
    pub async fn sign_in(&mut self, issuer: &Issuer, authorize_url: &str, user: &str, password: &str) -> Reply {
        let page = self.get(authorize_url).await;
        assert_eq!(page.status, 200, "expected the sign-in page: {}", page.body);
        let interaction = hidden(&page.body, "interaction");
        let csrf = hidden(&page.body, "csrf");
        self.post(
            &issuer.endpoint("/v1/login"),
            &[
                ("interaction", &interaction),
                ("csrf", &csrf),
                ("username", user),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of a hidden input in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {name} in page")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The parameters of a redirect's query or fragment.
pub fn redirect_params(reply: &Reply) -> HashMap<String, String> {
    let location = reply
        .header("location")
        .unwrap_or_else(|| panic!("not a redirect: {} {}", reply.status, reply.body));
    let params = location.split_once(['?', '#']).map(|(_, p)| p).unwrap_or("");
    params
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The claims of a JWT (unverified: the tests check signatures through JWKS separately).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// The header of a JWT.
pub fn header(jwt: &str) -> Value {
    let head = jwt.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}

/// An authorize URL for the web client.
pub fn authorize_url(issuer: &Issuer, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("client_id", "solar-system-app"),
        ("response_type", "code"),
        ("scope", scope),
        ("redirect_uri", "http://localhost:8080/authorization-code/callback"),
        ("state", "st-123"),
        ("nonce", "n-456"),
    ];
    pairs.extend_from_slice(extra);
    format!("{}?{}", issuer.endpoint("/v1/authorize"), form(&pairs))
}

/// The RFC 7636 Appendix B pair.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge.
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Signs `user` in for `scope` (with PKCE) and exchanges the code; returns the token response.
pub async fn code_flow(issuer: &Issuer, user: &str, password: &str, scope: &str) -> Value {
    let mut browser = Browser::default();
    let url = authorize_url(
        issuer,
        scope,
        &[("code_challenge", CHALLENGE), ("code_challenge_method", "S256")],
    );
    let back = browser.sign_in(issuer, &url, user, password).await;
    let params = redirect_params(&back);
    let code = params.get("code").unwrap_or_else(|| panic!("no code: {params:?}"));
    let r = token_request(
        issuer,
        "solar-system-app",
        "solar-system-app-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "http://localhost:8080/authorization-code/callback"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}
