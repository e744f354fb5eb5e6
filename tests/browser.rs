//! The demo in a real browser: `portcullis demo` on free ports, then Playwright (pinned
//! `playwright-core`) driving Debian's Chromium through the whole story (`e2e/story.test.mjs`).
//! Screenshots of every step land in `target/e2e-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

#[test]
fn the_story_passes_in_chromium() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("e2e/node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and e2e/node_modules: run scripts/test-all, which installs both"
    );
    let data = support::TempDir::new();
    let ports = [
        support::free_port(),
        support::free_port(),
        support::free_port(),
        support::free_port(),
        support::free_port(),
    ];
    let mut demo = support::spawn_demo(&ports, &data.0);
    support::wait_for_demo(&mut demo);
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
