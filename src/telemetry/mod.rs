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

pub use access_log::{AccessLog, CacheUse, LogLine, flush_access_log, set_access_log};
pub use time::{clf_time, unix_ms, unix_secs};

use base64::Engine;

/// A fresh `apigw-requestid`: 16 base64 characters ending in `=`, like AWS's.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 11];
    ids::fill(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
    fn next() -> u64 {
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

/// The length of an `x-amzn-trace-id` value.
const TRACE_ID_LEN: usize = "Root=1-".len() + 8 + 1 + 24;

/// A fresh `x-amzn-trace-id` value: `Root=1-<8 hex seconds>-<24 hex random>`.
pub fn new_trace_id(unix_ms: u128) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 12];
    ids::fill(&mut bytes);
    let seconds = ((unix_ms / 1000) as u32).to_be_bytes();
    let mut id = String::with_capacity(TRACE_ID_LEN);
    id.push_str("Root=1-");
    for (i, byte) in seconds.iter().chain(&bytes).enumerate() {
        if i == seconds.len() {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    id
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
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert_ne!(id, new_request_id());
    }

    #[test]
    fn trace_ids_have_the_amazon_shape() {
        let id = new_trace_id(1_700_000_000_000);
        assert!(id.starts_with("Root=1-6553f100-"), "{id}");
        assert_eq!(id.len(), "Root=1-".len() + 8 + 1 + 24);
    }
}
