//! The embedded issuer end to end through the real binary: the reference story (carl silver,
//! carl gold denied, jodie gold, the service's client credentials), token shapes, discovery
//! and keys, and the sign-in page's protections.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::issuer::{
    Browser, Issuer, authorize_url, claims, code_flow, header, redirect_params, request, solar_tenant,
};

const SILVER: &str = "http://myapp.com/scp/silver";
const GOLD: &str = "http://myapp.com/scp/gold";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents_name_the_configured_issuer_at_every_metadata_path() {
    let issuer = Issuer::start(&solar_tenant());
    let paths = [
        issuer.endpoint("/.well-known/openid-configuration"),
        issuer.endpoint("/.well-known/oauth-authorization-server"),
        format!(
            "{}/.well-known/oauth-authorization-server/oauth2/default",
            issuer.origin
        ),
    ];
    for url in paths {
        let r = request("GET", &url, &[("host", "evil.example")], String::new()).await;
        assert_eq!(r.status, 200, "{url}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let doc = r.json();
        assert_eq!(doc["issuer"], issuer.url.as_str(), "never from Host");
        assert_eq!(doc["jwks_uri"], format!("{}/v1/keys", issuer.url));
        assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        assert!(doc["scopes_supported"].as_array().unwrap().iter().any(|s| s == SILVER));
    }
    let unknown = request(
        "GET",
        &format!("{}/oauth2/nope/.well-known/openid-configuration", issuer.origin),
        &[],
        String::new(),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["errorCode"], "E0000007");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_publish_public_rsa_members_only_with_a_cache_lifetime() {
    let issuer = Issuer::start(&solar_tenant());
    let r = request("GET", &issuer.endpoint("/v1/keys"), &[], String::new()).await;
    assert_eq!(r.status, 200);
    let cache = r.header("cache-control").unwrap();
    assert!(
        cache.starts_with("max-age=") && cache.ends_with(", must-revalidate"),
        "{cache}"
    );
    let keys = r.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2, "ACTIVE and NEXT");
    for key in &keys {
        let members: Vec<&str> = key.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(key["kid"].as_str().unwrap().len(), 43);
    }
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carl_asking_for_silver_gets_okta_shaped_tokens() {
    let issuer = Issuer::start(&solar_tenant());
    let tokens = code_flow(
        &issuer,
        "carl.sagan@mailinator.com",
        "PaleBlueDot-1980",
        &format!("openid profile email {SILVER}"),
    )
    .await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], format!("openid profile email {SILVER}"));
    assert!(tokens.get("refresh_token").is_none(), "no offline_access asked");
    let at = tokens["access_token"].as_str().unwrap();
    let head = header(at);
    assert_eq!(head["alg"], "RS256");
    assert!(head.get("typ").is_none(), "Okta access tokens carry no typ");
    let c = claims(at);
    assert_eq!(c["ver"], 1);
    assert!(c["jti"].as_str().unwrap().starts_with("AT."));
    assert_eq!(c["iss"], issuer.url.as_str());
    assert_eq!(c["aud"], "api://default");
    assert_eq!(c["cid"], "solar-system-app");
    assert_eq!(c["sub"], "carl.sagan@mailinator.com");
    assert!(c["uid"].as_str().unwrap().starts_with("00u"));
    assert_eq!(c["scp"], serde_json::json!(["openid", "profile", "email", SILVER]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 3600);
    assert!(c.get("nbf").is_none());
    assert_eq!(c["groups"], serde_json::json!(["silver subscribers"]));
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], c["uid"], "the ID token's sub is the user id");
    assert_eq!(id["aud"], "solar-system-app");
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["preferred_username"], "carl.sagan@mailinator.com");
    assert_eq!(id["name"], "Carl Sagan");
    assert!(id["at_hash"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carl_asking_for_gold_signs_in_then_is_denied_by_policy() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let url = authorize_url(
        &issuer,
        &format!("openid {SILVER} {GOLD}"),
        &[("response_mode", "fragment"), ("prompt", "login")],
    );
    let back = browser
        .sign_in(&issuer, &url, "carl.sagan@mailinator.com", "PaleBlueDot-1980")
        .await;
    assert_eq!(back.status, 302);
    let location = back.header("location").unwrap();
    assert!(
        location.starts_with("http://localhost:8080/authorization-code/callback#error=access_denied"),
        "{location}"
    );
    let p = redirect_params(&back);
    assert_eq!(
        p["error_description"],
        "Policy evaluation failed for this request, please check the policy configurations."
    );
    assert_eq!(p["state"], "st-123");
    assert_eq!(p["iss"], issuer.url);
    assert!(!p.contains_key("code"));
    assert!(browser.has("pc_sid"), "he did sign in: the session exists");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jodie_gets_exactly_the_scopes_she_asks_for() {
    let issuer = Issuer::start(&solar_tenant());
    let both = code_flow(
        &issuer,
        "jodie.foster@mailinator.com",
        "Contact-1997",
        &format!("openid {SILVER} {GOLD}"),
    )
    .await;
    assert_eq!(
        claims(both["access_token"].as_str().unwrap())["scp"],
        serde_json::json!(["openid", SILVER, GOLD])
    );
    let silver = code_flow(
        &issuer,
        "jodie.foster@mailinator.com",
        "Contact-1997",
        &format!("openid {SILVER}"),
    )
    .await;
    assert_eq!(
        claims(silver["access_token"].as_str().unwrap())["scp"],
        serde_json::json!(["openid", SILVER])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_gets_client_credentials_tokens_without_a_user() {
    let issuer = Issuer::start(&solar_tenant());
    let tokens = issuer.service_token(&format!("{SILVER} {GOLD}")).await;
    assert!(tokens.get("id_token").is_none() && tokens.get("refresh_token").is_none());
    let c = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(c["sub"], "solar-system-service");
    assert_eq!(c["cid"], "solar-system-service");
    assert!(c.get("uid").is_none() && c.get("auth_time").is_none());
    assert_eq!(c["scp"], serde_json::json!([SILVER, GOLD]));
    let r = support::issuer::token_request(
        &issuer,
        "solar-system-service",
        "solar-system-service-secret",
        &[("grant_type", "client_credentials"), ("scope", "openid")],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_scope");
    let r = support::issuer::token_request(
        &issuer,
        "solar-system-service",
        "solar-system-service-secret",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "http://myapp.com/scp/platinum"),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], "invalid_scope");
    assert_eq!(
        r.json()["error_description"],
        "One or more scopes are not configured for the authorization server resource."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_session_skips_the_form_and_prompt_none_without_one_is_login_required() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let first = browser
        .sign_in(
            &issuer,
            &authorize_url(&issuer, "openid", &[]),
            "carl.sagan@mailinator.com",
            "PaleBlueDot-1980",
        )
        .await;
    assert!(redirect_params(&first).contains_key("code"));
    let again = browser.get(&authorize_url(&issuer, "openid", &[])).await;
    assert_eq!(again.status, 302, "no form with a live session");
    assert!(redirect_params(&again).contains_key("code"));
    let stranger = Browser::default()
        .get(&authorize_url(&issuer, "openid", &[("prompt", "none")]))
        .await;
    let p = redirect_params(&stranger);
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "st-123");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_clients_and_redirect_uris_get_an_error_page_never_a_redirect() {
    let issuer = Issuer::start(&solar_tenant());
    for url in [
        authorize_url(&issuer, "openid", &[]).replace("solar-system-app", "nobody"),
        authorize_url(&issuer, "openid", &[]).replace("authorization-code%2Fcallback", "evil"),
        authorize_url(&issuer, "openid", &[]).replace("localhost%3A8080", "localhost%3A8080.evil.test"),
    ] {
        let r = Browser::default().get(&url).await;
        assert_eq!(r.status, 400, "{url}");
        assert!(r.header("location").is_none());
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
    }
    let bad_uri = Browser::default()
        .get(&authorize_url(&issuer, "openid", &[]).replace("authorization-code%2Fcallback", "evil"))
        .await;
    assert!(
        bad_uri
            .body
            .contains("The &#39;redirect_uri&#39; parameter must be a Login redirect URI in the client app settings"),
        "{}",
        bad_uri.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_after_the_redirect_is_trusted_go_back_with_state_and_iss() {
    let issuer = Issuer::start(&solar_tenant());
    let cases = [
        (
            authorize_url(&issuer, "openid", &[]).replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (authorize_url(&issuer, "openid groups", &[]), "invalid_scope"),
        (
            authorize_url(
                &issuer,
                "openid",
                &[("code_challenge", "abc"), ("code_challenge_method", "plain")],
            ),
            "invalid_request",
        ),
    ];
    for (url, error) in cases {
        let r = Browser::default().get(&url).await;
        assert_eq!(r.status, 302, "{url}");
        let p = redirect_params(&r);
        assert_eq!(p["error"], error, "{url}");
        assert_eq!(p["state"], "st-123");
        assert_eq!(p["iss"], issuer.url);
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_is_protected_against_framing_and_cross_site_posts() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let page = browser.get(&authorize_url(&issuer, "openid", &[])).await;
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let cookie = page.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let interaction = support::issuer::hidden(&page.body, "interaction");
    let csrf = support::issuer::hidden(&page.body, "csrf");
    let forged = support::issuer::post_form(
        &issuer.endpoint("/v1/login"),
        &[
            ("interaction", &interaction),
            ("csrf", &csrf),
            ("username", "carl.sagan@mailinator.com"),
            ("password", "PaleBlueDot-1980"),
        ],
        &[],
    )
    .await;
    assert_eq!(
        forged.status, 403,
        "a post without the interaction cookie (cross-site) is refused"
    );
    let wrong_csrf = browser
        .post(
            &issuer.endpoint("/v1/login"),
            &[
                ("interaction", &interaction),
                ("csrf", "nope"),
                ("username", "carl.sagan@mailinator.com"),
                ("password", "PaleBlueDot-1980"),
            ],
        )
        .await;
    assert_eq!(wrong_csrf.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_refused_then_throttled() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let url = authorize_url(&issuer, "openid", &[]);
    for attempt in 0..5 {
        let r = browser
            .sign_in(&issuer, &url, "carl.sagan@mailinator.com", "wrong")
            .await;
        assert_eq!(r.status, 401, "attempt {attempt}");
        assert!(r.body.contains("Unable to sign in"));
    }
    let r = browser
        .sign_in(&issuer, &url, "carl.sagan@mailinator.com", "PaleBlueDot-1980")
        .await;
    assert_eq!(r.status, 429, "locked out even with the right password");
    assert!(r.header("retry-after").is_some());
    let other = Browser::default()
        .sign_in(&issuer, &url, "jodie.foster@mailinator.com", "Contact-1997")
        .await;
    assert_eq!(other.status, 302, "other users are not locked out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_answers_with_the_user_id_as_sub() {
    let issuer = Issuer::start(&solar_tenant());
    let tokens = code_flow(
        &issuer,
        "jodie.foster@mailinator.com",
        "Contact-1997",
        "openid profile email",
    )
    .await;
    let at = tokens["access_token"].as_str().unwrap();
    let r = request(
        "GET",
        &issuer.endpoint("/v1/userinfo"),
        &[("authorization", &format!("Bearer {at}"))],
        String::new(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let info = r.json();
    assert_eq!(info["sub"], claims(tokens["id_token"].as_str().unwrap())["sub"]);
    assert_eq!(info["email"], "jodie.foster@mailinator.com");
    assert_eq!(info["given_name"], "Jodie");
    let bad = request(
        "GET",
        &issuer.endpoint("/v1/userinfo"),
        &[("authorization", "Bearer nope")],
        String::new(),
    )
    .await;
    assert_eq!(bad.status, 401);
    assert!(bad.header("www-authenticate").unwrap().contains("invalid_token"));
    let service = issuer.service_token(SILVER).await;
    let svc = request(
        "GET",
        &issuer.endpoint("/v1/userinfo"),
        &[(
            "authorization",
            &format!("Bearer {}", service["access_token"].as_str().unwrap()),
        )],
        String::new(),
    )
    .await;
    assert_eq!(svc.status, 401, "no user behind a client-credentials token");
}

fn value_str(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_and_returns_to_a_registered_uri_with_state() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let back = browser
        .sign_in(
            &issuer,
            &authorize_url(&issuer, "openid", &[]),
            "carl.sagan@mailinator.com",
            "PaleBlueDot-1980",
        )
        .await;
    let code = redirect_params(&back)["code"].clone();
    let tokens = support::issuer::token_request(
        &issuer,
        "solar-system-app",
        "solar-system-app-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:8080/authorization-code/callback"),
        ],
    )
    .await
    .json();
    let id_token = value_str(&tokens["id_token"]).to_owned();
    let url = format!(
        "{}?{}",
        issuer.endpoint("/v1/logout"),
        support::issuer::form(&[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", "http://localhost:8080"),
            ("state", "bye")
        ])
    );
    let out = browser.get(&url).await;
    assert_eq!(out.status, 302);
    assert_eq!(out.header("location"), Some("http://localhost:8080?state=bye"));
    assert!(!browser.has("pc_sid"));
    let again = browser.get(&authorize_url(&issuer, "openid", &[])).await;
    assert_eq!(again.status, 200, "signed out: the form again");
    let evil = format!(
        "{}?{}",
        issuer.endpoint("/v1/logout"),
        support::issuer::form(&[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", "https://evil.test")
        ])
    );
    assert_eq!(Browser::default().get(&evil).await.status, 400);
}

fn tenant_with_more_clients() -> String {
    solar_tenant().replace(
        "  clients:\n",
        "  clients:\n    - clientId: solar-spa\n      name: Solar SPA\n      tokenEndpointAuthMethod: none\n      redirectUris: [\"http://localhost:3000/callback\"]\n      grantTypes: [authorization_code, refresh_token]\n    - clientId: solar-post\n      clientSecret: solar-post-secret-0123\n      name: Solar post client\n      tokenEndpointAuthMethod: client_secret_post\n      grantTypes: [client_credentials]\n",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_clients_must_use_pkce_and_authenticate_with_none() {
    let issuer = Issuer::start(&tenant_with_more_clients());
    let base = |extra: &str| {
        format!(
            "{}?client_id=solar-spa&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=s{extra}",
            issuer.endpoint("/v1/authorize")
        )
    };
    let no_pkce = Browser::default().get(&base("")).await;
    assert_eq!(
        redirect_params(&no_pkce)["error"],
        "invalid_request",
        "PKCE is required for public clients"
    );
    let mut browser = Browser::default();
    let url = base(&format!(
        "&code_challenge={}&code_challenge_method=S256",
        support::issuer::CHALLENGE
    ));
    let back = browser
        .sign_in(&issuer, &url, "carl.sagan@mailinator.com", "PaleBlueDot-1980")
        .await;
    let code = redirect_params(&back)["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://localhost:3000/callback"),
        ("client_id", "solar-spa"),
        ("code_verifier", support::issuer::VERIFIER),
    ];
    let r = support::issuer::post_form(&issuer.endpoint("/v1/token"), &form, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(claims(r.json()["access_token"].as_str().unwrap())["cid"], "solar-spa");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_post_clients_authenticate_in_the_body() {
    let issuer = Issuer::start(&tenant_with_more_clients());
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", SILVER),
        ("client_id", "solar-post"),
        ("client_secret", "solar-post-secret-0123"),
    ];
    let r = support::issuer::post_form(&issuer.endpoint("/v1/token"), &form, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_post_and_login_hint_work_as_okta_does() {
    let issuer = Issuer::start(&solar_tenant());
    let mut browser = Browser::default();
    let url = authorize_url(
        &issuer,
        "openid",
        &[
            ("response_mode", "form_post"),
            ("login_hint", "carl.sagan@mailinator.com"),
        ],
    );
    let page = browser.get(&url).await;
    assert!(
        page.body.contains("value=\"carl.sagan@mailinator.com\""),
        "login_hint pre-fills the username"
    );
    let interaction = support::issuer::hidden(&page.body, "interaction");
    let csrf = support::issuer::hidden(&page.body, "csrf");
    let back = browser
        .post(
            &issuer.endpoint("/v1/login"),
            &[
                ("interaction", &interaction),
                ("csrf", &csrf),
                ("username", "carl.sagan@mailinator.com"),
                ("password", "PaleBlueDot-1980"),
            ],
        )
        .await;
    assert_eq!(back.status, 200);
    assert!(
        back.body
            .contains("method=\"post\" action=\"http://localhost:8080/authorization-code/callback\""),
        "{}",
        back.body
    );
    assert!(
        back.body.contains("name=\"code\"")
            && back.body.contains("name=\"state\" value=\"st-123\"")
            && back.body.contains("name=\"iss\"")
    );
}
