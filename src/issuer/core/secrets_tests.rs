//! Tests of password hashing, constant-time comparison, random tokens, token hashes and ids.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};

use super::*;

#[test]
fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
    let phc = hash_password("correct horse").unwrap();
    assert!(phc.starts_with("$argon2id$v=19$"));
    assert!(verify_password("correct horse", &phc));
    assert!(!verify_password("correct horsE", &phc));
}

#[test]
fn the_same_password_hashes_differently_each_time() {
    assert_ne!(hash_password("pw").unwrap(), hash_password("pw").unwrap());
}

#[test]
fn a_malformed_hash_never_verifies() {
    for phc in [
        "",
        "plain",
        "$argon2id$",
        "$argon2id$v=19$m=19456,t=2,p=1$!!$??",
        "$pbkdf2-sha256$i=1$c2FsdA$aGFzaA",
    ] {
        assert!(!verify_password("pw", phc), "{phc}");
    }
}

#[test]
fn an_argon2i_hash_is_refused() {
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    let hasher = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default());
    let phc = hasher.hash_password(b"pw", &salt).unwrap().to_string();
    assert!(!verify_password("pw", &phc));
}

#[test]
fn a_hash_asking_for_absurd_memory_is_refused_without_trying() {
    let phc = "$argon2id$v=19$m=4194304,t=3,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert!(!verify_password("pw", phc));
}

#[test]
fn constant_time_eq_compares_content_and_length() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"abcd"));
    assert!(constant_time_eq(b"", b""));
}

#[test]
fn a_random_token_of_32_bytes_is_43_url_safe_characters_and_fresh_each_time() {
    let a = random_token(32).unwrap();
    assert_eq!(a.len(), 43);
    assert!(a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_ne!(a, random_token(32).unwrap());
}

#[test]
fn the_token_hash_is_base64url_sha256() {
    assert_eq!(token_hash("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

#[test]
fn a_stable_id_looks_like_an_okta_id_and_depends_only_on_prefix_and_seed() {
    let id = stable_id("00u", "carl.sagan@mailinator.com");
    assert_eq!(id.len(), 20);
    assert!(id.starts_with("00u"));
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(id, stable_id("00u", "carl.sagan@mailinator.com"));
    assert_ne!(id, stable_id("00u", "jodie.foster@mailinator.com"));
    assert_ne!(id[3..], stable_id("00g", "carl.sagan@mailinator.com")[3..]);
}
