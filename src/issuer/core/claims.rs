//! Custom claims defined on an authorization server (Okta "Claims" tab): which ones apply to a
//! token, and their values for a user.
//!
//! Invariants: a claim applies when it targets the token and either names no scope or one of
//! its scopes was granted; user-derived claims (groups, attributes) are omitted without a user;
//! custom claims never replace a claim already set (standard claims win).
//!
//! May import: std, serde_json, `crate::model::issuer`.

use serde_json::{Map, Value};

use crate::model::issuer::{AuthorizationServer, ClaimDef, ClaimToken, ClaimValue, Group, GroupFilter, User};

/// Adds the server's custom claims for `token` to `claims`, skipping names already present.
pub(super) fn add_custom_claims(
    claims: &mut Map<String, Value>,
    server: &AuthorizationServer,
    token: ClaimToken,
    user: Option<&User>,
    groups: &[Group],
    scopes: &[String],
) {
    for def in server.claims.iter().filter(|d| d.token == token && applies(d, scopes)) {
        if claims.contains_key(&def.name) {
            continue;
        }
        if let Some(value) = claim_value(&def.value, user, groups) {
            claims.insert(def.name.clone(), value);
        }
    }
}

/// Whether a claim is included for the granted scopes.
fn applies(def: &ClaimDef, granted: &[String]) -> bool {
    match &def.scopes {
        None => true,
        Some(scopes) => scopes.iter().any(|s| granted.contains(s)),
    }
}

/// The value of a claim, `None` when it cannot be computed (no user, unknown attribute).
fn claim_value(value: &ClaimValue, user: Option<&User>, groups: &[Group]) -> Option<Value> {
    match value {
        ClaimValue::Literal(text) => Some(Value::String(text.clone())),
        ClaimValue::Groups(filter) => user.map(|u| Value::from(group_names(filter, u, groups))),
        ClaimValue::UserAttribute(name) => user.and_then(|u| user_attribute(u, name)).map(Value::String),
    }
}

/// Names of the tenant's groups (in tenant order) the user belongs to that pass `filter`.
pub(super) fn group_names(filter: &GroupFilter, user: &User, groups: &[Group]) -> Vec<String> {
    groups
        .iter()
        .filter(|g| user.groups.contains(&g.name) && passes(filter, &g.name))
        .map(|g| g.name.clone())
        .collect()
}

/// Whether a group name passes an Okta group filter.
fn passes(filter: &GroupFilter, name: &str) -> bool {
    match filter {
        GroupFilter::StartsWith(prefix) => name.starts_with(prefix.as_str()),
        GroupFilter::Equals(other) => name == other,
        GroupFilter::Contains(part) => name.contains(part.as_str()),
    }
}

/// A user attribute by its Okta profile name.
fn user_attribute(user: &User, name: &str) -> Option<String> {
    match name {
        "login" => Some(user.login.clone()),
        "email" => Some(user.email.clone()),
        "firstName" => Some(user.first_name.clone()),
        "lastName" => Some(user.last_name.clone()),
        "displayName" => Some(user.display_name()),
        "id" => Some(user.id.clone()),
        _ => None,
    }
}
