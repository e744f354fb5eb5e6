//! JWT test fixtures shared by the unit tests of `src/auth` and the
//! integration tests.
//!
//! Purpose: generate real signing keys (RSA-2048, P-256, P-384, Ed25519),
//! expose their public JWKs as `serde_json::Value`, and mint compact JWS from
//! ARBITRARY header and payload bytes (not only valid JSON), with any of the
//! algorithms RS256/384/512, PS256/384/512, ES256/384 and EdDSA, or with a
//! raw / garbage signature supplied by the test.
//!
//! Invariants: keys are generated once per process and cached ([`keys`]);
//! nothing here talks to the network or reads the clock.
//!
//! Allowed imports: std, aws-lc-rs, base64, serde_json. Nothing from the crate
//! under test, so that the same file can be included with `#[path]` by unit
//! tests and by integration tests alike.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::OnceLock;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// A private key able to sign JWS, with its public half.
pub enum SigningKey {
    /// An RSA key pair (2048 bits).
    Rsa(RsaKeyPair),
    /// A P-256 key, kept as PKCS#8 so it can sign in fixed and DER forms.
    P256(Vec<u8>),
    /// A P-384 key, kept as PKCS#8.
    P384(Vec<u8>),
    /// An Ed25519 key pair.
    Ed25519(Ed25519KeyPair),
}

/// The cached keys every test uses.
pub struct Keys {
    /// The IdP's main RSA key.
    pub rsa: SigningKey,
    /// A second RSA key of the IdP (e.g. sharing a kid with `rsa`).
    pub rsa2: SigningKey,
    /// An attacker's RSA key, never published in the trusted JWKS.
    pub attacker: SigningKey,
    /// The IdP's P-256 key.
    pub p256: SigningKey,
    /// The IdP's P-384 key.
    pub p384: SigningKey,
    /// The IdP's Ed25519 key.
    pub ed25519: SigningKey,
}

/// The process-wide keys, generated on first use.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        rsa: SigningKey::rsa2048(),
        rsa2: SigningKey::rsa2048(),
        attacker: SigningKey::rsa2048(),
        p256: SigningKey::p256(),
        p384: SigningKey::p384(),
        ed25519: SigningKey::ed25519(),
    })
}

impl SigningKey {
    /// Generates a fresh RSA-2048 key.
    pub fn rsa2048() -> Self {
        Self::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).expect("rsa keygen"))
    }

    /// Generates a fresh P-256 key.
    pub fn p256() -> Self {
        Self::P256(ec_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING))
    }

    /// Generates a fresh P-384 key.
    pub fn p384() -> Self {
        Self::P384(ec_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING))
    }

    /// Generates a fresh Ed25519 key.
    pub fn ed25519() -> Self {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("ed25519 keygen");
        Self::Ed25519(Ed25519KeyPair::from_pkcs8(doc.as_ref()).expect("ed25519 parse"))
    }

    /// The public JWK (no `alg`, `use` or `key_ops`), with the given kid.
    pub fn public_jwk(&self, kid: &str) -> Value {
        match self {
            Self::Rsa(pair) => {
                let (n, e) = rsa_components(pair);
                json!({"kty": "RSA", "kid": kid, "n": b64(&n), "e": b64(&e)})
            }
            Self::P256(_) | Self::P384(_) => {
                let point = self.ec_pair(false).public_key().as_ref().to_vec();
                let half = (point.len() - 1) / 2;
                let crv = if half == 32 { "P-256" } else { "P-384" };
                let (x, y) = (&point[1..=half], &point[half + 1..]);
                json!({"kty": "EC", "kid": kid, "crv": crv, "x": b64(x), "y": b64(y)})
            }
            Self::Ed25519(pair) => {
                let x = pair.public_key().as_ref();
                json!({"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(x)})
            }
        }
    }

    /// The public JWK with extra members merged in (e.g. `alg`, `use`).
    pub fn public_jwk_with(&self, kid: &str, extra: Value) -> Value {
        let mut jwk = self.public_jwk(kid);
        if let (Some(target), Value::Object(more)) = (jwk.as_object_mut(), extra) {
            target.extend(more);
        }
        jwk
    }

    /// The RSA modulus and exponent, big-endian without leading zeros.
    pub fn rsa_n_e(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            Self::Rsa(pair) => rsa_components(pair),
            _ => panic!("not an RSA key"),
        }
    }

    /// The public key as X.509 SubjectPublicKeyInfo DER.
    pub fn public_spki_der(&self) -> Vec<u8> {
        let der: PublicKeyX509Der<'static> = match self {
            Self::Rsa(pair) => pair.public_key().as_der().expect("spki"),
            Self::Ed25519(pair) => pair.public_key().as_der().expect("spki"),
            _ => self.ec_pair(false).public_key().as_der().expect("spki"),
        };
        der.as_ref().to_vec()
    }

    /// The public key as a PEM `PUBLIC KEY` block (SPKI), `\n` line ends.
    pub fn public_pem(&self) -> String {
        let body = STANDARD.encode(self.public_spki_der());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// Signs `input` with `alg` (a JWA name). Panics if the key cannot do it.
    pub fn sign(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        match self {
            Self::Rsa(pair) => rsa_sign(pair, alg, input),
            Self::Ed25519(pair) => pair.sign(input).as_ref().to_vec(),
            _ => self.ec_sign(alg, input, false),
        }
    }

    /// Signs `input` with ECDSA but returns the ASN.1 DER signature form
    /// (which JWS forbids).
    pub fn sign_ecdsa_der(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        self.ec_sign(alg, input, true)
    }

    fn ec_sign(&self, alg: &str, input: &[u8], der: bool) -> Vec<u8> {
        let expected = match self {
            Self::P256(_) => "ES256",
            Self::P384(_) => "ES384",
            _ => panic!("not an EC key"),
        };
        assert_eq!(alg, expected, "EC key cannot sign {alg}");
        let sig = self.ec_pair(der).sign(&SystemRandom::new(), input);
        sig.expect("ecdsa sign").as_ref().to_vec()
    }

    fn ec_pair(&self, der: bool) -> EcdsaKeyPair {
        let (alg, pkcs8) = match (self, der) {
            (Self::P256(p), false) => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, p),
            (Self::P256(p), true) => (&signature::ECDSA_P256_SHA256_ASN1_SIGNING, p),
            (Self::P384(p), false) => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, p),
            (Self::P384(p), true) => (&signature::ECDSA_P384_SHA384_ASN1_SIGNING, p),
            _ => panic!("not an EC key"),
        };
        EcdsaKeyPair::from_pkcs8(alg, pkcs8).expect("ec parse")
    }
}

fn ec_pkcs8(alg: &'static signature::EcdsaSigningAlgorithm) -> Vec<u8> {
    let doc = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new()).expect("ec keygen");
    doc.as_ref().to_vec()
}

fn rsa_components(pair: &RsaKeyPair) -> (Vec<u8>, Vec<u8>) {
    let public = pair.public_key();
    let n = public.modulus().big_endian_without_leading_zero().to_vec();
    let e = public.exponent().big_endian_without_leading_zero().to_vec();
    (n, e)
}

fn rsa_sign(pair: &RsaKeyPair, alg: &str, input: &[u8]) -> Vec<u8> {
    let encoding: &'static dyn signature::RsaEncoding = match alg {
        "RS256" => &signature::RSA_PKCS1_SHA256,
        "RS384" => &signature::RSA_PKCS1_SHA384,
        "RS512" => &signature::RSA_PKCS1_SHA512,
        "PS256" => &signature::RSA_PSS_SHA256,
        "PS384" => &signature::RSA_PSS_SHA384,
        "PS512" => &signature::RSA_PSS_SHA512,
        other => panic!("RSA key cannot sign {other}"),
    };
    let mut sig = vec![0; pair.public_modulus_len()];
    pair.sign(encoding, &SystemRandom::new(), input, &mut sig)
        .expect("rsa sign");
    sig
}

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Joins already-encoded segments with dots.
pub fn join(header_b64: &str, payload_b64: &str, sig_b64: &str) -> String {
    format!("{header_b64}.{payload_b64}.{sig_b64}")
}

/// Mints a compact JWS over arbitrary header and payload bytes, signed by
/// `key` with `alg` (the header bytes are used as given: `alg` there may
/// differ from the one used to sign).
pub fn mint(key: &SigningKey, alg: &str, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig = key.sign(alg, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

/// Mints a compact JWS with `sig` as the (raw, possibly garbage) signature.
pub fn mint_raw(header: &[u8], payload: &[u8], sig: &[u8]) -> String {
    join(&b64(header), &b64(payload), &b64(sig))
}

/// The signing input (`b64(header).b64(payload)`) for raw signing.
pub fn signing_input(header: &[u8], payload: &[u8]) -> String {
    format!("{}.{}", b64(header), b64(payload))
}

/// Mints a JWS from JSON values: header and payload serialised compactly.
pub fn mint_json(key: &SigningKey, alg: &str, header: &Value, payload: &Value) -> String {
    mint(key, alg, header.to_string().as_bytes(), payload.to_string().as_bytes())
}

/// Mints an HS256 token using `secret` as the HMAC key (key-confusion
/// attacks: the secret is typically a public key in some encoding).
pub fn mint_hs256(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    let input = signing_input(header, payload);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// A JWKS document (`{"keys":[…]}`) as bytes.
pub fn jwks(keys: &[Value]) -> Vec<u8> {
    json!({ "keys": keys }).to_string().into_bytes()
}

/// Deterministic garbage bytes of length `len` (not a valid signature).
pub fn garbage(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31).wrapping_add(7) % 251) as u8)
        .collect()
}
