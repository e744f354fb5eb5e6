//! Fuzzes `requestParameters` parsing: `model::ParameterMapping::parse` on
//! arbitrary key/value pairs (input: `key 0x00 value`, lossily UTF-8).
//!
//! Properties beyond "no panic", when parsing returns `Ok(m)`:
//! - the key is `<action>:<location>` with a known action, and the path is
//!   only ever overwritten;
//! - a header target is a lower-case RFC 9110 token and never a reserved
//!   header; a query-string target is non-empty;
//! - `remove` carries an empty template; other actions keep every literal
//!   byte of the value: the template's literal parts, concatenated, are a
//!   subsequence of the value, and a value without `$` is one literal (or
//!   nothing when empty).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::model::mapping::{TemplatePart, is_reserved_header};
use portcullis::model::{MappingAction, MappingTarget, ParameterMapping};

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let (key, value) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let (key, value) = (String::from_utf8_lossy(key), String::from_utf8_lossy(value));
    let Ok(m) = ParameterMapping::parse(&key, &value) else {
        return;
    };

    let (action, _) = key.split_once(':').expect("accepted key without ':'");
    let expected = match action {
        "append" => MappingAction::Append,
        "overwrite" => MappingAction::Overwrite,
        "remove" => MappingAction::Remove,
        other => panic!("unknown action {other:?} accepted"),
    };
    assert_eq!(m.action, expected);
    match &m.target {
        MappingTarget::Path => assert_eq!(m.action, MappingAction::Overwrite, "path not overwritten"),
        MappingTarget::Header(name) => {
            assert!(
                is_token(name) && !name.bytes().any(|b| b.is_ascii_uppercase()),
                "header {name:?}"
            );
            assert!(!is_reserved_header(name), "reserved header {name:?} accepted");
        }
        MappingTarget::QueryString(name) => assert!(!name.is_empty(), "empty query name"),
    }

    if m.action == MappingAction::Remove {
        assert!(m.value.parts.is_empty(), "remove with a value");
        return;
    }
    let literals: String = m
        .value
        .parts
        .iter()
        .filter_map(|p| match p {
            TemplatePart::Literal(text) => Some(text.as_str()),
            TemplatePart::Source(_) => None,
        })
        .collect();
    let mut rest = value.chars();
    assert!(
        literals.chars().all(|c| rest.any(|v| v == c)),
        "literals not from the value"
    );
    if !value.contains('$') {
        assert_eq!(literals, value, "plain value changed");
        assert!(m.value.parts.len() <= 1);
    }
    let _ = m.value.uses_claims();
});
