//! Facts about one inbound connection, produced by the listener (`runtime`) and read by the
//! services that answer on it (`proxy`, `issuer`), and the little state a connection carries
//! between its requests.
//!
//! May import: std, and `http` for header values.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderValue;

/// Facts about one client connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The TCP peer.
    pub client: SocketAddr,
    /// Our address.
    pub local: SocketAddr,
    /// Whether TLS terminates here.
    pub tls: bool,
    /// What the connection's requests and streams share.
    pub state: Arc<ConnectionState>,
}

/// The state a connection carries between its requests (one allocation per connection).
#[derive(Debug, Default)]
pub struct ConnectionState {
    /// Forged signatures seen on this connection.
    pub strikes: Strikes,
    /// The proxy's `forwarded` value: made from the connection's addresses, which never change,
    /// and the request's Host, which seldom does.
    pub forwarded: HostMemo,
    /// Whether a request has arrived: the listener closes a connection that brings none in time.
    pub requested: AtomicBool,
}

/// A header value derived from the connection and a request's Host, kept for the next request
/// with the same Host. Each miss replaces it: a client alternating Hosts costs two small
/// allocations more per request than without the memo (the kept Host, and the value's shared
/// buffer); a hit saves two (the value's text and its copy).
#[derive(Debug, Default)]
pub struct HostMemo(Mutex<Option<Kept>>);

/// The Host a value was made for (`None`: the request had none), and the value.
type Kept = (Option<Box<[u8]>>, HeaderValue);

impl HostMemo {
    /// The value kept for `host`, else what `make` makes (then kept).
    pub fn get_or_make(&self, host: Option<&[u8]>, make: impl FnOnce() -> Option<HeaderValue>) -> Option<HeaderValue> {
        let Ok(mut slot) = self.0.lock() else {
            return make();
        };
        if let Some((kept_for, value)) = slot.as_ref()
            && kept_for.as_deref() == host
        {
            return Some(value.clone());
        }
        let value = make()?;
        *slot = Some((host.map(Box::from), value.clone()));
        Some(value)
    }
}

impl Connection {
    /// A connection with no history.
    pub fn new(client: SocketAddr, local: SocketAddr, tls: bool) -> Self {
        Self {
            client,
            local,
            tls,
            state: Arc::default(),
        }
    }
}

/// Signatures refused on one connection since its last valid one (docs/compat.md,
/// "Forged-token floods"): each cost the gateway a full RSA or ECDSA verification, so the next
/// token this connection brings that is not in the verified-token cache waits
/// [`Strikes::delay`] before it is verified. A valid signature resets the count; answers from
/// the cache are never delayed, so one connection's forgeries never slow another's traffic
/// or its own cached tokens.
#[derive(Debug, Default)]
pub struct Strikes(AtomicU32);

/// The longest wait before a verification.
pub const MAX_STRIKE_DELAY: Duration = Duration::from_secs(1);

impl Strikes {
    /// A signature failed.
    pub fn record(&self) {
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_add(1)));
    }

    /// A signature verified.
    pub fn clear(&self) {
        if self.0.load(Ordering::Relaxed) != 0 {
            self.0.store(0, Ordering::Relaxed);
        }
    }

    /// Failed signatures since the last valid one.
    pub fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// How long the next verification waits: nothing after none or one failure, then 1 ms,
    /// doubling with each further failure, at most [`MAX_STRIKE_DELAY`].
    pub fn delay(&self) -> Duration {
        delay_after(self.count())
    }
}

/// [`Strikes::delay`] for `n` failures.
pub fn delay_after(n: u32) -> Duration {
    match n {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis(1u64 << (n - 2).min(10)).min(MAX_STRIKE_DELAY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_from_the_second_failure_and_stops_at_one_second() {
        let ms = |n| delay_after(n).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(3), ms(4), ms(11)], [0, 0, 1, 2, 4, 512]);
        assert_eq!(delay_after(12), MAX_STRIKE_DELAY);
        assert_eq!(delay_after(u32::MAX), MAX_STRIKE_DELAY);
    }

    #[test]
    fn a_kept_value_is_reused_only_for_the_host_it_was_made_for() {
        let memo = HostMemo::default();
        let made = std::cell::Cell::new(0);
        let make = |text: &'static str| {
            made.set(made.get() + 1);
            Some(HeaderValue::from_static(text))
        };
        let ask = |host: Option<&[u8]>, text| memo.get_or_make(host, || make(text));
        assert_eq!(ask(Some(b"a"), "for a"), Some(HeaderValue::from_static("for a")));
        assert_eq!(ask(Some(b"a"), "not made"), Some(HeaderValue::from_static("for a")));
        assert_eq!(ask(Some(b"b"), "for b"), Some(HeaderValue::from_static("for b")));
        assert_eq!(ask(None, "no host"), Some(HeaderValue::from_static("no host")));
        assert_eq!(ask(None, "not made"), Some(HeaderValue::from_static("no host")));
        assert_eq!(made.get(), 3, "made once per change of Host");
        assert_eq!(
            memo.get_or_make(Some(b"c"), || None),
            None,
            "nothing kept when nothing is made"
        );
        assert_eq!(ask(None, "not made"), Some(HeaderValue::from_static("no host")));
    }

    #[test]
    fn a_valid_signature_forgives() {
        let s = Strikes::default();
        (0..5).for_each(|_| s.record());
        assert_eq!(s.delay(), Duration::from_millis(8));
        s.clear();
        assert_eq!(s.delay(), Duration::ZERO);
    }
}
