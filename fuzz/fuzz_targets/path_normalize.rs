//! Fuzzes request-path normalization (security decision D8):
//! `routing::normalize` on arbitrary bytes (lossily UTF-8, so raw non-ASCII
//! bytes are exercised too).
//!
//! Properties beyond "no panic", when `normalize` returns `Ok(p)`:
//! - idempotence: `normalize(&p.to_path_string()) == Ok(p)`;
//! - the canonical string starts with `/`, and contains no `/./`, `/../`,
//!   `//`, `%2F`, `%2f`, `%5C`, `%5c`, no raw `\`, `;`, `?`, `#`, space,
//!   control or non-ASCII byte, and every `%` is followed by two upper-case
//!   hex digits;
//! - no segment is empty, `.` or `..`, and no segment holds `/`;
//! - `to_path_string()` is the segments joined by `/` (plus the trailing
//!   slash, never for `/` itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::routing::normalize;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let Ok(path) = normalize(&raw) else {
        return;
    };
    let text = path.to_path_string();

    assert_eq!(
        normalize(&text).as_ref(),
        Ok(&path),
        "not idempotent: {raw:?} -> {text:?}"
    );

    assert!(text.starts_with('/'), "{text:?}");
    // A `/./` or `/../` at the very end shows up as `/.` or `/..` + end.
    let padded = format!("{text}/");
    for bad in ["/./", "/../", "//", "%2F", "%2f", "%5C", "%5c"] {
        let hay = if bad.starts_with("/.") {
            padded.as_str()
        } else {
            text.as_str()
        };
        assert!(!hay.contains(bad), "{bad:?} in normalized {text:?} (from {raw:?})");
    }
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        assert!(
            b.is_ascii_graphic() && !matches!(b, b'\\' | b';' | b'?' | b'#'),
            "raw byte {b:#04x} in normalized {text:?}"
        );
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
            let upper = |d: &u8| d.is_ascii_digit() || (b'A'..=b'F').contains(d);
            assert!(hex.len() == 2 && hex.iter().all(upper), "bad escape in {text:?}");
        }
    }

    for segment in path.segments() {
        assert!(
            !segment.is_empty() && segment != "." && segment != "..",
            "segment {segment:?}"
        );
        assert!(!segment.contains('/'), "segment {segment:?}");
    }
    let mut joined = String::new();
    for segment in path.segments() {
        joined.push('/');
        joined.push_str(segment);
    }
    if path.trailing_slash() || joined.is_empty() {
        joined.push('/');
    }
    assert_eq!(joined, text);
    assert!(
        !(path.trailing_slash() && path.segments().next().is_none()),
        "trailing slash on /"
    );
});
