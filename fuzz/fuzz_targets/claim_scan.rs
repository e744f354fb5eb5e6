//! Fuzzes the quick claim read's fast path against its serde read.
//!
//! Input: byte 0 says after how many questions `settled` answers (0: never), the rest is the
//! payload. Property beyond "no panic": whenever the fast path answers, its answer is the serde
//! read's (the same members at every question to `settled`, the same outcome).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::auth::claim_scan::{Members, Read, read_plain, read_with_serde};

fn observed(payload: &[u8], stop_at: usize, fast: bool) -> Option<(Vec<Members>, String)> {
    let mut asked = Vec::new();
    let mut settled = |m: &Members| {
        asked.push(m.clone());
        (asked.len() == stop_at).then_some(asked.len())
    };
    let outcome: Read<usize> = match fast {
        true => read_plain(payload, &mut settled)?,
        false => read_with_serde(payload, &mut settled),
    };
    Some((asked, format!("{outcome:?}")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&stop, payload)) = data.split_first() else {
        return;
    };
    let stop_at = usize::from(stop % 8);
    if let Some(fast) = observed(payload, stop_at, true) {
        let serde = observed(payload, stop_at, false);
        assert_eq!(Some(fast), serde, "payload {:?}", String::from_utf8_lossy(payload));
    }
});
