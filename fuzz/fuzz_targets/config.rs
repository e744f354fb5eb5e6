//! Fuzzes configuration loading: `config::from_text` on arbitrary bytes
//! (as UTF-8 text when they are valid UTF-8), i.e. the YAML/JSON parser,
//! the conversion to JSON with locations and every validation rule, with
//! hostile YAML such as anchors and aliases, tags, huge numbers and deep
//! nesting.
//!
//! Properties beyond "no panic":
//! - a refusal carries at least one diagnostic, each with a non-empty
//!   message, and every diagnostic renders (`Display`);
//! - an accepted configuration is deterministic: loading the same text
//!   again gives an equal `Config`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match config::from_text(text) {
        Err(diagnostics) => {
            assert!(!diagnostics.0.is_empty(), "refused without a diagnostic");
            for d in &diagnostics.0 {
                assert!(!d.message.is_empty(), "empty diagnostic message at {:?}", d.path);
                let _ = d.to_string();
            }
        }
        Ok(config) => {
            let again = config::from_text(text).expect("accepted once, refused the second time");
            assert_eq!(config, again, "loading is not deterministic");
        }
    }
});
