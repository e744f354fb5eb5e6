//! PKCE (RFC 7636) with the S256 method only (security cases A-01…A-04): the shape of
//! `code_challenge` and `code_verifier`, and the constant-time S256 check.
//!
//! Invariants: `plain` does not exist here; a malformed verifier or challenge never verifies.
//!
//! May import: std, aws-lc-rs, base64 (through `super::secrets`).

use super::secrets::{b64url, constant_time_eq, sha256};

/// Length of an S256 challenge: base64url of 32 bytes without padding.
const CHALLENGE_LEN: usize = 43;
/// Bounds on the verifier's length (RFC 7636 §4.1).
const VERIFIER_MIN: usize = 43;
const VERIFIER_MAX: usize = 128;

/// The only supported `code_challenge_method`.
pub const METHOD_S256: &str = "S256";

/// Whether `s` is 43 base64url characters (an S256 `code_challenge`).
pub fn valid_challenge(s: &str) -> bool {
    s.len() == CHALLENGE_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `s` is 43–128 characters of the unreserved set `[A-Za-z0-9-._~]`.
pub fn valid_verifier(s: &str) -> bool {
    (VERIFIER_MIN..=VERIFIER_MAX).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))).
pub fn s256_challenge(verifier: &str) -> String {
    b64url(&sha256(verifier.as_bytes()))
}

/// Whether `verifier` is well-formed and its S256 challenge equals `challenge` (constant-time).
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    valid_verifier(verifier)
        && valid_challenge(challenge)
        && constant_time_eq(s256_challenge(verifier).as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
#[path = "pkce_tests.rs"]
mod tests;
