//! Observability: request ids, trace ids, time formatting and the access log.
//!
//! The access log is one JSON line per request on stdout, with AWS's `$context` names
//! (`requestId`, `ip`, `requestTime`, `httpMethod`, `routeKey`, `status`, …) and `-` for
//! values that do not apply, as AWS writes them. Diagnostics go to stderr through `tracing`.
//!
//! May import: std, serde_json, aws-lc-rs (randomness), base64, and `crate::proxy::error`
//! for the error labels.

mod access_log;
mod time;

pub use access_log::{AccessLog, CacheUse, LogLine, flush_access_log, set_access_log};
pub use time::{clf_time, unix_ms, unix_secs};

use base64::Engine;

/// A fresh `apigw-requestid`: 16 base64 characters ending in `=`, like AWS's.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 11];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The length of an `x-amzn-trace-id` value.
const TRACE_ID_LEN: usize = "Root=1-".len() + 8 + 1 + 24;

/// A fresh `x-amzn-trace-id` value: `Root=1-<8 hex seconds>-<24 hex random>`.
pub fn new_trace_id(unix_ms: u128) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 12];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
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
