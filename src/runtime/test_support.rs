//! Helpers shared by the runtime's tests of client hang-ups (plaintext HTTP/1 in `hangup`'s
//! tests, TLS and HTTP/2 in `server`'s): a report when a request's future is dropped, and the
//! next report within a bound.
//!
//! May import: tokio, std.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tokio::sync::mpsc;

/// Sends `"dropped"` when the request's future that holds it goes, answered or not.
pub(super) struct Dropped(pub(super) mpsc::UnboundedSender<&'static str>);

impl Drop for Dropped {
    fn drop(&mut self) {
        let _ = self.0.send("dropped");
    }
}

/// The next report, within 5 s.
pub(super) async fn next_report(reports: &mut mpsc::UnboundedReceiver<&'static str>) -> &'static str {
    tokio::time::timeout(Duration::from_secs(5), reports.recv())
        .await
        .expect("no report within 5 s")
        .unwrap()
}
