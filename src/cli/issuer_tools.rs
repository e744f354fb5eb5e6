//! `portcullis hash-password` and `portcullis keys rotate`: the issuer's operator commands.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use crate::issuer::core::hash_password;
use crate::issuer::keys;
use crate::store::Store;

/// Reads a password from standard input (first line) and prints its Argon2id hash.
pub fn hash(password: Option<String>) -> ExitCode {
    let password = match password {
        Some(p) => p,
        None => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                eprintln!("portcullis: cannot read the password from standard input");
                return ExitCode::FAILURE;
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.is_empty() {
        eprintln!("portcullis: the password is empty");
        return ExitCode::FAILURE;
    }
    match hash_password(&password) {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("portcullis: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Rotates an authorization server's signing key in the issuer's store (Okta's `keyRotate`):
/// the NEXT key signs from now on, the old one stays published until its tokens expire. A
/// running issuer picks the change up within seconds.
pub fn rotate(config: &Path, server: &str) -> ExitCode {
    let result = (|| -> Result<String, String> {
        let loaded = crate::config::load(config).map_err(|d| d.to_string())?;
        let tenant = loaded.issuer.ok_or("the configuration has no issuer section")?;
        if !tenant.authorization_servers.iter().any(|s| s.id == server) {
            return Err(format!("no authorization server '{server}'"));
        }
        let dir = config.parent().unwrap_or(Path::new("."));
        let path = if tenant.store.is_absolute() {
            tenant.store.clone()
        } else {
            dir.join(&tenant.store)
        };
        let store = Store::open(&path).map_err(|e| e.to_string())?;
        keys::rotate(&store, server, crate::telemetry::unix_secs())
    })();
    match result {
        Ok(kid) => {
            println!("authorization server '{server}' now signs with key {kid}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("portcullis: {err}");
            ExitCode::FAILURE
        }
    }
}
