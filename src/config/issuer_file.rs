//! The raw shapes of the `issuer:` section, with Okta's names (camelCase as in Okta's
//! management API where one exists). `validate::issuer` decides what they mean.
//!
//! May import: std, `serde`, `serde_json`.

use serde::Deserialize;
use serde_json::Value;

/// `issuer:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileIssuer {
    /// `host:port` the issuer binds.
    pub listen: String,
    /// Public origin, e.g. `http://localhost:8100` (default: the bound listener's).
    pub base_url: Option<String>,
    /// SQLite file (relative paths are relative to the configuration file).
    pub store: Option<String>,
    /// Authorization servers.
    #[serde(default)]
    pub authorization_servers: Vec<Value>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<Value>,
    /// Users.
    #[serde(default)]
    pub users: Vec<Value>,
    /// Client apps.
    #[serde(default)]
    pub clients: Vec<Value>,
}

/// One authorization server.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAuthorizationServer {
    /// Id and path segment.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Access-token audience.
    pub audience: String,
    /// `OKTA` (default) or `RFC9068`.
    pub token_profile: Option<String>,
    /// Signing-key rotation period in days (default 90).
    pub key_rotation_days: Option<u32>,
    /// Signing-key rotation period in minutes (tests and demos); overrides days.
    pub key_rotation_minutes: Option<u32>,
    /// Custom scopes.
    #[serde(default)]
    pub scopes: Vec<FileScope>,
    /// Custom claims.
    #[serde(default)]
    pub claims: Vec<FileClaim>,
    /// Access policies.
    #[serde(default)]
    pub policies: Vec<Value>,
}

/// A custom scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileScope {
    /// The scope string.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `ALL_CLIENTS` (default) or `NO_CLIENTS`.
    pub metadata_publish: Option<String>,
    /// Granted when a request names no scope.
    pub default: Option<bool>,
    /// `IMPLICIT` only (consent screens are not offered).
    pub consent: Option<String>,
}

/// A custom claim.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileClaim {
    /// Claim name.
    pub name: String,
    /// `ACCESS` or `ID`.
    pub token: String,
    /// The value: exactly one of `groups`, `attribute`, `literal`.
    pub value: FileClaimValue,
    /// Include only with these scopes.
    pub scopes: Option<Vec<String>>,
}

/// A claim's value source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileClaimValue {
    /// Group names through a filter.
    pub groups: Option<FileGroupFilter>,
    /// A user attribute.
    pub attribute: Option<String>,
    /// A fixed string.
    pub literal: Option<String>,
}

/// Okta's group filter: exactly one field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileGroupFilter {
    /// Name starts with.
    pub starts_with: Option<String>,
    /// Name equals.
    pub equals: Option<String>,
    /// Name contains.
    pub contains: Option<String>,
}

/// An access policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FilePolicy {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// 1 first.
    pub priority: u32,
    /// `ACTIVE` (default) or `INACTIVE`.
    pub status: Option<String>,
    /// `[ALL_CLIENTS]` or client ids.
    pub clients: Vec<String>,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<Value>,
}

/// A policy rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileRule {
    /// Name.
    pub name: String,
    /// 1 first.
    pub priority: u32,
    /// `ACTIVE` (default) or `INACTIVE`.
    pub status: Option<String>,
    /// Grant types.
    pub grant_types: Vec<String>,
    /// People condition (absent: any user assigned the app, or no user).
    pub people: Option<FilePeople>,
    /// Scopes (`["*"]`: any).
    pub scopes: Vec<String>,
    /// 5–1440, default 60.
    pub access_token_lifetime_minutes: Option<u32>,
    /// 0 (unlimited, default) or at least the access-token lifetime.
    pub refresh_token_lifetime_minutes: Option<u32>,
    /// Idle window, 10 minutes – 5 years, default 7 days.
    pub refresh_token_window_minutes: Option<u32>,
}

/// A rule's people condition.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FilePeople {
    /// Group names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// User logins.
    #[serde(default)]
    pub users: Vec<String>,
}

/// A group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileGroup {
    /// Name.
    pub name: String,
    /// Id (default: derived from the name).
    pub id: Option<String>,
}

/// A user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileUser {
    /// Sign-in name.
    pub login: String,
    /// Id (default: derived from the login).
    pub id: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: Option<String>,
    /// Email.
    pub email: String,
    /// Argon2id PHC string from `portcullis hash-password`.
    pub password_hash: String,
    /// Group names.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A client app.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: Option<String>,
    /// Name.
    pub name: String,
    /// `client_secret_basic` (default), `client_secret_post` or `none`.
    pub token_endpoint_auth_method: Option<String>,
    /// Sign-in redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Sign-out redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types.
    pub grant_types: Vec<String>,
    /// Groups assigned the app (absent with no users: everyone).
    pub assigned_groups: Option<Vec<String>>,
    /// Users assigned the app.
    pub assigned_users: Option<Vec<String>>,
    /// Require PKCE from this confidential client too.
    pub pkce_required: Option<bool>,
    /// `ROTATE` or `STATIC` (default: `ROTATE` for public clients, `STATIC` otherwise, as Okta).
    pub refresh_token_rotation: Option<String>,
    /// Grace period for a rotated refresh token, 0–60 s (default 30).
    pub refresh_token_grace_seconds: Option<u32>,
}
