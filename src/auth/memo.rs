//! A thread's memory of a pure function's latest answers: a few entries, replaced in turn.
//!
//! For work that a flood of similar requests repeats (decoding an issuer's token header,
//! building a `WWW-Authenticate` value): finding an answer costs a few comparisons of its
//! inputs, never an address, so nothing stale can be found. Bounded: at most `N` entries per
//! thread. Never panics: a memo that is borrowed already or torn down with its thread is simply
//! not used, and the answer is computed.
//!
//! Allowed imports: std.

use std::cell::RefCell;
use std::thread::LocalKey;

/// At most `N` (key, answer) pairs.
pub struct Recent<K, V, const N: usize> {
    entries: Vec<(K, V)>,
    next: usize,
}

impl<K, V, const N: usize> Recent<K, V, N> {
    /// An empty memo (no allocation until the first answer is kept).
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            next: 0,
        }
    }

    fn find(&self, matches: impl Fn(&K) -> bool) -> Option<&V> {
        self.entries
            .iter()
            .find(|(key, _)| matches(key))
            .map(|(_, value)| value)
    }

    fn keep(&mut self, key: K, value: V) {
        let at = self.next % N;
        self.next = at + 1;
        match self.entries.get_mut(at) {
            Some(slot) => *slot = (key, value),
            None => self.entries.push((key, value)),
        }
    }
}

/// The answer remembered in `memo` for the inputs `matches` recognises, else `compute`'s,
/// which is then remembered under `key()`. `compute` runs outside the memo's borrow.
pub fn recall<K, V: Clone, const N: usize>(
    memo: &'static LocalKey<RefCell<Recent<K, V, N>>>,
    matches: impl Fn(&K) -> bool,
    compute: impl FnOnce() -> V,
    key: impl FnOnce() -> K,
) -> V {
    let found = memo
        .try_with(|cell| cell.try_borrow().ok()?.find(&matches).cloned())
        .ok()
        .flatten();
    if let Some(value) = found {
        return value;
    }
    let value = compute();
    let _ = memo.try_with(|cell| {
        if let Ok(mut recent) = cell.try_borrow_mut() {
            recent.keep(key(), value.clone());
        }
    });
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SQUARES: RefCell<Recent<u32, u64, 3>> = const { RefCell::new(Recent::new()) };
    }

    fn square(n: u32, computed: &mut Vec<u32>) -> u64 {
        recall(
            &SQUARES,
            |seen| *seen == n,
            || {
                computed.push(n);
                u64::from(n) * u64::from(n)
            },
            || n,
        )
    }

    #[test]
    fn answers_are_remembered_up_to_the_bound_and_replaced_in_turn() {
        let mut computed = Vec::new();
        for n in [1, 2, 3, 1, 2, 3] {
            assert_eq!(square(n, &mut computed), u64::from(n * n));
        }
        assert_eq!(computed, [1, 2, 3], "the second round is remembered");
        assert_eq!(square(4, &mut computed), 16);
        assert_eq!(square(1, &mut computed), 1, "4 replaced the oldest, 1");
        assert_eq!(computed, [1, 2, 3, 4, 1]);
        assert_eq!(square(3, &mut computed), 9);
        assert_eq!(computed, [1, 2, 3, 4, 1], "3 was kept");
        SQUARES.with_borrow(|memo| assert_eq!(memo.entries.len(), 3));
    }
}
