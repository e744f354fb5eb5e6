//! Secrets and identifiers: Argon2id password hashes, constant-time comparison, random tokens,
//! the hashes under which the store keeps codes and refresh tokens, and stable Okta-looking ids.
//!
//! Invariants: nothing here panics on hostile input; comparisons of secrets are constant-time;
//! random bytes come only from `aws_lc_rs::rand` and only in `hash_password` and `random_token`.
//!
//! May import: std, aws-lc-rs, base64, argon2.

use argon2::password_hash::SaltString;
use argon2::{Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use aws_lc_rs::{constant_time, digest, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Upper bounds on the cost parameters a stored hash may ask for (memory in KiB, passes, lanes):
/// verifying a hash with absurd parameters would let one bad hash exhaust the host.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 16;

/// Characters of Okta-style ids after the three-character prefix.
const ID_ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Okta ids are 20 characters: a 3-character prefix and 17 base62 characters.
const ID_BODY_LEN: usize = 17;

/// Unpadded base64url (RFC 4648 §5), the encoding of every JOSE member and token here.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}

/// Hashes a password with Argon2id (default parameters, 16-byte random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt).map_err(|_| "the system random source failed".to_owned())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the Argon2id PHC string `phc`. False for malformed hashes, other
/// algorithms and unreasonable cost parameters.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" || !reasonable_params(&parsed) {
        return false;
    }
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Whether the cost parameters of a parsed hash are within the bounds above.
fn reasonable_params(hash: &PasswordHash<'_>) -> bool {
    match Params::try_from(hash) {
        Ok(p) => p.m_cost() <= MAX_M_COST_KIB && p.t_cost() <= MAX_T_COST && p.p_cost() <= MAX_P_COST,
        Err(_) => false,
    }
}

/// Constant-time equality of two byte strings (the length is not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// `bytes` random bytes from the system source, base64url-encoded: codes, refresh tokens, `jti`s.
pub fn random_token(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf).map_err(|_| "the system random source failed".to_owned())?;
    Ok(b64url(&buf))
}

/// The form under which a code or refresh token is stored: base64url(SHA-256(token)).
pub fn token_hash(token: &str) -> String {
    b64url(&sha256(token.as_bytes()))
}

/// An Okta-looking id (`prefix` + 17 base62 characters, e.g. `00u…`) derived from `seed`, so ids
/// of users, groups and orgs survive restarts without being configured. The prefix is part of
/// the hashed input: the same seed yields unrelated ids under different prefixes.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    let digest = sha256(format!("{prefix}\u{0}{seed}").as_bytes());
    let body = digest
        .iter()
        .take(ID_BODY_LEN)
        .map(|b| char::from(ID_ALPHABET[usize::from(*b) % ID_ALPHABET.len()]));
    prefix.chars().chain(body).collect()
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
