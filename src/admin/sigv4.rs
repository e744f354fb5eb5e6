//! AWS Signature Version 4 for the admin API: [`verify`] authenticates a request the way Amazon
//! API Gateway authenticates its own control plane (header auth and presigned-URL auth, any
//! region, a given signing service such as `apigateway`), and [`sign`] makes the header auth
//! that botocore would make, for tests and clients.
//!
//! The canonical request is built as botocore's `SigV4Auth` builds it for non-S3 services: the
//! wire path has its dot segments and empty segments removed and is then percent-encoded
//! *again* (`%24default` is signed as `%2524default`); query names and values are decoded
//! (`+` is a space) and re-encoded per RFC 3986, then sorted; header values are trimmed, inner
//! whitespace runs collapsed and repeated headers joined with `,`. Refusals carry AWS's
//! `x-amzn-ErrorType`, status and message texts. Pure: the clock is an argument, the secret
//! comes from the caller's lookup, and no message holds a secret or a computed signature.
//!
//! The caller must pass the request's `host` (for HTTP/2, the URI authority) in `headers`.
//!
//! May import: std, `http`, `aws_lc_rs`.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::{constant_time, digest, hmac};
use http::header::{AUTHORIZATION, DATE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// How far a request's time may be from the server's, either way (AWS: 15 minutes).
const MAX_SKEW_SECS: i64 = 15 * 60;
/// The longest `X-Amz-Expires` AWS accepts: seven days.
const MAX_EXPIRES_SECS: i64 = 604_800;
/// 9999-12-31T23:59:59Z: clocks are clamped to what a basic ISO 8601 stamp can show.
const LAST_SECOND: i64 = 253_402_300_799;
/// Headers botocore never signs (`SIGNED_HEADERS_BLACKLIST`); [`sign`] skips them too.
const NEVER_SIGNED: &str = "baggage connection expect keep-alive proxy-authenticate proxy-authorization te \
                            traceparent tracestate trailer transfer-encoding upgrade user-agent x-amzn-trace-id";
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your \
                        AWS Secret Access Key and signing method. Consult the service documentation for details.";
const HOST_NOT_SIGNED: &str = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The parts of an HTTP request that SigV4 signs.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The path exactly as received on the wire (still percent-encoded), e.g. `/v2/apis/abc/stages/%24default`.
    pub path: &'a str,
    /// The raw query string without `?`, if any.
    pub query: Option<&'a str>,
    /// The request headers, `host` included.
    pub headers: &'a HeaderMap,
    /// The whole request body (the admin API buffers bodies, max 6 MB).
    pub body: &'a [u8],
}

/// Who signed a request that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The access key ID from the credential scope.
    pub access_key_id: String,
    /// The region from the credential scope (any non-empty string).
    pub region: String,
}

/// What [`sign`] returns: the two headers to add to the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The `Authorization` header value.
    pub authorization: String,
    /// The `x-amz-date` header value (basic ISO 8601, e.g. `20261128T051600Z`).
    pub amz_date: String,
}

/// Why a request was refused, each mapping to AWS's error shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor an `X-Amz-Algorithm` query parameter.
    MissingAuthenticationToken,
    /// Malformed or incomplete signature information; holds AWS's message.
    IncompleteSignature(String),
    /// The credential's access key ID is unknown.
    UnrecognizedClient,
    /// Refused before any signature was computed (clock skew, credential scope, unsigned `host`,
    /// payload hash, both auth styles at once); holds AWS's message.
    InvalidSignature(String),
    /// The signature differs from the one computed. Holds the canonical request and string to sign
    /// that the server computed, which AWS echoes to help debugging (neither holds a secret).
    SignatureDoesNotMatch {
        /// The canonical request, as the server built it.
        canonical_request: String,
        /// The string to sign, as the server built it.
        string_to_sign: String,
    },
}

impl SigV4Error {
    /// The `x-amzn-ErrorType` value, e.g. `MissingAuthenticationTokenException`.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature(_) => "IncompleteSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidSignature(_) | Self::SignatureDoesNotMatch { .. } => "InvalidSignatureException",
        }
    }

    /// The HTTP status: API Gateway answers 403 for every one of these (other AWS services send
    /// `IncompleteSignature` as 400, API Gateway does not).
    pub fn status(&self) -> u16 {
        403
    }

    /// The `message` text AWS sends.
    pub fn message(&self) -> String {
        match self {
            Self::MissingAuthenticationToken => "Missing Authentication Token".to_owned(),
            Self::IncompleteSignature(message) | Self::InvalidSignature(message) => message.clone(),
            Self::UnrecognizedClient => "The security token included in the request is invalid.".to_owned(),
            Self::SignatureDoesNotMatch {
                canonical_request,
                string_to_sign,
            } => format!(
                "{MISMATCH}\n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\n\
                 The String-to-Sign should have been\n'{string_to_sign}'\n"
            ),
        }
    }
}

impl std::fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type(), self.message())
    }
}

impl std::error::Error for SigV4Error {}

/// The signature information of a request, from its `Authorization` header or its query.
struct Claim {
    algorithm: String,
    credential: String,
    signed_headers: String,
    signature: String,
    /// Seconds since the Unix epoch.
    time: i64,
    /// `X-Amz-Expires` of a presigned request.
    expires: Option<i64>,
    presigned: bool,
}

/// Verifies `req` against the secret that `secret_for(access_key_id)` returns, for signing
/// service `service`, at time `now`. Checks run in AWS's order: form, date, clock skew, signed
/// `host`, algorithm, credential scope, access key, payload hash, signature.
pub fn verify(
    req: &SignedRequest<'_>,
    service: &str,
    secret_for: &dyn Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<Identity, SigV4Error> {
    let now = unix_seconds(now);
    let pairs = query_pairs(req.query.unwrap_or(""));
    let presigned = param(&pairs, "X-Amz-Algorithm").is_some();
    let headers = req.headers.get_all(AUTHORIZATION);
    if headers.iter().count() > 1 {
        return Err(incomplete("Only one 'Authorization' header is allowed.".to_owned()));
    }
    let header = headers.iter().next().filter(|v| !v.as_bytes().trim_ascii().is_empty());
    let claim = match (header, presigned) {
        (Some(_), true) => {
            return Err(SigV4Error::InvalidSignature(
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.".to_owned(),
            ));
        }
        (None, false) => return Err(SigV4Error::MissingAuthenticationToken),
        (Some(value), false) => header_claim(value.as_bytes(), req.headers)?,
        (None, true) => query_claim(&pairs)?,
    };

    check_clock(claim.time, claim.expires, now)?;
    if !claim.signed_headers.split(';').any(|h| h.eq_ignore_ascii_case("host")) {
        return Err(SigV4Error::InvalidSignature(HOST_NOT_SIGNED.to_owned()));
    }
    if claim.algorithm != ALGORITHM {
        let algorithm = &claim.algorithm;
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )));
    }
    let parts: Vec<&str> = claim.credential.trim_end_matches('/').split('/').collect();
    let [key_id, date, region, scope_service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'",
            claim.credential
        )));
    };
    let stamp = format_basic(claim.time);
    let day = stamp.get(..8).unwrap_or_default();
    let mut wrong = Vec::new();
    if region.is_empty() {
        wrong.push(format!(
            "Credential should be scoped to a valid region, not '{region}'."
        ));
    }
    if *scope_service != service {
        wrong.push(format!("Credential should be scoped to correct service: '{service}'."));
    }
    if *terminator != TERMINATOR {
        wrong.push(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        ));
    }
    if *date != day {
        wrong.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{date}' != '{day}', from '{stamp}'."
        ));
    }
    if !wrong.is_empty() {
        return Err(SigV4Error::InvalidSignature(wrong.join(" ")));
    }
    let Some(secret) = secret_for(key_id) else {
        return Err(SigV4Error::UnrecognizedClient);
    };

    let payload = payload_hash(req.headers, req.body)?;
    let names: Vec<&str> = claim.signed_headers.split(';').collect();
    let canonical = canonical_request(
        req,
        req.headers,
        &names,
        &claim.signed_headers,
        &payload,
        claim.presigned,
    );
    let scope = format!("{date}/{region}/{scope_service}/{terminator}");
    let string_to_sign = string_to_sign(&stamp, &scope, &canonical);
    let expected = signature(&secret, date, region, scope_service, &string_to_sign);
    if constant_time::verify_slices_are_equal(expected.as_bytes(), claim.signature.as_bytes()).is_err() {
        return Err(SigV4Error::SignatureDoesNotMatch {
            canonical_request: String::from_utf8_lossy(&canonical).into_owned(),
            string_to_sign,
        });
    }
    Ok(Identity {
        access_key_id: (*key_id).to_owned(),
        region: (*region).to_owned(),
    })
}

/// Signs a request the way botocore's `SigV4Auth` does, at `time`: every header in
/// `req.headers` except botocore's never-signed ones (`user-agent`, ...) and `authorization` is
/// signed, plus `x-amz-date`, whose value the result gives (any `x-amz-date` in `req.headers` is
/// replaced). The payload hash is the `x-amz-content-sha256` header if there is one, else the
/// body's SHA-256. `req.headers` must hold `host`.
pub fn sign(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    secret: &str,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Signed {
    let stamp = format_basic(unix_seconds(time));
    let day = stamp.get(..8).unwrap_or_default();
    let mut headers = req.headers.clone();
    headers.remove(AUTHORIZATION);
    if let Ok(value) = HeaderValue::from_str(&stamp) {
        headers.insert(HeaderName::from_static("x-amz-date"), value);
    }
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !NEVER_SIGNED.split_ascii_whitespace().any(|x| x == *n))
        .collect();
    names.sort_unstable();
    let signed_headers = names.join(";");
    let payload = match headers.get("x-amz-content-sha256").map(HeaderValue::to_str) {
        Some(Ok(claimed)) => claimed.to_owned(),
        _ => sha256_hex(req.body),
    };
    let canonical = canonical_request(req, &headers, &names, &signed_headers, &payload, false);
    let scope = format!("{day}/{region}/{service}/{TERMINATOR}");
    let string_to_sign = string_to_sign(&stamp, &scope, &canonical);
    let signature = signature(secret, day, region, service, &string_to_sign);
    Signed {
        authorization: format!(
            "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
        ),
        amz_date: stamp,
    }
}

fn incomplete(message: String) -> SigV4Error {
    SigV4Error::IncompleteSignature(message)
}

/// Reads `Authorization: ALGORITHM Credential=..., SignedHeaders=..., Signature=...`.
fn header_claim(value: &[u8], headers: &HeaderMap) -> Result<Claim, SigV4Error> {
    let text = String::from_utf8_lossy(value);
    let text = text.trim();
    let (algorithm, rest) = text.split_once(|c: char| c.is_ascii_whitespace()).unwrap_or((text, ""));
    if algorithm.contains('=') {
        return Err(incomplete(
            "Authorization header must begin with the algorithm name, which cannot include an equal-sign".to_owned(),
        ));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for pair in rest.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
        let Some((key, val)) = pair.split_once('=') else {
            return Err(incomplete(format!(
                "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and \
                 encoded with Base64): '{}'.",
                base64(digest::digest(&digest::SHA256, value).as_ref())
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        slot.get_or_insert(val);
    }
    let mut missing = String::new();
    for (name, found) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if found.is_none_or(|v| v.is_empty() && name != "SignedHeaders") {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    let date = headers.get("x-amz-date").or_else(|| headers.get(DATE));
    if date.is_none() {
        missing.push_str("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(date), true) =
        (credential, signed_headers, signature, date, missing.is_empty())
    else {
        let hash = base64(digest::digest(&digest::SHA256, value).as_ref());
        return Err(incomplete(format!(
            "{missing}(Hashed with SHA-256 and encoded with Base64) Authorization={hash}"
        )));
    };
    let date = String::from_utf8_lossy(date.as_bytes());
    let time = parse_basic(&date)
        .or_else(|| parse_http_date(&date))
        .ok_or_else(|| bad_date(&date))?;
    Ok(Claim {
        algorithm: algorithm.to_owned(),
        credential: credential.to_owned(),
        signed_headers: signed_headers.to_owned(),
        signature: signature.to_owned(),
        time,
        expires: None,
        presigned: false,
    })
}

/// Reads the `X-Amz-*` parameters of a presigned request.
fn query_claim(pairs: &[(Vec<u8>, Vec<u8>)]) -> Result<Claim, SigV4Error> {
    let get = |name: &str| param(pairs, name).filter(|v| !v.is_empty());
    let required = "X-Amz-Algorithm X-Amz-Credential X-Amz-Signature X-Amz-SignedHeaders X-Amz-Date";
    let mut missing = String::new();
    for name in required.split(' ').filter(|name| get(name).is_none()) {
        missing.push_str(&format!("AWS query-string parameters must include '{name}'. "));
    }
    let found: Vec<Option<String>> = required.split(' ').map(get).collect();
    let [Some(alg), Some(cred), Some(sig), Some(names), Some(date)] = found.as_slice() else {
        return Err(incomplete(format!("{missing}Re-examine the query-string parameters.")));
    };
    let time = parse_basic(date).ok_or_else(|| bad_date(date))?;
    let expires = match get("X-Amz-Expires") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(secs) if secs < 0 => return Err(incomplete("X-Amz-Expires must be non-negative".to_owned())),
            Ok(secs) if secs > MAX_EXPIRES_SECS => {
                return Err(incomplete(
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800".to_owned(),
                ));
            }
            Ok(secs) => Some(secs),
            Err(_) => return Err(incomplete("X-Amz-Expires should be a number".to_owned())),
        },
    };
    Ok(Claim {
        algorithm: alg.clone(),
        credential: cred.clone(),
        signed_headers: names.clone(),
        signature: sig.clone(),
        time,
        expires,
        presigned: true,
    })
}

fn bad_date(date: &str) -> SigV4Error {
    incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

/// Refuses a time more than 15 minutes (or, presigned, `expires` seconds) past, or 15 minutes ahead.
fn check_clock(time: i64, expires: Option<i64>, now: i64) -> Result<(), SigV4Error> {
    let window = expires.unwrap_or(MAX_SKEW_SECS);
    let span = if window % 60 == 0 {
        format!("{} min", window / 60)
    } else {
        format!("{window} sec")
    };
    let (at, earliest, latest) = (format_basic(time), now - window, now + MAX_SKEW_SECS);
    if time < earliest {
        let (earliest, now) = (format_basic(earliest), format_basic(now));
        return Err(SigV4Error::InvalidSignature(format!(
            "Signature expired: {at} is now earlier than {earliest} ({now} - {span}.)"
        )));
    }
    if time > latest {
        let (latest, now) = (format_basic(latest), format_basic(now));
        return Err(SigV4Error::InvalidSignature(format!(
            "Signature not yet current: {at} is still later than {latest} ({now} + 15 min.)"
        )));
    }
    Ok(())
}

/// The payload hash to sign: `x-amz-content-sha256` when present (it must be `UNSIGNED-PAYLOAD`
/// or match the body), else the body's SHA-256.
fn payload_hash(headers: &HeaderMap, body: &[u8]) -> Result<String, SigV4Error> {
    let actual = sha256_hex(body);
    match headers.get("x-amz-content-sha256").map(HeaderValue::to_str) {
        None => Ok(actual),
        Some(Ok(claimed)) if claimed == UNSIGNED_PAYLOAD || claimed.eq_ignore_ascii_case(&actual) => {
            Ok(claimed.to_owned())
        }
        Some(_) => Err(SigV4Error::InvalidSignature(
            "The provided 'x-amz-content-sha256' header does not match what was computed.".to_owned(),
        )),
    }
}

fn canonical_request(
    req: &SignedRequest<'_>,
    headers: &HeaderMap,
    names: &[&str],
    signed: &str,
    payload: &str,
    presigned: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(req.method.as_str().to_ascii_uppercase().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(encode(remove_dot_segments(req.path).as_bytes(), true).as_bytes());
    out.push(b'\n');
    let mut pairs: Vec<(String, String)> = query_pairs(req.query.unwrap_or(""))
        .into_iter()
        .filter(|(key, _)| !(presigned && key == b"X-Amz-Signature"))
        .map(|(key, value)| (encode(&key, false), encode(&value, false)))
        .collect();
    pairs.sort_unstable();
    let query: Vec<String> = pairs.into_iter().map(|(key, value)| format!("{key}={value}")).collect();
    out.extend_from_slice(query.join("&").as_bytes());
    out.push(b'\n');
    for name in names {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        for (i, value) in headers.get_all(*name).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let words = value
                .as_bytes()
                .split(|b| *b == b' ' || *b == b'\t')
                .filter(|w| !w.is_empty());
            for (j, word) in words.enumerate() {
                if j > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(word);
            }
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload.as_bytes());
    out
}

fn string_to_sign(stamp: &str, scope: &str, canonical: &[u8]) -> String {
    format!("{ALGORITHM}\n{stamp}\n{scope}\n{}", sha256_hex(canonical))
}

/// `hex(HMAC(kSigning, string_to_sign))` with kSigning derived from the secret and the scope.
fn signature(secret: &str, day: &str, region: &str, service: &str, string_to_sign: &str) -> String {
    let mac = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
    let k_date = mac(format!("AWS4{secret}").as_bytes(), day);
    let k_region = mac(k_date.as_ref(), region);
    let k_service = mac(k_region.as_ref(), service);
    let k_signing = mac(k_service.as_ref(), TERMINATOR);
    hex(mac(k_signing.as_ref(), string_to_sign).as_ref())
}

/// botocore's `remove_dot_segments`: drops `.`, empty segments and `..` with its parent.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    let first = if path.starts_with('/') { "/" } else { "" };
    let last = if path.ends_with('/') && !kept.is_empty() {
        "/"
    } else {
        ""
    };
    format!("{first}{}{last}", kept.join("/"))
}

/// Percent-encodes all but RFC 3986 unreserved bytes (and `/` when `keep_slash`), uppercase hex.
fn encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits a raw query into decoded `(name, value)` pairs: `+` is a space, a bad `%` stays literal.
fn query_pairs(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let decode = |raw: &str| {
        let (bytes, mut out, mut i) = (raw.as_bytes(), Vec::with_capacity(raw.len()), 0);
        let nibble = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| char::from(*b).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        while let Some(&b) = bytes.get(i) {
            match (b, nibble(i + 1), nibble(i + 2)) {
                (b'%', Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                (b'+', _, _) => out.push(b' '),
                _ => out.push(b),
            }
            i += 1;
        }
        out
    };
    let pieces = query.split('&').filter(|p| !p.is_empty());
    pieces
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn param(pairs: &[(Vec<u8>, Vec<u8>)], name: &str) -> Option<String> {
    let (_, value) = pairs.iter().find(|(key, _)| key == name.as_bytes())?;
    Some(String::from_utf8_lossy(value).into_owned())
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let index = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or_default();
            let pad = i > chunk.len();
            out.push(if pad {
                '='
            } else {
                char::from(ALPHABET.get(index).copied().unwrap_or(b'='))
            });
        }
    }
    out
}

/// Seconds since the Unix epoch, clamped to 0..=9999-12-31T23:59:59Z.
fn unix_seconds(time: SystemTime) -> i64 {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(LAST_SECOND).min(LAST_SECOND)
}

/// `YYYYMMDDTHHMMSSZ`.
fn format_basic(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let (day, month) = (doy - (153 * mp + 2) / 5 + 1, if mp < 10 { mp + 3 } else { mp - 9 });
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch of a valid UTC date and time.
fn to_unix(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let max_day = *month_days.get(usize::try_from(month.checked_sub(1)?).ok()?)?;
    if !(1..=max_day).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let (era, yoe) = (y.div_euclid(400), y.rem_euclid(400));
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

fn digits(text: &str, len: usize) -> Option<i64> {
    let ok = text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.bytes().fold(0, |n, b| n * 10 + i64::from(b - b'0')))
}

/// `YYYYMMDDTHHMMSSZ`.
fn parse_basic(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let n = |from: usize, len: usize| digits(text.get(from..from + len)?, len);
    to_unix(n(0, 4)?, n(4, 2)?, n(6, 2)?, n(9, 2)?, n(11, 2)?, n(13, 2)?)
}

/// An HTTP date as botocore sends it, `Sat, 28 Nov 2026 05:16:00 GMT` (or `-0000`/`+0000`).
fn parse_http_date(text: &str) -> Option<i64> {
    let mut words: Vec<&str> = text.split_ascii_whitespace().collect();
    if words.first().is_some_and(|w| w.ends_with(',')) {
        words.remove(0);
    }
    let [day, month, year, clock, "GMT" | "UTC" | "+0000" | "-0000"] = words.as_slice() else {
        return None;
    };
    let month = i64::try_from(MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?).ok()? + 1;
    let day = digits(day, 2).or_else(|| digits(day, 1))?;
    let mut clock = clock.split(':').map(|part| digits(part, 2));
    let (Some(Some(h)), Some(Some(m)), Some(Some(s)), None) = (clock.next(), clock.next(), clock.next(), clock.next())
    else {
        return None;
    };
    to_unix(digits(year, 4)?, month, day, h, m, s)
}
