//! Interoperability: clients nobody here wrote, at pinned versions, accept the embedded issuer
//! unchanged. Each test starts a fresh `portcullis serve` with the solar-system tenant and runs
//! one external suite from `interop/` against it as a child process with `ISSUER` set:
//!
//! * `openid_client` — openid-client 6 (OpenID-certified RP): discovery, code + PKCE + state +
//!   nonce + `iss`, ID-token signatures via JWKS, the reference story, refresh, userinfo,
//!   introspection, revocation, logout.
//! * `oauth4webapi` — oauth4webapi 3: both metadata paths, strict response processing, and the
//!   documented negative (its RFC 9068 validator rejects Okta-shaped access tokens).
//! * `okta_jwt_verifier` — `@okta/jwt-verifier` 4, as the demo's API uses it.
//! * `pyjwt` — PyJWT 2 with `PyJWKClient`, a minimal Python resource server.
//!
//! The packages are pinned in `interop/package-lock.json` and `interop/requirements.txt` and
//! installed once by `scripts/test-all`. When they are missing these tests fail (never skip) and
//! say so. See `interop/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::issuer::{Issuer, solar_tenant};

/// How long one external suite may run before it is killed.
const SUITE_TIMEOUT: Duration = Duration::from_secs(120);

const INSTALL_HINT: &str = "run scripts/test-all once (its \"interop clients\" step installs the pinned npm and \
     PyPI packages: npm ci --prefix interop; python3 -m pip install -r interop/requirements.txt)";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fails (never skips) when a pinned npm package is not installed.
fn require_npm_packages(packages: &[&str]) {
    let modules = repo().join("interop/node_modules");
    for package in packages {
        let manifest = modules.join(package).join("package.json");
        assert!(
            manifest.is_file(),
            "{} is missing: the interop npm packages are not installed; {INSTALL_HINT}",
            manifest.display()
        );
    }
}

/// Fails (never skips) when the pinned Python modules cannot be imported.
fn require_python_modules() {
    let out = Command::new("python3")
        .args(["-c", "import jwt, cryptography"])
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); install Python 3.11 and {INSTALL_HINT}"));
    assert!(
        out.status.success(),
        "python3 cannot import jwt and cryptography; {INSTALL_HINT}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a finished (or killed) child printed.
struct Outcome {
    success: bool,
    timed_out: bool,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs `program args` from the repository root with `ISSUER` set, killing it after the timeout.
fn run_blocking(program: &str, args: &[String], issuer_url: &str) -> Outcome {
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(repo())
        .env("ISSUER", issuer_url)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_COLOR", "1")
        .env_remove("NODE_OPTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); {INSTALL_HINT}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > SUITE_TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Outcome {
        success: status.success() && !timed_out,
        timed_out,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        elapsed: started.elapsed(),
    }
}

/// Starts a fresh issuer, runs one external suite against it, and asserts it passed with at
/// least one test actually run.
async fn run_suite(name: &str, program: &'static str, args: &[&str], ran_something: fn(&str) -> bool) {
    let issuer = Issuer::start(&solar_tenant());
    let owned: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let url = issuer.url.clone();
    let outcome = tokio::time::timeout(
        SUITE_TIMEOUT + Duration::from_secs(30),
        tokio::task::spawn_blocking(move || run_blocking(program, &owned, &url)),
    )
    .await
    .unwrap_or_else(|_| panic!("{name}: the suite did not finish"))
    .unwrap();
    let report = format!(
        "{name} against {} ({program} {}) finished in {:.1?}{}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- issuer stderr ---\n{}",
        issuer.url,
        args.join(" "),
        outcome.elapsed,
        if outcome.timed_out {
            format!(": KILLED after {SUITE_TIMEOUT:?}")
        } else {
            String::new()
        },
        outcome.stdout,
        outcome.stderr,
        issuer.stderr()
    );
    assert!(outcome.success, "{report}");
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    assert!(ran_something(&all), "the suite ran no test:\n{report}");
    println!("{name}: passed in {:.1?}", outcome.elapsed);
}

/// `node --test` printed `# pass N` with N > 0 and `# fail 0`.
fn node_ran_tests(output: &str) -> bool {
    let count = |prefix: &str| {
        output
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|n| n.trim().parse::<u32>().ok())
    };
    matches!((count("# pass "), count("# fail ")), (Some(p), Some(0)) if p > 0)
}

/// `python3 -m unittest` printed `Ran N tests` with N > 0 and `OK`.
fn unittest_ran_tests(output: &str) -> bool {
    let ran = output
        .lines()
        .find_map(|l| l.strip_prefix("Ran "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<u32>().ok());
    ran.is_some_and(|n| n > 0) && output.lines().any(|l| l.trim() == "OK")
}

async fn node_suite(file: &str, packages: &[&str]) {
    require_npm_packages(packages);
    let path = format!("interop/node/{file}");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(&path).is_file(),
        "{path} is missing"
    );
    run_suite(file, "node", &["--test", &path], node_ran_tests).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client() {
    node_suite("openid-client.test.mjs", &["openid-client", "oauth4webapi"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth4webapi() {
    node_suite("oauth4webapi.test.mjs", &["oauth4webapi"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_jwt_verifier() {
    node_suite("okta-jwt-verifier.test.mjs", &["@okta/jwt-verifier"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyjwt() {
    require_python_modules();
    run_suite(
        "test_pyjwt.py",
        "python3",
        &["-m", "unittest", "-v", "interop/python/test_pyjwt.py"],
        unittest_ran_tests,
    )
    .await;
}
