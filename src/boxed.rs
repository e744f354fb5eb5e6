//! Futures built in their box, for the request path's waits that are boxed to keep the futures
//! around them small: the backend exchange (`proxy`), the waits few requests make (a cold key
//! cache, a connection's strike delay, an unknown-`kid` refetch in `proxy::authorize`; a new
//! backend connection and a request body's write in `upstream`).
//!
//! May import: std only.

use std::pin::Pin;

/// `make`'s future in a box allocated first, so that the future is built in its box:
/// `Box::pin(make())` builds it on the stack and copies all of it (the backend exchange's is
/// ~1.1 KB, most of it states not entered yet) into a fresh box. Whether the optimizer builds it
/// in place is measured, not guaranteed (bench/README, "Instruction counts": the exchange's
/// `memcpy` was the largest single source of L1 data-cache misses before this).
pub(crate) fn in_box<F: Future>(make: impl FnOnce() -> F) -> Pin<Box<F>> {
    let slot = Box::<F>::new_uninit();
    Box::into_pin(Box::write(slot, make()))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    #[tokio::test]
    async fn the_future_is_made_once_at_once_and_runs_only_when_awaited() {
        let (made, ran) = (Cell::new(0), Cell::new(false));
        let boxed = super::in_box(|| {
            made.set(made.get() + 1);
            async {
                ran.set(true);
                42
            }
        });
        assert_eq!((made.get(), ran.get()), (1, false));
        assert_eq!(boxed.await, 42);
        assert_eq!((made.get(), ran.get()), (1, true));
    }
}
