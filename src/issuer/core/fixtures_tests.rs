//! Test fixtures: the solar-system tenant of the Okta API Center demo (okta-issuer.md §0, §3)
//! and a pool of pre-generated RSA keys so tests do not each pay for key generation.
//!
//! May import: std, `crate::model::issuer`, `super::signer`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::OnceLock;
use std::time::Duration;

use super::signer::SigningKey;
use crate::model::issuer::{
    Assignment, AuthMethod, AuthorizationServer, Client, ClientCondition, GrantType, Group, People, Policy, Rule,
    ScopeCondition, ScopeDef, TokenProfile, User,
};

pub(crate) const SILVER: &str = "http://myapp.com/scp/silver";
pub(crate) const GOLD: &str = "http://myapp.com/scp/gold";
pub(crate) const ISSUER: &str = "http://localhost:8100/oauth2/default";

/// Owned scope strings.
pub(crate) fn scopes(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn scope_def(name: &str) -> ScopeDef {
    ScopeDef {
        name: name.to_owned(),
        description: name.to_owned(),
        metadata_publish: true,
        default: false,
    }
}

/// A rule with Okta's default lifetimes.
pub(crate) fn rule(name: &str, priority: u32, grants: &[GrantType], people: People, scopes: ScopeCondition) -> Rule {
    Rule {
        name: name.to_owned(),
        priority,
        active: true,
        grant_types: grants.to_vec(),
        people,
        scopes,
        access_token_lifetime: Duration::from_secs(3600),
        refresh_token_lifetime: None,
        refresh_token_window: Duration::from_secs(7 * 24 * 3600),
    }
}

fn group_people(group: &str) -> People {
    People::Only {
        groups: vec![group.to_owned()],
        users: vec![],
    }
}

fn solar_policy() -> Policy {
    let gold = ["openid", "profile", "email", "offline_access", SILVER, GOLD];
    let silver = ["openid", "profile", "email", "offline_access", SILVER];
    let code = [GrantType::AuthorizationCode];
    Policy {
        name: "Solar system API access".to_owned(),
        priority: 1,
        active: true,
        clients: ClientCondition::All,
        rules: vec![
            rule(
                "gold access",
                1,
                &code,
                group_people("gold subscribers"),
                ScopeCondition::Only(scopes(&gold)),
            ),
            rule(
                "silver access",
                2,
                &code,
                group_people("silver subscribers"),
                ScopeCondition::Only(scopes(&silver)),
            ),
            rule(
                "service access",
                3,
                &[GrantType::ClientCredentials],
                People::Anyone,
                ScopeCondition::Only(scopes(&[SILVER, GOLD])),
            ),
        ],
    }
}

fn default_policy() -> Policy {
    let grants = [
        GrantType::AuthorizationCode,
        GrantType::ClientCredentials,
        GrantType::RefreshToken,
    ];
    Policy {
        name: "Default Policy".to_owned(),
        priority: 2,
        active: false,
        clients: ClientCondition::All,
        rules: vec![rule(
            "Default Policy Rule",
            1,
            &grants,
            People::Anyone,
            ScopeCondition::Any,
        )],
    }
}

/// The `default` authorization server of the demo, Default Policy inactive.
pub(crate) fn server() -> AuthorizationServer {
    AuthorizationServer {
        id: "default".to_owned(),
        name: "default".to_owned(),
        audience: "api://default".to_owned(),
        token_profile: TokenProfile::Okta,
        scopes: vec![scope_def(SILVER), scope_def(GOLD)],
        claims: vec![],
        policies: vec![solar_policy(), default_policy()],
        key_rotation: Duration::from_secs(90 * 24 * 3600),
    }
}

/// The tenant's groups.
pub(crate) fn groups() -> Vec<Group> {
    vec![
        Group {
            id: "00g1silver000000000".to_owned(),
            name: "silver subscribers".to_owned(),
        },
        Group {
            id: "00g1gold00000000000".to_owned(),
            name: "gold subscribers".to_owned(),
        },
    ]
}

fn user(id: &str, login: &str, first: &str, last: &str, groups: &[&str]) -> User {
    User {
        id: id.to_owned(),
        login: login.to_owned(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: login.to_owned(),
        password_hash: String::new(),
        groups: scopes(groups),
    }
}

/// carl, a silver subscriber.
pub(crate) fn carl() -> User {
    user(
        "00ucarl0000000000000",
        "carl.sagan@mailinator.com",
        "Carl",
        "Sagan",
        &["silver subscribers"],
    )
}

/// jodie, a gold subscriber (manual-setup variant: gold only).
pub(crate) fn jodie() -> User {
    user(
        "00ujodie000000000000",
        "jodie.foster@mailinator.com",
        "Jodie",
        "Foster",
        &["gold subscribers"],
    )
}

/// The demo's web app, assigned to both groups.
pub(crate) fn web_client() -> Client {
    Client {
        client_id: "0oaweb".to_owned(),
        client_secret: Some("secret".to_owned()),
        name: "Solar system web".to_owned(),
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        redirect_uris: vec!["http://localhost:8080".to_owned()],
        post_logout_redirect_uris: vec!["http://localhost:8080".to_owned()],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        assignment: Assignment::Only {
            groups: scopes(&["silver subscribers", "gold subscribers"]),
            users: vec![],
        },
        pkce_required: false,
        refresh_rotation: false,
        refresh_grace: Duration::from_secs(30),
    }
}

/// A service app using client credentials.
pub(crate) fn service_client() -> Client {
    Client {
        client_id: "0oaservice".to_owned(),
        name: "Solar system service".to_owned(),
        grant_types: vec![GrantType::ClientCredentials],
        assignment: Assignment::Everyone,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        ..web_client()
    }
}

/// PKCS#8 DER of pre-generated RSA-2048 keys, shared by all tests.
pub(crate) fn key_pool() -> &'static [Vec<u8>] {
    static POOL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    POOL.get_or_init(|| {
        (0..10)
            .map(|_| SigningKey::generate().expect("key generation").1)
            .collect()
    })
}

/// A generator handing out the pool's keys in order (distinct kids), failing when exhausted.
pub(crate) fn pool_generator() -> impl FnMut() -> Result<(SigningKey, Vec<u8>), String> {
    let mut next = 0usize;
    move || {
        let der = key_pool().get(next).ok_or("key pool exhausted")?.clone();
        next += 1;
        Ok((SigningKey::from_pkcs8(&der)?, der))
    }
}
