//! Fuzzes route-key parsing: `model::RouteKey::parse` on arbitrary text.
//!
//! Properties beyond "no panic", when parsing returns `Ok(key)`:
//! - round trip: `RouteKey::parse(&key.to_string()) == Ok(key)`; moreover
//!   only canonical text parses, so the printed key is the input itself;
//! - the documented invariants: no empty segment, only the last segment may
//!   be greedy, static segments match `[a-zA-Z0-9._-]+` and are not `.` or
//!   `..`, variable names match `[a-zA-Z0-9_.-]+` and are unique;
//! - the key can be inserted into an empty `RouteTable`, and inserting it a
//!   second time is refused as a duplicate.
//!
//! On `Err`, the error's message and hint can be rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::model::{PatternSegment, RouteKey};
use portcullis::routing::{RouteConflict, RouteTable};

fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let key = match RouteKey::parse(&text) {
        Ok(key) => key,
        Err(err) => {
            let _ = (err.to_string(), err.hint());
            return;
        }
    };
    let printed = key.to_string();
    assert_eq!(
        RouteKey::parse(&printed).as_ref(),
        Ok(&key),
        "round trip of {text:?} via {printed:?}"
    );
    assert_eq!(printed, text, "a parsed key prints differently from its text");

    if let Some(path) = key.path() {
        let last = path.segments.len().saturating_sub(1);
        let mut names = Vec::new();
        for (i, segment) in path.segments.iter().enumerate() {
            match segment {
                PatternSegment::Static(s) => {
                    assert!(name_ok(s) && s != "." && s != "..", "static {s:?}");
                }
                PatternSegment::Var(n) => names.push(n),
                PatternSegment::Greedy(n) => {
                    assert_eq!(i, last, "greedy {n:?} not last");
                    names.push(n);
                }
            }
        }
        for (i, n) in names.iter().enumerate() {
            assert!(name_ok(n), "variable name {n:?}");
            assert!(!names[..i].contains(n), "duplicate variable {n:?}");
        }
    }

    let mut builder = RouteTable::builder();
    builder
        .insert(key.clone(), ())
        .expect("a valid key fits an empty table");
    match builder.insert(key.clone(), ()) {
        Err(RouteConflict::Duplicate { key: dup }) => assert_eq!(dup, key),
        other => panic!("second insert of {key} gave {other:?}"),
    }
});
