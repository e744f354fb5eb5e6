//! `portcullis token`: an access token for scripts and curl, from any OIDC issuer (the demo's
//! by default). `--client`/`--secret` alone use client credentials; `--user`/`--password` sign
//! in through the issuer's own sign-in form with the demo web client (authorization code +
//! PKCE), exactly as a browser would. Prints the access token on stdout.

use base64::Engine;
use bytes::Bytes;
use http::{Request, Response, header};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use crate::client::{HttpClient, OutBody};

/// What to ask for.
pub struct TokenArgs {
    /// Issuer URL.
    pub issuer: String,
    /// Client id (default: the demo web client for users).
    pub client: Option<String>,
    /// Client secret.
    pub secret: Option<String>,
    /// User login (authorization-code flow).
    pub user: Option<String>,
    /// User password.
    pub password: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Redirect URI registered for the client (user flow).
    pub redirect_uri: String,
}

/// Gets the token, or says why not.
pub async fn run(args: TokenArgs) -> Result<String, String> {
    let client = crate::client::build();
    let discovery = get_json(
        &client,
        &format!("{}/.well-known/openid-configuration", args.issuer.trim_end_matches('/')),
    )
    .await?;
    let token_endpoint = endpoint(&discovery, "token_endpoint")?;
    let body = match (&args.user, &args.password) {
        (Some(user), Some(password)) => user_flow(&client, &args, &discovery, user, password).await?,
        (None, None) => {
            let (id, secret) = (
                args.client.as_deref().ok_or("--client is required")?,
                args.secret.as_deref().ok_or("--secret is required")?,
            );
            let mut form = vec![("grant_type", "client_credentials")];
            if let Some(scope) = args.scope.as_deref() {
                form.push(("scope", scope));
            }
            post_token(&client, &token_endpoint, id, secret, &form).await?
        }
        _ => return Err("give both --user and --password, or neither".to_owned()),
    };
    body.get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| describe_error(&body))
}

fn endpoint(discovery: &Value, name: &str) -> Result<String, String> {
    discovery
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("the issuer's discovery document has no {name}"))
}

fn describe_error(body: &Value) -> String {
    let error = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("no access token in the answer");
    let description = body.get("error_description").and_then(Value::as_str).unwrap_or("");
    format!("{error}: {description}")
}

async fn user_flow(
    client: &HttpClient,
    args: &TokenArgs,
    discovery: &Value,
    user: &str,
    password: &str,
) -> Result<Value, String> {
    let id = args.client.as_deref().unwrap_or("solar-system-app");
    let secret = args.secret.as_deref().unwrap_or("solar-system-app-secret");
    let verifier = crate::issuer::core::random_token(32)?;
    let challenge = crate::issuer::core::pkce::s256_challenge(&verifier);
    let scope = args.scope.clone().unwrap_or_else(|| "openid".to_owned());
    let state = crate::issuer::core::random_token(12)?;
    let query = crate::issuer::http::form::build([
        ("client_id", id),
        ("response_type", "code"),
        ("scope", scope.as_str()),
        ("redirect_uri", args.redirect_uri.as_str()),
        ("state", state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("prompt", "login"),
    ]);
    let authorize = format!("{}?{query}", endpoint(discovery, "authorization_endpoint")?);
    let code = sign_in(client, &authorize, user, password).await?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", args.redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    post_token(client, &endpoint(discovery, "token_endpoint")?, id, secret, &form).await
}

/// Fills in the sign-in form like a browser and returns the authorization code.
async fn sign_in(client: &HttpClient, authorize: &str, user: &str, password: &str) -> Result<String, String> {
    let page = send(
        client,
        Request::get(authorize).body(empty()).map_err(|e| e.to_string())?,
    )
    .await?;
    let cookie = page
        .0
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let html = String::from_utf8_lossy(&page.1).into_owned();
    if let Some(location) = page.0.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) {
        return code_from(location);
    }
    let (action, interaction, csrf) = (
        attr(&html, "action=\"")?,
        hidden(&html, "interaction")?,
        hidden(&html, "csrf")?,
    );
    let origin = authorize.split("/oauth2/").next().unwrap_or("");
    let target = if action.starts_with('/') {
        format!("{origin}{action}")
    } else {
        action
    };
    let form = crate::issuer::http::form::build([
        ("interaction", interaction.as_str()),
        ("csrf", csrf.as_str()),
        ("username", user),
        ("password", password),
    ]);
    let req = Request::post(target)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(full(form))
        .map_err(|e| e.to_string())?;
    let (response, body) = send(client, req).await?;
    match response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) {
        Some(location) => code_from(location),
        None if response.status() == http::StatusCode::UNAUTHORIZED => {
            Err("the issuer refused the user name or password".to_owned())
        }
        None => Err(format!(
            "the sign-in answered {} without a redirect: {}",
            response.status(),
            String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
        )),
    }
}

fn code_from(location: &str) -> Result<String, String> {
    let query = location.split_once(['?', '#']).map_or("", |(_, q)| q);
    let form = crate::issuer::http::form::Form::parse(query).map_err(|e| e.to_string())?;
    if let Some(error) = form.get("error") {
        return Err(format!("{error}: {}", form.get("error_description").unwrap_or("")));
    }
    form.get("code")
        .map(str::to_owned)
        .ok_or_else(|| "the issuer returned no code".to_owned())
}

fn hidden(html: &str, name: &str) -> Result<String, String> {
    attr(html, &format!("name=\"{name}\" value=\""))
}

fn attr(html: &str, marker: &str) -> Result<String, String> {
    let start = html
        .find(marker)
        .ok_or("the issuer's sign-in page is not one this command understands")?
        + marker.len();
    Ok(html[start..].split('"').next().unwrap_or("").replace("&amp;", "&"))
}

async fn post_token(
    client: &HttpClient,
    url: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> Result<Value, String> {
    let encode = crate::issuer::http::form::encode;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", encode(id), encode(secret)));
    let req = Request::post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(full(crate::issuer::http::form::build(form.iter().copied())))
        .map_err(|e| e.to_string())?;
    let (_, body) = send(client, req).await?;
    serde_json::from_slice(&body).map_err(|_| {
        format!(
            "the token endpoint did not answer JSON: {}",
            String::from_utf8_lossy(&body)
        )
    })
}

async fn get_json(client: &HttpClient, url: &str) -> Result<Value, String> {
    let (response, body) = send(client, Request::get(url).body(empty()).map_err(|e| e.to_string())?).await?;
    if !response.status().is_success() {
        return Err(format!("{url} answered {}", response.status()));
    }
    serde_json::from_slice(&body).map_err(|_| format!("{url} did not answer JSON"))
}

async fn send(client: &HttpClient, req: Request<OutBody>) -> Result<(Response<()>, Bytes), String> {
    let uri = req.uri().to_string();
    let work = async {
        let response = client.request(req).await.map_err(|e| format!("{uri}: {e}"))?;
        let (parts, body) = response.into_parts();
        let bytes = http_body_util::Limited::new(body, 1 << 20)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((Response::from_parts(parts, ()), bytes))
    };
    tokio::time::timeout(std::time::Duration::from_secs(15), work)
        .await
        .map_err(|_| format!("{uri} did not answer within 15 s"))?
}

fn empty() -> OutBody {
    full(String::new())
}

fn full(text: String) -> OutBody {
    Full::new(Bytes::from(text))
        .map_err(|never| match never {})
        .boxed_unsync()
}
