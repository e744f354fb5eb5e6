//! The trusted verification keys, loaded from a JWKS document.
//!
//! Invariants: every key is parsed ONCE, at load time, into an aws-lc-rs
//! `ParsedPublicKey` per algorithm it may verify, so checking a signature on
//! the hot path is a lookup plus one verification. Only asymmetric signing
//! keys are kept: RSA (2048–8192 bits), EC P-256/P-384 and OKP Ed25519.
//! Symmetric (`oct`) keys, encryption keys (`use` ≠ `sig`), keys whose
//! `key_ops` lack `verify`, keys without a kid, unsupported curves and
//! malformed members are dropped with a warning. A JWK `alg` restricts the
//! key to exactly that algorithm. Duplicate kids are kept; verification
//! tries every key with the token's kid that fits the token's algorithm.
//! ECDSA signatures must be the fixed-width JWS form (R‖S); DER is refused.
//!
//! Allowed imports: std, aws-lc-rs, serde_json, foldhash.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use serde_json::{Map, Value};

use super::error::log_value;
use super::rules::Alg;
use super::strict_json::parse_object;

/// Smallest accepted RSA modulus, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest accepted RSA modulus, in bits (aws-lc-rs's verification limit).
pub const MAX_RSA_BITS: usize = 8192;

/// A usable public key with the verifiers built for it.
#[derive(Clone, Debug)]
pub struct Jwk {
    kid: String,
    verifiers: Vec<(Alg, ParsedPublicKey)>,
}

impl Jwk {
    /// The key's kid.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithms this key may verify.
    pub fn algorithms(&self) -> impl Iterator<Item = Alg> + '_ {
        self.verifiers.iter().map(|(alg, _)| *alg)
    }

    fn verifier(&self, alg: Alg) -> Option<&ParsedPublicKey> {
        self.verifiers.iter().find(|(a, _)| *a == alg).map(|(_, key)| key)
    }
}

/// The outcome of [`KeySet::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A key with the kid verified the signature.
    Valid,
    /// No key has this kid (the caller may refetch the JWKS).
    UnknownKid,
    /// Keys have this kid but none may verify this algorithm.
    NoKeyForAlg,
    /// Every fitting key rejected the signature.
    BadSignature,
}

/// The trusted keys, indexed by kid.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    /// Hashed with foldhash, not SipHash: the keys come from the issuer's JWKS and lookups never
    /// insert, so a token's `kid` cannot grow a bucket; the hash runs for every token that
    /// reaches the key lookup (SipHash cost ~200 instructions more there).
    by_kid: HashMap<String, Vec<Jwk>, foldhash::fast::RandomState>,
    count: usize,
    /// Signature verifications run with this set (shared by its clones): what proves that
    /// cheap refusals never reach the crypto.
    signature_checks: Arc<AtomicU64>,
}

/// The keys that may verify a token's signature: those with its kid that fit its algorithm.
#[derive(Debug)]
pub struct Candidates<'k> {
    set: &'k KeySet,
    alg: Alg,
    keys: &'k [Jwk],
}

impl Candidates<'_> {
    /// Verifies `signature` over `input` with each candidate until one accepts it: the only
    /// place where signature crypto runs.
    pub fn verify(&self, input: &[u8], signature: &[u8]) -> Verdict {
        self.set.signature_checks.fetch_add(1, Ordering::Relaxed);
        let mut fitting = self.keys.iter().filter_map(|k| k.verifier(self.alg));
        match fitting.any(|key| key.verify_sig(input, signature).is_ok()) {
            true => Verdict::Valid,
            false => Verdict::BadSignature,
        }
    }
}

/// The JWKS could not be used at all; the caller keeps its last good set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksError {
    /// What is wrong with the document.
    pub message: String,
    /// Why individual keys were dropped.
    pub warnings: Vec<String>,
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        self.warnings.iter().try_for_each(|w| write!(f, "; {w}"))
    }
}

impl std::error::Error for JwksError {}

impl KeySet {
    /// Loads `{"keys":[…]}`, returning the usable keys and one warning per
    /// dropped key.
    ///
    /// # Errors
    /// The document is not a strict JSON object with a `keys` array, or no
    /// key in it is usable.
    pub fn from_jwks(bytes: &[u8]) -> Result<(KeySet, Vec<String>), JwksError> {
        let fail = |message: &str, warnings| JwksError {
            message: message.to_owned(),
            warnings,
        };
        let doc = parse_object(bytes).map_err(|_| fail("JWKS is not a JSON object", Vec::new()))?;
        let Some(Value::Array(entries)) = doc.get("keys") else {
            return Err(fail("JWKS has no \"keys\" array", Vec::new()));
        };
        let mut set = KeySet::default();
        let mut warnings = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match parse_jwk(entry) {
                Ok(jwk) => set.insert(jwk),
                Err(why) => warnings.push(warning(index, entry, &why)),
            }
        }
        if set.is_empty() {
            return Err(fail("JWKS has no usable signing key", warnings));
        }
        Ok((set, warnings))
    }

    fn insert(&mut self, jwk: Jwk) {
        self.count += 1;
        self.by_kid.entry(jwk.kid.clone()).or_default().push(jwk);
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no key is usable.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The keys carrying `kid` (empty when unknown).
    pub fn with_kid(&self, kid: &str) -> &[Jwk] {
        self.by_kid.get(kid).map_or(&[], Vec::as_slice)
    }

    /// The keys named `kid` that may verify `alg`, found without any crypto.
    ///
    /// # Errors
    /// [`Verdict::UnknownKid`] or [`Verdict::NoKeyForAlg`].
    pub fn candidates(&self, kid: &str, alg: Alg) -> Result<Candidates<'_>, Verdict> {
        let keys = self.by_kid.get(kid).ok_or(Verdict::UnknownKid)?;
        if !keys.iter().any(|k| k.verifier(alg).is_some()) {
            return Err(Verdict::NoKeyForAlg);
        }
        Ok(Candidates { set: self, alg, keys })
    }

    /// Verifies `signature` over `input` with every key named `kid` that may
    /// verify `alg`, until one accepts it.
    pub fn verify(&self, kid: &str, alg: Alg, input: &[u8], signature: &[u8]) -> Verdict {
        match self.candidates(kid, alg) {
            Ok(candidates) => candidates.verify(input, signature),
            Err(verdict) => verdict,
        }
    }

    /// How many signature verifications ran with this set (and its clones).
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks.load(Ordering::Relaxed)
    }
}

fn warning(index: usize, entry: &Value, why: &str) -> String {
    match entry.get("kid").and_then(Value::as_str) {
        Some(kid) => format!("key #{index} (kid \"{}\") ignored: {why}", log_value(kid)),
        None => format!("key #{index} ignored: {why}"),
    }
}

fn parse_jwk(entry: &Value) -> Result<Jwk, String> {
    let map = entry.as_object().ok_or("not a JSON object")?;
    let kty = text(map, "kty")?.ok_or("no kty")?;
    if kty == "oct" {
        return Err("symmetric (oct) keys are never used".to_owned());
    }
    let kid = text(map, "kid")?.ok_or("no kid (tokens must name their key)")?;
    check_use(map)?;
    let alg = jwk_alg(map)?;
    let verifiers = match kty {
        "RSA" => rsa_verifiers(map, alg)?,
        "EC" => ec_verifier(map, alg)?,
        "OKP" => okp_verifier(map, alg)?,
        other => return Err(format!("unsupported kty \"{}\"", log_value(other))),
    };
    Ok(Jwk {
        kid: kid.to_owned(),
        verifiers,
    })
}

/// A string member: `Ok(None)` if absent, `Err` if not a string.
fn text<'m>(map: &'m Map<String, Value>, name: &str) -> Result<Option<&'m str>, String> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("\"{name}\" is not a string")),
    }
}

fn check_use(map: &Map<String, Value>) -> Result<(), String> {
    if text(map, "use")?.is_some_and(|u| u != "sig") {
        return Err("\"use\" is not \"sig\"".to_owned());
    }
    match map.get("key_ops") {
        None => Ok(()),
        Some(Value::Array(ops)) if ops.iter().any(|op| op == "verify") => Ok(()),
        Some(_) => Err("\"key_ops\" does not allow \"verify\"".to_owned()),
    }
}

fn jwk_alg(map: &Map<String, Value>) -> Result<Option<Alg>, String> {
    match text(map, "alg")? {
        None => Ok(None),
        Some(name) => name
            .parse()
            .map(Some)
            .map_err(|_| format!("unsupported alg \"{}\"", log_value(name))),
    }
}

fn b64_member(map: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    let value = text(map, name)?.ok_or_else(|| format!("no \"{name}\""))?;
    super::b64url::decode(value).map_err(|_| format!("\"{name}\" is not base64url"))
}

/// The algorithms a key may verify: its kty's set, narrowed by the JWK alg.
fn allowed(fits: &[Alg], jwk_alg: Option<Alg>) -> Result<Vec<Alg>, String> {
    match jwk_alg {
        None => Ok(fits.to_vec()),
        Some(alg) if fits.contains(&alg) => Ok(vec![alg]),
        Some(alg) => Err(format!("alg {alg} does not fit the key type")),
    }
}

fn rsa_verifiers(map: &Map<String, Value>, alg: Option<Alg>) -> Result<Vec<(Alg, ParsedPublicKey)>, String> {
    let n = b64_member(map, "n")?;
    let e = b64_member(map, "e")?;
    let (n, e) = (strip_zeros(&n), strip_zeros(&e));
    let bits = bit_len(n);
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(format!(
            "RSA modulus of {bits} bits (need {MIN_RSA_BITS}-{MAX_RSA_BITS})"
        ));
    }
    check_exponent(e)?;
    let components = RsaPublicKeyComponents { n, e };
    let parse = |alg: Alg| {
        let key = components.to_parsed_public_key(rsa_params(alg));
        key.map(|k| (alg, k)).map_err(|_| "invalid RSA key".to_owned())
    };
    allowed(&Alg::RSA, alg)?.into_iter().map(parse).collect()
}

/// The public exponent must be odd, at least 3 and at most 64 bits: `e = 1`
/// would make every "signature" its own plaintext.
fn check_exponent(e: &[u8]) -> Result<(), String> {
    let odd = e.last().is_some_and(|low| low & 1 == 1);
    match (e.len(), odd) {
        (1..=8, true) if e != [1] => Ok(()),
        _ => Err("RSA exponent must be odd, at least 3 and at most 64 bits".to_owned()),
    }
}

fn rsa_params(alg: Alg) -> &'static RsaParameters {
    match alg {
        Alg::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Alg::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Alg::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Alg::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Alg::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => &signature::RSA_PKCS1_2048_8192_SHA256,
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

fn bit_len(big_endian: &[u8]) -> usize {
    match big_endian.first() {
        None => 0,
        Some(top) => big_endian.len() * 8 - top.leading_zeros() as usize,
    }
}

fn ec_verifier(map: &Map<String, Value>, alg: Option<Alg>) -> Result<Vec<(Alg, ParsedPublicKey)>, String> {
    let (fit, width, verification): (Alg, usize, &'static signature::EcdsaVerificationAlgorithm) =
        match text(map, "crv")? {
            Some("P-256") => (Alg::ES256, 32, &signature::ECDSA_P256_SHA256_FIXED),
            Some("P-384") => (Alg::ES384, 48, &signature::ECDSA_P384_SHA384_FIXED),
            Some(other) => return Err(format!("unsupported EC curve \"{}\"", log_value(other))),
            None => return Err("no \"crv\"".to_owned()),
        };
    let alg = single(allowed(&[fit], alg)?)?;
    let (x, y) = (b64_member(map, "x")?, b64_member(map, "y")?);
    if x.len() != width || y.len() != width {
        return Err("EC coordinates have the wrong length".to_owned());
    }
    let point = [&[0x04][..], &x, &y].concat();
    let key = ParsedPublicKey::new(verification, point).map_err(|_| "EC point is not on the curve")?;
    Ok(vec![(alg, key)])
}

fn okp_verifier(map: &Map<String, Value>, alg: Option<Alg>) -> Result<Vec<(Alg, ParsedPublicKey)>, String> {
    match text(map, "crv")? {
        Some("Ed25519") => {}
        Some(other) => return Err(format!("unsupported OKP curve \"{}\"", log_value(other))),
        None => return Err("no \"crv\"".to_owned()),
    }
    let alg = single(allowed(&[Alg::EdDSA], alg)?)?;
    let x = b64_member(map, "x")?;
    if x.len() != 32 {
        return Err("Ed25519 key has the wrong length".to_owned());
    }
    let key = ParsedPublicKey::new(&signature::ED25519, x).map_err(|_| "invalid Ed25519 key")?;
    Ok(vec![(alg, key)])
}

fn single(algs: Vec<Alg>) -> Result<Alg, String> {
    algs.first().copied().ok_or_else(|| "no usable algorithm".to_owned())
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
