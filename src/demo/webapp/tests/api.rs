//! `/api/{name}` against stand-in gateways: the outcome mapping for 200, 401, 403, an
//! unreachable gateway and one that does not answer in time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::super::WebApp;
use super::super::api::{Outcome, call_gateway};
use super::super::client::HttpClient;
use super::super::jwt::unsigned;
use super::fakes::{FakeIssuer, start_gateway};
use super::{Handler, TestResult, closed_port, get, json_response, spawn, text_of};

fn token(scopes: &[&str]) -> String {
    unsigned(&json!({"alg": "RS256"}), &json!({"sub": "carl", "scp": scopes}))
}

#[tokio::test]
async fn maps_the_gateways_200_401_and_403_to_outcomes() -> TestResult {
    let gateway = start_gateway().await?;
    let client = HttpClient::new(Duration::from_secs(5));
    let silver = token(&["openid", "http://myapp.com/scp/silver"]);

    let signed_out = call_gateway(&client, &gateway, "asteroids", None).await;
    assert_eq!(
        (signed_out.status, signed_out.outcome),
        (Some(401), Outcome::Unauthorized)
    );
    assert_eq!(signed_out.body, json!({"message": "Unauthorized"}));
    assert_eq!(signed_out.www_authenticate.as_deref(), Some("Bearer"));

    let planets = call_gateway(&client, &gateway, "planets", Some(&silver)).await;
    assert_eq!((planets.status, planets.outcome), (Some(200), Outcome::Ok));
    assert_eq!(planets.body["planets"][0]["name"], json!("Ceres"));

    let moons = call_gateway(&client, &gateway, "moons", Some(&silver)).await;
    assert_eq!((moons.status, moons.outcome), (Some(403), Outcome::Forbidden));
    assert!(
        moons
            .www_authenticate
            .unwrap_or_default()
            .contains("insufficient_scope")
    );
    Ok(())
}

#[tokio::test]
async fn reports_a_gateway_that_refuses_connections_as_unreachable() -> TestResult {
    let gateway = format!("http://{}", closed_port().await?);
    let answer = call_gateway(&HttpClient::new(Duration::from_secs(5)), &gateway, "asteroids", None).await;
    assert_eq!((answer.status, answer.outcome), (None, Outcome::Unreachable));
    assert!(
        answer.body.as_str().unwrap_or_default().contains(&gateway),
        "{}",
        answer.body
    );
    Ok(())
}

#[tokio::test]
async fn gives_up_on_a_gateway_that_does_not_answer_in_time() -> TestResult {
    // Accepts connections but never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let gateway = format!("http://{}", listener.local_addr()?);
    let started = Instant::now();
    let answer = call_gateway(&HttpClient::new(Duration::from_millis(200)), &gateway, "moons", None).await;
    assert_eq!(answer.outcome, Outcome::Unreachable);
    assert!(
        answer
            .body
            .as_str()
            .unwrap_or_default()
            .contains("did not answer within"),
        "{}",
        answer.body
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(listener);
    Ok(())
}

#[tokio::test]
async fn answers_the_page_with_status_outcome_body_and_www_authenticate() -> TestResult {
    let issuer = FakeIssuer::start().await?;
    let app = WebApp::new(issuer.app_config(&start_gateway().await?)?);
    let response = get(&app, "/api/planets", None).await?;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let answer: Value = serde_json::from_str(&text_of(response).await)?;
    let expected = json!({"status": 401, "outcome": "unauthorized", "body": {"message": "Unauthorized"},
        "www_authenticate": "Bearer"});
    assert_eq!(answer, expected);
    Ok(())
}

#[tokio::test]
async fn refuses_api_names_other_than_the_three_resources() -> TestResult {
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let handler: Handler = Arc::new(move |_, _| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        json_response(200, &json!({}))
    });
    let gateway = format!("http://{}", spawn(handler).await?);
    let issuer = FakeIssuer::start().await?;
    let app = WebApp::new(issuer.app_config(&gateway)?);
    for path in ["/api/whoami", "/api/../admin", "/api/", "/api/planets/extra"] {
        assert_eq!(get(&app, path, None).await?.status(), 404, "{path}");
    }
    assert_eq!(
        seen.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the gateway was called"
    );
    Ok(())
}
