//! The claim checks of the pipeline (issuer, audience, times, scopes) and
//! the [`Claims`] handed to the caller once a token is accepted.
//!
//! Invariants: `iss` must be a string equal to the configured issuer (after
//! JSON unescaping); `aud` must be a string or an array of strings, one of
//! which is configured, and only when `aud` is absent does a string
//! `client_id` stand in for it; `exp` is required, `exp`/`nbf`/`iat` must be
//! finite JSON numbers (fractions allowed, negative `exp` refused; `null`
//! counts as present and invalid) and the comparisons are `now < exp +
//! leeway`, `nbf <= now + leeway`, `iat <= now + leeway`; token scopes come
//! from `scp`, else `scope`: a string split on U+0020 only, or an array of
//! strings (any other shape yields no scopes).
//!
//! Allowed imports: std, serde_json.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::error::{AuthError, Reason, log_value};
use super::render::{go_slice, render_value};
use super::rules::Rules;
use super::strict_json::parse_object;
use super::trace::Trace;

/// The claims of an accepted token.
///
/// Built from the parsed map, or (when the pipeline proved the payload strict without parsing
/// it, see [`super::claim_scan::Read::Strict`]) from the payload itself, parsed the first time a
/// claim is read: a route that maps no claim never pays for the map. The scopes and `exp` are
/// known from the start either way.
#[derive(Clone, Debug)]
pub struct Claims {
    map: OnceLock<Map<String, Value>>,
    /// The payload the map is parsed from on first read (kept after it); empty when built
    /// from the map. A `Vec` as decoded: boxing it would shrink (reallocate) it.
    payload: Vec<u8>,
    scopes: Vec<String>,
    exp: Option<f64>,
}

impl Claims {
    /// The claims of a parsed payload.
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Self {
            scopes: token_scopes(&map).unwrap_or_default(),
            exp: token_exp(&map),
            map: OnceLock::from(map),
            payload: Vec::new(),
        }
    }

    /// Claims whose map waits for the first read: `payload` must be a strict JSON object (the
    /// strict parse accepts it), and `read` hold its scope and `exp` members as that parse
    /// would (the quick read's [`super::claim_scan::Read::Strict`] members do).
    pub(crate) fn unparsed<C: ClaimSource + ?Sized>(payload: Vec<u8>, read: &C) -> Self {
        Self {
            map: OnceLock::new(),
            payload,
            scopes: token_scopes(read).unwrap_or_default(),
            exp: token_exp(read),
        }
    }

    /// Whether the map has been parsed (tests pin when it is).
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.map.get().is_some()
    }

    /// All claims, as decoded.
    pub fn map(&self) -> &Map<String, Value> {
        // The payload was proven strict, so the parse cannot fail (the claim_scan fuzz target
        // holds the proof to that); were it to, the claims would read as absent, never panic.
        self.map.get_or_init(|| parse_object(&self.payload).unwrap_or_default())
    }

    /// One claim's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map().get(name)
    }

    /// The token's scopes (from `scp`, else `scope`).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// `exp`, when it is a finite number (always, for claims the pipeline accepted).
    pub fn exp(&self) -> Option<f64> {
        self.exp
    }

    /// The claim rendered as `$context.authorizer.claims.<name>`; `None` if
    /// absent or `null` (see [`super::render`]).
    pub fn render_claim(&self, name: &str) -> Option<String> {
        self.get(name).and_then(render_value)
    }
}

/// Claims are equal when their maps are, however each was built.
impl PartialEq for Claims {
    fn eq(&self, other: &Self) -> bool {
        self.map() == other.map() && self.scopes == other.scopes
    }
}

/// Shows an optional claim as JSON text, or `(absent)`.
pub(crate) struct Shown<'a>(pub Option<&'a Value>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(value) => write!(f, "{value}"),
            None => f.write_str("(absent)"),
        }
    }
}

/// Shows a list of strings as a Go slice without allocating.
pub(crate) struct Listed<'a>(pub &'a [String]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&go_slice(self.0))
    }
}

/// A failed claim check. The detail names the claim, and its value only when it is not a plain
/// string or number: a flood of wrong-issuer or expired tokens formats nothing per request
/// (`portcullis explain` shows every value).
fn fail(reason: Reason, claim: &'static str, value: Option<&Value>) -> AuthError {
    let detail = match value {
        None => absent(claim),
        Some(Value::String(_) | Value::Number(_)) => Cow::Borrowed(claim),
        Some(other) => Cow::Owned(format!("{claim}={}", log_value(&other.to_string()))),
    };
    AuthError::new(reason, detail)
}

/// "<claim> absent", without formatting for the claims the checks name (the pipeline also runs
/// them on a partly read token, where most members are still absent).
fn absent(claim: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(match claim {
        "iss" => "iss absent",
        "aud" => "aud absent",
        "client_id" => "client_id absent",
        "exp" => "exp absent",
        "nbf" => "nbf absent",
        "iat" => "iat absent",
        other => return Cow::Owned(format!("{other} absent")),
    })
}

/// Where the claim checks read a claim: the whole claims map, or the quick read of only the
/// checked members (`claim_scan::Members`), which answers without a map.
pub(crate) trait ClaimSource {
    /// The claim called `name`, if present.
    fn claim(&self, name: &str) -> Option<&Value>;
}

impl ClaimSource for Map<String, Value> {
    fn claim(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// `iss` equals the configured issuer.
pub(crate) fn check_issuer<C: ClaimSource + ?Sized, T: Trace>(
    claims: &C,
    rules: &Rules,
    trace: &mut T,
) -> Result<(), AuthError> {
    let iss = claims.claim("iss");
    let ok = iss.and_then(Value::as_str) == Some(rules.issuer.as_str());
    trace.check("iss", &Shown(iss), &rules.issuer, ok);
    ok.then_some(()).ok_or_else(|| fail(Reason::Issuer, "iss", iss))
}

/// `aud` (or, only when `aud` is absent, `client_id`) names a configured
/// audience.
pub(crate) fn check_audience<C: ClaimSource + ?Sized, T: Trace>(
    claims: &C,
    rules: &Rules,
    trace: &mut T,
) -> Result<(), AuthError> {
    let accepted = |s: &str| rules.audiences.iter().any(|a| a == s);
    let (name, value, ok) = match claims.claim("aud") {
        Some(aud) => ("aud", Some(aud), audience_matches(aud, accepted)),
        None => {
            let id = claims.claim("client_id");
            ("client_id", id, id.and_then(Value::as_str).is_some_and(accepted))
        }
    };
    trace.check(name, &Shown(value), &Listed(&rules.audiences), ok);
    ok.then_some(()).ok_or_else(|| fail(Reason::Audience, name, value))
}

fn audience_matches(aud: &Value, accepted: impl Fn(&str) -> bool) -> bool {
    match aud {
        Value::String(s) => accepted(s),
        Value::Array(items) => {
            let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            strings.is_some_and(|all| all.into_iter().any(accepted))
        }
        _ => false,
    }
}

/// A claim's value as a time: a finite JSON number.
fn numeric(value: &Value) -> Option<f64> {
    value.as_f64().filter(|f| f.is_finite())
}

/// `exp` (required), then `nbf` and `iat` (if present), against `now`.
pub(crate) fn check_times<C: ClaimSource + ?Sized, T: Trace>(
    claims: &C,
    rules: &Rules,
    now: i64,
    trace: &mut T,
) -> Result<(), AuthError> {
    let (now, leeway) = (now as f64, rules.leeway());
    let exp = claims.claim("exp");
    let at = numeric_claim(exp, "exp", Reason::NoExpiration, Reason::InvalidExpiration, trace)?;
    let ok = at >= 0.0 && now < at + leeway;
    trace.check("exp", &Shown(exp), &format_args!("> {now} - leeway {leeway}"), ok);
    match (at >= 0.0, ok) {
        (false, _) => return Err(fail(Reason::InvalidExpiration, "exp", exp)),
        (true, false) => return Err(fail(Reason::Expired, "exp", exp)),
        (true, true) => {}
    }
    let bounds = [
        ("nbf", Reason::InvalidNotBefore, Reason::NotYetValid),
        ("iat", Reason::InvalidIssuedAt, Reason::IssuedInFuture),
    ];
    for (name, invalid, late) in bounds {
        check_not_after(claims.claim(name), name, (invalid, late), now + leeway, trace)?;
    }
    Ok(())
}

fn numeric_claim<T: Trace>(
    value: Option<&Value>,
    name: &'static str,
    absent: Reason,
    invalid: Reason,
    trace: &mut T,
) -> Result<f64, AuthError> {
    let reason = match value.map(numeric) {
        Some(Some(at)) => return Ok(at),
        Some(None) => invalid,
        None => absent,
    };
    trace.check(name, &Shown(value), &"a finite number", false);
    Err(fail(reason, name, value))
}

/// An optional time claim must be `<= limit`.
fn check_not_after<T: Trace>(
    value: Option<&Value>,
    name: &'static str,
    (invalid, late): (Reason, Reason),
    limit: f64,
    trace: &mut T,
) -> Result<(), AuthError> {
    if value.is_none() {
        return Ok(());
    }
    let at = numeric_claim(value, name, invalid, invalid, trace)?;
    let ok = at <= limit;
    trace.check(name, &Shown(value), &format_args!("<= {limit} (now + leeway)"), ok);
    ok.then_some(()).ok_or_else(|| fail(late, name, value))
}

/// The token's `exp`, when a finite number: what the verified-token cache keeps an answer
/// for ([`super::cache::valid_until`]).
pub(crate) fn token_exp<C: ClaimSource + ?Sized>(claims: &C) -> Option<f64> {
    claims.claim("exp").and_then(numeric)
}

/// The token's scopes: `scp` if present, else `scope`; `None` if the claim
/// has neither shape.
pub(crate) fn token_scopes<C: ClaimSource + ?Sized>(claims: &C) -> Option<Vec<String>> {
    match claims.claim("scp").or_else(|| claims.claim("scope"))? {
        Value::String(s) => Some(s.split(' ').filter(|p| !p.is_empty()).map(str::to_owned).collect()),
        Value::Array(items) => items.iter().map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// The token holds at least one of the route's scopes (skipped when the
/// route has none).
pub(crate) fn check_scopes<T: Trace>(token: &[String], route: &[String], trace: &mut T) -> Result<(), AuthError> {
    if route.is_empty() {
        return Ok(());
    }
    let ok = token.iter().any(|s| route.contains(s));
    trace.check("scope", &Listed(token), &Listed(route), ok);
    let detail = || format!("token scopes: {}", log_value(&go_slice(token)));
    ok.then_some(()).ok_or_else(|| AuthError::scope(route, detail()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_claim_is_named_the_same_with_or_without_formatting() {
        for claim in ["iss", "aud", "client_id", "exp", "nbf", "iat", "scp"] {
            assert_eq!(absent(claim), format!("{claim} absent"));
        }
        assert!(
            matches!(absent("exp"), Cow::Borrowed(_)),
            "the checked claims format nothing"
        );
    }
}
