//! The response body type: a fixed error body or the backend's stream, wrapped so that the
//! access-log line is written exactly once, when the body ends or is dropped.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};

use crate::client::BoxError;
use crate::telemetry::LogLine;

/// What the gateway sends to clients.
pub struct ResponseBody {
    inner: UnsyncBoxBody<Bytes, BoxError>,
    /// Boxed: a response is moved half a dozen times on its way out (hyper's dispatcher, the
    /// encoder), and the line inline would make each move copy about 450 bytes more.
    log: Option<Box<LogLine>>,
    bytes: u64,
}

impl ResponseBody {
    /// A complete body held in memory.
    pub fn full(bytes: Bytes) -> Self {
        Self::wrap(Full::new(bytes).map_err(|never| match never {}).boxed_unsync())
    }

    /// The backend's body, streamed.
    pub fn streaming(body: hyper::body::Incoming) -> Self {
        Self::wrap(body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync())
    }

    /// A plain-HTTP backend's body, streamed.
    pub fn upstream(body: crate::upstream::UpstreamBody) -> Self {
        Self::wrap(body.boxed_unsync())
    }

    fn wrap(inner: UnsyncBoxBody<Bytes, BoxError>) -> Self {
        Self {
            inner,
            log: None,
            bytes: 0,
        }
    }

    /// Attaches the access-log line written when this body is done.
    pub fn logged(mut self, line: LogLine) -> Self {
        self.log = Some(Box::new(line));
        self
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.bytes += data.len() as u64;
                }
            }
            Poll::Ready(Some(Err(err))) => {
                let text = err.to_string();
                if let Some(log) = self.log.as_mut() {
                    log.set_stream_error(text);
                }
            }
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        if let Some(mut log) = self.log.take() {
            log.response_length = self.bytes;
            log.emit();
        }
    }
}
