//! One access-log line per request, written when the response body is done.
//!
//! The line is serialized by hand (the same bytes serde_json would write, pinned by a test) and
//! queued; a background thread writes the queue to stdout in batches (see `sink`), so a request
//! neither builds a JSON tree nor makes a system call for its log line.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::model::{AccessLogFormat, ContextVar, FormatPart};
use crate::proxy::GatewayError;
use crate::proxy::error::ErrorSource;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the access log on or off (on by default).
pub fn set_access_log(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether access-log lines are written.
pub fn access_log_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
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
    /// How long the token waited before its verification because its connection had sent
    /// forged signatures (Portcullis: `authorizerWaitMs`; `conn::Strikes`).
    pub authorizer_wait_ms: Option<u128>,
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
        self.error_source = Some(err.source());
        // The texts exist only for the log line: with the log off, a refusal builds no string.
        if ENABLED.load(Ordering::Relaxed) {
            self.authorizer_error = err.authorizer_error();
            self.error_message = Some(err.log_text());
        }
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

    fn latency_ms(&self) -> u64 {
        u64::try_from(self.facts.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn error_message(&self) -> Option<&str> {
        self.log.error_message.as_deref().or(self.stream_error.as_deref())
    }

    /// The line as a JSON value (what [`LogLine::write_json`] writes, built the slow way).
    pub fn to_json(&self) -> Value {
        self.to_json_at(self.latency_ms())
    }

    fn to_json_at(&self, latency_ms: u64) -> Value {
        let f = &self.facts;
        let dash = |v: Option<String>| v.map_or(Value::String("-".into()), Value::String);
        json!({
            "requestId": f.request_id.as_str(),
            "ip": f.client.ip().to_string(),
            "requestTime": super::clf_time(f.start_unix_ms),
            "httpMethod": f.method.as_str(),
            "routeKey": &*f.route_key,
            "status": self.log.status,
            "protocol": f.protocol,
            "responseLength": self.response_length,
            "responseLatency": latency_ms,
            "integrationStatus": dash(self.log.integration_status.map(|s| s.to_string())),
            "integrationLatency": dash(self.log.integration_latency_ms.map(|s| s.to_string())),
            "authorizerError": dash(self.log.authorizer_error.clone()),
            "authorizerWaitMs": dash(self.log.authorizer_wait_ms.map(|s| s.to_string())),
            "errorMessage": dash(self.error_message().map(str::to_owned)),
            "errorSource": self.log.error_source.map_or("-", source_label),
            "tokenCache": self.log.token_cache.map_or("-", CacheUse::as_str),
            "apiId": &*f.api_id,
            "stage": &*f.stage,
        })
    }

    /// Appends the line as compact JSON, byte for byte what `to_json().to_string()` gives (keys
    /// in serde_json's sorted order), without building a JSON tree.
    pub fn write_json(&self, out: &mut String) {
        self.write_json_at(self.latency_ms(), out);
    }

    fn write_json_at(&self, latency_ms: u64, out: &mut String) {
        use std::fmt::Write as _;
        let f = &self.facts;
        let log = &self.log;
        let opt = |v: Option<u128>| v.map(|n| n.to_string());
        out.push('{');
        field(out, "apiId", &f.api_id);
        field(out, "authorizerError", log.authorizer_error.as_deref().unwrap_or("-"));
        field(
            out,
            "authorizerWaitMs",
            opt(log.authorizer_wait_ms).as_deref().unwrap_or("-"),
        );
        field(out, "errorMessage", self.error_message().unwrap_or("-"));
        field(out, "errorSource", log.error_source.map_or("-", source_label));
        field(out, "httpMethod", f.method.as_str());
        field(
            out,
            "integrationLatency",
            opt(log.integration_latency_ms).as_deref().unwrap_or("-"),
        );
        field(
            out,
            "integrationStatus",
            opt(log.integration_status.map(u128::from)).as_deref().unwrap_or("-"),
        );
        let _ = write!(out, "\"ip\":\"{}\",", f.client.ip());
        field(out, "protocol", f.protocol);
        field(out, "requestId", f.request_id.as_str());
        field(out, "requestTime", &super::clf_time(f.start_unix_ms));
        let _ = write!(
            out,
            "\"responseLatency\":{latency_ms},\"responseLength\":{},",
            self.response_length
        );
        field(out, "routeKey", &f.route_key);
        field(out, "stage", &f.stage);
        let _ = write!(out, "\"status\":{},", log.status);
        out.push_str("\"tokenCache\":");
        json_string(out, log.token_cache.map_or("-", CacheUse::as_str));
        out.push('}');
    }

    /// Appends the line in a stage's `accessLogSettings.format`: each `$context` variable
    /// replaced by its value, `-` when the request has none (as AWS writes).
    pub fn write_format(&self, format: &AccessLogFormat, out: &mut String) {
        use std::fmt::Write as _;
        let f = &self.facts;
        let log = &self.log;
        for part in &format.parts {
            let var = match part {
                FormatPart::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                FormatPart::Var(var) => *var,
            };
            // Client-supplied and error texts are escaped as inside a JSON string, so a quote in
            // a User-Agent cannot break a JSON-shaped format and nothing can add a line.
            let dash = |out: &mut String, v: Option<&str>| -> std::fmt::Result {
                escaped(out, v.unwrap_or("-"));
                Ok(())
            };
            let _ = match var {
                ContextVar::RequestId => write!(out, "{}", f.request_id),
                ContextVar::SourceIp => write!(out, "{}", f.client.ip()),
                ContextVar::UserAgent => dash(out, f.user_agent()),
                ContextVar::RequestTime => write!(out, "{}", super::clf_time(f.start_unix_ms)),
                ContextVar::RequestTimeEpoch => write!(out, "{}", f.start_unix_ms),
                ContextVar::HttpMethod => write!(out, "{}", f.method),
                ContextVar::Protocol => write!(out, "{}", f.protocol),
                ContextVar::RouteKey => write!(out, "{}", f.route_key),
                ContextVar::Status => write!(out, "{}", log.status),
                ContextVar::ResponseLength => write!(out, "{}", self.response_length),
                ContextVar::ResponseLatency => write!(out, "{}", self.latency_ms()),
                ContextVar::IntegrationStatus => match log.integration_status {
                    Some(s) => write!(out, "{s}"),
                    None => dash(out, None),
                },
                ContextVar::IntegrationLatency => match log.integration_latency_ms {
                    Some(ms) => write!(out, "{ms}"),
                    None => dash(out, None),
                },
                ContextVar::IntegrationError => {
                    let upstream = log.error_source == Some(ErrorSource::Upstream);
                    dash(out, self.error_message().filter(|_| upstream))
                }
                ContextVar::AuthorizerError => dash(out, log.authorizer_error.as_deref()),
                ContextVar::ErrorMessage => dash(out, self.error_message()),
                ContextVar::ErrorMessageString => {
                    json_string(out, self.error_message().unwrap_or("-"));
                    Ok(())
                }
                ContextVar::ApiId => write!(out, "{}", f.api_id),
                ContextVar::Stage => write!(out, "{}", f.stage),
                ContextVar::DomainName => dash(out, f.host()),
                ContextVar::DomainPrefix => dash(out, f.host().and_then(|h| h.split(['.', ':']).next())),
            };
        }
    }

    /// Queues the line for stdout (if the access log is on); see [`flush_access_log`].
    pub fn emit(&self) {
        if !ENABLED.load(Ordering::Relaxed) {
            return;
        }
        let mut line = String::with_capacity(LINE_CAPACITY);
        match &self.facts.log_format {
            Some(format) => self.write_format(format, &mut line),
            None => self.write_json(&mut line),
        }
        line.push('\n');
        sink::push(line.as_bytes());
    }
}

/// Typical line length, so a line is built with a single allocation.
const LINE_CAPACITY: usize = 512;

fn source_label(source: ErrorSource) -> &'static str {
    match source {
        ErrorSource::Client => "client",
        ErrorSource::Authorizer => "authorizer",
        ErrorSource::Upstream => "upstream",
        ErrorSource::Internal => "internal",
    }
}

/// `"name":"value",` with the value escaped.
fn field(out: &mut String, name: &str, value: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    json_string(out, value);
    out.push(',');
}

/// A JSON string literal escaped exactly as serde_json escapes it.
fn json_string(out: &mut String, value: &str) {
    out.push('"');
    escaped(out, value);
    out.push('"');
}

/// `value` escaped as inside a JSON string literal (without the quotes).
fn escaped(out: &mut String, value: &str) {
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(value.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(value.get(start..).unwrap_or_default());
}

/// Writes every queued line to stdout now (the gateway calls it when it stops).
pub fn flush_access_log() {
    sink::flush();
}

/// The access-log buffer: lines are appended under a short lock and written to stdout in
/// batches, by a background thread every [`sink::INTERVAL`] or by the request that fills the
/// buffer past [`sink::MAX_BUFFER`]. One `write` system call then carries many lines instead of
/// one per request; a line reaches stdout at most `INTERVAL` after its request ended.
mod sink {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, MutexGuard, Once};
    use std::time::Duration;

    /// How often the background thread writes what has been queued.
    pub const INTERVAL: Duration = Duration::from_millis(50);
    /// A request that fills the buffer past this writes it itself (bounded memory).
    pub const MAX_BUFFER: usize = 256 * 1024;

    static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    /// Held while writing, so batches reach stdout in the order they were queued.
    static WRITING: Mutex<()> = Mutex::new(());
    static FLUSHER: Once = Once::new();
    /// No background thread could be started: every request writes its own line.
    static UNBUFFERED: AtomicBool = AtomicBool::new(false);

    fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn start_flusher() {
        let spawned = std::thread::Builder::new().name("access-log".into()).spawn(|| {
            loop {
                std::thread::sleep(INTERVAL);
                flush();
            }
        });
        if let Err(err) = spawned {
            UNBUFFERED.store(true, Ordering::Relaxed);
            tracing::warn!(%err, "no access-log thread; each request writes its own line");
        }
    }

    pub fn push(line: &[u8]) {
        FLUSHER.call_once(start_flusher);
        let full = {
            let mut buffer = lock(&BUFFER);
            buffer.extend_from_slice(line);
            buffer.len() >= MAX_BUFFER
        };
        if full || UNBUFFERED.load(Ordering::Relaxed) {
            flush();
        }
    }

    pub fn flush() {
        let _writing = lock(&WRITING);
        let batch = std::mem::take(&mut *lock(&BUFFER));
        if !batch.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&batch);
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    use crate::proxy::RequestFacts;
    use crate::telemetry::RequestId;

    fn line(log: AccessLog, route_key: &str) -> LogLine {
        let facts = RequestFacts {
            request_id: RequestId::parse("Ab3dEf6hIj9kLm0=").unwrap(),
            method: http::Method::GET,
            client: "[::1]:40000".parse().unwrap(),
            host: Some(http::HeaderValue::from_static("localhost")),
            user_agent: None,
            protocol: "HTTP/1.1",
            start_unix_ms: 1_621_957_366_418,
            start: Instant::now(),
            api_id: Arc::from("solar"),
            stage: Arc::from("$default"),
            route_key: Arc::from(route_key),
            log_format: None,
        };
        let mut line = log.finish(facts);
        line.response_length = 297;
        line
    }

    fn both(line: &LogLine) -> (String, String) {
        let mut fast = String::new();
        line.write_json_at(7, &mut fast);
        (fast, line.to_json_at(7).to_string())
    }

    #[test]
    fn the_hand_written_line_is_byte_for_byte_what_serde_json_writes() {
        let ok = AccessLog {
            status: 200,
            integration_status: Some(200),
            integration_latency_ms: Some(3),
            token_cache: Some(CacheUse::Hit),
            ..AccessLog::default()
        };
        let (fast, slow) = both(&line(ok, "GET /planets"));
        assert_eq!(fast, slow);
        let refused = AccessLog {
            status: 401,
            authorizer_error: Some("invalid_token: the token has expired".to_owned()),
            error_message: Some("invalid_token: \"quoted\" \\ back\u{1}\u{1f}\t\n\r\u{8}\u{c} é ✓ \u{7f}".to_owned()),
            error_source: Some(ErrorSource::Authorizer),
            token_cache: Some(CacheUse::Miss),
            ..AccessLog::default()
        };
        let (fast, slow) = both(&line(refused, "GET /items/{id}"));
        assert_eq!(fast, slow);
        let (fast, slow) = both(&line(AccessLog::default(), "-"));
        assert_eq!(fast, slow);
    }

    #[test]
    fn a_stream_error_is_the_error_message_when_there_is_no_other() {
        let mut l = line(AccessLog::default(), "$default");
        l.set_stream_error("backend reset".to_owned());
        let (fast, slow) = both(&l);
        assert_eq!(fast, slow);
        assert!(fast.contains(r#""errorMessage":"backend reset""#), "{fast}");
    }

    #[test]
    fn a_stage_format_fills_every_variable_and_escapes_client_text() {
        let format = AccessLogFormat::parse(
            r#"{"id":"$context.requestId","ip":"$context.identity.sourceIp","ua":"$context.identity.userAgent","st":$context.status,"ist":"$context.integrationStatus","err":$context.error.messageString,"route":"$context.routeKey","stage":"$context.stage","d":"$context.domainPrefix"}"#,
        )
        .unwrap();
        let refused = AccessLog {
            status: 401,
            error_message: Some("Unauthorized".to_owned()),
            ..AccessLog::default()
        };
        let mut l = line(refused, "GET /planets");
        l.facts.user_agent = Some(http::HeaderValue::from_static("evil\"agent"));
        let mut out = String::new();
        l.write_format(&format, &mut out);
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["id"], "Ab3dEf6hIj9kLm0=");
        assert_eq!(parsed["ip"], "::1");
        assert_eq!(parsed["ua"], "evil\"agent", "a quote stays inside the string");
        assert_eq!(parsed["st"], 401);
        assert_eq!(parsed["ist"], "-");
        assert_eq!(parsed["err"], "Unauthorized");
        assert_eq!(parsed["route"], "GET /planets");
        assert_eq!(parsed["stage"], "$default");
        assert_eq!(parsed["d"], "localhost");
    }
}
