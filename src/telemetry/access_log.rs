//! One access-log line per request, written when the response body is done.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::proxy::GatewayError;
use crate::proxy::error::ErrorSource;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the access log on or off (on by default).
pub fn set_access_log(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// What the request path learns while serving.
#[derive(Debug, Default)]
pub struct AccessLog {
    /// Response status.
    pub status: u16,
    /// The backend's status.
    pub integration_status: Option<u16>,
    /// Time to the backend's response headers.
    pub integration_latency_ms: Option<u128>,
    /// `$context.authorizer.error`.
    pub authorizer_error: Option<String>,
    /// `$context.error.message`.
    pub error_message: Option<String>,
    /// Where the error came from.
    pub error_source: Option<ErrorSource>,
    /// Whether the verified-token cache answered (Portcullis: `tokenCache`).
    pub token_cache: Option<CacheUse>,
}

/// What the verified-token cache did for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// The token was answered from the cache.
    Hit,
    /// The token was verified in full (and kept if valid).
    Miss,
    /// The cache is off: every token is verified in full.
    Off,
}

impl CacheUse {
    /// The access-log value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Off => "off",
        }
    }
}

impl AccessLog {
    /// Records a gateway error.
    pub fn record_error(&mut self, err: &GatewayError) {
        self.authorizer_error = err.authorizer_error();
        self.error_message = Some(err.log_text());
        self.error_source = Some(err.source());
    }

    /// The final line, to be emitted when the body is done.
    pub fn finish(self, facts: super::super::proxy::RequestFacts) -> LogLine {
        LogLine {
            log: self,
            facts,
            response_length: 0,
            stream_error: None,
        }
    }
}

/// A complete access-log entry.
pub struct LogLine {
    log: AccessLog,
    facts: crate::proxy::RequestFacts,
    /// Bytes of response body sent.
    pub response_length: u64,
    stream_error: Option<String>,
}

impl LogLine {
    /// Notes that the backend's body failed mid-stream.
    pub fn set_stream_error(&mut self, error: String) {
        self.stream_error = Some(error);
    }

    /// The line as JSON.
    pub fn to_json(&self) -> Value {
        let f = &self.facts;
        let dash = |v: Option<String>| v.map_or(Value::String("-".into()), Value::String);
        json!({
            "requestId": f.request_id,
            "ip": f.client.ip().to_string(),
            "requestTime": super::clf_time(f.start_unix_ms),
            "httpMethod": f.method.as_str(),
            "routeKey": &*f.route_key,
            "status": self.log.status,
            "protocol": f.protocol,
            "responseLength": self.response_length,
            "responseLatency": f.start.elapsed().as_millis() as u64,
            "integrationStatus": dash(self.log.integration_status.map(|s| s.to_string())),
            "integrationLatency": dash(self.log.integration_latency_ms.map(|s| s.to_string())),
            "authorizerError": dash(self.log.authorizer_error.clone()),
            "errorMessage": dash(self.log.error_message.clone().or_else(|| self.stream_error.clone())),
            "errorSource": dash(self.log.error_source.map(|s| format!("{s:?}").to_lowercase())),
            "tokenCache": self.log.token_cache.map_or("-", CacheUse::as_str),
            "apiId": &*f.api_id,
            "stage": &*f.stage,
        })
    }

    /// Writes the line to stdout (if the access log is on).
    pub fn emit(&self) {
        if !ENABLED.load(Ordering::Relaxed) {
            return;
        }
        let mut line = self.to_json().to_string();
        line.push('\n');
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
}
