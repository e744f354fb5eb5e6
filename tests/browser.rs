//! The demo in a real browser: `portcullis demo` on free ports, then Playwright (pinned
//! `playwright-core`) driving Debian's Chromium through the whole story (`e2e/story.test.mjs`).
//! Screenshots of every step land in `target/e2e-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_story_passes_in_chromium() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("e2e/node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and e2e/node_modules: run scripts/test-all, which installs both"
    );
    let data = support::TempDir::new();
    let ports: Vec<u16> = (0..4).map(|_| free_port()).collect();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["demo", "--data-dir"])
        .arg(&data.0)
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
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Press Ctrl-C") {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(30)).is_err() {
        let _ = demo.kill();
        panic!("the demo did not start");
    }
    let out = Command::new("node")
        .args(["--test", "e2e/story.test.mjs"])
        .current_dir(root)
        .env("APP_URL", format!("http://localhost:{}", ports[3]))
        .env("SCREENSHOT_DIR", root.join("target/e2e-screenshots"))
        .output()
        .unwrap();
    let _ = demo.kill();
    let _ = demo.wait();
    assert!(
        out.status.success(),
        "the browser story failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
