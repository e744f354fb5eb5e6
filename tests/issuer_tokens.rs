//! The issuer's token endpoint and token lifecycle through the real binary: code redemption
//! rules (single use, replay revokes, PKCE, redirect URI, client binding), client
//! authentication, refresh rotation, introspection and revocation, persistence across a
//! restart, key rotation, and a gateway accepting the issuer's tokens over discovery + JWKS.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::issuer::{
    Browser, CHALLENGE, Issuer, VERIFIER, authorize_url, claims, code_flow, post_form, redirect_params, request,
    solar_tenant, token_request,
};

const CALLBACK: &str = "http://localhost:8080/authorization-code/callback";
const SILVER: &str = "http://myapp.com/scp/silver";

async fn code(issuer: &Issuer, scope: &str, pkce: bool) -> String {
    let extra: &[(&str, &str)] = if pkce {
        &[("code_challenge", CHALLENGE), ("code_challenge_method", "S256")]
    } else {
        &[]
    };
    let back = Browser::default()
        .sign_in(
            issuer,
            &authorize_url(issuer, scope, extra),
            "carl.sagan@mailinator.com",
            "PaleBlueDot-1980",
        )
        .await;
    redirect_params(&back)["code"].clone()
}

async fn redeem(issuer: &Issuer, code: &str, extra: &[(&str, &str)]) -> support::Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
    ];
    form.extend_from_slice(extra);
    token_request(issuer, "solar-system-app", "solar-system-app-secret", &form).await
}

const APP_BASIC: (&str, &str) = (
    "authorization",
    "Basic c29sYXItc3lzdGVtLWFwcDpzb2xhci1zeXN0ZW0tYXBwLXNlY3JldA==",
);

async fn introspect(issuer: &Issuer, token: &str) -> Value {
    post_form(&issuer.endpoint("/v1/introspect"), &[("token", token)], &[APP_BASIC])
        .await
        .json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_responses_are_never_cached() {
    let issuer = Issuer::start(&solar_tenant());
    let c = code(&issuer, "openid", false).await;
    let r = redeem(&issuer, &c, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let e = redeem(&issuer, "nope", &[]).await;
    assert_eq!(e.header("cache-control"), Some("no-store"));
    assert_eq!(
        e.json()["error_description"],
        "The authorization code is invalid or has expired."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_code_fails_and_revokes_what_the_first_redemption_produced() {
    let issuer = Issuer::start(&solar_tenant());
    let c = code(&issuer, "openid", false).await;
    let first = redeem(&issuer, &c, &[]).await.json();
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(introspect(&issuer, at).await["active"], true);
    let second = redeem(&issuer, &c, &[]).await;
    assert_eq!(second.status, 400);
    assert_eq!(second.json()["error"], "invalid_grant");
    assert_eq!(introspect(&issuer, at).await["active"], false, "A-08");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redemptions_of_one_code_have_exactly_one_winner() {
    let issuer = std::sync::Arc::new(Issuer::start(&solar_tenant()));
    let c = code(&issuer, "openid", false).await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (issuer, c) = (issuer.clone(), c.clone());
            tokio::spawn(async move { redeem(&issuer, &c, &[]).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    let winners: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        replies
            .iter()
            .all(|r| r.status == 200 || r.json()["error"] == "invalid_grant")
    );
    let at = winners[0].json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        introspect(&issuer, &at).await["active"],
        false,
        "the replays revoked the winner's grant (A-08)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkce_is_enforced_both_ways() {
    let issuer = Issuer::start(&solar_tenant());
    let c = code(&issuer, "openid", true).await;
    let wrong = redeem(&issuer, &c, &[("code_verifier", "x".repeat(43).as_str())]).await;
    assert_eq!(wrong.json()["error_description"], "PKCE verification failed.");
    assert_eq!(
        redeem(&issuer, &c, &[("code_verifier", VERIFIER)]).await.status,
        400,
        "the code was consumed by the failed attempt"
    );
    let c = code(&issuer, "openid", true).await;
    assert_eq!(
        redeem(&issuer, &c, &[]).await.json()["error"],
        "invalid_grant",
        "challenge without verifier"
    );
    let c = code(&issuer, "openid", false).await;
    assert_eq!(
        redeem(&issuer, &c, &[("code_verifier", VERIFIER)]).await.json()["error"],
        "invalid_grant",
        "verifier without challenge (downgrade)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redirect_uri_and_client_must_match_the_authorization_request() {
    let issuer = Issuer::start(&solar_tenant());
    let c = code(&issuer, "openid", false).await;
    let r = token_request(
        &issuer,
        "solar-system-app",
        "solar-system-app-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", "http://localhost:8080"),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], "invalid_grant", "A-06");
    let c = code(&issuer, "openid", false).await;
    let r = token_request(
        &issuer,
        "solar-system-service",
        "solar-system-service-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(
        r.json()["error"],
        "unauthorized_client",
        "the service app may not redeem codes at all"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_authentication_follows_rfc_6749() {
    let issuer = Issuer::start(&solar_tenant());
    let form = [("grant_type", "client_credentials"), ("scope", SILVER)];
    let none = post_form(&issuer.endpoint("/v1/token"), &form, &[]).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error_description"], "No client credentials found.");
    let wrong = token_request(&issuer, "solar-system-service", "wrong-secret-wrong-secret", &form).await;
    let unknown = token_request(&issuer, "nobody", "solar-system-service-secret", &form).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body, unknown.body,
        "same answer for a wrong secret and an unknown client"
    );
    assert!(wrong.header("www-authenticate").unwrap().starts_with("Basic"));
    let post = post_form(
        &issuer.endpoint("/v1/token"),
        &[
            ("grant_type", "client_credentials"),
            ("scope", SILVER),
            ("client_id", "solar-system-service"),
            ("client_secret", "solar-system-service-secret"),
        ],
        &[],
    )
    .await;
    assert_eq!(
        post.json()["error"],
        "invalid_client",
        "a method the client is not registered for"
    );
    let both = post_form(
        &issuer.endpoint("/v1/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", "solar-system-service-secret"),
        ],
        &[(
            "authorization",
            "Basic c29sYXItc3lzdGVtLXNlcnZpY2U6c29sYXItc3lzdGVtLXNlcnZpY2Utc2VjcmV0",
        )],
    )
    .await;
    assert_eq!(both.json()["error"], "invalid_request");
    let repeated = request(
        "POST",
        &issuer.endpoint("/v1/token"),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            (
                "authorization",
                "Basic c29sYXItc3lzdGVtLXNlcnZpY2U6c29sYXItc3lzdGVtLXNlcnZpY2Utc2VjcmV0",
            ),
        ],
        "grant_type=client_credentials&grant_type=client_credentials".to_owned(),
    )
    .await;
    assert_eq!(repeated.json()["error"], "invalid_request");
    let password = token_request(
        &issuer,
        "solar-system-service",
        "solar-system-service-secret",
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(password.json()["error"], "unsupported_grant_type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_authentication_failures_are_throttled() {
    let issuer = Issuer::start(&solar_tenant());
    for _ in 0..10 {
        assert_eq!(
            token_request(
                &issuer,
                "solar-system-service",
                "bad-secret-bad-secret",
                &[("grant_type", "client_credentials")]
            )
            .await
            .status,
            401
        );
    }
    let locked = token_request(
        &issuer,
        "solar-system-service",
        "solar-system-service-secret",
        &[("grant_type", "client_credentials"), ("scope", SILVER)],
    )
    .await;
    assert_eq!(locked.status, 429);
    assert!(locked.header("retry-after").is_some());
}

fn rotating_tenant() -> String {
    solar_tenant().replace("      assignedGroups: [silver subscribers, gold subscribers]\n", "      assignedGroups: [silver subscribers, gold subscribers]\n      refreshTokenRotation: ROTATE\n      refreshTokenGraceSeconds: 0\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let issuer = Issuer::start(&rotating_tenant());
    let tokens = code_flow(
        &issuer,
        "carl.sagan@mailinator.com",
        "PaleBlueDot-1980",
        &format!("openid offline_access {SILVER}"),
    )
    .await;
    let rt1 = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: String, scope: Option<&'static str>| {
        let issuer = &issuer;
        async move {
            let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt.as_str())];
            if let Some(s) = scope {
                form.push(("scope", s));
            }
            token_request(issuer, "solar-system-app", "solar-system-app-secret", &form).await
        }
    };
    let second = refresh(rt1.clone(), None).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let rt2 = second.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2);
    assert!(second.json()["id_token"].is_string());
    let narrowed = refresh(rt2.clone(), Some("openid")).await;
    assert_eq!(narrowed.status, 200);
    assert_eq!(narrowed.json()["scope"], "openid");
    let rt3 = narrowed.json()["refresh_token"].as_str().unwrap().to_owned();
    let widened = refresh(rt3.clone(), Some("openid http://myapp.com/scp/gold")).await;
    assert_eq!(widened.json()["error"], "invalid_scope");
    let reuse = refresh(rt1, None).await;
    assert_eq!(reuse.json()["error"], "invalid_grant", "a rotated token used again");
    assert_eq!(
        refresh(rt3, None).await.json()["error"],
        "invalid_grant",
        "the whole family is revoked, newest included"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_answers_200_and_deactivates_tokens() {
    let issuer = Issuer::start(&solar_tenant());
    let tokens = code_flow(
        &issuer,
        "jodie.foster@mailinator.com",
        "Contact-1997",
        &format!("openid offline_access {SILVER}"),
    )
    .await;
    let (at, rt) = (
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
    );
    let active = introspect(&issuer, at).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["scope"], format!("openid offline_access {SILVER}"));
    assert_eq!(active["username"], "jodie.foster@mailinator.com");
    assert_eq!(introspect(&issuer, rt).await["token_type"], "refresh_token");
    let r = post_form(
        &issuer.endpoint("/v1/revoke"),
        &[
            ("token", rt),
            ("client_id", "solar-system-app"),
            ("client_secret", "solar-system-app-secret"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, 401, "the web client authenticates with Basic only");
    let basic = [(
        "authorization",
        "Basic c29sYXItc3lzdGVtLWFwcDpzb2xhci1zeXN0ZW0tYXBwLXNlY3JldA==",
    )];
    let r = post_form(&issuer.endpoint("/v1/revoke"), &[("token", rt)], &basic).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "");
    assert_eq!(
        post_form(&issuer.endpoint("/v1/revoke"), &[("token", "unknown")], &basic)
            .await
            .status,
        200
    );
    let after = post_form(&issuer.endpoint("/v1/introspect"), &[("token", at)], &basic)
        .await
        .json();
    assert_eq!(after["active"], false, "revoking the refresh token revokes its grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_keys_survive_a_restart() {
    let mut issuer = Issuer::start(&solar_tenant());
    let tokens = issuer.service_token(SILVER).await;
    let at = tokens["access_token"].as_str().unwrap().to_owned();
    let kid = support::issuer::header(&at)["kid"].as_str().unwrap().to_owned();
    let keys_before = request("GET", &issuer.endpoint("/v1/keys"), &[], String::new())
        .await
        .json();
    let port: u16 = issuer.origin.rsplit(':').next().unwrap().parse().unwrap();
    let dir = issuer.take_dir().unwrap();
    issuer.stop();
    let restarted = Issuer::spawn(&dir.0.join("issuer.yaml"), Some(port));
    let keys_after = request("GET", &restarted.endpoint("/v1/keys"), &[], String::new())
        .await
        .json();
    assert_eq!(keys_before, keys_after, "same keys after a restart");
    assert!(
        keys_after["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );
    let basic = [(
        "authorization",
        "Basic c29sYXItc3lzdGVtLXNlcnZpY2U6c29sYXItc3lzdGVtLXNlcnZpY2Utc2VjcmV0",
    )];
    let still = post_form(&restarted.endpoint("/v1/introspect"), &[("token", &at)], &basic)
        .await
        .json();
    assert_eq!(still["active"], true);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_publishes_the_new_key_and_keeps_the_old_one() {
    let issuer = Issuer::start(&solar_tenant());
    let before = issuer.service_token(SILVER).await;
    let old_kid = support::issuer::header(before["access_token"].as_str().unwrap())["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["keys", "rotate", "--config"])
        .arg(&issuer.config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_kid = String::from_utf8_lossy(&out.stdout)
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_kid, old_kid);
    support::eventually("the running issuer to sign with the new key", || {
        let issuer = &issuer;
        let new_kid = new_kid.clone();
        async move {
            let t = issuer.service_token(SILVER).await;
            support::issuer::header(t["access_token"].as_str().unwrap())["kid"] == new_kid.as_str()
        }
    })
    .await;
    let keys = request("GET", &issuer.endpoint("/v1/keys"), &[], String::new())
        .await
        .json();
    let kids: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(
        kids.contains(&old_kid.as_str()),
        "tokens signed before the rotation still verify"
    );
    assert_eq!(kids.len(), 3, "ACTIVE, NEXT and the EXPIRED one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_accepts_this_issuers_tokens_like_any_other() {
    let issuer = Issuer::start(&solar_tenant());
    let backend = support::Backend::start().await;
    let gateway = support::Gateway::start(&support::solar_config(&issuer.url, &backend.url));
    let carl = code_flow(
        &issuer,
        "carl.sagan@mailinator.com",
        "PaleBlueDot-1980",
        &format!("openid {SILVER}"),
    )
    .await;
    let at = carl["access_token"].as_str().unwrap();
    assert_eq!(
        support::get(&format!("{}/planets", gateway.url), Some(at)).await.status,
        200
    );
    assert_eq!(
        support::get(&format!("{}/moons", gateway.url), Some(at)).await.status,
        403
    );
    let service = issuer
        .service_token(&format!("{SILVER} http://myapp.com/scp/gold"))
        .await;
    assert_eq!(
        support::get(
            &format!("{}/moons", gateway.url),
            Some(service["access_token"].as_str().unwrap())
        )
        .await
        .status,
        200
    );
    let id_token = carl["id_token"].as_str().unwrap();
    assert_eq!(
        support::get(&format!("{}/planets", gateway.url), Some(id_token))
            .await
            .status,
        401,
        "an ID token's aud is the client, not api://default"
    );
    let _ = claims(at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_access_token_keeps_the_lifetime_of_the_rule_that_granted_it() {
    let tenant = solar_tenant().replacen(
        "              people: { groups: [silver subscribers] }\n",
        "              people: { groups: [silver subscribers] }\n              accessTokenLifetimeMinutes: 5\n",
        1,
    );
    assert!(tenant.contains("accessTokenLifetimeMinutes: 5"));
    let issuer = Issuer::start(&tenant);
    let tokens = code_flow(
        &issuer,
        "carl.sagan@mailinator.com",
        "PaleBlueDot-1980",
        &format!("openid offline_access {SILVER}"),
    )
    .await;
    assert_eq!(tokens["expires_in"], 300);
    let rt = tokens["refresh_token"].as_str().unwrap();
    let refreshed = token_request(
        &issuer,
        "solar-system-app",
        "solar-system-app-secret",
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await
    .json();
    assert_eq!(
        refreshed["expires_in"], 300,
        "the silver rule's 5 minutes, not the first rule's 60"
    );
    let c = claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 300);
}
