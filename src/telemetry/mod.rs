//! Observability: request ids, trace ids, time formatting and the access log.
//!
//! The access log is one JSON line per request on stdout, with AWS's `$context` names
//! (`requestId`, `ip`, `requestTime`, `httpMethod`, `routeKey`, `status`, …) and `-` for
//! values that do not apply, as AWS writes them. Diagnostics go to stderr through `tracing`.
//!
//! May import: std, serde_json, aws-lc-rs (randomness, to seed the id generator), base64, and `crate::proxy::error`
//! for the error labels.

mod access_log;
mod time;

pub use access_log::{AccessLog, CacheUse, LogLine, access_log_enabled, flush_access_log, set_access_log};
pub use time::{clf_time, unix_ms, unix_secs};

use base64::Engine;

/// An id of `N` visible ASCII bytes, kept inline: a request's ids cost no allocation until
/// one is written into a header.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Id<const N: usize>([u8; N]);

/// An `apigw-requestid`: 16 base64 characters ending in `=`, like AWS's.
pub type RequestId = Id<REQUEST_ID_LEN>;

/// 11 random bytes in padded base64.
const REQUEST_ID_LEN: usize = 16;

/// An `x-amzn-trace-id` value: `Root=1-<8 hex seconds>-<24 hex random>`.
pub type TraceId = Id<TRACE_ID_LEN>;

/// `Root=1-`, 8 hex digits, `-`, 24 hex digits.
const TRACE_ID_LEN: usize = "Root=1-".len() + 8 + 1 + 24;

impl<const N: usize> Id<N> {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Always ASCII (every constructor makes sure); the fallback is unreachable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The id's bytes (visible ASCII), for a header value.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// An id from its text, for tests that need a fixed one: exactly `N` visible ASCII bytes.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes: [u8; N] = text.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_graphic).then_some(Self(bytes))
    }
}

impl<const N: usize> std::fmt::Display for Id<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> std::fmt::Debug for Id<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Id({})", self.as_str())
    }
}

/// A fresh `apigw-requestid`.
pub fn new_request_id() -> RequestId {
    let mut bytes = [0u8; 11];
    ids::fill(&mut bytes);
    let mut text = [b'='; REQUEST_ID_LEN];
    // 11 bytes are always 16 characters with padding: the slice is exactly large enough.
    let _ = base64::engine::general_purpose::STANDARD.encode_slice(bytes, &mut text);
    Id(text)
}

/// Random bits for request and trace ids. They label requests and must not collide; they are not
/// secrets (AWS's are not either), so they come from SplitMix64, seeded once per thread from the
/// system's cryptographic generator, instead of a DRBG call per id (which cost 7 % of a proxied
/// request's instructions).
mod ids {
    use std::cell::Cell;

    thread_local! {
        static STATE: Cell<u64> = Cell::new(seed());
    }

    fn seed() -> u64 {
        let mut bytes = [0u8; 8];
        let _ = aws_lc_rs::rand::fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): a Weyl sequence through a bijective mixer, so ids
    /// of one thread repeat only after 2^64 draws.
    pub fn next() -> u64 {
        STATE.with(|state| {
            let x = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
            state.set(x);
            let z = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    pub fn fill(bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = next().to_le_bytes();
            chunk.iter_mut().zip(word).for_each(|(b, w)| *b = w);
        }
    }
}

/// A fresh `x-amzn-trace-id` value.
pub fn new_trace_id(unix_ms: u128) -> TraceId {
    let mut id = *b"Root=1-00000000-000000000000000000000000";
    let (time, random) = id.split_at_mut(16);
    // Seconds since the epoch in 8 hex digits, as AWS writes them (wrapping in 2106). On a u64:
    // a u128 division is a library call.
    let seconds = (u64::try_from(unix_ms).unwrap_or(u64::MAX) / 1000) as u32;
    put_hex(time.get_mut(7..15).unwrap_or_default(), u64::from(seconds));
    // 96 random bits in 24 hex digits.
    let (high, low) = random.split_at_mut(8);
    put_hex(high, ids::next() >> 32);
    put_hex(low, ids::next());
    Id(id)
}

/// Writes the low `out.len()` hex digits of `value` into `out`, lower-case.
fn put_hex(out: &mut [u8], value: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, digit) in out.iter_mut().rev().enumerate() {
        let shifted = u32::try_from(4 * i).ok().and_then(|bits| value.checked_shr(bits));
        *digit = HEX[(shifted.unwrap_or(0) & 0xf) as usize];
    }
}

/// Installs the stderr diagnostics subscriber (`RUST_LOG` filters, default `info`).
pub fn init_diagnostics() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_aws_ones() {
        let id = new_request_id();
        let text = id.as_str();
        assert_eq!(text.len(), 16);
        assert!(text.ends_with('='), "{text}");
        assert_eq!(
            base64::engine::general_purpose::STANDARD.decode(text).map(|b| b.len()),
            Ok(11)
        );
        assert_ne!(id, new_request_id());
        assert_eq!(RequestId::parse(text), Some(id));
        assert_eq!(RequestId::parse("short="), None);
        assert_eq!(RequestId::parse("Mc7UVioPPHcE PA="), None, "visible ASCII only");
    }

    #[test]
    fn trace_ids_have_the_amazon_shape() {
        let id = new_trace_id(1_700_000_000_000).to_string();
        assert!(id.starts_with("Root=1-6553f100-"), "{id}");
        assert_eq!(id.len(), 40, "Root=1-, 8 hex digits, -, 24 hex digits");
        let random = &id["Root=1-6553f100-".len()..];
        assert!(
            random.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{id}"
        );
        assert_ne!(random, &new_trace_id(1_700_000_000_000).to_string()[16..]);
    }
}
