//! Tests of the configuration reader: the original sample app's variable names, the `.env`
//! file, defaults and the errors that name what is missing.

use std::collections::HashMap;
use std::time::Duration;

use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn complete() -> HashMap<String, String> {
    vars(&[
        ("ISSUER", "http://localhost:8100/oauth2/default/"),
        ("CLIENT_ID", "solar-system-app"),
        ("CLIENT_SECRET", "solar-system-app-secret"),
        ("AUD", "api://default"),
        ("GATEWAY_URI", "http://localhost:8000"),
        ("SESSION_SECRET", "0123456789abcdef0123"),
    ])
}

fn read(map: &HashMap<String, String>) -> Result<AppConfig, ConfigError> {
    AppConfig::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn reads_the_original_sample_apps_variable_names_with_demo_defaults() -> Result<(), ConfigError> {
    let config = read(&complete())?;
    assert_eq!(config.issuer, "http://localhost:8100/oauth2/default");
    assert_eq!(config.client_id, "solar-system-app");
    assert_eq!(config.audience, "api://default");
    assert_eq!(config.gateway_uri, "http://localhost:8000");
    assert_eq!(config.port, 8080);
    assert_eq!(config.redirect_uri, "http://localhost:8080/authorization-code/callback");
    assert_eq!(config.session_max_age, Duration::from_secs(3600));
    assert_eq!(config.extra_scopes, ["profile", "email"]);
    assert_eq!(config.origin(), "http://localhost:8080");
    assert_eq!(config.callback_path(), "/authorization-code/callback");
    Ok(())
}

#[test]
fn derives_the_redirect_uri_from_the_port_unless_it_is_given() -> Result<(), ConfigError> {
    let mut map = complete();
    map.insert("PORT".into(), "9090".into());
    assert_eq!(
        read(&map)?.redirect_uri,
        "http://localhost:9090/authorization-code/callback"
    );
    map.insert("REDIRECT_URI".into(), "https://app.example.com:8443".into());
    let config = read(&map)?;
    assert_eq!(config.callback_path(), "/");
    assert_eq!(config.origin(), "https://app.example.com:8443");
    assert!(config.is_https());
    Ok(())
}

#[test]
fn names_every_missing_variable_in_one_error() {
    let Err(err) = read(&vars(&[("CLIENT_ID", "x"), ("AUD", "  ")])) else {
        unreachable!("an incomplete configuration was accepted")
    };
    let text = err.to_string();
    for name in ["ISSUER", "CLIENT_SECRET", "AUD", "GATEWAY_URI", "SESSION_SECRET"] {
        assert!(
            text.contains(&format!("{name} is not set")),
            "{name} not named in {text}"
        );
    }
    assert!(!text.contains("CLIENT_ID is not set"));
    assert_eq!(err.problems.len(), 5);
}

#[test]
fn refuses_bad_numbers_urls_and_short_secrets_naming_the_variable() {
    let mut map = complete();
    map.insert("PORT".into(), "eighty".into());
    map.insert("SESSION_MAX_AGE".into(), "0".into());
    map.insert("GATEWAY_URI".into(), "localhost:8000".into());
    map.insert("SESSION_SECRET".into(), "short".into());
    let Err(err) = read(&map) else {
        unreachable!("a bad configuration was accepted")
    };
    let text = err.to_string();
    for name in ["PORT", "SESSION_MAX_AGE", "GATEWAY_URI", "SESSION_SECRET"] {
        assert!(text.contains(name), "{name} not named in {text}");
    }
}

#[test]
fn lets_extra_scopes_be_emptied_to_ask_exactly_what_the_original_asked() -> Result<(), ConfigError> {
    let mut map = complete();
    map.insert("EXTRA_SCOPES".into(), "offline_access".into());
    assert_eq!(read(&map)?.extra_scopes, ["offline_access"]);
    map.insert("EXTRA_SCOPES".into(), String::new());
    assert_eq!(read(&map)?.extra_scopes, ["profile", "email"], "empty counts as unset");
    Ok(())
}

#[test]
fn parses_a_dotenv_file_with_comments_quotes_and_export() -> Result<(), ConfigError> {
    let text = r#"# the sample app's .env

ISSUER="http://localhost:8100/oauth2/default"
export CLIENT_ID='solar-system-app'
AUD=api://default # inline comment
SESSION_SECRET="a # is kept in quotes"
EMPTY=
"#;
    let map = parse_dotenv(text)?;
    assert_eq!(
        map.get("ISSUER").map(String::as_str),
        Some("http://localhost:8100/oauth2/default")
    );
    assert_eq!(map.get("CLIENT_ID").map(String::as_str), Some("solar-system-app"));
    assert_eq!(map.get("AUD").map(String::as_str), Some("api://default"));
    assert_eq!(
        map.get("SESSION_SECRET").map(String::as_str),
        Some("a # is kept in quotes")
    );
    assert_eq!(map.get("EMPTY").map(String::as_str), Some(""));
    Ok(())
}

#[test]
fn reports_the_line_of_a_malformed_dotenv_entry() {
    let Err(err) = parse_dotenv("ISSUER=x\nnot a pair\n=value\n") else {
        unreachable!("a malformed .env was accepted")
    };
    assert_eq!(err.problems.len(), 2);
    assert!(err.problems[0].contains("line 2"), "{err}");
    assert!(err.problems[1].contains("line 3"), "{err}");
}

#[test]
fn reads_a_dotenv_file_for_what_the_environment_does_not_set() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("webapp-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(".env");
    let text: String = complete().iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(&path, text + "PORT=8181\n")?;
    let config = AppConfig::from_env_and_file(&path);
    std::fs::remove_dir_all(&dir)?;
    let config = config?;
    assert_eq!(config.client_secret, "solar-system-app-secret");
    assert_eq!(config.port, 8181);
    Ok(())
}

#[test]
fn lets_the_environment_win_over_the_dotenv_file() -> Result<(), ConfigError> {
    let env = vars(&[("PORT", "9000"), ("AUD", "")]);
    let file = parse_dotenv("PORT=8181\nAUD=api://from-file\n")?;
    let mut file_and_rest = complete();
    file_and_rest.extend(file);
    let config = AppConfig::from_layers(|name| env.get(name).cloned(), &file_and_rest)?;
    assert_eq!(config.port, 9000);
    assert_eq!(
        config.audience, "api://from-file",
        "an empty environment value counts as unset"
    );
    Ok(())
}

#[test]
fn builds_the_demo_configuration_with_a_random_session_secret() -> Result<(), ConfigError> {
    let a = AppConfig::demo("http://localhost:8100/oauth2/default", "http://localhost:8000/", 8080)?;
    let b = AppConfig::demo("http://localhost:8100/oauth2/default", "http://localhost:8000", 8080)?;
    assert_eq!(a.client_id, DEMO_CLIENT_ID);
    assert_eq!(a.gateway_uri, "http://localhost:8000");
    assert_ne!(a.session_secret, b.session_secret);
    assert!(a.session_secret.len() >= 32);
    Ok(())
}

#[test]
fn keeps_secrets_out_of_debug_output() -> Result<(), ConfigError> {
    let text = format!("{:?}", read(&complete())?);
    assert!(!text.contains("solar-system-app-secret") && !text.contains("0123456789abcdef"));
    assert!(text.contains("<redacted>"));
    Ok(())
}
