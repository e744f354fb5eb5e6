//! The backend writes of one scheduler pass, made back to back by one flusher task per thread,
//! and the responses of a pass kept together.
//!
//! Why: on a core the backend shares, each write to a sleeping backend wakes it, and the kernel's
//! scheduler (EEVDF) switches to it at once for as long as the writer does more between two writes
//! than the backend does per request; the backend then answers one request per wake-up. A task
//! per connection that reads, checks and forwards one request before the next does exactly that.
//! HAProxy reads a poll's requests first and writes them afterwards, and is switched out about
//! half as often (bench/README, "Reading the numbers"). Here [`queue`] hands the request head to a
//! thread-local queue and wakes the thread's flusher; woken from inside a task, the flusher runs
//! after every task already ready, so a poll's requests are parsed first and written together,
//! without polling each request's task a second time (a yield before the write did the same at
//! 1 440 instructions a request).
//!
//! A head is queued only while another exchange on the thread is waiting for its backend
//! ([`Waiting`]): a thread with nothing else in flight (one client, or a quiet moment) is
//! unlikely to parse another request in the same pass, so the exchange writes its head itself
//! and saves the flusher's poll (~800 instructions, bench/callgrind at one connection).
//!
//! Responses: the same holds on the other side. The load generator (any client on another core)
//! sleeps between responses that come further apart than it takes to handle one, and each
//! response that finds it asleep costs the writer an inter-processor wake-up (a VM exit on a
//! virtual machine). HAProxy writes a poll's responses back to back; a task per connection
//! writes each as its backend answers, between other requests' work. So an exchange whose
//! response head has come while others on the thread are still waiting yields once
//! ([`Waiting::answered`]): its response is written in the next pass, with the others of that
//! pass. On the open route (bench/README, "Reading the numbers") that took the wake-ups of the
//! load generator's core from 0.10–0.33 a request to 0.06–0.17 (HAProxy's 0.04–0.06). Alone on
//! the thread, an exchange does not yield, so one client's requests pay nothing for it.
//!
//! Invariants:
//! - used only by connections opened on a current-thread runtime ([`Shared::of`]): the queue and
//!   the count of waiting exchanges are per thread, and the data plane runs one such runtime per
//!   worker (`runtime::server`);
//! - the request's task goes straight to reading the response after [`queue`]; the flusher wakes
//!   it only when its write failed or was partial (the task then writes the rest itself), so a
//!   complete write costs the task nothing;
//! - an entry only the queue still holds belongs to a dropped request (its client hung up): it is
//!   not written;
//! - the flusher writes through a duplicate of the connection's descriptor, so the connection
//!   itself stays with its request (the price: two descriptors per backend connection; when the
//!   duplicate cannot be made, that connection writes its requests itself);
//! - when a runtime shuts down, its flusher's drop clears the thread's state, so a later runtime
//!   on the thread starts its own.
//!
//! May import: std, futures-util (`AtomicWaker`), tokio.

use std::cell::{Cell, RefCell};
use std::io::Write as _;
use std::os::fd::AsFd as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use futures_util::task::AtomicWaker;
use tokio::net::TcpStream;

const IDLE: usize = 0;
const QUEUED: usize = 1;
const WRITTEN: usize = 2;
const FAILED: usize = 3;
/// `PARTIAL + n`: `n` bytes were written, the rest is the task's.
const PARTIAL: usize = 4;

/// What a connection shares with the flusher: a duplicate of its descriptor, the head to write
/// (swapped in and out of the request's buffer, so nothing is copied) and how the write went.
/// One per backend connection, made when it is opened.
pub struct Shared {
    dup: std::net::TcpStream,
    pub bytes: Mutex<Vec<u8>>,
    state: AtomicUsize,
    waker: AtomicWaker,
}

/// How the queued write went, as its task sees it.
pub enum Outcome {
    /// Not written yet.
    Queued,
    /// Written in full (or nothing was queued).
    Written,
    /// The write failed: nothing of a response can come.
    Failed,
    /// This many bytes went out; the task writes the rest.
    Partial(usize),
}

impl Shared {
    /// The shared part of a connection opened on this thread; `None` (the connection then writes
    /// its requests itself) outside a current-thread runtime, where the flusher could run on
    /// another thread than the queue it serves, or when the descriptor cannot be duplicated.
    /// Decided once per connection: a connection stays on the thread that opened it (the pool is
    /// per thread).
    pub fn of(stream: &TcpStream) -> Option<Arc<Self>> {
        let current_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        if !current_thread {
            return None;
        }
        let fd = stream.as_fd().try_clone_to_owned().ok()?;
        Some(Arc::new(Self {
            dup: std::net::TcpStream::from(fd),
            bytes: Mutex::new(Vec::new()),
            state: AtomicUsize::new(IDLE),
            waker: AtomicWaker::new(),
        }))
    }

    /// How the write went; while it is queued, `waker` is woken if it fails or is partial.
    pub fn outcome(&self, waker: &Waker) -> Outcome {
        let decode = |s: usize| match s {
            IDLE | WRITTEN => Outcome::Written,
            QUEUED => Outcome::Queued,
            FAILED => Outcome::Failed,
            n => Outcome::Partial(n - PARTIAL),
        };
        if let Outcome::Queued = decode(self.state.load(Ordering::Acquire)) {
            self.waker.register(waker);
        }
        decode(self.state.load(Ordering::Acquire))
    }

    /// The exchange is over (or its task wrote the rest itself).
    pub fn reset(&self) {
        self.state.store(IDLE, Ordering::Release);
    }
}

thread_local! {
    static WAITING: Cell<usize> = const { Cell::new(0) };
    static QUEUE: RefCell<Vec<Arc<Shared>>> = const { RefCell::new(Vec::new()) };
    static FLUSHER: RefCell<Option<Waker>> = const { RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    static FLUSHED: Cell<Flushed> = const { Cell::new(Flushed { whole: 0, partial: 0 }) };
    static YIELDED: Cell<usize> = const { Cell::new(0) };
}

/// The heads this thread's flusher wrote so far, for tests to check which path an exchange took.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flushed {
    /// Written in full by the flusher.
    pub whole: usize,
    /// Written in part (or not at all: the socket was full), the rest left to the task.
    pub partial: usize,
}

/// What this thread's flusher has written since the thread started.
#[cfg(test)]
pub fn flushed() -> Flushed {
    FLUSHED.get()
}

/// An exchange on a batched connection waiting for its response head, counted per thread from
/// [`Waiting::begin`] until it is dropped (answered, failed or cancelled).
pub struct Waiting(());

impl Waiting {
    /// Counts the calling exchange in, and says whether another exchange on this thread was
    /// already waiting (only then is its head queued; see the module docs). Only for batched
    /// connections: their tasks never leave the thread, so the count stays on it.
    pub fn begin() -> (Self, bool) {
        let before = WAITING.get();
        WAITING.set(before + 1);
        (Self(()), before > 0)
    }

    /// Ends the wait of an exchange whose response head has come, and yields once to the
    /// scheduler when other exchanges on the thread are still waiting: the response then goes to
    /// the client in the next pass, after every task already ready, with the other responses
    /// of that pass instead of between their requests' work (module docs, "Responses"). The
    /// yield re-polls the request's task through hyper's dispatcher (~2 450 instructions when it
    /// was measured before a head's write, bench/README), paid only under concurrency. There it
    /// halved the client core's wake-ups; the req/s gain it bought (+3–5 %, medians of 20
    /// paired rounds) is within this machine's noise.
    pub async fn answered(self) {
        drop(self);
        if WAITING.get() > 0 {
            #[cfg(test)]
            YIELDED.set(YIELDED.get() + 1);
            tokio::task::yield_now().await;
        }
    }
}

/// How many answered exchanges on this thread yielded before their response went on, for tests.
#[cfg(test)]
pub fn yielded() -> usize {
    YIELDED.get()
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.set(WAITING.get().saturating_sub(1));
    }
}

/// Queues `shared`'s bytes for the thread's flusher, and wakes it if the queue was empty (else
/// it is already woken: a pass empties the queue, and nothing is queued during one).
pub fn queue(shared: &Arc<Shared>) {
    shared.state.store(QUEUED, Ordering::Release);
    let first = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.push(shared.clone());
        q.len() == 1
    });
    if first {
        let woken = FLUSHER.with(|f| f.borrow().as_ref().map(Waker::wake_by_ref).is_some());
        if !woken {
            tokio::spawn(flusher());
        }
    }
}

/// Clears the thread's flusher state when the flusher task is dropped (its runtime shut down),
/// so that a later runtime on this thread spawns its own instead of waking a dead one.
struct Forget;

impl Drop for Forget {
    fn drop(&mut self) {
        FLUSHER.with(|f| f.borrow_mut().take());
        QUEUE.with(|q| q.borrow_mut().clear());
    }
}

/// The flusher task. Its `Forget` is made here, not in its first poll, so that a flusher
/// dropped before it ever ran (its runtime shut down first) still clears the thread's state.
fn flusher() -> impl Future<Output = ()> {
    let forget = Forget;
    async move {
        let _forget = forget;
        flush().await;
    }
}

async fn flush() {
    // Swapped with the queue on each pass, so that neither is reallocated.
    let mut batch = Vec::new();
    std::future::poll_fn(|cx| {
        QUEUE.with(|q| std::mem::swap(&mut batch, &mut *q.borrow_mut()));
        for shared in batch.drain(..) {
            // Only the queue holds it: the request's task was dropped (its client hung up), and
            // its connection with it. Nothing is sent for it.
            if Arc::strong_count(&shared) == 1 {
                continue;
            }
            let bytes = shared.bytes.lock().unwrap_or_else(|e| e.into_inner());
            let state = match (&shared.dup).write(&bytes) {
                Ok(n) if n == bytes.len() => WRITTEN,
                Ok(n) => PARTIAL + n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => PARTIAL,
                Err(_) => FAILED,
            };
            drop(bytes);
            #[cfg(test)]
            FLUSHED.with(|f| {
                let mut n = f.get();
                match state {
                    WRITTEN => n.whole += 1,
                    FAILED => {}
                    _ => n.partial += 1,
                }
                f.set(n);
            });
            shared.state.store(state, Ordering::Release);
            if state != WRITTEN {
                shared.waker.wake();
            }
        }
        FLUSHER.with(|f| {
            let mut stored = f.borrow_mut();
            if !stored.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *stored = Some(cx.waker().clone());
            }
        });
        Poll::<()>::Pending
    })
    .await
}
