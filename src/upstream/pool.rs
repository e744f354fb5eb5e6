//! Idle backend connections, kept per thread and authority for reuse.
//!
//! Per thread because a connection is registered with the reactor of the runtime that opened
//! it: with one current-thread runtime per data-plane worker (`runtime::server`), a connection
//! handed to another worker would be driven by a reactor that only runs when its own thread is
//! idle. Each worker thus reuses only what it opened.
//!
//! Invariants: a connection enters the pool only between two complete exchanges (its read
//! buffer empty); the most recently used connection is handed out first (it is the likeliest
//! to be alive and warm); one that the backend has closed or written to while idle, or that has
//! been idle longer than the idle timeout, is dropped instead of handed out; at most
//! `max_idle_per_authority` wait per authority on each thread (the oldest go first), and every
//! few seconds a sweep drops expired ones everywhere. The lock is held only to push or pop.
//!
//! May import: std, bytes, tokio.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::net::TcpStream;

/// One backend connection and its read buffer.
pub struct Conn {
    pub(super) stream: TcpStream,
    pub(super) buf: BytesMut,
    pub(super) key: Arc<str>,
    /// Taken from the pool (it served an earlier exchange).
    pub(super) reused: bool,
}

impl Conn {
    pub(super) fn new(stream: TcpStream, key: Arc<str>) -> Self {
        Self {
            stream,
            buf: BytesMut::with_capacity(READ_BUFFER),
            key,
            reused: false,
        }
    }

    /// Nothing to read while idle, not even an end of stream. Uses the reactor's cached
    /// readiness, so it costs no system call when the socket has been quiet.
    fn is_quiet(&self) -> bool {
        let mut probe = [0u8; 1];
        matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }
}

/// The initial read buffer of a connection.
pub const READ_BUFFER: usize = 8 * 1024;

/// How long connections wait and how many.
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    /// Idle connections older than this are closed.
    pub idle_timeout: Duration,
    /// Idle connections kept per authority, on each thread.
    pub max_idle_per_authority: usize,
}

impl Default for PoolLimits {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(60),
            max_idle_per_authority: 256,
        }
    }
}

const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// The pool.
pub struct Pool {
    limits: PoolLimits,
    inner: Mutex<Inner>,
}

/// One thread's idle connections, by authority, each with the instant it went idle.
type Idle = HashMap<Arc<str>, Vec<(Conn, Instant)>>;

struct Inner {
    idle: HashMap<ThreadId, Idle>,
    last_sweep: Instant,
}

impl Pool {
    /// An empty pool.
    pub fn new(limits: PoolLimits) -> Self {
        Self {
            limits,
            inner: Mutex::new(Inner {
                idle: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the map inconsistent (pushes and pops only).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A live idle connection to `key`, if any.
    pub fn checkout(&self, key: &str, now: Instant) -> Option<Conn> {
        let thread = std::thread::current().id();
        let mut inner = self.lock();
        let list = inner.idle.get_mut(&thread)?.get_mut(key)?;
        while let Some((mut conn, since)) = list.pop() {
            if now.saturating_duration_since(since) < self.limits.idle_timeout && conn.is_quiet() {
                conn.reused = true;
                return Some(conn);
            }
        }
        None
    }

    /// Returns a connection after a complete exchange.
    pub fn put(&self, conn: Conn, now: Instant) {
        if self.limits.max_idle_per_authority == 0 {
            return;
        }
        let thread = std::thread::current().id();
        let mut inner = self.lock();
        if now.saturating_duration_since(inner.last_sweep) >= SWEEP_EVERY {
            inner.last_sweep = now;
            let timeout = self.limits.idle_timeout;
            inner.idle.retain(|_, per_key| {
                per_key.retain(|_, list| {
                    list.retain(|(_, since)| now.saturating_duration_since(*since) < timeout);
                    !list.is_empty()
                });
                !per_key.is_empty()
            });
        }
        let list = inner
            .idle
            .entry(thread)
            .or_default()
            .entry(conn.key.clone())
            .or_default();
        if list.len() >= self.limits.max_idle_per_authority {
            list.remove(0);
        }
        list.push((conn, now));
    }

    /// Idle connections, over all authorities.
    pub fn idle_count(&self) -> usize {
        self.lock().idle.values().flat_map(HashMap::values).map(Vec::len).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_is_handed_out_only_on_the_thread_that_returned_it() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let _backend_side = listener.accept().await.unwrap();
        let pool = Arc::new(Pool::new(PoolLimits::default()));
        let now = Instant::now();
        pool.put(Conn::new(stream, Arc::from("127.0.0.1:1")), now);
        let other = pool.clone();
        let elsewhere = std::thread::spawn(move || other.checkout("127.0.0.1:1", now).is_some());
        assert!(!elsewhere.join().unwrap(), "another worker opens its own connection");
        assert_eq!(pool.idle_count(), 1);
        assert!(pool.checkout("127.0.0.1:1", now).is_some(), "its own thread reuses it");
    }
}
