//! The backend's response body, read from the connection as the client asks for it; the
//! connection goes back to the pool the moment the body's last byte has been read.
//!
//! Invariants: never yields a byte beyond the framing; a body cut short by the backend is an
//! error frame (the client sees a truncated response, as with any proxy), not a clean end; a
//! connection returns to the pool only when the body ended exactly at the end of what was read;
//! dropping the body early drops (closes) the connection.
//!
//! May import: std, bytes, http-body, tokio, `super`.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::io::AsyncReadExt as _;

use super::chunked::{Chunked, Decoded};
use super::head::ResponseFraming;
use super::pool::{Conn, Pool};
use super::{BoxError, Error};

/// A response body from a backend.
pub struct UpstreamBody {
    conn: Option<Conn>,
    pool: Arc<Pool>,
    state: State,
    reusable: bool,
}

enum State {
    Length(u64),
    Chunked(Chunked),
    UntilClose,
    Done,
}

/// Room made before each read of the body once the buffer runs low: a large body is read in
/// pieces of at least this size (small ones arrive with the head anyway).
const READ_RESERVE: usize = 16 * 1024;

impl UpstreamBody {
    pub(super) fn new(conn: Conn, pool: Arc<Pool>, framing: ResponseFraming, reusable: bool) -> Self {
        let state = match framing {
            ResponseFraming::Length(n) => State::Length(n),
            ResponseFraming::Chunked => State::Chunked(Chunked::Size),
            ResponseFraming::UntilClose => State::UntilClose,
        };
        let mut body = Self {
            conn: Some(conn),
            pool,
            state,
            reusable,
        };
        if matches!(body.state, State::Length(0)) {
            body.finish();
        }
        body
    }

    /// The body is complete: the connection goes back to the pool if it can carry another
    /// exchange.
    fn finish(&mut self) {
        self.state = State::Done;
        if let Some(conn) = self.conn.take()
            && self.reusable
            && conn.buf.is_empty()
        {
            self.pool.put(conn, Instant::now());
        }
    }

    /// Reads more into the buffer; `Ok(false)` at the end of the stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, BoxError>> {
        let Some(conn) = self.conn.as_mut() else {
            return Poll::Ready(Ok(false));
        };
        conn.buf.reserve(READ_RESERVE);
        let read = std::pin::pin!(conn.stream.read_buf(&mut conn.buf));
        match ready!(read.poll(cx)) {
            Ok(n) => Poll::Ready(Ok(n > 0)),
            Err(e) => {
                self.conn = None;
                self.state = State::Done;
                Poll::Ready(Err(Box::new(Error::Io(e))))
            }
        }
    }

    /// The body cannot be completed: the connection is closed (never pooled) and the client
    /// gets `err` as the last frame.
    fn abandon(&mut self, err: BoxError) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.conn = None;
        self.state = State::Done;
        Poll::Ready(Some(Err(err)))
    }

    fn buffered(&mut self) -> Option<&mut bytes::BytesMut> {
        self.conn.as_mut().map(|c| &mut c.buf).filter(|b| !b.is_empty())
    }
}

fn cut_short() -> BoxError {
    Box::new(Error::Response(
        "the backend closed the connection before the end of the body".to_owned(),
    ))
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Length(left) => {
                    let left_now = *left;
                    if let Some(buf) = this.buffered() {
                        let n = usize::try_from(left_now).unwrap_or(usize::MAX).min(buf.len());
                        let data = buf.split_to(n).freeze();
                        let left = left_now - n as u64;
                        this.state = State::Length(left);
                        if left == 0 {
                            this.finish();
                        }
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    if !ready!(this.poll_fill(cx))? {
                        return this.abandon(cut_short());
                    }
                }
                State::Chunked(decoder) => {
                    let Some(conn) = this.conn.as_mut() else {
                        return Poll::Ready(None);
                    };
                    match decoder.decode(&mut conn.buf) {
                        Ok(Decoded::Data(data)) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                        Ok(Decoded::End) => {
                            this.finish();
                            return Poll::Ready(None);
                        }
                        Ok(Decoded::NeedMore) => {
                            if !ready!(this.poll_fill(cx))? {
                                return this.abandon(cut_short());
                            }
                        }
                        Err(why) => {
                            return this.abandon(Box::new(Error::Response(why.to_owned())));
                        }
                    }
                }
                State::UntilClose => {
                    if let Some(buf) = this.buffered() {
                        let data = buf.split().freeze();
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    if !ready!(this.poll_fill(cx))? {
                        this.conn = None;
                        this.state = State::Done;
                        return Poll::Ready(None);
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.state, State::Done | State::Length(0))
    }

    fn size_hint(&self) -> SizeHint {
        match self.state {
            State::Length(n) => SizeHint::with_exact(n),
            State::Done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
