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
//! been idle longer than the idle timeout, is dropped instead of handed out; every few seconds
//! a thread's sweep drops its expired ones and trims each authority's to
//! `max_idle_per_authority` (the oldest go first). Between sweeps a burst may leave more idle:
//! closing them on return would make the next burst reconnect them all (with 2 000 clients in
//! flight that was half the requests, and the backend's full accept queue cost 1 s SYN
//! retries). HAProxy also closes idle connections over time rather than on return (it closes
//! half of the unused ones each `pool-purge-delay`). The idle connections live in
//! thread-local shelves, one per pool: no lock, and nothing shared between workers.
//!
//! May import: std, bytes, tokio.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::net::TcpStream;

/// One backend connection, its read buffer and the buffer its request heads are written in.
pub struct Conn {
    pub(super) stream: TcpStream,
    pub(super) buf: BytesMut,
    /// Empty between exchanges; kept (up to [`KEPT_WRITE_BUFFER`] bytes of capacity) so that a
    /// request head costs no allocation on a reused connection.
    pub(super) out: Vec<u8>,
    pub(super) key: Arc<str>,
    /// Taken from the pool (it served an earlier exchange).
    pub(super) reused: bool,
    /// The write side handed to the thread's batched writer (`super::batch`).
    pub(super) shared: Option<Arc<super::batch::Shared>>,
}

impl Conn {
    pub(super) fn new(stream: TcpStream, key: Arc<str>) -> Self {
        Self {
            shared: super::batch::Shared::of(&stream),
            stream,
            buf: BytesMut::with_capacity(READ_BUFFER),
            out: Vec::new(),
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

/// The most write-buffer capacity an idle connection keeps (a head with a large token fits; an
/// upload's buffer does not stay behind).
pub const KEPT_WRITE_BUFFER: usize = 4 * 1024;

/// How long connections wait and how many.
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    /// Idle connections older than this are closed.
    pub idle_timeout: Duration,
    /// Idle connections kept per authority on each thread, after each sweep (0: none, not even
    /// between sweeps).
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

/// The pool: its limits and its identity on each thread's shelves.
pub struct Pool {
    limits: PoolLimits,
    id: u64,
    /// Held only by the pool: a thread's sweep drops the shelf of a pool that is gone.
    alive: Arc<()>,
}

static NEXT_POOL: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's idle connections, for every pool that has returned one here. A thread
    /// touches only its own shelves, so taking and returning a connection needs no lock and no
    /// atomic operation, and two workers never contend for the pool.
    static SHELVES: RefCell<Shelves> = RefCell::new(Shelves::default());
}

/// Idle connections by authority, each with the instant it went idle.
/// Keyed by backend authority (from the configuration, not the client) and hashed with foldhash,
/// twice per request (checkout and return), where SipHash cost ~240 instructions each.
type Idle = HashMap<Arc<str>, Vec<(Conn, Instant)>, foldhash::fast::RandomState>;

#[derive(Default)]
struct Shelves {
    /// One shelf per pool (a thread usually sees one or two pools, so a list).
    pools: Vec<Shelf>,
    last_sweep: Option<Instant>,
}

struct Shelf {
    pool: u64,
    alive: Weak<()>,
    idle: Idle,
    /// The pool's limits: a sweep, whichever pool's return runs it, judges each shelf by its own.
    limits: PoolLimits,
}

impl Shelves {
    fn shelf(&mut self, pool: u64) -> Option<&mut Idle> {
        self.pools.iter_mut().find(|s| s.pool == pool).map(|s| &mut s.idle)
    }

    /// Drops expired connections, empty lists, and the shelves of pools that are gone.
    fn sweep(&mut self, now: Instant) {
        self.last_sweep = Some(now);
        self.pools.retain_mut(|shelf| {
            let PoolLimits {
                idle_timeout,
                max_idle_per_authority,
            } = shelf.limits;
            shelf.idle.retain(|_, list| {
                list.retain(|(_, since)| now.saturating_duration_since(*since) < idle_timeout);
                // The list is oldest first: the excess goes from its front.
                let excess = list.len().saturating_sub(max_idle_per_authority);
                list.drain(..excess);
                !list.is_empty()
            });
            shelf.alive.strong_count() > 0 && !shelf.idle.is_empty()
        });
    }
}

impl Pool {
    /// An empty pool.
    pub fn new(limits: PoolLimits) -> Self {
        Self {
            limits,
            id: NEXT_POOL.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
        }
    }

    /// A live idle connection to `key` that this thread returned, if any.
    pub fn checkout(&self, key: &str, now: Instant) -> Option<Conn> {
        with_shelves(|shelves| {
            let list = shelves.shelf(self.id)?.get_mut(key)?;
            while let Some((mut conn, since)) = list.pop() {
                if now.saturating_duration_since(since) < self.limits.idle_timeout && conn.is_quiet() {
                    conn.reused = true;
                    return Some(conn);
                }
            }
            None
        })
        .flatten()
    }

    /// Returns a connection after a complete exchange, to this thread's shelf.
    pub fn put(&self, conn: Conn, now: Instant) {
        if self.limits.max_idle_per_authority == 0 {
            return;
        }
        let _ = with_shelves(|shelves| {
            if shelves
                .last_sweep
                .is_none_or(|last| now.saturating_duration_since(last) >= SWEEP_EVERY)
            {
                shelves.sweep(now);
            }
            let index = match shelves.pools.iter().position(|s| s.pool == self.id) {
                Some(index) => index,
                None => {
                    shelves.pools.push(Shelf {
                        pool: self.id,
                        alive: Arc::downgrade(&self.alive),
                        idle: HashMap::default(),
                        limits: self.limits,
                    });
                    shelves.pools.len() - 1
                }
            };
            let Some(shelf) = shelves.pools.get_mut(index) else {
                return;
            };
            let list = match shelf.idle.get_mut(&conn.key) {
                Some(list) => list,
                None => shelf.idle.entry(conn.key.clone()).or_default(),
            };
            list.push((conn, now));
        });
    }

    /// Idle connections on the calling thread, over all authorities.
    pub fn idle_count(&self) -> usize {
        with_shelves(|shelves| {
            shelves
                .shelf(self.id)
                .map_or(0, |idle| idle.values().map(Vec::len).sum())
        })
        .unwrap_or(0)
    }
}

#[cfg(test)]
impl Pool {
    /// Runs this thread's sweep as if at `now`.
    pub(super) fn sweep_at(&self, now: Instant) {
        let _ = with_shelves(|shelves| shelves.sweep(now));
    }

    /// The write-buffer capacities of the idle connections on the calling thread.
    pub(super) fn idle_write_buffers(&self) -> Vec<usize> {
        with_shelves(|shelves| {
            shelves.shelf(self.id).map_or_else(Vec::new, |idle| {
                idle.values().flatten().map(|(conn, _)| conn.out.capacity()).collect()
            })
        })
        .unwrap_or_default()
    }
}

/// Runs `f` on this thread's shelves; `None` (no connection taken, a returned one closed) if
/// they are unavailable: borrowed already (nothing here re-enters the pool) or torn down with
/// the thread.
fn with_shelves<T>(f: impl FnOnce(&mut Shelves) -> T) -> Option<T> {
    SHELVES
        .try_with(|cell| cell.try_borrow_mut().ok().map(|mut shelves| f(&mut shelves)))
        .ok()
        .flatten()
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

    #[tokio::test]
    async fn a_thread_that_ends_closes_the_idle_connections_it_kept() {
        use tokio::io::AsyncReadExt as _;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let pool = Arc::new(Pool::new(PoolLimits::default()));
        let worker = {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    pool.put(Conn::new(stream, Arc::from("127.0.0.1:1")), Instant::now());
                    assert_eq!(pool.idle_count(), 1);
                });
            })
        };
        let (mut backend_side, _) = listener.accept().await.unwrap();
        worker.join().unwrap();
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), backend_side.read(&mut byte)).await;
        assert_eq!(read.unwrap().unwrap(), 0, "the worker's shelf went with it");
        assert_eq!(pool.idle_count(), 0, "nothing of it is left on this thread");
    }

    #[tokio::test]
    async fn a_sweep_closes_the_idle_connections_of_a_pool_that_is_gone() {
        use tokio::io::AsyncReadExt as _;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (mut backend_side, _) = listener.accept().await.unwrap();
        let now = Instant::now();
        let gone = Pool::new(PoolLimits::default());
        gone.put(Conn::new(stream, Arc::from("127.0.0.1:1")), now);
        drop(gone);
        let other = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let _other_side = listener.accept().await.unwrap();
        let pool = Pool::new(PoolLimits::default());
        pool.put(Conn::new(other, Arc::from("127.0.0.1:1")), now + SWEEP_EVERY);
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), backend_side.read(&mut byte)).await;
        assert_eq!(read.unwrap().unwrap(), 0, "the dropped pool's connection was closed");
        assert_eq!(pool.idle_count(), 1);
    }

    #[tokio::test]
    async fn a_sweep_judges_each_pools_connections_by_that_pools_limits() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut backend_sides = Vec::new();
        let mut connections = Vec::new();
        for _ in 0..7 {
            connections.push(TcpStream::connect(listener.local_addr().unwrap()).await.unwrap());
            backend_sides.push(listener.accept().await.unwrap());
        }
        let mut conn = || Conn::new(connections.pop().unwrap(), Arc::from("127.0.0.1:1"));
        let now = Instant::now();
        // Short-lived and at most one idle; long-lived and at most three.
        let strict = Pool::new(PoolLimits {
            idle_timeout: Duration::from_secs(10),
            max_idle_per_authority: 1,
        });
        let lenient = Pool::new(PoolLimits {
            idle_timeout: Duration::from_secs(120),
            max_idle_per_authority: 3,
        });
        for _ in 0..3 {
            strict.put(conn(), now);
            lenient.put(conn(), now);
        }
        assert_eq!(
            (strict.idle_count(), lenient.idle_count()),
            (3, 3),
            "a burst waits whole"
        );
        // Run by the lenient pool's return, 5 s later: the strict shelf is trimmed to its one.
        lenient.put(conn(), now + SWEEP_EVERY);
        assert_eq!((strict.idle_count(), lenient.idle_count()), (1, 4));
        // 60 s later, by the strict pool: its connection has expired, the lenient ones have not,
        // and the lenient shelf keeps its three newest.
        strict.sweep_at(now + Duration::from_secs(60));
        assert_eq!((strict.idle_count(), lenient.idle_count()), (0, 3));
    }
}
