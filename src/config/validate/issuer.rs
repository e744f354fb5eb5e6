//! Validation of the `issuer:` section: the tenant's groups, users and client apps, with
//! references checked (a user's groups exist, a client's assigned groups exist, a public
//! client has no secret, a code-flow client has redirect URIs). Authorization servers and their
//! policies are checked in `issuer_server`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::issuer_file::{FileClient, FileGroup, FileIssuer, FileUser};
use super::super::source::join;
use super::{ListRules, check_len, decode, decode_unique, issuer_server};
use crate::issuer::core::secrets::stable_id;
use crate::model::issuer::{Assignment, AuthMethod, Client, GrantType, Group, Issuer, User};

/// Validates `issuer:`.
pub(super) fn validate_issuer(value: &Value, diags: &mut Diagnostics) -> Option<Issuer> {
    let path = "issuer";
    let file: FileIssuer = decode(value, path, diags)?;
    let listen = file.listen.parse().ok();
    if listen.is_none() {
        diags.error(
            &join(path, "listen"),
            format!("'{}' is not an address", file.listen),
            "write host:port, e.g. 127.0.0.1:8100",
        );
    }
    if let Some(url) = &file.base_url {
        check_base_url(url, &join(path, "baseUrl"), diags);
    }
    let groups = groups(&file.groups, &join(path, "groups"), diags);
    let group_names: HashSet<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    let users = users(&file.users, &group_names, &join(path, "users"), diags);
    let clients = clients(&file.clients, &group_names, &users, &join(path, "clients"), diags);
    let ctx = issuer_server::Context {
        group_names: &group_names,
        users: &users,
        clients: &clients,
    };
    let servers = issuer_server::validate_servers(
        &file.authorization_servers,
        &ctx,
        &join(path, "authorizationServers"),
        diags,
    );
    Some(Issuer {
        listen: listen?,
        base_url: file.base_url.map(|u| u.trim_end_matches('/').to_owned()),
        store: PathBuf::from(file.store.unwrap_or_else(|| "portcullis-data/issuer.db".to_owned())),
        authorization_servers: servers,
        groups,
        users,
        clients,
    })
}

fn check_base_url(url: &str, path: &str, diags: &mut Diagnostics) {
    let ok = url.parse::<http::Uri>().is_ok_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https"))
            && u.host().is_some()
            && matches!(u.path(), "" | "/")
            && u.query().is_none()
    });
    if !ok {
        diags.error(
            path,
            format!("'{url}' is not an origin"),
            "write scheme://host[:port] without a path, e.g. http://localhost:8100",
        );
    }
}

fn groups(values: &[Value], path: &str, diags: &mut Diagnostics) -> Vec<Group> {
    let rules = ListRules {
        max: 10_000,
        noun: "groups",
        key: "name",
    };
    decode_unique::<FileGroup>(values, path, &rules, |g| &g.name, diags)
        .into_iter()
        .map(|(at, g)| {
            check_len(&g.name, 1, 255, &join(&at, "name"), "a group name", diags);
            Group {
                id: g.id.unwrap_or_else(|| stable_id("00g", &g.name)),
                name: g.name,
            }
        })
        .collect()
}

fn users(values: &[Value], groups: &HashSet<&str>, path: &str, diags: &mut Diagnostics) -> Vec<User> {
    let rules = ListRules {
        max: 10_000,
        noun: "users",
        key: "login",
    };
    decode_unique::<FileUser>(values, path, &rules, |u| &u.login, diags)
        .into_iter()
        .map(|(at, u)| user(u, groups, &at, diags))
        .collect()
}

fn user(u: FileUser, groups: &HashSet<&str>, path: &str, diags: &mut Diagnostics) -> User {
    check_len(&u.login, 1, 100, &join(path, "login"), "a login", diags);
    if !u.email.contains('@') {
        diags.error(
            &join(path, "email"),
            format!("'{}' is not an email address", u.email),
            "write name@domain",
        );
    }
    if !u.password_hash.starts_with("$argon2id$") {
        diags.error(
            &join(path, "passwordHash"),
            "the password is not an Argon2id hash",
            "run `portcullis hash-password` and paste its output; plain passwords are never stored",
        );
    }
    for (i, g) in u.groups.iter().enumerate() {
        if !groups.contains(g.as_str()) {
            diags.error(
                &format!("{path}.groups[{i}]"),
                format!("group '{g}' is not defined"),
                "add it under issuer.groups",
            );
        }
    }
    User {
        id: u.id.unwrap_or_else(|| stable_id("00u", &u.login.to_ascii_lowercase())),
        login: u.login,
        first_name: u.first_name,
        last_name: u.last_name.unwrap_or_default(),
        email: u.email,
        password_hash: u.password_hash,
        groups: u.groups,
    }
}

fn clients(
    values: &[Value],
    groups: &HashSet<&str>,
    users: &[User],
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<Client> {
    let rules = ListRules {
        max: 1_000,
        noun: "clients",
        key: "clientId",
    };
    decode_unique::<FileClient>(values, path, &rules, |c| &c.client_id, diags)
        .into_iter()
        .filter_map(|(at, c)| client(c, groups, users, &at, diags))
        .collect()
}

fn client(
    c: FileClient,
    groups: &HashSet<&str>,
    users: &[User],
    path: &str,
    diags: &mut Diagnostics,
) -> Option<Client> {
    let method = auth_method(
        c.token_endpoint_auth_method.as_deref(),
        &join(path, "tokenEndpointAuthMethod"),
        diags,
    )?;
    check_secret(&c, method, path, diags);
    let grant_types = grant_types(&c.grant_types, &join(path, "grantTypes"), diags);
    if grant_types.contains(&GrantType::AuthorizationCode) && c.redirect_uris.is_empty() {
        diags.error(
            &join(path, "redirectUris"),
            "an authorization_code client needs at least one redirect URI",
            "list the client's sign-in callback URLs",
        );
    }
    if method == AuthMethod::None && grant_types.contains(&GrantType::ClientCredentials) {
        diags.error(
            &join(path, "grantTypes"),
            "a public client cannot use client_credentials",
            "give the client a secret or remove the grant",
        );
    }
    check_uris(&c.redirect_uris, &join(path, "redirectUris"), diags);
    check_uris(
        &c.post_logout_redirect_uris,
        &join(path, "postLogoutRedirectUris"),
        diags,
    );
    let assignment = assignment(&c, groups, users, path, diags);
    let grace = c.refresh_token_grace_seconds.unwrap_or(30);
    if grace > 60 {
        diags.error(
            &join(path, "refreshTokenGraceSeconds"),
            format!("{grace} s is above the 60 s maximum"),
            "use 0–60 (default 30)",
        );
    }
    let rotation = match c.refresh_token_rotation.as_deref() {
        None => method == AuthMethod::None,
        Some("ROTATE") => true,
        Some("STATIC") => false,
        Some(other) => {
            diags.error(
                &join(path, "refreshTokenRotation"),
                format!("'{other}' is not a rotation type"),
                "use ROTATE or STATIC",
            );
            false
        }
    };
    Some(Client {
        client_id: c.client_id,
        client_secret: c.client_secret,
        name: c.name,
        token_endpoint_auth_method: method,
        redirect_uris: c.redirect_uris,
        post_logout_redirect_uris: c.post_logout_redirect_uris,
        grant_types,
        assignment,
        pkce_required: c.pkce_required.unwrap_or(false) || method == AuthMethod::None,
        refresh_rotation: rotation,
        refresh_grace: Duration::from_secs(u64::from(grace.min(60))),
    })
}

fn auth_method(value: Option<&str>, path: &str, diags: &mut Diagnostics) -> Option<AuthMethod> {
    match value.unwrap_or("client_secret_basic") {
        "client_secret_basic" => Some(AuthMethod::ClientSecretBasic),
        "client_secret_post" => Some(AuthMethod::ClientSecretPost),
        "none" => Some(AuthMethod::None),
        other => {
            diags.error(
                path,
                format!("'{other}' is not a supported authentication method"),
                "use client_secret_basic, client_secret_post or none",
            );
            None
        }
    }
}

fn check_secret(c: &FileClient, method: AuthMethod, path: &str, diags: &mut Diagnostics) {
    let at = join(path, "clientSecret");
    match (&c.client_secret, method) {
        (Some(_), AuthMethod::None) => diags.error(
            &at,
            "a public client (method none) has no secret",
            "remove the secret or choose client_secret_basic",
        ),
        (None, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost) => {
            diags.error(&at, "a confidential client needs a secret", "add clientSecret")
        }
        (Some(s), _) if s.len() < 16 || s.bytes().any(|b| b.is_ascii_control() || b == b' ') => diags.error(
            &at,
            "a client secret must be at least 16 printable characters without spaces",
            "generate a longer secret",
        ),
        _ => {}
    }
}

fn grant_types(names: &[String], path: &str, diags: &mut Diagnostics) -> Vec<GrantType> {
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match GrantType::parse(name) {
            Some(g) => out.push(g),
            None => diags.error(
                &format!("{path}[{i}]"),
                format!("grant type '{name}' is not supported"),
                "use authorization_code, refresh_token or client_credentials",
            ),
        }
    }
    if names.is_empty() {
        diags.error(path, "no grant type", "list at least one grant type");
    }
    out
}

fn check_uris(uris: &[String], path: &str, diags: &mut Diagnostics) {
    for (i, uri) in uris.iter().enumerate() {
        let ok = !uri.contains('#')
            && uri
                .parse::<http::Uri>()
                .is_ok_and(|u| u.scheme().is_some() && u.host().is_some());
        if !ok {
            diags.error(
                &format!("{path}[{i}]"),
                format!("'{uri}' is not an absolute URL without a fragment"),
                "write the exact callback URL, e.g. http://localhost:8080/authorization-code/callback",
            );
        }
    }
}

fn assignment(
    c: &FileClient,
    groups: &HashSet<&str>,
    users: &[User],
    path: &str,
    diags: &mut Diagnostics,
) -> Assignment {
    if c.assigned_groups.is_none() && c.assigned_users.is_none() {
        return Assignment::Everyone;
    }
    let groups_list = c.assigned_groups.clone().unwrap_or_default();
    let users_list = c.assigned_users.clone().unwrap_or_default();
    for (i, g) in groups_list.iter().enumerate() {
        if !groups.contains(g.as_str()) {
            diags.error(
                &format!("{path}.assignedGroups[{i}]"),
                format!("group '{g}' is not defined"),
                "add it under issuer.groups",
            );
        }
    }
    for (i, login) in users_list.iter().enumerate() {
        if !users.iter().any(|u| u.login.eq_ignore_ascii_case(login)) {
            diags.error(
                &format!("{path}.assignedUsers[{i}]"),
                format!("user '{login}' is not defined"),
                "add the user under issuer.users",
            );
        }
    }
    Assignment::Only {
        groups: groups_list,
        users: users_list,
    }
}
