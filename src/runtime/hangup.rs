//! Noticing that a plaintext HTTP/1 client hung up while its request is being served, so that
//! the request (and its backend exchange) is given up at once (docs/compat.md, "client hangs
//! up mid-request").
//!
//! hyper can notice it itself (`half_close` off): it reads the socket while a request is in
//! flight. But that read needs a fresh 8 KiB buffer for every request, because the one the head
//! was parsed from still shares its bytes with the request's headers (bench/README, "What the
//! hang-up read costs"). So plaintext HTTP/1 connections run with `half_close` on, and the socket
//! is shared instead: hyper reads and writes it through [`SharedTcp`], and each request's future
//! is wrapped in [`UntilHangUp`], which peeks at one byte whenever the socket turns readable. A
//! peek that finds the end of the stream (or an error) ends the request with [`HungUp`]; hyper
//! then closes the connection without an answer, as its own read would have. A peek that finds
//! bytes leaves them to hyper, as its read-ahead would have buffered them:
//! - after a request without a body they are the next (pipelined) request, and, as in hyper,
//!   nothing more is watched for this request;
//! - during a request with a body they are the body, still to be read, and the watch goes on, so
//!   a hang-up after the body is noticed as hyper would notice it. Until hyper reads those
//!   bytes, each poll of the request's future peeks again (a system call): a cost only while a
//!   backend holds an upload back.
//!
//! TLS and HTTP/2 connections keep hyper's own detection (`half_close` off): a TLS client's
//! `close_notify` is bytes on the socket, not its end.
//!
//! May import: `tokio`, `socket2`, `pin-project-lite`, std.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// A connection's socket, read and written by hyper while each request's [`UntilHangUp`] watches
/// it. Reads and writes behave as tokio's `TcpStream`'s own.
#[derive(Clone)]
pub struct SharedTcp(Arc<TcpStream>);

impl SharedTcp {
    pub fn new(stream: TcpStream) -> Self {
        Self(Arc::new(stream))
    }

    /// Wraps the future answering a request on this connection. `has_body`: whether the request
    /// has a body still to come (hyper's `is_end_stream` is false).
    pub fn until_hang_up<F>(&self, has_body: bool, response: F) -> UntilHangUp<F> {
        UntilHangUp {
            response,
            socket: self.0.clone(),
            mode: if has_body { Mode::Always } else { Mode::UntilBytes },
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bytes on the socket are the request's body: keep watching.
    Always,
    /// Bytes on the socket are the next request: stop watching.
    UntilBytes,
    Off,
}

/// Why a request was given up: its client closed the connection (or it failed) first.
#[derive(Debug)]
pub struct HungUp;

impl std::fmt::Display for HungUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the client closed the connection while its request was being served")
    }
}

impl std::error::Error for HungUp {}

pin_project_lite::pin_project! {
    /// A request's future, ended with [`HungUp`] if the client hangs up before it is ready.
    pub struct UntilHangUp<F> {
        #[pin]
        response: F,
        socket: Arc<TcpStream>,
        mode: Mode,
    }
}

impl<F, T> Future for UntilHangUp<F>
where
    F: Future<Output = Result<T, std::convert::Infallible>>,
{
    type Output = Result<T, HungUp>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(Ok(answered)) = this.response.poll(cx) {
            return Poll::Ready(Ok(answered));
        }
        if *this.mode != Mode::Off {
            let mut byte = [0u8; 1];
            // Ready at once only when the socket is readable: otherwise this registers the
            // task for its next readiness, with no system call.
            match this.socket.poll_peek(cx, &mut ReadBuf::new(&mut byte)) {
                Poll::Pending => {}
                Poll::Ready(Ok(0) | Err(_)) => return Poll::Ready(Err(HungUp)),
                Poll::Ready(Ok(_)) => {
                    if *this.mode == Mode::UntilBytes {
                        *this.mode = Mode::Off;
                    }
                }
            }
        }
        Poll::Pending
    }
}

/// One read or write of up to `wanted` bytes once the socket is ready for `interest`. A
/// transfer shorter than asked for shows that the kernel's buffer is drained (epoll, kqueue),
/// so the socket's readiness is cleared at once, as tokio's own `TcpStream` does: the next poll
/// (hyper's, or a request's peek) then waits for the next event instead of asking the kernel.
fn poll_transfer(
    socket: &TcpStream,
    cx: &mut Context<'_>,
    interest: Interest,
    wanted: usize,
    mut transfer: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        if interest.is_readable() {
            ready!(socket.poll_read_ready(cx))?;
        } else {
            ready!(socket.poll_write_ready(cx))?;
        }
        let mut done = 0;
        let attempt = socket.try_io(interest, || {
            done = transfer()?;
            if 0 < done && done < wanted {
                Err(io::ErrorKind::WouldBlock.into())
            } else {
                Ok(())
            }
        });
        match attempt {
            Ok(()) => return Poll::Ready(Ok(done)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if done > 0 {
                    return Poll::Ready(Ok(done));
                }
            }
            Err(e) => return Poll::Ready(Err(e)),
        }
    }
}

impl AsyncRead for SharedTcp {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let socket = &*self.0;
        let wanted = buf.remaining();
        poll_transfer(socket, cx, Interest::READABLE, wanted, || socket.try_read_buf(buf)).map_ok(|_| ())
    }
}

impl AsyncWrite for SharedTcp {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let socket = &*self.0;
        poll_transfer(socket, cx, Interest::WRITABLE, buf.len(), || socket.try_write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(socket2::SockRef::from(&*self.0).shutdown(std::net::Shutdown::Write))
    }
}

#[cfg(test)]
#[path = "hangup_tests.rs"]
mod tests;
