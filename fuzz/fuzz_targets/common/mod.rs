//! Fixtures shared by the JWT fuzz targets: the trusted key set, the rules a
//! token is judged against and the fixed "now".
//!
//! The signing keys come from `testkit/jwt.rs` (the same file the unit and
//! integration tests use) and are generated once per fuzzing process, so no
//! token stored in a corpus or seed can ever carry a valid signature: only
//! tokens minted inside the process by [`testkit`] can.
#![allow(dead_code)]

use std::sync::OnceLock;

use portcullis::auth::{self, Alg, KeySet, Rules};

#[path = "../../../testkit/jwt.rs"]
pub mod testkit;

/// The configured issuer.
pub const ISSUER: &str = "https://idp.example.com/";
/// The configured audiences.
pub const AUDIENCES: [&str; 2] = ["api://default", "client-1"];
/// The fixed clock of every target (2023-11-14T22:13:20Z).
pub const NOW: i64 = 1_700_000_000;
/// Clock leeway of [`rules`].
pub const LEEWAY: i64 = 0;

/// The kid of the IdP's main RSA key (the attacker key claims it too).
pub const KID_RSA: &str = "rsa";
/// The kid of the IdP's P-256 key.
pub const KID_P256: &str = "ec256";
/// The kid of the IdP's P-384 key.
pub const KID_P384: &str = "ec384";
/// The kid of the IdP's Ed25519 key.
pub const KID_ED25519: &str = "ed";

/// The trusted key set: every IdP key of the testkit, the second RSA key
/// sharing the main key's kid. The attacker key is never in it.
pub fn keyset() -> &'static KeySet {
    static SET: OnceLock<KeySet> = OnceLock::new();
    SET.get_or_init(|| {
        let k = testkit::keys();
        let doc = testkit::jwks(&[
            k.rsa.public_jwk(KID_RSA),
            k.rsa2.public_jwk(KID_RSA),
            k.p256.public_jwk(KID_P256),
            k.p384.public_jwk(KID_P384),
            k.ed25519.public_jwk(KID_ED25519),
        ]);
        match KeySet::from_jwks(&doc) {
            Ok((set, warnings)) if warnings.is_empty() && set.len() == 5 => set,
            other => panic!("fixture JWKS rejected: {other:?}"),
        }
    })
}

/// The rules: every algorithm allowed, so every verifier is reachable.
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules = Rules::new(ISSUER, AUDIENCES.iter().map(|a| (*a).to_owned()).collect());
        rules.algorithms = Alg::ALL.to_vec();
        rules.leeway_secs = LEEWAY as u64;
        rules
    })
}

/// Asserts the invariants of a refusal that hold for every input: the
/// challenge header is always the real one (never the `Bearer` fallback
/// for anything but a missing token) and the log text is printable ASCII.
pub fn check_refusal(err: &auth::AuthError, route_scopes: &[String]) {
    for style in [auth::ChallengeStyle::Aws, auth::ChallengeStyle::Rfc6750] {
        let value = auth::www_authenticate(err, route_scopes, style);
        let text = value
            .to_str()
            .unwrap_or_else(|_| panic!("challenge is not ASCII: {value:?}"));
        if err.kind != auth::ErrorKind::Missing {
            assert!(
                text.starts_with("Bearer scope=\""),
                "fallback challenge for {err:?}: {text}"
            );
        }
    }
    assert!(
        err.detail.len() <= 512 && err.detail.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "log detail not escaped/bounded: {:?}",
        err.detail
    );
}
