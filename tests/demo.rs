//! `portcullis demo` as a process: a taken port is named with its flag and nothing starts;
//! Ctrl-C (SIGINT) stops all four services within a second; state survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{free_port, spawn_demo as spawn, wait_for_demo as wait_ready};

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

#[test]
fn a_taken_port_is_named_with_its_flag_and_nothing_is_left_running() {
    let data = support::TempDir::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ports = [
        free_port(),
        free_port(),
        taken.local_addr().unwrap().port(),
        free_port(),
        free_port(),
    ];
    let out = spawn(&ports, &data.0).wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {}", ports[2])) && err.contains("--backend-port"),
        "{err}"
    );
    assert!(
        !listening(ports[0]) && !listening(ports[1]) && !listening(ports[3]) && !listening(ports[4]),
        "nothing half-started"
    );
}

#[test]
fn sigint_stops_every_service_within_a_second() {
    let data = support::TempDir::new();
    let ports = [free_port(), free_port(), free_port(), free_port(), free_port()];
    let mut demo = spawn(&ports, &data.0);
    wait_ready(&mut demo);
    assert!(ports.iter().all(|p| listening(*p)), "all five services listen");
    let started = Instant::now();
    Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status()
        .unwrap();
    let status = demo.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    assert!(status.success(), "{status:?}");
    assert!(ports.iter().all(|p| !listening(*p)));
}

#[test]
fn the_issuers_keys_survive_a_demo_restart() {
    let data = support::TempDir::new();
    let jwks = |port: u16| {
        let out = Command::new("curl")
            .args(["-s", &format!("http://127.0.0.1:{port}/oauth2/default/v1/keys")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ports = [free_port(), free_port(), free_port(), free_port(), free_port()];
    let mut first = spawn(&ports, &data.0);
    wait_ready(&mut first);
    let before = jwks(ports[1]);
    Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
    let mut second = spawn(&ports, &data.0);
    wait_ready(&mut second);
    let after = jwks(ports[1]);
    let _ = second.kill();
    let _ = second.wait();
    assert!(before.contains("\"kid\""), "{before}");
    assert_eq!(before, after);
}

#[test]
fn the_web_app_runs_alone_from_the_sample_apps_variables() {
    let dir = support::TempDir::new();
    let missing = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["webapp", "--env-file"])
        .arg(dir.0.join("none"))
        .env_clear()
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    for name in [
        "ISSUER",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "AUD",
        "GATEWAY_URI",
        "SESSION_SECRET",
    ] {
        assert!(err.contains(name), "{name} missing from: {err}");
    }
    let port = free_port();
    let env = dir.0.join(".env");
    std::fs::write(&env, format!("ISSUER=http://localhost:9/oauth2/default\nCLIENT_ID=app\nCLIENT_SECRET=secret\nAUD=api://default\nGATEWAY_URI=http://localhost:9\nPORT={port}\nSESSION_SECRET=0123456789abcdef0123\n")).unwrap();
    let mut app = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["webapp", "--env-file"])
        .arg(&env)
        .env_clear()
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = app.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(
        first.contains(&format!("listening on http://127.0.0.1:{port}")),
        "{first}"
    );
    let page = Command::new("curl")
        .args(["-s", &format!("http://127.0.0.1:{port}/")])
        .output()
        .unwrap();
    let _ = app.kill();
    let _ = app.wait();
    let body = String::from_utf8_lossy(&page.stdout);
    assert!(
        body.contains("Solar system API"),
        "{body} {}",
        String::from_utf8_lossy(&page.stderr)
    );
}
