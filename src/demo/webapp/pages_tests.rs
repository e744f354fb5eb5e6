//! Tests of the page: escaping, the stable element ids, and where the sign-in error shows.

use serde_json::json;

use super::super::jwt::unsigned;
use super::*;

fn config() -> AppConfig {
    AppConfig::from_lookup(|name| {
        let value = match name {
            "ISSUER" => "http://localhost:8100/oauth2/default",
            "CLIENT_ID" => "solar-system-app",
            "CLIENT_SECRET" => "secret",
            "AUD" => "api://default",
            "GATEWAY_URI" => "http://localhost:8000/<script>",
            "SESSION_SECRET" => "0123456789abcdef",
            _ => return None,
        };
        Some(value.to_owned())
    })
    .unwrap_or_else(|err| unreachable!("test configuration refused: {err}"))
}

fn signed_in(tier: Tier, name: &str) -> Session {
    let header = json!({"alg": "RS256", "kid": "k1"});
    let access = unsigned(
        &header,
        &json!({"sub": "carl.sagan@mailinator.com", "aud": "api://default"}),
    );
    let id = unsigned(
        &header,
        &json!({"name": name, "preferred_username": "carl.sagan@mailinator.com"}),
    );
    let signed_in = SignedIn {
        tier,
        access_token: access,
        id_token: Some(id),
        scope: Some("openid".to_owned()),
    };
    Session {
        signed_in: Some(signed_in),
        ..Session::default()
    }
}

#[test]
fn escapes_every_html_special_character() {
    assert_eq!(
        escape(r#"<a href="x" onclick='y'>&</a>"#),
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
    );
}

#[test]
fn shows_the_title_setup_and_every_stable_id_when_signed_out() {
    let page = home(&config(), None);
    assert!(page.contains("<title>Solar system API — test app</title>"));
    assert!(page.contains("http://localhost:8100/oauth2/default"));
    let ids = [
        "auth-bronze",
        "auth-silver",
        "auth-gold",
        "show-asteroids",
        "show-planets",
        "show-moons",
        "result-asteroids",
        "result-planets",
        "result-moons",
        "user",
        "access-token",
        "id-token",
        "logout",
    ];
    for id in ids {
        assert!(page.contains(&format!("id=\"{id}\"")), "#{id} missing");
    }
    assert!(page.contains("href=\"/login?tier=silver\""));
    assert!(page.contains("data-signed-in=\"false\""));
    assert!(!page.contains("id=\"auth-error\""));
    for label in ["show me some asteroids", "show me the planets", "show me some moons"] {
        assert!(page.contains(label), "{label}");
    }
}

#[test]
fn escapes_configuration_values_and_token_claims() {
    let session = signed_in(Tier::Silver, "<img src=x onerror=alert(1)>");
    let page = home(&config(), Some(&session));
    assert!(
        !page.contains("<script>") && !page.contains("<img"),
        "unescaped markup in the page"
    );
    assert!(page.contains("http://localhost:8000/&lt;script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn names_the_signed_in_user_and_decodes_both_tokens() {
    let page = home(&config(), Some(&signed_in(Tier::Silver, "Carl Sagan")));
    assert!(page.contains("data-signed-in=\"true\" data-tier=\"silver\""));
    assert!(page.contains("<strong>Carl Sagan</strong>"));
    assert!(page.contains("carl.sagan@mailinator.com"));
    assert!(page.contains("id=\"access-token\" data-present=\"true\""));
    assert!(page.contains("id=\"id-token\" data-present=\"true\""));
    assert!(
        page.contains("&quot;kid&quot;: &quot;k1&quot;"),
        "the header is pretty-printed"
    );
    assert!(page.contains("<summary>raw token</summary>"));
    assert!(page.contains(
        "does not \
verify signatures"
    ));
    assert!(page.contains("id=\"panel-silver\" data-tier=\"silver\" data-active=\"true\""));
}

#[test]
fn shows_the_issuers_refusal_in_the_panel_that_asked() {
    let description = "Policy evaluation failed for this request, please check the policy configurations.";
    let error = AuthError {
        tier: Some(Tier::Gold),
        error: "access_denied".to_owned(),
        description: description.to_owned(),
    };
    let session = Session {
        auth_error: Some(error),
        ..Session::default()
    };
    let page = home(&config(), Some(&session));
    let gold = page.find("id=\"panel-gold\"").unwrap_or(usize::MAX);
    let alert = page.find("id=\"auth-error\"").unwrap_or(0);
    assert!(alert > gold, "the error is not inside the gold panel");
    assert!(page.contains("data-error=\"access_denied\""));
    assert!(page.contains(description));
}

#[test]
fn warns_when_the_access_token_is_for_another_audience() {
    let mut session = signed_in(Tier::Bronze, "Carl");
    if let Some(s) = session.signed_in.as_mut() {
        s.access_token = unsigned(&json!({"alg": "RS256"}), &json!({"aud": "api://other"}));
    }
    let page = home(&config(), Some(&session));
    assert!(page.contains("Warning: the audience is not <code>api://default</code>"));
}

#[test]
fn escapes_the_error_page() {
    let page = error_page("Not found", "Nothing at /<x>.");
    assert!(page.contains("Nothing at /&lt;x&gt;."));
}
