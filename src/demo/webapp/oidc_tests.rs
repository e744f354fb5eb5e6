//! Tests of the relying-party pieces that need no network: state, nonce and PKCE, the
//! authorization URL, client credentials and the ID-token checks.

use std::time::Instant;

use serde_json::json;

use super::super::config::AppConfig;
use super::super::jwt::unsigned;
use super::*;

fn discovery() -> Discovery {
    Discovery {
        issuer: "http://localhost:8100/oauth2/default".to_owned(),
        authorization_endpoint: "http://localhost:8100/oauth2/default/v1/authorize".to_owned(),
        token_endpoint: "http://localhost:8100/oauth2/default/v1/token".to_owned(),
        end_session_endpoint: None,
    }
}

fn config() -> Result<AppConfig, String> {
    AppConfig::demo("http://localhost:8100/oauth2/default", "http://localhost:8000", 8080).map_err(|e| e.to_string())
}

fn id_token(claims: serde_json::Value) -> String {
    unsigned(&json!({"alg": "RS256", "kid": "k"}), &claims)
}

#[test]
fn computes_the_pkce_challenge_of_rfc_7636_appendix_b() {
    assert_eq!(
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn starts_each_sign_in_with_fresh_state_nonce_and_a_valid_verifier() -> Result<(), String> {
    let now = Instant::now();
    let (a, b) = (start_login(Tier::Gold, now)?, start_login(Tier::Gold, now)?);
    assert_ne!(a.state, b.state);
    assert_ne!(a.nonce, b.nonce);
    assert_ne!(a.state, a.nonce);
    // RFC 7636 §4.1: 43..=128 unreserved characters.
    assert!((43..=128).contains(&a.verifier.len()));
    assert!(
        a.verifier
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c))
    );
    Ok(())
}

#[test]
fn asks_for_the_code_flow_with_every_parameter_of_the_original_demo() -> Result<(), String> {
    let config = config()?;
    let login = start_login(Tier::Silver, Instant::now())?;
    let url = authorize_url(&discovery(), &config, &login);
    let (endpoint, query) = url.split_once('?').unwrap_or_default();
    assert_eq!(endpoint, "http://localhost:8100/oauth2/default/v1/authorize");
    let expect = [
        ("client_id", "solar-system-app"),
        ("response_type", "code"),
        ("response_mode", "query"),
        ("scope", "openid profile email http://myapp.com/scp/silver"),
        ("redirect_uri", "http://localhost:8080/authorization-code/callback"),
        ("state", login.state.as_str()),
        ("nonce", login.nonce.as_str()),
        ("code_challenge_method", "S256"),
        ("prompt", "login"),
    ];
    for (name, value) in expect {
        assert_eq!(form::get(query, name).as_deref(), Some(value), "{name}");
    }
    assert_eq!(
        form::get(query, "code_challenge"),
        Some(pkce_challenge(&login.verifier))
    );
    Ok(())
}

#[test]
fn form_encodes_the_client_credentials_before_base64() {
    assert_eq!(
        basic_credentials("solar-system-app", "s3cret"),
        format!("Basic {}", STANDARD.encode("solar-system-app:s3cret"))
    );
    // RFC 6749 §2.3.1: ':' in the id and '+' or ' ' in the secret are form-encoded first.
    assert_eq!(
        basic_credentials("a:b", "p+ w"),
        format!("Basic {}", STANDARD.encode("a%3Ab:p%2B+w"))
    );
}

#[test]
fn accepts_an_id_token_with_the_right_issuer_audience_and_nonce() -> Result<(), OidcError> {
    let issuer = "http://localhost:8100/oauth2/default";
    let token = id_token(json!({"iss": issuer, "aud": "solar-system-app", "nonce": "n1", "name": "Carl Sagan"}));
    let decoded = check_id_token(&token, issuer, "solar-system-app", "n1")?;
    assert_eq!(decoded.str_claim("name"), Some("Carl Sagan"));
    Ok(())
}

#[test]
fn refuses_an_id_token_with_another_nonce_issuer_or_audience() {
    let issuer = "http://localhost:8100/oauth2/default";
    let cases = [
        (
            json!({"iss": issuer, "aud": "solar-system-app", "nonce": "other"}),
            "nonce",
        ),
        (json!({"iss": issuer, "aud": "solar-system-app"}), "nonce"),
        (
            json!({"iss": "http://evil", "aud": "solar-system-app", "nonce": "n1"}),
            "iss",
        ),
        (json!({"iss": issuer, "aud": "another-app", "nonce": "n1"}), "aud"),
    ];
    for (claims, named) in cases {
        let Err(err) = check_id_token(&id_token(claims.clone()), issuer, "solar-system-app", "n1") else {
            unreachable!("accepted {claims}")
        };
        assert_eq!(err.error, "invalid_id_token");
        assert!(err.description.contains(named), "{named} not in {:?}", err.description);
    }
    assert!(check_id_token("garbage", issuer, "solar-system-app", "n1").is_err());
}
