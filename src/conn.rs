//! Facts about one inbound connection, produced by the listener (`runtime`) and read by the
//! services that answer on it (`proxy`, `issuer`).
//!
//! May import: std only.

use std::net::SocketAddr;

/// Facts about one client connection.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    /// The TCP peer.
    pub client: SocketAddr,
    /// Our address.
    pub local: SocketAddr,
    /// Whether TLS terminates here.
    pub tls: bool,
}
