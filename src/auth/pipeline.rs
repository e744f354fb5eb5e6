//! The authorizer pipeline, in Amazon API Gateway's order, written once and
//! shared by the request hot path ([`NoTrace`]) and
//! the `explain` command ([`Recorder`](super::trace::Recorder)).
//!
//! Order: structure (three segments, base64url JSON header) → alg on the
//! allow-list → typ (if required) → kid present → key(s) with that kid →
//! payload base64url → iss → aud / client_id → exp → nbf → iat → claims JSON
//! (strict) → signature base64url (non-empty) → signature → scopes. The first
//! failing step decides the error. The payload is decoded only once the
//! header has found a key, so a token with a disallowed alg or an unknown kid
//! costs no decoding or JSON parse of its payload; the claim checks first run
//! on a quick read of just the members they need (`claim_scan`), so a wrong
//! iss/aud or an expired token costs no full parse either. That read is given
//! the payload's first 216 bytes before the rest is decoded, so such a refusal
//! decodes only that much when it can (the rest is still judged as base64url,
//! without being decoded: a token malformed there gets the decoding's refusal,
//! as the order says). A token that
//! passes them is parsed strictly and checked again on the whole map, unless
//! the quick read proved its payload strict (plain JSON, no member name
//! twice): then that parse could only agree, and [`Claims`] makes it when a
//! claim is first read, so neither a forged signature nor a route that maps
//! no claim pays for it. The signature is decoded last, just before it is
//! verified. A token malformed in two places is named by the first of them in
//! this order (docs/compat.md).
//!
//! Every check before the signature is cheap (no crypto), so malformed
//! tokens, disallowed algorithms, unknown kids and bad iss/aud/exp/nbf/iat
//! are refused without any RSA or ECDSA work. AWS documents the signature
//! before the claims; the two orders give the same answer to every token
//! whose signature is valid, and differ only for a token that fails both a
//! claim and its signature, which now names the claim (docs/compat.md).
//! Scope stays last, so a 403 always means a valid token.
//!
//! Invariants: pure (no I/O, no clock: `now` is an argument); keys are found
//! only by kid in the configured [`KeySet`], never from the token; `alg`
//! matches case-sensitively and only allow-listed asymmetric algorithms
//! exist, so `none` and HS* can never pass.
//!
//! Allowed imports: std, serde_json.

use super::claim_scan::{self, Member, Members, Step};
use super::claims::{self, ClaimSource, Claims, Listed};
use super::error::{AuthError, Reason, log_value};
use super::keys::{Candidates, KeySet, Verdict};
use super::rules::{Alg, Rules};
use serde_json::{Map, Value};

use super::token::{self, Header, Structure};
use super::trace::{NoTrace, Trace};

/// Decides whether `token` authorizes a request to a route requiring
/// `route_scopes` (any one of them; none required if empty), at
/// `now_unix_secs`.
///
/// # Errors
/// The first failing check, as an [`AuthError`]; `is_unknown_kid()` tells
/// the caller to refetch the JWKS once and retry.
pub fn authorize<Tok: AsRef<[u8]> + ?Sized, T: Trace>(
    token: &Tok,
    keys: &KeySet,
    rules: &Rules,
    route_scopes: &[String],
    now_unix_secs: i64,
    trace: &mut T,
) -> Result<Claims, AuthError> {
    let claims = verify(token, keys, rules, now_unix_secs, trace)?;
    check_route_scopes(&claims, route_scopes, trace)?;
    Ok(claims)
}

/// Every check but the route's scopes: what a token is worth to an authorizer, whatever the
/// route. The verified-token cache keeps this result.
///
/// # Errors
/// As [`authorize`], except that a missing scope is never reported.
pub fn verify<Tok: AsRef<[u8]> + ?Sized, T: Trace>(
    token: &Tok,
    keys: &KeySet,
    rules: &Rules,
    now_unix_secs: i64,
    trace: &mut T,
) -> Result<Claims, AuthError> {
    verify_for_cache(token, keys, rules, now_unix_secs, trace).map_err(|refusal| refusal.error)
}

/// A refusal by [`verify_for_cache`].
#[derive(Debug)]
pub struct Refusal {
    /// What [`verify`] answers.
    pub error: AuthError,
    /// For a refusal at the signature step (a rejected signature; the claims have passed by
    /// then), the token's `exp` when a finite number: how long the verified-token cache may
    /// remember the refusal. `None` for a refusal before it.
    pub exp: Option<f64>,
}

impl From<AuthError> for Refusal {
    fn from(error: AuthError) -> Self {
        Self { error, exp: None }
    }
}

/// [`verify`], with what the verified-token cache needs to remember a rejected signature: the
/// token's `exp`, so that the refusal costs no second read of the token.
///
/// # Errors
/// As [`verify`].
pub fn verify_for_cache<Tok: AsRef<[u8]> + ?Sized, T: Trace>(
    token: &Tok,
    keys: &KeySet,
    rules: &Rules,
    now_unix_secs: i64,
    trace: &mut T,
) -> Result<Claims, Refusal> {
    let structure = parse(token.as_ref(), trace)?;
    let alg = check_alg(&structure.header, rules, trace)?;
    check_typ(&structure.header, rules, trace)?;
    let kid = check_kid(&structure.header, trace)?;
    let candidates = find_keys(keys, kid, alg, trace)?;
    // A wrong iss/aud or a stale token is refused on a read of just those members, stopped as
    // soon as the refusal is certain, of a payload decoded only as far as that read went; the
    // rest is then judged without decoding it, so a token malformed there still gets that
    // refusal. Whatever passes is parsed strictly and checked again on the whole map.
    let mut payload = decoded("payload", structure.payload_gradually(), trace)?;
    let records = trace.records();
    let mut settled = |members: &Members| {
        settled_refusal(members, rules, now_unix_secs).map(|e| (e, records.then(|| members.clone())))
    };
    let mut reading = claim_scan::Reading::default();
    let mut block = FIRST_PAYLOAD_BLOCK;
    let quick = loop {
        decoded("payload", payload.more(block), trace)?;
        block = usize::MAX;
        match reading.resume(payload.decoded(), payload.is_complete(), &mut settled) {
            Step::Wanting => {}
            Step::Read(read) => break read,
            Step::GaveUp => {
                decoded("payload", payload.more(usize::MAX), trace)?;
                break claim_scan::read_with_serde(payload.decoded(), &mut settled);
            }
        }
    };
    let (members, strict) = match quick {
        claim_scan::Read::Settled((refusal, members)) => {
            decoded("payload", payload.check_rest(), trace)?;
            return Err(refused(refusal, members.as_ref(), rules, now_unix_secs, trace).into());
        }
        claim_scan::Read::Members(members) => (Some(members), false),
        claim_scan::Read::Strict(members) => (Some(members), true),
        claim_scan::Read::Unreadable => (None, false),
    };
    let payload = decoded("payload", payload.finish(), trace)?;
    if let Some(members) = &members
        && let Err(refusal) = check_claims(members, rules, now_unix_secs, &mut NoTrace)
    {
        return Err(refused(refusal, Some(members), rules, now_unix_secs, trace).into());
    }
    // Proven strict: the strict parse would accept the payload, with these members, which
    // passed the checks. An observed run (`explain`) parses anyway, so that its trace shows
    // every step.
    let checked = match members.filter(|_| strict && !records) {
        Some(members) => Checked::Proven(members),
        None => {
            let map = parse_claims(&payload, trace)?;
            check_claims(&map, rules, now_unix_secs, trace)?;
            Checked::Map(map)
        }
    };
    let signature = decoded("signature", structure.signature(), trace)?;
    check_signature(structure.signing_input, &signature, kid, alg, &candidates, trace).map_err(|error| Refusal {
        error,
        exp: claims::token_exp(&checked),
    })?;
    Ok(match checked {
        Checked::Map(map) => Claims::new(map),
        Checked::Proven(members) => Claims::unparsed(payload, &members),
    })
}

/// How many characters of the payload the quick claim read is given first (216 bytes); if that
/// does not settle it, it is given all the rest. Issuers put `iss`, `aud` and `exp` early (Okta's
/// end by byte 190), while a large payload ends with its largest member (a long `groups` list):
/// in more, smaller blocks, the read would start that member again at each.
const FIRST_PAYLOAD_BLOCK: usize = 288;

/// The claims that passed their checks: the strict parse's map, or the members read from a
/// payload proven strict (parsed only when a claim is first read). A local of one call, never
/// stored: the members' size is not worth a box's allocation.
#[allow(clippy::large_enum_variant)]
enum Checked {
    Map(Map<String, Value>),
    Proven(Members),
}

impl ClaimSource for Checked {
    fn claim(&self, name: &str) -> Option<&Value> {
        match self {
            Checked::Map(map) => map.get(name),
            Checked::Proven(members) => members.claim(name),
        }
    }
}

/// A claim refusal made on the quick read. An observed run (`explain`) runs the checks again on
/// the members read, with its trace: they fail the same way.
fn refused<T: Trace>(
    refusal: AuthError,
    members: Option<&Members>,
    rules: &Rules,
    now: i64,
    trace: &mut T,
) -> AuthError {
    match members.filter(|_| trace.records()) {
        Some(members) => check_claims(members, rules, now, trace).err().unwrap_or(refusal),
        None => refusal,
    }
}

/// The refusal the members read so far make certain, whatever the rest of the payload holds:
/// the claim checks run on what was read, and their refusal is certain once the member it names
/// has been read and so has every member that could still change an earlier check. `aud`
/// decides the audience alone once read (a `client_id` only counts when no `aud` comes, which
/// only the end of the payload tells), so every time check waits for it; an `iat` refusal also
/// waits for `nbf`, which is checked first. An absent member's refusal is never certain.
///
/// Asked after every checked member, so what cannot settle yet is told from which members have
/// been read, without running the checks: before `iss` nothing can (a refusal past the issuer
/// check means `iss` was there), before `aud` only the issuer check can, and before `exp` (the
/// first time check, and required) only the issuer and audience checks can.
fn settled_refusal(members: &Members, rules: &Rules, now: i64) -> Option<AuthError> {
    if !members.has(Member::Iss) {
        return None;
    }
    if !members.has(Member::Aud) {
        return claims::check_issuer(members, rules, &mut NoTrace).err();
    }
    if !members.has(Member::Exp) {
        let checks = claims::check_issuer(members, rules, &mut NoTrace);
        return checks
            .and_then(|()| claims::check_audience(members, rules, &mut NoTrace))
            .err();
    }
    let refusal = check_claims(members, rules, now, &mut NoTrace).err()?;
    // `iss` and `aud` are read, so every refusal but an `iat` one is certain here.
    let certain = match refusal.reason {
        Reason::Issuer
        | Reason::Audience
        | Reason::InvalidExpiration
        | Reason::Expired
        | Reason::InvalidNotBefore
        | Reason::NotYetValid => true,
        Reason::InvalidIssuedAt | Reason::IssuedInFuture => members.has(Member::Nbf),
        _ => false,
    };
    certain.then_some(refusal)
}

/// iss, then aud / client_id, then exp, nbf and iat.
fn check_claims<C: ClaimSource + ?Sized, T: Trace>(
    map: &C,
    rules: &Rules,
    now: i64,
    trace: &mut T,
) -> Result<(), AuthError> {
    claims::check_issuer(map, rules, trace)?;
    claims::check_audience(map, rules, trace)?;
    claims::check_times(map, rules, now, trace)
}

/// The last check: the token holds one of the route's scopes (none needed if empty).
///
/// # Errors
/// `insufficient_scope`, naming the route's scopes.
pub fn check_route_scopes<T: Trace>(claims: &Claims, route_scopes: &[String], trace: &mut T) -> Result<(), AuthError> {
    claims::check_scopes(claims.scopes(), route_scopes, trace)
}

fn parse<'t, T: Trace>(token: &'t [u8], trace: &mut T) -> Result<Structure<'t>, AuthError> {
    let parsed = token::parse_structure(token);
    let actual = parsed
        .as_ref()
        .map_or_else(|e| e.description.as_ref(), |_| "compact JWS");
    trace.check("parse", &actual, &"compact JWS", parsed.is_ok());
    parsed
}

/// A segment (or part of one) decoded when the pipeline first needs it; a failure is recorded
/// as that step's.
fn decoded<V, T: Trace>(step: &'static str, bytes: Result<V, AuthError>, trace: &mut T) -> Result<V, AuthError> {
    if let Err(e) = &bytes {
        trace.check(step, &e.description.as_ref(), &"strict base64url", false);
    }
    bytes
}

fn parse_claims<T: Trace>(payload: &[u8], trace: &mut T) -> Result<Map<String, Value>, AuthError> {
    let parsed = token::claims_of(payload);
    if let Err(e) = &parsed {
        trace.check("claims", &e.description.as_ref(), &"a JSON object", false);
    }
    parsed
}

fn check_alg<T: Trace>(header: &Header, rules: &Rules, trace: &mut T) -> Result<Alg, AuthError> {
    let raw = header.alg.as_deref();
    let alg = raw.and_then(|name| name.parse::<Alg>().ok());
    let allowed = alg.filter(|a| rules.algorithms.contains(a));
    let shown = raw.unwrap_or("(absent or not a string)");
    trace.check("alg", &shown, &AlgList(&rules.algorithms), allowed.is_some());
    allowed.ok_or_else(|| AuthError::algorithm(raw))
}

struct AlgList<'a>(&'a [Alg]);

impl std::fmt::Display for AlgList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.0.iter().map(Alg::to_string).collect();
        Listed(&names).fmt(f)
    }
}

fn check_typ<T: Trace>(header: &Header, rules: &Rules, trace: &mut T) -> Result<(), AuthError> {
    let Some(required) = rules.required_typ.as_deref() else {
        return Ok(());
    };
    let typ = header.typ.as_deref();
    let ok = typ.is_some_and(|t| media_type_eq(t, required));
    trace.check("typ", &typ.unwrap_or("(absent)"), &required, ok);
    let detail = || format!("typ={}", log_value(typ.unwrap_or("(absent)")));
    ok.then_some(())
        .ok_or_else(|| AuthError::new(Reason::TokenType, detail()))
}

/// RFC 7515 §4.1.9: case-insensitive, `application/` implied when no `/`.
fn media_type_eq(a: &str, b: &str) -> bool {
    short_media_type(a).eq_ignore_ascii_case(short_media_type(b))
}

fn short_media_type(t: &str) -> &str {
    const PREFIX: &str = "application/";
    match (t.get(..PREFIX.len()), t.get(PREFIX.len()..)) {
        (Some(head), Some(rest)) if head.eq_ignore_ascii_case(PREFIX) && !rest.contains('/') => rest,
        _ => t,
    }
}

fn check_kid<'h, T: Trace>(header: &'h Header, trace: &mut T) -> Result<&'h str, AuthError> {
    let kid = header.kid.as_deref();
    trace.check(
        "kid",
        &kid.unwrap_or("(absent or not a string)"),
        &"a string",
        kid.is_some(),
    );
    kid.ok_or_else(|| AuthError::new(Reason::NoKid, "kid absent or not a string"))
}

/// The keys that may verify the token (no crypto): an unknown kid, or a kid whose keys cannot
/// verify this algorithm, is refused here.
fn find_keys<'k, T: Trace>(keys: &'k KeySet, kid: &str, alg: Alg, trace: &mut T) -> Result<Candidates<'k>, AuthError> {
    keys.candidates(kid, alg).map_err(|verdict| {
        trace.check(
            "signature",
            &VerdictText(verdict),
            &format_args!("valid {alg} signature"),
            false,
        );
        signature_error(verdict, kid)
    })
}

fn check_signature<T: Trace>(
    signing_input: &[u8],
    signature: &[u8],
    kid: &str,
    alg: Alg,
    candidates: &Candidates<'_>,
    trace: &mut T,
) -> Result<(), AuthError> {
    let verdict = candidates.verify(signing_input, signature);
    trace.check(
        "signature",
        &VerdictText(verdict),
        &format_args!("valid {alg} signature"),
        verdict == Verdict::Valid,
    );
    match verdict {
        Verdict::Valid => Ok(()),
        other => Err(signature_error(other, kid)),
    }
}

/// The refusal for a verdict. Only a rejected signature (which has paid for its verification
/// anyway) formats the kid into its detail; a flood of unknown kids builds no string.
fn signature_error(verdict: Verdict, kid: &str) -> AuthError {
    match verdict {
        Verdict::UnknownKid => AuthError::new(Reason::UnknownKid, "no key with this kid"),
        Verdict::NoKeyForAlg => AuthError::new(Reason::Signature, "no key with this kid may verify this alg"),
        _ => AuthError::new(
            Reason::Signature,
            format!("{}; kid={}", VerdictText(verdict), log_value(kid)),
        ),
    }
}

struct VerdictText(Verdict);

impl std::fmt::Display for VerdictText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Verdict::Valid => "valid",
            Verdict::UnknownKid => "no key with this kid",
            Verdict::NoKeyForAlg => "no key with this kid may verify this alg",
            Verdict::BadSignature => "signature rejected by every key with this kid",
        })
    }
}
