//! The authorizer configuration a token is judged against: signing
//! algorithms, issuer, audiences, clock leeway and required token type.
//!
//! Invariants: algorithm names match case-sensitively and only the nine
//! asymmetric JWA algorithms exist here (no `none`, no HS*); leeway is
//! clamped to [`MAX_LEEWAY_SECS`] when used.
//!
//! Allowed imports: std only.

use std::fmt;
use std::str::FromStr;

/// An asymmetric JWS algorithm (RFC 7518 / RFC 8037 name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (salt length 32).
    PS256,
    /// RSASSA-PSS with SHA-384 (salt length 48).
    PS384,
    /// RSASSA-PSS with SHA-512 (salt length 64).
    PS512,
    /// ECDSA on P-256 with SHA-256, fixed-width R‖S signature.
    ES256,
    /// ECDSA on P-384 with SHA-384, fixed-width R‖S signature.
    ES384,
    /// Ed25519 (RFC 8037).
    EdDSA,
}

impl Alg {
    /// Every supported algorithm.
    pub const ALL: [Alg; 9] = [
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
        Alg::ES256,
        Alg::ES384,
        Alg::EdDSA,
    ];

    /// The algorithms an RSA key can verify.
    pub const RSA: [Alg; 6] = [Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512];

    /// The JWA name, e.g. `RS256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name given to [`Alg::from_str`] is not a supported algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAlg;

impl fmt::Display for UnknownAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unsupported signing algorithm")
    }
}

impl std::error::Error for UnknownAlg {}

impl FromStr for Alg {
    type Err = UnknownAlg;

    /// Exact, case-sensitive match on the JWA name.
    fn from_str(s: &str) -> Result<Self, UnknownAlg> {
        Alg::ALL.into_iter().find(|a| a.name() == s).ok_or(UnknownAlg)
    }
}

/// Largest accepted clock leeway, in seconds.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// What a valid token must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The exact `iss` value required.
    pub issuer: String,
    /// Accepted audiences (`aud`, or `client_id` when `aud` is absent).
    pub audiences: Vec<String>,
    /// Allowed signing algorithms (default RS256, RS384, RS512).
    pub algorithms: Vec<Alg>,
    /// Clock leeway in seconds, 0–300 (default 0; larger values are clamped).
    pub leeway_secs: u64,
    /// Required `typ` header (e.g. `at+jwt`), if any.
    pub required_typ: Option<String>,
}

impl Rules {
    /// Rules with the defaults: RS256/384/512, no leeway, any `typ`.
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audiences,
            algorithms: vec![Alg::RS256, Alg::RS384, Alg::RS512],
            leeway_secs: 0,
            required_typ: None,
        }
    }

    /// The leeway actually applied: `leeway_secs` clamped to 300.
    pub fn leeway(&self) -> f64 {
        self.leeway_secs.min(MAX_LEEWAY_SECS) as f64
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
