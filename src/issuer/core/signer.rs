//! RSA signing keys of the authorization server: RS256 compact JWS, the public JWK and the
//! RFC 7638 thumbprint that serves as `kid` (43 base64url characters, like Okta's kids).
//!
//! Invariants: a `SigningKey` never exposes private members (its JWK holds `kty alg use kid n e`
//! only, its `Debug` shows the kid only); the header of every JWS carries `kid` and `alg: RS256`,
//! which extras cannot override.
//!
//! May import: std, aws-lc-rs, base64, serde_json.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::secrets::{b64url, sha256};

/// The only signing algorithm.
pub const ALG: &str = "RS256";

/// An RSA key pair that signs tokens.
pub struct SigningKey {
    pair: KeyPair,
    kid: String,
    n: String,
    e: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parses an unencrypted PKCS#8 DER RSA private key.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let pair = KeyPair::from_pkcs8(der).map_err(|e| format!("invalid RSA PKCS#8 key: {e}"))?;
        Ok(Self::from_pair(pair))
    }

    /// Generates a fresh RSA-2048 key; returns it with its PKCS#8 DER for the store.
    pub fn generate() -> Result<(Self, Vec<u8>), String> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| "RSA key generation failed".to_owned())?;
        let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| "PKCS#8 encoding failed".to_owned())?;
        let der = der.as_ref().to_vec();
        Ok((Self::from_pair(pair), der))
    }

    fn from_pair(pair: KeyPair) -> Self {
        let public = pair.public_key();
        let n = b64url(public.modulus().big_endian_without_leading_zero());
        let e = b64url(public.exponent().big_endian_without_leading_zero());
        let kid = jwk_thumbprint(&n, &e);
        Self { pair, kid, n, e }
    }

    /// The key id: the RFC 7638 SHA-256 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK as published in `/v1/keys`: `kty alg use kid n e`, nothing else.
    pub fn public_jwk(&self) -> Value {
        json!({"kty": "RSA", "alg": ALG, "use": "sig", "kid": self.kid, "n": self.n, "e": self.e})
    }

    /// Signs `claims` as a compact JWS: header `{"kid":…,"alg":"RS256"}` plus `header_extra`
    /// (e.g. `typ`); `kid` and `alg` in the extras are ignored.
    pub fn sign_jwt(&self, header_extra: &Map<String, Value>, claims: &Value) -> Result<String, String> {
        let mut header = header_extra.clone();
        header.insert("kid".to_owned(), Value::String(self.kid.clone()));
        header.insert("alg".to_owned(), Value::String(ALG.to_owned()));
        let header = serde_json::to_vec(&Value::Object(header)).map_err(|e| e.to_string())?;
        let claims = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
        let signing_input = format!("{}.{}", b64url(&header), b64url(&claims));
        let signature = self.sign(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", b64url(&signature)))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .map_err(|_| "RSA signing failed".to_owned())?;
        Ok(signature)
    }

    /// Verifies a compact JWS signed by this key (`alg` RS256, this `kid`) and returns its
    /// claims. No time or audience checks: callers such as introspection and logout do those.
    pub fn verify_jwt(&self, jwt: &str) -> Result<Value, String> {
        let mut parts = jwt.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err("not a compact JWS".to_owned());
        };
        let header: Value = decode_json(h)?;
        if header.get("alg").and_then(Value::as_str) != Some(ALG)
            || header.get("kid").and_then(Value::as_str) != Some(self.kid.as_str())
        {
            return Err("unexpected alg or kid".to_owned());
        }
        let signature = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "bad signature encoding".to_owned())?;
        let public = PublicKeyComponents {
            n: self.modulus()?,
            e: self.exponent()?,
        };
        public
            .verify(&RSA_PKCS1_2048_8192_SHA256, format!("{h}.{c}").as_bytes(), &signature)
            .map_err(|_| "bad signature".to_owned())?;
        decode_json(c)
    }

    fn modulus(&self) -> Result<Vec<u8>, String> {
        URL_SAFE_NO_PAD.decode(&self.n).map_err(|e| e.to_string())
    }

    fn exponent(&self) -> Result<Vec<u8>, String> {
        URL_SAFE_NO_PAD.decode(&self.e).map_err(|e| e.to_string())
    }
}

/// The RFC 7638 SHA-256 thumbprint of an RSA public key given as base64url `n` and `e`.
pub fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    b64url(&sha256(canonical.as_bytes()))
}

/// Decodes one base64url JSON segment of a compact JWS.
fn decode_json(segment: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| "bad base64url segment".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|_| "bad JSON segment".to_owned())
}

#[cfg(test)]
#[path = "signer_tests.rs"]
mod tests;
