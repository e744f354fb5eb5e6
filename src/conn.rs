//! Facts about one inbound connection, produced by the listener (`runtime`) and read by the
//! services that answer on it (`proxy`, `issuer`), and the little state a connection carries
//! between its requests.
//!
//! May import: std only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Facts about one client connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The TCP peer.
    pub client: SocketAddr,
    /// Our address.
    pub local: SocketAddr,
    /// Whether TLS terminates here.
    pub tls: bool,
    /// Forged signatures seen on this connection (shared by its requests and streams).
    pub strikes: Arc<Strikes>,
}

impl Connection {
    /// A connection with no history.
    pub fn new(client: SocketAddr, local: SocketAddr, tls: bool) -> Self {
        Self {
            client,
            local,
            tls,
            strikes: Arc::default(),
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
    fn a_valid_signature_forgives() {
        let s = Strikes::default();
        (0..5).for_each(|_| s.record());
        assert_eq!(s.delay(), Duration::from_millis(8));
        s.clear();
        assert_eq!(s.delay(), Duration::ZERO);
    }
}
