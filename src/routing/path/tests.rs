//! Tests for request path normalization: the attack corpus, the canonical
//! form, and a deterministic generated-input property test.
//!
//! Invariant checked: normalization is idempotent and its output never holds
//! `/./`, `/../`, `//`, `%2F`, `%5C` or lower-case hex. Imports: std and the
//! parent module only.

use super::*;
use crate::test_rng::Rng;

fn path_of(raw: &str) -> Result<String, PathError> {
    normalize(raw).map(|p| p.to_path_string())
}

#[test]
fn attack_corpus_normalizes_or_is_rejected_as_expected() {
    let cases: &[(&str, Result<&str, PathError>)] = &[
        ("/public/../admin/x", Ok("/admin/x")),
        ("/public/%2e%2e/admin/x", Ok("/admin/x")),
        ("/public/%2E%2E/admin/x", Ok("/admin/x")),
        ("/public/.%2e/admin/x", Ok("/admin/x")),
        ("/public/%2e./admin/x", Ok("/admin/x")),
        ("/public%2f..%2fadmin/x", Err(PathError::EncodedSlash)),
        ("/admin%2Fx", Err(PathError::EncodedSlash)),
        ("/admin%5cx", Err(PathError::EncodedBackslash)),
        ("/admin%5Cx", Err(PathError::EncodedBackslash)),
        ("//admin/x", Ok("/admin/x")),
        ("/public//../admin/x", Ok("/admin/x")),
        ("/./admin/x", Ok("/admin/x")),
        ("/admin/./x", Ok("/admin/x")),
        ("/api%2e/admin/secret", Ok("/api./admin/secret")),
        ("/public/%252e%252e/admin/x", Err(PathError::DoubleEncoded)),
        ("/admin%252fx", Err(PathError::DoubleEncoded)),
        ("/admin;x=y", Err(PathError::Semicolon)),
        ("/admin%00/x", Err(PathError::EncodedNul)),
        ("/admin%0a", Err(PathError::EncodedNewline)),
        ("/admin%0d", Err(PathError::EncodedNewline)),
        ("/admin%20/x", Ok("/admin%20/x")),
        ("/admin#x", Err(PathError::Fragment)),
        ("/%c0%ae%c0%ae/admin", Err(PathError::InvalidUtf8)),
        ("/%EF%BD%81dmin", Ok("/%EF%BD%81dmin")),
        ("/%61dmin/x", Ok("/admin/x")),
        ("/", Ok("/")),
        ("/hello/", Ok("/hello/")),
    ];
    for (raw, expected) in cases {
        assert_eq!(path_of(raw), expected.map(String::from), "{raw}");
    }
}

#[test]
fn rejected_raw_bytes_and_escapes_give_their_reason() {
    let cases: &[(&str, PathError)] = &[
        ("", PathError::NotAbsolute),
        ("admin", PathError::NotAbsolute),
        ("%2Fadmin", PathError::NotAbsolute),
        ("/a?b", PathError::QueryMark),
        ("/a\\b", PathError::Backslash),
        ("/a b", PathError::Space),
        ("/a\tb", PathError::ControlByte),
        ("/a\x7fb", PathError::ControlByte),
        ("/a\u{e9}", PathError::NonAscii),
        ("/a%", PathError::BadEscape),
        ("/a%4", PathError::BadEscape),
        ("/a%zz", PathError::BadEscape),
        ("/a%%41", PathError::BadEscape),
        ("/a%2", PathError::BadEscape),
        ("/%255C", PathError::DoubleEncoded),
        ("/%252E", PathError::DoubleEncoded),
        ("/%25252e", PathError::DoubleEncoded),
        ("/%25%32%65", PathError::DoubleEncoded),
        ("/%25%252f", PathError::DoubleEncoded),
        ("/%c3", PathError::InvalidUtf8),
        ("/%c3/%a9", PathError::InvalidUtf8),
        ("/%ff", PathError::InvalidUtf8),
    ];
    for (raw, expected) in cases {
        assert_eq!(normalize(raw), Err(*expected), "{raw:?}");
        assert!(!expected.reason().is_empty());
        assert_eq!(expected.to_string(), expected.reason());
    }
}

#[test]
fn encoded_slash_error_reason_reads_well_in_logs() {
    assert_eq!(PathError::EncodedSlash.to_string(), "encoded slash in path");
}

#[test]
fn escapes_of_other_bytes_stay_encoded_with_upper_case_hex() {
    let cases = [
        ("/a%3ab", "/a%3Ab"),
        ("/%7e%41%2d%5f", "/~A-_"),
        ("/%3B%23%3f%25", "/%3B%23%3F%25"),
        ("/%c3%a9", "/%C3%A9"),
        ("/%09", "/%09"),
        ("/%2541", "/%2541"),
    ];
    for (raw, expected) in cases {
        assert_eq!(path_of(raw), Ok(expected.to_string()), "{raw}");
    }
}

#[test]
fn legal_raw_delimiters_are_kept_and_illegal_ones_are_encoded() {
    let cases = [
        ("/a:b@c!$&'()*+,=", "/a:b@c!$&'()*+,="),
        ("/{x}", "/%7Bx%7D"),
        ("/\"<>|^`[]", "/%22%3C%3E%7C%5E%60%5B%5D"),
    ];
    for (raw, expected) in cases {
        assert_eq!(path_of(raw), Ok(expected.to_string()), "{raw}");
    }
}

#[test]
fn dot_segments_never_climb_above_the_root() {
    let cases = [
        ("/..", "/"),
        ("/../..", "/"),
        ("/../a", "/a"),
        ("/a/../../b", "/b"),
        ("/a/b/../../../c", "/c"),
        ("/%2e%2e/%2E%2e/a", "/a"),
    ];
    for (raw, expected) in cases {
        assert_eq!(path_of(raw), Ok(expected.to_string()), "{raw}");
    }
}

#[test]
fn trailing_slash_is_remembered_but_not_routed_on() {
    let cases: &[(&str, &[&str], bool)] = &[
        ("/", &[], false),
        ("//", &[], false),
        ("/hello", &["hello"], false),
        ("/hello/", &["hello"], true),
        ("/hello//", &["hello"], true),
        ("/a/b/.", &["a", "b"], true),
        ("/a/b/..", &["a"], true),
        ("/a/..", &[], false),
        ("/a/./b", &["a", "b"], false),
    ];
    for (raw, segments, trailing) in cases {
        let path = normalize(raw);
        let got = path
            .as_ref()
            .map(|p| (p.segments().map(str::to_owned).collect::<Vec<_>>(), p.trailing_slash()));
        let want: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, Ok((want, *trailing)), "{raw}");
    }
}

#[test]
fn a_named_stage_takes_the_first_segment() {
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("/", None, "/"),
        ("/prod", Some("prod"), "/"),
        ("/prod/", Some("prod"), "/"),
        ("/prod/planets", Some("prod"), "/planets"),
        ("/prod/planets/", Some("prod"), "/planets/"),
        ("/prod/a/%7Eb/c", Some("prod"), "/a/~b/c"),
    ];
    for (raw, first, rest) in cases {
        let path = normalize(raw);
        assert_eq!(path.as_ref().map(NormalizedPath::first_segment), Ok(*first), "{raw}");
        let after = path.as_ref().map(NormalizedPath::without_first_segment);
        let text = after.as_ref().map(NormalizedPath::to_path_string);
        assert_eq!(text, Ok(rest.to_string()), "{raw}");
        assert_eq!(
            normalize(rest),
            after.map_err(|e| *e),
            "{raw}: the same as normalizing {rest}"
        );
    }
}

#[test]
fn display_matches_to_path_string() {
    let path = normalize("/a/%3a/");
    assert_eq!(path.map(|p| p.to_string()), Ok("/a/%3A/".to_string()));
}

#[test]
fn huge_inputs_are_handled_without_recursion_or_blowup() {
    let deep = "/..".repeat(100_000) + "/x";
    assert_eq!(path_of(&deep), Ok("/x".to_string()));
    let long = "/".to_string() + &"%25".repeat(100_000) + "2e";
    assert_eq!(normalize(&long), Err(PathError::DoubleEncoded));
    let many = "/%2541".repeat(50_000);
    assert!(normalize(&many).is_ok());
}

/// Tokens chosen to hit every branch: dots, escapes, delimiters, bad bytes.
const TOKENS: &[&str] = &[
    "/",
    "/",
    "/",
    ".",
    "..",
    "a",
    "B",
    "%2e",
    "%2E",
    "%2f",
    "%5c",
    "%25",
    "25",
    "2e",
    "2F",
    "%41",
    "%7e",
    "%3a",
    "%3B",
    "%c3",
    "%a9",
    "%C3%A9",
    "%",
    "~",
    ";",
    "#",
    "?",
    "%00",
    "%0a",
    "%09",
    "{",
    "}",
    " ",
    "\u{e9}",
    "//",
    "%252e",
    "%2525",
    ":",
    "@",
    "+",
    "\\",
    "%20",
    "%ef%bd%81",
    "x",
];

/// A generated path of up to 12 of the [`TOKENS`].
fn generated_path(rng: &mut Rng) -> String {
    let mut out = String::from("/");
    for _ in 0..rng.below(12) {
        out.push_str(TOKENS.get(rng.below(TOKENS.len())).copied().unwrap_or("a"));
    }
    out
}

/// Asserts the output invariants of one normalized path.
fn assert_canonical(raw: &str, path: &NormalizedPath) {
    let text = path.to_path_string();
    for bad in ["/./", "/../", "//", "%2F", "%5C"] {
        assert!(!text.contains(bad), "{raw:?} -> {text:?} contains {bad}");
    }
    assert!(!text.ends_with("/.") && !text.ends_with("/.."), "{raw:?} -> {text:?}");
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
        let upper = hex.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        assert!(hex.len() == 2 && upper, "{raw:?} -> {text:?}");
    }
    assert_eq!(normalize(&text).as_ref(), Ok(path), "{raw:?} -> {text:?}");
}

#[test]
fn the_one_pass_case_agrees_with_the_full_pass() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut shortcut = 0;
    let fixed = [
        "/",
        "//",
        "/a",
        "/a/",
        "/a//",
        "/./a",
        "/a/..",
        "/a/.../b",
        "/..a/b.",
        "/a:b@c/!$&'()*+,=~",
    ];
    let generated = (0..50_000).map(|_| generated_path(&mut rng));
    for raw in fixed.iter().map(|s| s.to_string()).chain(generated) {
        if let Some(path) = already_canonical(&raw) {
            shortcut += 1;
            assert_eq!(Ok(path), normalize_in_full(&raw), "{raw:?}");
        }
        assert_eq!(normalize(&raw), normalize_in_full(&raw), "{raw:?}");
    }
    assert!(shortcut > 1_000, "the one-pass case took only {shortcut} paths");
}

#[test]
fn normalization_is_idempotent_and_canonical_for_generated_inputs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for _ in 0..50_000 {
        let raw = generated_path(&mut rng);
        if let Ok(path) = normalize(&raw) {
            accepted += 1;
            assert_canonical(&raw, &path);
        }
    }
    assert!(accepted > 5_000, "generator too hostile: {accepted}");
}
