//! Okta's access-policy evaluation (okta-issuer.md §3): which rule of which policy lets a client
//! (and user) obtain which scopes with which grant.
//!
//! Order of checks: unknown scope (`invalid_scope`), no scope and no default scopes
//! (`invalid_scope`), user not assigned the app (`access_denied`), then policies by ascending
//! priority (inactive ones and those excluding the client skipped), rules by ascending priority
//! (inactive skipped); the first matching rule wins; a policy without a match falls through to
//! the next; nothing → `access_denied` "Policy evaluation failed…".
//!
//! Invariants: a grant carries exactly the requested scopes (deduplicated, in order of first
//! appearance), never more; OIDC scopes must be listed by a rule like any other scope.
//!
//! May import: std, `crate::model::issuer`.

use std::fmt;

use crate::model::issuer::{AuthorizationServer, Client, ClientCondition, GrantType, People, Policy, Rule};
use crate::model::issuer::{ScopeCondition, User};

/// What is being asked for.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRequest<'a> {
    /// The requesting client.
    pub client: &'a Client,
    /// The signed-in user (`None` for client credentials).
    pub user: Option<&'a User>,
    /// The grant type being used.
    pub grant: GrantType,
    /// Requested scopes (empty: the server's default scopes).
    pub scopes: &'a [String],
}

/// The outcome of a successful evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant<'a> {
    /// The policy that matched.
    pub policy: &'a Policy,
    /// The rule that matched: its lifetimes apply.
    pub rule: &'a Rule,
    /// Exactly the requested (or default) scopes.
    pub scopes: Vec<String>,
}

/// Why no grant was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyError {
    /// No rule of any active policy matched.
    NoMatch,
    /// No scope was requested and the server has no default scopes.
    NoDefaultScopes,
    /// A requested scope is not defined on the server.
    UnknownScope,
    /// The user is not assigned the client application.
    NotAssigned,
}

impl PolicyError {
    /// The OAuth `error` code.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::NoMatch | Self::NotAssigned => "access_denied",
            Self::NoDefaultScopes | Self::UnknownScope => "invalid_scope",
        }
    }

    /// Okta's `error_description`.
    pub fn description(&self) -> &'static str {
        match self {
            Self::NoMatch => "Policy evaluation failed for this request, please check the policy configurations.",
            Self::NoDefaultScopes => {
                concat!(
                    "The authorization server resource does not have any configured default scopes, ",
                    "'scope' must be provided."
                )
            }
            Self::UnknownScope => "One or more scopes are not configured for the authorization server resource.",
            Self::NotAssigned => "User is not assigned to the client application.",
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_code(), self.description())
    }
}

impl std::error::Error for PolicyError {}

/// Evaluates the server's access policies for `req`.
pub fn evaluate<'a>(server: &'a AuthorizationServer, req: &PolicyRequest<'_>) -> Result<Grant<'a>, PolicyError> {
    let scopes = requested_scopes(server, req.scopes)?;
    if let Some(user) = req.user
        && !req.client.assignment.includes(user)
    {
        return Err(PolicyError::NotAssigned);
    }
    by_priority(&server.policies, |p| p.priority)
        .into_iter()
        .filter(|p| p.active && applies_to(&p.clients, &req.client.client_id))
        .find_map(|policy| {
            let rule = by_priority(&policy.rules, |r| r.priority)
                .into_iter()
                .find(|r| r.active && rule_matches(r, req, &scopes))?;
            Some(Grant {
                policy,
                rule,
                scopes: scopes.clone(),
            })
        })
        .ok_or(PolicyError::NoMatch)
}

/// The scopes to evaluate: the requested ones deduplicated (empty strings ignored), all known
/// to the server; or, when none was requested, the server's default scopes.
fn requested_scopes(server: &AuthorizationServer, requested: &[String]) -> Result<Vec<String>, PolicyError> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested.iter().filter(|s| !s.is_empty()) {
        if !server.has_scope(scope) {
            return Err(PolicyError::UnknownScope);
        }
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    if scopes.is_empty() {
        scopes = server.default_scopes();
    }
    if scopes.is_empty() {
        return Err(PolicyError::NoDefaultScopes);
    }
    Ok(scopes)
}

/// Items sorted by ascending priority; equal priorities keep their configured order.
fn by_priority<T>(items: &[T], priority: impl Fn(&T) -> u32) -> Vec<&T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by_key(|item| priority(item));
    sorted
}

/// Whether a policy's client condition includes the client.
fn applies_to(condition: &ClientCondition, client_id: &str) -> bool {
    match condition {
        ClientCondition::All => true,
        ClientCondition::Only(ids) => ids.iter().any(|id| id == client_id),
    }
}

/// Whether a rule allows the grant type, the user (or no user) and every scope.
fn rule_matches(rule: &Rule, req: &PolicyRequest<'_>, scopes: &[String]) -> bool {
    rule.grant_types.contains(&req.grant)
        && people_match(&rule.people, req.user)
        && scopes_allowed(&rule.scopes, scopes)
}

/// Whether the people condition holds: `Anyone` also matches no user; `Only` needs a user in
/// one of the groups or listed by login (case-insensitive, as Okta logins).
fn people_match(people: &People, user: Option<&User>) -> bool {
    match (people, user) {
        (People::Anyone, _) => true,
        (People::Only { .. }, None) => false,
        (People::Only { groups, users }, Some(user)) => {
            user.groups.iter().any(|g| groups.contains(g)) || users.iter().any(|u| u.eq_ignore_ascii_case(&user.login))
        }
    }
}

/// Whether every scope is allowed by the rule's scope condition.
fn scopes_allowed(condition: &ScopeCondition, scopes: &[String]) -> bool {
    match condition {
        ScopeCondition::Any => true,
        ScopeCondition::Only(allowed) => scopes.iter().all(|s| allowed.contains(s)),
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
