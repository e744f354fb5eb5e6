//! Fuzzes JWKS loading: `KeySet::from_jwks` on arbitrary bytes.
//!
//! Properties beyond "no panic":
//! - `Ok` comes only with at least one usable key, and only for a document
//!   that is a JSON object with a `keys` array (cross-checked with plain
//!   serde_json, which accepts everything the strict reader accepts);
//! - keys come only from the document: every loaded key carries a kid
//!   written in it, and the keys found by those kids add up to `len()`;
//! - every loaded key may verify at least one algorithm, and none accepts a
//!   garbage signature;
//! - keys + warnings never outnumber the entries of `keys`, and every
//!   warning and error text is printable ASCII (attacker-controlled kids are
//!   escaped before they can reach a log).
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use portcullis::auth::keys::Verdict;
use portcullis::auth::{Alg, KeySet};
use serde_json::Value;

fn printable(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let doc = serde_json::from_slice::<Value>(data).ok();
    let entries = doc.as_ref().and_then(|d| d.get("keys")).and_then(Value::as_array);
    match KeySet::from_jwks(data) {
        Ok((set, warnings)) => {
            assert!(!set.is_empty(), "Ok with no usable key");
            let entries = entries.expect("Ok for a document without a keys array");
            assert!(
                set.len() + warnings.len() <= entries.len(),
                "more keys+warnings than entries"
            );
            assert!(warnings.iter().all(|w| printable(w)), "unescaped warning: {warnings:?}");
            let kids: BTreeSet<&str> = entries
                .iter()
                .filter_map(|e| e.get("kid").and_then(Value::as_str))
                .collect();
            let mut found = 0;
            for kid in kids {
                for key in set.with_kid(kid) {
                    assert_eq!(key.kid(), kid);
                    assert!(key.algorithms().next().is_some(), "key {kid} verifies nothing");
                    found += 1;
                }
                for alg in Alg::ALL {
                    let verdict = set.verify(kid, alg, b"header.payload", &[0x5a; 64]);
                    assert_ne!(verdict, Verdict::Valid, "garbage signature valid for {kid} {alg}");
                }
            }
            assert_eq!(found, set.len(), "a loaded key has a kid not in the document");
        }
        Err(err) => {
            assert!(printable(&err.to_string()), "unescaped error: {err}");
            if let Some(entries) = entries {
                assert!(err.warnings.len() <= entries.len(), "more warnings than entries");
            }
        }
    }
});
