//! The HTML of the test web app: one page (`GET /`) with the setup in use, the signed-in user,
//! the Bronze / Silver / Gold panels and the decoded tokens, plus a small error page.
//!
//! Invariants: every value put into HTML goes through [`escape`]; there is no inline script or
//! style (the Content-Security-Policy forbids them): behaviour lives in `/app.js`, looks in
//! `/app.css`. Elements the browser tests use have stable ids: `#auth-{tier}`,
//! `#show-{resource}`, `#result-{resource}`, `#user`, `#auth-error`, `#access-token`,
//! `#id-token`, `#logout`.
//!
//! May import: std, serde_json, `super::{config, jwt, session, tier}`.

use serde_json::{Map, Value};

use super::config::AppConfig;
use super::jwt::{self, Decoded};
use super::session::{AuthError, Session, SignedIn};
use super::tier::Tier;

/// The page title.
pub const TITLE: &str = "Solar system API — test app";

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><link rel=\"stylesheet\" href=\"/app.css\"><script src=\"/app.js\" defer></script></head>\
<body>{body}</body></html>\n",
        escape(title)
    )
}

/// A small page explaining an error (unknown route, bad request).
pub fn error_page(heading: &str, message: &str) -> String {
    let body = format!(
        "<main class=\"narrow\"><h1>{}</h1><p>{}</p>\
<p><a class=\"button\" href=\"/\">back to the test app</a></p></main>",
        escape(heading),
        escape(message)
    );
    layout(&format!("{heading} — {TITLE}"), &body)
}

/// The test app's page for `session` (none when the browser has no live session).
pub fn home(config: &AppConfig, session: Option<&Session>) -> String {
    let signed_in = session.and_then(|s| s.signed_in.as_ref());
    let auth_error = session.and_then(|s| s.auth_error.as_ref());
    let loose_error = auth_error
        .filter(|e| e.tier.is_none())
        .map(error_block)
        .unwrap_or_default();
    let panels: String = Tier::ALL
        .iter()
        .map(|t| panel(*t, config, signed_in, auth_error))
        .collect();
    let body = format!(
        "<header class=\"top\"><div><h1>{}</h1><p class=\"lede\">Okta's API Center sample app, rebuilt: \
authenticate for a tier, then call the solar-system API through the gateway.</p></div>\
<div class=\"who\">{}<a class=\"button secondary\" id=\"logout\" href=\"/logout\">log out</a></div></header>\
<main>{}{loose_error}<div class=\"tiers\">{panels}</div>{}</main>\
<footer><p>Sign-in uses the authorization-code flow with state, nonce and PKCE; the tokens stay in this \
app's server-side session and the browser only holds a signed session cookie.</p></footer>",
        escape(TITLE),
        user_block(signed_in),
        setup_block(config),
        tokens_block(config, signed_in),
    );
    layout(TITLE, &body)
}

fn setup_block(config: &AppConfig) -> String {
    let item = |label: &str, id: &str, value: &str| {
        format!(
            "<div><dt>{label}</dt><dd><code id=\"{id}\">{}</code></dd></div>",
            escape(value)
        )
    };
    format!(
        "<dl class=\"setup\">{}{}{}{}</dl>",
        item("Issuer", "issuer", &config.issuer),
        item("Gateway", "gateway", &config.gateway_uri),
        item("Client", "client", &config.client_id),
        item("Audience", "audience", &config.audience),
    )
}

fn user_block(signed_in: Option<&SignedIn>) -> String {
    let Some(signed_in) = signed_in else {
        return "<p id=\"user\" data-signed-in=\"false\">Not signed in</p>".to_owned();
    };
    let (name, login) = user_names(signed_in);
    let login = login
        .filter(|l| *l != name)
        .map(|l| format!(" <span class=\"login\">{}</span>", escape(&l)));
    format!(
        "<p id=\"user\" data-signed-in=\"true\" data-tier=\"{}\">Signed in as <strong>{}</strong>{} \
<span class=\"badge tier-{}\">{}</span></p>",
        signed_in.tier.id(),
        escape(&name),
        login.unwrap_or_default(),
        signed_in.tier.id(),
        signed_in.tier.title(),
    )
}

/// The user's display name and login: from the ID token (`name`, `preferred_username`,
/// `email`), else the access token's `sub` (Okta puts the login there).
fn user_names(signed_in: &SignedIn) -> (String, Option<String>) {
    let id = signed_in.id_token.as_deref().and_then(|t| jwt::decode(t).ok());
    let access = jwt::decode(&signed_in.access_token).ok();
    let claim = |d: &Option<Decoded>, name: &str| d.as_ref().and_then(|d| d.str_claim(name)).map(str::to_owned);
    let login = claim(&id, "preferred_username")
        .or_else(|| claim(&id, "email"))
        .or_else(|| claim(&access, "sub"));
    let name = claim(&id, "name")
        .or_else(|| login.clone())
        .or_else(|| claim(&id, "sub"));
    (name.unwrap_or_else(|| "someone".to_owned()), login)
}

fn panel(tier: Tier, config: &AppConfig, signed_in: Option<&SignedIn>, error: Option<&AuthError>) -> String {
    let active = signed_in.is_some_and(|s| s.tier == tier);
    let error = error
        .filter(|e| e.tier == Some(tier))
        .map(error_block)
        .unwrap_or_default();
    let (id, resource) = (tier.id(), tier.resource());
    format!(
        "<section class=\"panel tier-{id}\" id=\"panel-{id}\" data-tier=\"{id}\" data-active=\"{active}\">\
<header><h2>{}</h2>{}</header>\
<p class=\"route\"><code>GET /{resource}</code> needs {}</p>\
<p class=\"scopes\">asks for <code>{}</code></p>\
<div class=\"actions\"><a class=\"button\" id=\"auth-{id}\" href=\"/login?tier={id}\">authenticate</a>\
<button type=\"button\" class=\"button secondary\" id=\"show-{resource}\" data-api=\"{resource}\">{}</button></div>\
{error}<div class=\"result\" id=\"result-{resource}\" data-outcome=\"none\" aria-live=\"polite\"></div></section>",
        tier.title(),
        if active {
            "<span class=\"badge\">signed in</span>"
        } else {
            ""
        },
        escape(tier.requirement()),
        escape(&tier.scope_param(&config.extra_scopes)),
        tier.show_label(),
    )
}

fn error_block(error: &AuthError) -> String {
    format!(
        "<div class=\"alert\" id=\"auth-error\" role=\"alert\" data-error=\"{}\"><p><strong>{}</strong></p>\
<p class=\"description\">{}</p>\
<p class=\"hint\">No token was issued: the issuer sent this explanation instead.</p></div>",
        escape(&error.error),
        escape(&error.error),
        escape(&error.description),
    )
}

fn tokens_block(config: &AppConfig, signed_in: Option<&SignedIn>) -> String {
    let access = signed_in.map(|s| s.access_token.as_str());
    let id = signed_in.and_then(|s| s.id_token.as_deref());
    let mut access_notes = Vec::new();
    if let Some(scope) = signed_in.and_then(|s| s.scope.as_deref()) {
        access_notes.push(format!("Granted scopes: <code>{}</code>", escape(scope)));
    }
    if let Some(decoded) = access.and_then(|t| jwt::decode(t).ok()) {
        access_notes.push(audience_note(&decoded, &config.audience));
    }
    let id_notes =
        vec!["Its <code>iss</code>, <code>aud</code> and <code>nonce</code> were checked at sign-in.".to_owned()];
    format!(
        "<section class=\"tokens\"><h2>Tokens</h2><p class=\"note\">Decoded for display only: this app does not \
verify signatures. Verifying access tokens is the gateway's job.</p><div class=\"token-grid\">{}{}</div></section>",
        token_block("access-token", "Access token", access, &access_notes),
        token_block("id-token", "ID token", id, &id_notes),
    )
}

fn audience_note(decoded: &Decoded, audience: &str) -> String {
    if decoded.has_audience(audience) {
        format!(
            "Audience <code>{}</code>, as <code>AUD</code> expects.",
            escape(audience)
        )
    } else {
        format!(
            "<span class=\"warning\">Warning: the audience is not <code>{}</code> (<code>AUD</code>); the gateway \
will likely refuse this token.</span>",
            escape(audience)
        )
    }
}

fn token_block(id: &str, title: &str, raw: Option<&str>, notes: &[String]) -> String {
    let Some(raw) = raw else {
        return format!(
            "<article class=\"token\" id=\"{id}\" data-present=\"false\"><h3>{title}</h3>\
<p class=\"empty\">None yet: authenticate on one of the panels.</p></article>"
        );
    };
    let decoded = match jwt::decode(raw) {
        Ok(d) => format!(
            "<h4>Header</h4>{}<h4>Claims</h4>{}",
            json_pre(&d.header),
            json_pre(&d.claims)
        ),
        Err(why) => format!(
            "<p class=\"warning\">This token cannot be decoded: {}</p>",
            escape(&why)
        ),
    };
    let notes: String = notes.iter().map(|n| format!("<p class=\"note\">{n}</p>")).collect();
    format!(
        "<article class=\"token\" id=\"{id}\" data-present=\"true\"><h3>{title}</h3>{notes}{decoded}\
<details><summary>raw token</summary><pre class=\"raw\">{}</pre></details></article>",
        escape(raw)
    )
}

fn json_pre(map: &Map<String, Value>) -> String {
    let text = serde_json::to_string_pretty(map).unwrap_or_default();
    format!("<pre class=\"json\">{}</pre>", escape(&text))
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
