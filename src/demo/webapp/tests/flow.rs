//! The whole story through the app, against the fake issuer and gateway: sign-in per tier, the
//! issuer's refusal shown in the panel that asked, refused callbacks, logout, an issuer that is
//! not up yet, the security headers and serving on a real socket.

use std::time::Duration;

use http::{Method, Request, header};
use tokio::net::TcpListener;

use super::super::client::HttpClient;
use super::super::form;
use super::super::{WebApp, serve};
use super::fakes::{FakeIssuer, start_gateway};
use super::{TestResult, cookie_of, get, location_of, text_of};

const CARL: &str = "carl.sagan@mailinator.com";
const POLICY_FAILED: &str = "Policy evaluation failed for this request, please check the policy configurations.";

async fn app() -> Result<(WebApp, FakeIssuer), Box<dyn std::error::Error>> {
    let issuer = FakeIssuer::start().await?;
    let app = WebApp::new(issuer.app_config(&start_gateway().await?)?);
    Ok((app, issuer))
}

/// Presses *authenticate* for `tier`: the issuer's authorize URL and the session cookie.
async fn press_authenticate(app: &WebApp, tier: &str) -> Result<(String, String), Box<dyn std::error::Error>> {
    let response = get(app, &format!("/login?tier={tier}"), None).await?;
    assert_eq!(response.status(), 302);
    Ok((location_of(&response), cookie_of(&response).ok_or("no session cookie")?))
}

/// The callback with `query`: the cookie to use afterwards.
async fn come_back(app: &WebApp, query: &str, cookie: &str) -> Result<String, Box<dyn std::error::Error>> {
    let response = get(app, &format!("/authorization-code/callback?{query}"), Some(cookie)).await?;
    assert_eq!(
        (response.status().as_u16(), location_of(&response).as_str()),
        (302, "/")
    );
    Ok(cookie_of(&response).unwrap_or_else(|| cookie.to_owned()))
}

async fn page(app: &WebApp, cookie: &str) -> Result<String, Box<dyn std::error::Error>> {
    Ok(text_of(get(app, "/", Some(cookie)).await?).await)
}

async fn outcome(app: &WebApp, resource: &str, cookie: Option<&str>) -> Result<String, Box<dyn std::error::Error>> {
    let answer: serde_json::Value =
        serde_json::from_str(&text_of(get(app, &format!("/api/{resource}"), cookie).await?).await)?;
    Ok(answer["outcome"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn walks_a_silver_sign_in_calls_the_gateway_with_its_token_and_logs_out() -> TestResult {
    let (app, issuer) = app().await?;
    let (authorize, first_cookie) = press_authenticate(&app, "silver").await?;
    assert!(
        authorize.starts_with(&format!("{}/v1/authorize?", issuer.issuer)),
        "{authorize}"
    );
    let cookie = come_back(&app, &issuer.approve(&authorize, CARL), &first_cookie).await?;
    assert_ne!(cookie, first_cookie, "a sign-in gets a fresh session id");
    assert!(page(&app, &first_cookie).await?.contains("data-signed-in=\"false\""));

    let html = page(&app, &cookie).await?;
    assert!(html.contains("data-signed-in=\"true\" data-tier=\"silver\""), "{html}");
    assert!(html.contains("<strong>carl sagan</strong>"));
    assert!(html.contains("http://myapp.com/scp/silver") && html.contains("id=\"access-token\" data-present=\"true\""));

    assert_eq!(outcome(&app, "asteroids", Some(&cookie)).await?, "ok");
    assert_eq!(outcome(&app, "planets", Some(&cookie)).await?, "ok");
    assert_eq!(outcome(&app, "moons", Some(&cookie)).await?, "forbidden");

    let response = get(&app, "/logout", Some(&cookie)).await?;
    let location = location_of(&response);
    let (endpoint, query) = location.split_once('?').unwrap_or_default();
    assert_eq!(endpoint, format!("{}/v1/logout", issuer.issuer));
    assert_eq!(
        form::get(query, "post_logout_redirect_uri").as_deref(),
        Some("http://localhost:8080")
    );
    assert!(form::get(query, "id_token_hint").is_some_and(|t| t.split('.').count() == 3));
    let cleared = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(outcome(&app, "asteroids", Some(&cookie)).await?, "unauthorized");
    Ok(())
}

#[tokio::test]
async fn shows_the_issuers_access_denied_in_the_gold_panel_instead_of_a_token() -> TestResult {
    let (app, _issuer) = app().await?;
    let (authorize, cookie) = press_authenticate(&app, "gold").await?;
    let state = form::get(authorize.split_once('?').map(|(_, q)| q).unwrap_or_default(), "state").unwrap_or_default();
    let denial = form::encode_pairs(&[
        ("error", "access_denied"),
        ("error_description", POLICY_FAILED),
        ("state", &state),
    ]);
    let cookie = come_back(&app, &denial, &cookie).await?;
    let html = page(&app, &cookie).await?;
    let (gold, alert) = (html.find("id=\"panel-gold\""), html.find("id=\"auth-error\""));
    assert!(gold.is_some() && alert > gold, "the refusal is not in the gold panel");
    assert!(html.contains("data-error=\"access_denied\"") && html.contains(POLICY_FAILED));
    assert!(html.contains("id=\"access-token\" data-present=\"false\""));
    assert_eq!(outcome(&app, "asteroids", Some(&cookie)).await?, "unauthorized");
    Ok(())
}

#[tokio::test]
async fn refuses_a_callback_whose_state_this_session_did_not_issue() -> TestResult {
    let (app, issuer) = app().await?;
    let (authorize, cookie) = press_authenticate(&app, "bronze").await?;
    let answer = issuer.approve(&authorize, CARL);
    let forged = answer.split("&state=").next().unwrap_or_default().to_owned() + "&state=forged";
    let cookie = come_back(&app, &forged, &cookie).await?;
    let html = page(&app, &cookie).await?;
    assert!(html.contains("data-error=\"state_mismatch\""), "{html}");
    assert!(html.contains("data-signed-in=\"false\""));

    // The real answer still works once, and only in the session that started it.
    let (_, stranger) = press_authenticate(&app, "bronze").await?;
    let stranger = come_back(&app, &answer, &stranger).await?;
    assert!(page(&app, &stranger).await?.contains("data-error=\"state_mismatch\""));
    let cookie = come_back(&app, &answer, &cookie).await?;
    assert!(page(&app, &cookie).await?.contains("data-signed-in=\"true\""));
    let replay = come_back(&app, &answer, &cookie).await?;
    assert!(page(&app, &replay).await?.contains("data-error=\"state_mismatch\""));
    Ok(())
}

#[tokio::test]
async fn refuses_an_id_token_that_does_not_carry_the_sign_ins_nonce() -> TestResult {
    let (app, issuer) = app().await?;
    let (authorize, cookie) = press_authenticate(&app, "silver").await?;
    let nonce = form::get(authorize.split_once('?').map(|(_, q)| q).unwrap_or_default(), "nonce").unwrap_or_default();
    let tampered = authorize.replace(&format!("nonce={nonce}"), "nonce=someone-elses");
    let cookie = come_back(&app, &issuer.approve(&tampered, CARL), &cookie).await?;
    let html = page(&app, &cookie).await?;
    assert!(
        html.contains("data-error=\"invalid_id_token\"") && html.contains("nonce"),
        "{html}"
    );
    assert!(html.contains("data-signed-in=\"false\""));
    Ok(())
}

#[tokio::test]
async fn starts_before_its_issuer_and_explains_an_issuer_that_is_not_up_yet() -> TestResult {
    let listener = TcpListener::bind("127.0.0.1:0").await?; // bound, not yet answering
    let issuer_url = format!("http://{}/oauth2/default", listener.local_addr()?);
    let mut config = super::super::AppConfig::demo(&issuer_url, "http://127.0.0.1:9", 8080)?;
    config.client_id = super::fakes::CLIENT_ID.to_owned();
    let app = WebApp::with_timeout(config, Duration::from_millis(300));
    assert_eq!(get(&app, "/", None).await?.status(), 200);

    let (location, cookie) = press_authenticate(&app, "bronze").await?;
    assert_eq!(location, "/");
    let html = page(&app, &cookie).await?;
    assert!(html.contains("data-error=\"issuer_unreachable\""), "{html}");

    let issuer = FakeIssuer::start_on(listener)?;
    let response = get(&app, "/login?tier=bronze", Some(&cookie)).await?;
    assert!(
        location_of(&response).starts_with(&issuer.issuer),
        "a failed discovery is not cached"
    );
    Ok(())
}

#[tokio::test]
async fn puts_the_security_headers_on_every_response() -> TestResult {
    let (app, _issuer) = app().await?;
    for path in [
        "/",
        "/app.css",
        "/app.js",
        "/api/asteroids",
        "/login?tier=platinum",
        "/nowhere",
        "/logout",
    ] {
        let response = get(&app, path, None).await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("content-security-policy").as_deref(),
            Some("default-src 'self'; frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
    }
    assert_eq!(get(&app, "/login?tier=platinum", None).await?.status(), 400);
    assert_eq!(get(&app, "/nowhere", None).await?.status(), 404);
    let js = get(&app, "/app.js", None).await?;
    assert_eq!(
        js.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"text/javascript; charset=utf-8"[..])
    );
    let post = app
        .handle(Request::builder().method(Method::POST).uri("/login").body(())?)
        .await;
    assert_eq!(post.status(), 405);
    Ok(())
}

#[tokio::test]
async fn treats_the_root_as_the_callback_when_the_redirect_uri_is_the_origin() -> TestResult {
    let issuer = FakeIssuer::start().await?;
    let mut config = issuer.app_config(&start_gateway().await?)?;
    config.redirect_uri = "http://localhost:8080".to_owned();
    let app = WebApp::new(config);
    let (authorize, cookie) = press_authenticate(&app, "bronze").await?;
    assert_eq!(get(&app, "/", Some(&cookie)).await?.status(), 200);
    let response = get(&app, &format!("/?{}", issuer.approve(&authorize, CARL)), Some(&cookie)).await?;
    assert_eq!(response.status(), 302);
    let cookie = cookie_of(&response).ok_or("no fresh cookie")?;
    assert!(page(&app, &cookie).await?.contains("data-signed-in=\"true\""));
    Ok(())
}

#[tokio::test]
async fn serves_on_a_socket_and_stops_when_told() -> TestResult {
    let issuer = FakeIssuer::start().await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = issuer.app_config("http://127.0.0.1:9")?;
    let server = tokio::spawn(serve(config, listener, async move { drop(stopped.await) }));

    let client = HttpClient::new(Duration::from_secs(5));
    let request = Request::get(format!("http://{address}/healthz")).body(Default::default())?;
    let fetched = client.send(request).await?;
    assert_eq!((fetched.status.as_u16(), &fetched.body[..]), (200, &b"ok"[..]));
    let request = Request::get(format!("http://{address}/")).body(Default::default())?;
    assert!(String::from_utf8_lossy(&client.send(request).await?.body).contains("Solar system API — test app"));

    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(2), server).await??;
    assert_eq!(result, Ok(()));
    Ok(())
}
