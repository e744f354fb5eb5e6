//! The vocabulary of the embedded authorization server, named as Okta names it: authorization
//! servers with scopes, claims and access policies of rules; groups, users and client apps.
//!
//! Values of these types are validated (see `config::validate::issuer`): names are unique,
//! references resolve, lifetimes are in Okta's ranges.
//!
//! May import: std only.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The `issuer:` section: one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// Address the issuer's listener binds.
    pub listen: SocketAddr,
    /// Public origin of the tenant (`http://localhost:8100`); an authorization server's issuer
    /// is `{baseUrl}/oauth2/{id}`. Never derived from `Host`; when absent, the origin of the
    /// bound listener (`http://127.0.0.1:<port>`).
    pub base_url: Option<String>,
    /// SQLite file holding keys, codes, refresh tokens and sessions.
    pub store: PathBuf,
    /// The authorization servers (Okta "custom authorization servers").
    pub authorization_servers: Vec<AuthorizationServer>,
    /// Groups users belong to.
    pub groups: Vec<Group>,
    /// People who can sign in.
    pub users: Vec<User>,
    /// Client applications.
    pub clients: Vec<Client>,
}

impl Issuer {
    /// A client by id.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// A user by login (case-insensitive, as Okta).
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users.iter().find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
}

/// An Okta custom authorization server.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationServer {
    /// Path segment and id (`default`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The `aud` of its access tokens (Okta allows one).
    pub audience: String,
    /// Access-token shape.
    pub token_profile: TokenProfile,
    /// Custom scopes (the OIDC scopes always exist).
    pub scopes: Vec<ScopeDef>,
    /// Custom claims.
    pub claims: Vec<ClaimDef>,
    /// Access policies, evaluated by priority.
    pub policies: Vec<Policy>,
    /// How often the signing key rotates (Okta: about 90 days).
    pub key_rotation: Duration,
}

/// The OIDC scopes every authorization server has.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "offline_access"];

impl AuthorizationServer {
    /// Whether `name` is a scope of this server (OIDC or custom).
    pub fn has_scope(&self, name: &str) -> bool {
        OIDC_SCOPES.contains(&name) || self.scopes.iter().any(|s| s.name == name)
    }

    /// Scopes granted when a request names none.
    pub fn default_scopes(&self) -> Vec<String> {
        self.scopes
            .iter()
            .filter(|s| s.default)
            .map(|s| s.name.clone())
            .collect()
    }
}

/// The shape of access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenProfile {
    /// Okta's: no `typ`, `ver`, `cid`, `uid`, `scp` array, `sub` = login.
    #[default]
    Okta,
    /// RFC 9068: `typ: at+jwt`, `client_id`, `scope` string.
    Rfc9068,
}

/// A custom scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeDef {
    /// The scope string.
    pub name: String,
    /// Description shown in metadata and consent.
    pub description: String,
    /// Listed in discovery `scopes_supported`.
    pub metadata_publish: bool,
    /// Granted when a request names no scope.
    pub default: bool,
}

/// A custom claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDef {
    /// Claim name.
    pub name: String,
    /// Access token or ID token.
    pub token: ClaimToken,
    /// What it holds.
    pub value: ClaimValue,
    /// Included only when one of these scopes is granted (`None`: always).
    pub scopes: Option<Vec<String>>,
}

/// Which token a claim goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimToken {
    /// The access token (Okta `RESOURCE`).
    Access,
    /// The ID token (Okta `IDENTITY`).
    Id,
}

/// A claim's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimValue {
    /// The names of the user's groups that pass the filter.
    Groups(GroupFilter),
    /// A user attribute: `login`, `email`, `firstName`, `lastName`, `displayName`, `id`.
    UserAttribute(String),
    /// A fixed string.
    Literal(String),
}

/// Okta's group filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// Name starts with (empty: every group).
    StartsWith(String),
    /// Name equals.
    Equals(String),
    /// Name contains.
    Contains(String),
}

/// An access policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Name.
    pub name: String,
    /// 1 is evaluated first.
    pub priority: u32,
    /// INACTIVE policies are skipped.
    pub active: bool,
    /// Which clients it applies to.
    pub clients: ClientCondition,
    /// Rules, evaluated by priority.
    pub rules: Vec<Rule>,
}

/// A policy's client condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCondition {
    /// `ALL_CLIENTS`.
    All,
    /// These client ids.
    Only(Vec<String>),
}

/// A rule of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// 1 is evaluated first.
    pub priority: u32,
    /// INACTIVE rules are skipped.
    pub active: bool,
    /// Grant types it allows.
    pub grant_types: Vec<GrantType>,
    /// Who it applies to.
    pub people: People,
    /// Scopes it allows (every requested scope must be allowed).
    pub scopes: ScopeCondition,
    /// Access-token lifetime (5 min – 24 h; default 1 h).
    pub access_token_lifetime: Duration,
    /// Absolute refresh-token lifetime (`None`: unlimited).
    pub refresh_token_lifetime: Option<Duration>,
    /// Refresh-token idle window (default 7 days).
    pub refresh_token_window: Duration,
}

/// A rule's people condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum People {
    /// Any user assigned the app, and requests with no user (client credentials).
    Anyone,
    /// Users in one of these groups (by name) or these users (by login); never "no user".
    Only {
        /// Group names.
        groups: Vec<String>,
        /// User logins.
        users: Vec<String>,
    },
}

/// A rule's scope condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeCondition {
    /// `*`: any scope.
    Any,
    /// These scopes.
    Only(Vec<String>),
}

/// OAuth grant types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// `authorization_code`.
    AuthorizationCode,
    /// `client_credentials`.
    ClientCredentials,
    /// `refresh_token`.
    RefreshToken,
}

impl GrantType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "authorization_code" => Some(Self::AuthorizationCode),
            "client_credentials" => Some(Self::ClientCredentials),
            "refresh_token" => Some(Self::RefreshToken),
            _ => None,
        }
    }
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Okta-style id (`00g…`), stable across restarts.
    pub id: String,
    /// Name (unique).
    pub name: String,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Okta-style id (`00u…`), stable across restarts: the ID-token and userinfo `sub`.
    pub id: String,
    /// Sign-in name (an email address in the demo): the access-token `sub`.
    pub login: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Argon2id hash in PHC string format.
    pub password_hash: String,
    /// Group names.
    pub groups: Vec<String>,
}

impl User {
    /// `name` claim.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_owned()
    }
}

/// A client application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (confidential clients).
    pub client_secret: Option<String>,
    /// Display name.
    pub name: String,
    /// How it authenticates at the token endpoint.
    pub token_endpoint_auth_method: AuthMethod,
    /// Registered sign-in redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Registered sign-out redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types the app may use.
    pub grant_types: Vec<GrantType>,
    /// Who is assigned the app.
    pub assignment: Assignment,
    /// PKCE required even though confidential.
    pub pkce_required: bool,
    /// Refresh tokens rotate on use (else the same token is returned).
    pub refresh_rotation: bool,
    /// Grace period for reusing a rotated refresh token (D13: 0–60 s, default 30).
    pub refresh_grace: Duration,
}

impl Client {
    /// Whether the client has no secret (PKCE mandatory).
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == AuthMethod::None
    }

    /// Whether the app allows a grant type.
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }
}

/// `token_endpoint_auth_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic with the form-encoded id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost,
    /// Public client: `client_id` in the body, PKCE.
    None,
}

impl AuthMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
        }
    }
}

/// Who may use an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// Every user.
    Everyone,
    /// Members of these groups (names) and these users (logins).
    Only {
        /// Group names.
        groups: Vec<String>,
        /// User logins.
        users: Vec<String>,
    },
}

impl Assignment {
    /// Whether `user` is assigned the app.
    pub fn includes(&self, user: &User) -> bool {
        match self {
            Self::Everyone => true,
            Self::Only { groups, users } => {
                users.iter().any(|u| u.eq_ignore_ascii_case(&user.login))
                    || user.groups.iter().any(|g| groups.contains(g))
            }
        }
    }
}
