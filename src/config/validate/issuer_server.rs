//! Validation of authorization servers: audience, token profile, key rotation, custom scopes
//! and claims, and access policies with their rules (Okta's ranges for token lifetimes; every
//! group, user, client and scope a rule names must exist).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use super::super::diagnostic::Diagnostics;
use super::super::issuer_file::{FileAuthorizationServer, FileClaim, FilePolicy, FileRule, FileScope};
use super::super::source::join;
use super::{ListRules, check_len, decode_unique};
use crate::model::issuer::{
    AuthorizationServer, ClaimDef, ClaimToken, ClaimValue, Client, ClientCondition, GrantType, GroupFilter,
    OIDC_SCOPES, People, Policy, Rule, ScopeCondition, ScopeDef, TokenProfile, User,
};

/// What the rest of the tenant defines, for reference checks.
pub(super) struct Context<'a> {
    /// Group names.
    pub group_names: &'a HashSet<&'a str>,
    /// Users.
    pub users: &'a [User],
    /// Clients.
    pub clients: &'a [Client],
}

/// Claims a custom claim may not replace.
const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "ver",
    "cid",
    "uid",
    "scp",
    "scope",
    "client_id",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "at_hash",
    "c_hash",
    "acr",
    "cnf",
    "typ",
];

pub(super) fn validate_servers(
    values: &[Value],
    ctx: &Context<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<AuthorizationServer> {
    if values.is_empty() {
        diags.error(
            path,
            "the issuer has no authorization server",
            "add one with id: default",
        );
    }
    let rules = ListRules {
        max: 100,
        noun: "authorization servers",
        key: "id",
    };
    decode_unique::<FileAuthorizationServer>(values, path, &rules, |s| &s.id, diags)
        .into_iter()
        .map(|(at, s)| server(s, ctx, &at, diags))
        .collect()
}

fn server(s: FileAuthorizationServer, ctx: &Context<'_>, path: &str, diags: &mut Diagnostics) -> AuthorizationServer {
    if s.id.is_empty()
        || !s
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        diags.error(
            &join(path, "id"),
            format!("'{}' cannot be a URL path segment", s.id),
            "use letters, digits, '-' and '_'",
        );
    }
    check_len(&s.audience, 1, 1024, &join(path, "audience"), "the audience", diags);
    let token_profile = match s.token_profile.as_deref() {
        None | Some("OKTA") => TokenProfile::Okta,
        Some("RFC9068") => TokenProfile::Rfc9068,
        Some(other) => {
            diags.error(
                &join(path, "tokenProfile"),
                format!("'{other}' is not a token profile"),
                "use OKTA or RFC9068",
            );
            TokenProfile::Okta
        }
    };
    let key_rotation = match (s.key_rotation_minutes, s.key_rotation_days) {
        (Some(m), _) => Duration::from_secs(u64::from(m.max(1)) * 60),
        (None, d) => Duration::from_secs(u64::from(d.unwrap_or(90).max(1)) * 86_400),
    };
    let scopes = scopes(s.scopes, &join(path, "scopes"), diags);
    let mut server = AuthorizationServer {
        id: s.id,
        name: s.name,
        audience: s.audience,
        token_profile,
        scopes,
        claims: Vec::new(),
        policies: Vec::new(),
        key_rotation,
    };
    server.claims = claims(s.claims, &server, &join(path, "claims"), diags);
    server.policies = policies(&s.policies, &server, ctx, &join(path, "policies"), diags);
    server
}

fn scopes(files: Vec<FileScope>, path: &str, diags: &mut Diagnostics) -> Vec<ScopeDef> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        if f.name.is_empty() || f.name.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\') || f.name == "*" {
            diags.error(
                &join(&at, "name"),
                format!("'{}' is not a valid scope", f.name),
                "scopes are non-empty and have no spaces, quotes or backslashes",
            );
        }
        if OIDC_SCOPES.contains(&f.name.as_str()) || !seen.insert(f.name.clone()) {
            diags.error(
                &join(&at, "name"),
                format!("scope '{}' is defined twice or is an OIDC scope", f.name),
                "OIDC scopes exist already; define each custom scope once",
            );
        }
        if f.consent.as_deref().is_some_and(|c| c != "IMPLICIT") {
            diags.error(
                &join(&at, "consent"),
                "only IMPLICIT consent is supported",
                "remove consent or set IMPLICIT",
            );
        }
        let publish = match f.metadata_publish.as_deref() {
            None | Some("ALL_CLIENTS") => true,
            Some("NO_CLIENTS") => false,
            Some(other) => {
                diags.error(
                    &join(&at, "metadataPublish"),
                    format!("'{other}' is not a publish setting"),
                    "use ALL_CLIENTS or NO_CLIENTS",
                );
                true
            }
        };
        out.push(ScopeDef {
            name: f.name,
            description: f.description.unwrap_or_default(),
            metadata_publish: publish,
            default: f.default.unwrap_or(false),
        });
    }
    out
}

fn claims(files: Vec<FileClaim>, server: &AuthorizationServer, path: &str, diags: &mut Diagnostics) -> Vec<ClaimDef> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        if RESERVED_CLAIMS.contains(&f.name.as_str()) || f.name.is_empty() {
            diags.error(
                &join(&at, "name"),
                format!("claim '{}' is reserved", f.name),
                "choose another name",
            );
        }
        let token = match f.token.as_str() {
            "ACCESS" => ClaimToken::Access,
            "ID" => ClaimToken::Id,
            other => {
                diags.error(
                    &join(&at, "token"),
                    format!("'{other}' is not a token type"),
                    "use ACCESS or ID",
                );
                continue;
            }
        };
        if !seen.insert((f.name.clone(), f.token.clone())) {
            diags.error(
                &join(&at, "name"),
                format!("claim '{}' is defined twice for one token", f.name),
                "merge them",
            );
        }
        for (j, scope) in f.scopes.iter().flatten().enumerate() {
            if !server.has_scope(scope) {
                diags.error(
                    &format!("{at}.scopes[{j}]"),
                    format!("scope '{scope}' is not defined"),
                    "add it under scopes",
                );
            }
        }
        let Some(value) = claim_value(&f, &join(&at, "value"), diags) else {
            continue;
        };
        out.push(ClaimDef {
            name: f.name,
            token,
            value,
            scopes: f.scopes,
        });
    }
    out
}

fn claim_value(f: &FileClaim, path: &str, diags: &mut Diagnostics) -> Option<ClaimValue> {
    let v = &f.value;
    match (&v.groups, &v.attribute, &v.literal) {
        (Some(g), None, None) => match (&g.starts_with, &g.equals, &g.contains) {
            (Some(s), None, None) => Some(ClaimValue::Groups(GroupFilter::StartsWith(s.clone()))),
            (None, Some(s), None) => Some(ClaimValue::Groups(GroupFilter::Equals(s.clone()))),
            (None, None, Some(s)) => Some(ClaimValue::Groups(GroupFilter::Contains(s.clone()))),
            _ => {
                diags.error(
                    &join(path, "groups"),
                    "a group filter takes exactly one of startsWith, equals, contains",
                    "keep one",
                );
                None
            }
        },
        (None, Some(a), None) => {
            let known = ["login", "email", "firstName", "lastName", "displayName", "id"];
            if !known.contains(&a.as_str()) {
                diags.error(
                    &join(path, "attribute"),
                    format!("'{a}' is not a user attribute"),
                    "use login, email, firstName, lastName, displayName or id",
                );
            }
            Some(ClaimValue::UserAttribute(a.clone()))
        }
        (None, None, Some(l)) => Some(ClaimValue::Literal(l.clone())),
        _ => {
            diags.error(
                path,
                "a claim value takes exactly one of groups, attribute, literal",
                "keep one",
            );
            None
        }
    }
}

fn policies(
    values: &[Value],
    server: &AuthorizationServer,
    ctx: &Context<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Vec<Policy> {
    let rules = ListRules {
        max: 100,
        noun: "policies",
        key: "name",
    };
    let mut out: Vec<Policy> = decode_unique::<FilePolicy>(values, path, &rules, |p| &p.name, diags)
        .into_iter()
        .map(|(at, p)| policy(p, server, ctx, &at, diags))
        .collect();
    out.sort_by_key(|p| p.priority);
    out
}

fn policy(
    p: FilePolicy,
    server: &AuthorizationServer,
    ctx: &Context<'_>,
    path: &str,
    diags: &mut Diagnostics,
) -> Policy {
    let active = status(p.status.as_deref(), &join(path, "status"), diags);
    let clients = if p.clients == ["ALL_CLIENTS"] {
        ClientCondition::All
    } else {
        for (i, id) in p.clients.iter().enumerate() {
            if !ctx.clients.iter().any(|c| &c.client_id == id) {
                diags.error(
                    &format!("{path}.clients[{i}]"),
                    format!("client '{id}' is not defined"),
                    "use ALL_CLIENTS or ids from issuer.clients",
                );
            }
        }
        ClientCondition::Only(p.clients.clone())
    };
    let limits = ListRules {
        max: 100,
        noun: "rules per policy",
        key: "name",
    };
    let mut rules: Vec<Rule> = decode_unique::<FileRule>(&p.rules, &join(path, "rules"), &limits, |r| &r.name, diags)
        .into_iter()
        .map(|(at, r)| rule(r, server, ctx, &at, diags))
        .collect();
    rules.sort_by_key(|r| r.priority);
    Policy {
        name: p.name,
        priority: p.priority,
        active,
        clients,
        rules,
    }
}

fn status(value: Option<&str>, path: &str, diags: &mut Diagnostics) -> bool {
    match value {
        None | Some("ACTIVE") => true,
        Some("INACTIVE") => false,
        Some(other) => {
            diags.error(path, format!("'{other}' is not a status"), "use ACTIVE or INACTIVE");
            true
        }
    }
}

fn rule(r: FileRule, server: &AuthorizationServer, ctx: &Context<'_>, path: &str, diags: &mut Diagnostics) -> Rule {
    let active = status(r.status.as_deref(), &join(path, "status"), diags);
    let grant_types: Vec<GrantType> = r
        .grant_types
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let parsed = GrantType::parse(g).filter(|g| *g != GrantType::RefreshToken);
            if parsed.is_none() {
                diags.error(
                    &format!("{path}.grantTypes[{i}]"),
                    format!("'{g}' is not a rule grant type"),
                    "use authorization_code or client_credentials (refresh follows the original grant)",
                );
            }
            parsed
        })
        .collect();
    let people = people(&r, ctx, path, diags);
    let scopes = rule_scopes(&r.scopes, server, &join(path, "scopes"), diags);
    let at_minutes = r.access_token_lifetime_minutes.unwrap_or(60);
    if !(5..=1440).contains(&at_minutes) {
        diags.error(
            &join(path, "accessTokenLifetimeMinutes"),
            format!("{at_minutes} is outside 5–1440"),
            "use 5 minutes to 24 hours (default 60)",
        );
    }
    let rt_minutes = r.refresh_token_lifetime_minutes.unwrap_or(0);
    if rt_minutes != 0 && rt_minutes < at_minutes {
        diags.error(
            &join(path, "refreshTokenLifetimeMinutes"),
            "the refresh-token lifetime is shorter than the access-token lifetime",
            "use 0 (unlimited) or at least the access-token lifetime",
        );
    }
    let window = r.refresh_token_window_minutes.unwrap_or(10_080);
    if !(10..=2_628_000).contains(&window) {
        diags.error(
            &join(path, "refreshTokenWindowMinutes"),
            format!("{window} is outside 10 minutes – 5 years"),
            "use 10–2628000 (default 10080, 7 days)",
        );
    }
    Rule {
        name: r.name,
        priority: r.priority,
        active,
        grant_types,
        people,
        scopes,
        access_token_lifetime: Duration::from_secs(u64::from(at_minutes) * 60),
        refresh_token_lifetime: (rt_minutes > 0).then(|| Duration::from_secs(u64::from(rt_minutes) * 60)),
        refresh_token_window: Duration::from_secs(u64::from(window) * 60),
    }
}

fn people(r: &FileRule, ctx: &Context<'_>, path: &str, diags: &mut Diagnostics) -> People {
    let Some(p) = &r.people else { return People::Anyone };
    for (i, g) in p.groups.iter().enumerate() {
        if !ctx.group_names.contains(g.as_str()) {
            diags.error(
                &format!("{path}.people.groups[{i}]"),
                format!("group '{g}' is not defined"),
                "add it under issuer.groups",
            );
        }
    }
    for (i, login) in p.users.iter().enumerate() {
        if !ctx.users.iter().any(|u| u.login.eq_ignore_ascii_case(login)) {
            diags.error(
                &format!("{path}.people.users[{i}]"),
                format!("user '{login}' is not defined"),
                "add the user under issuer.users",
            );
        }
    }
    People::Only {
        groups: p.groups.clone(),
        users: p.users.clone(),
    }
}

fn rule_scopes(scopes: &[String], server: &AuthorizationServer, path: &str, diags: &mut Diagnostics) -> ScopeCondition {
    if scopes == ["*"] {
        return ScopeCondition::Any;
    }
    for (i, s) in scopes.iter().enumerate() {
        if !server.has_scope(s) {
            diags.error(
                &format!("{path}[{i}]"),
                format!("scope '{s}' is not defined on this authorization server"),
                "define it under scopes, or use [\"*\"] for any scope",
            );
        }
    }
    if scopes.is_empty() {
        diags.error(path, "a rule allows no scope", "list the scopes, or [\"*\"]");
    }
    ScopeCondition::Only(scopes.to_vec())
}
