use super::*;

fn parse(text: &str) -> OriginPattern {
    match OriginPattern::parse(text) {
        Ok(p) => p,
        Err(e) => unreachable!("{text}: {e}"),
    }
}

fn cors(origins: &[&str]) -> Cors {
    Cors {
        allow_origins: origins.iter().map(|o| parse(o)).collect(),
        ..Cors::default()
    }
}

#[test]
fn origin_patterns_print_back_as_written() {
    for text in [
        "*",
        "https://*",
        "http://*",
        "https://www.example.com",
        "http://localhost:8080",
        "http://127.0.0.1:3000",
        "http://[::1]:8080",
        "https://*.example.com",
        "https://*.example.com:8443",
        "http://*.localhost:5173",
        "capacitor://localhost",
    ] {
        assert_eq!(parse(text).to_string(), text);
    }
}

/// An entry and the error constructor it must fail with.
type Refusal = (&'static str, fn(String) -> OriginError);

#[test]
fn origins_browsers_never_send_are_refused_with_the_reason() {
    let cases: [Refusal; 14] = [
        ("https://example.com/", OriginError::HasPath),
        ("https://example.com/app", OriginError::HasPath),
        ("https://Example.com", OriginError::UpperCase),
        ("HTTPS://example.com", OriginError::UpperCase),
        ("https://example.com:443", OriginError::DefaultPort),
        ("http://example.com:80", OriginError::DefaultPort),
        ("https://*.example.com:443", OriginError::DefaultPort),
        ("null", OriginError::Malformed),
        ("example.com", OriginError::Malformed),
        ("https://", OriginError::Malformed),
        ("https://user@example.com", OriginError::Malformed),
        ("https://example.com:0", OriginError::Malformed),
        ("https://example.com:65536", OriginError::Malformed),
        ("https://example..com", OriginError::Malformed),
    ];
    for (text, expected) in cases {
        let err = OriginPattern::parse(text).err();
        assert_eq!(err, Some(expected(text.to_owned())), "{text}");
        assert!(!err.map(|e| e.hint()).unwrap_or_default().is_empty());
    }
    for text in [
        "https://example.com:080",
        "https:// example.com",
        "https://exa mple.com",
    ] {
        assert!(OriginPattern::parse(text).is_err(), "{text}");
    }
}

#[test]
fn a_wildcard_is_a_whole_origin_a_whole_host_or_a_whole_leftmost_label() {
    for text in [
        "https://*example.com",
        "https://a.*.example.com",
        "https://*.*.example.com",
        "https://*.com",
        "https://*.127.0.0.1",
        "https://*.[::1]",
        "https://example.*",
        "*://example.com",
        "**",
    ] {
        let err = OriginPattern::parse(text).err();
        assert!(
            matches!(err, Some(OriginError::Wildcard(_) | OriginError::Malformed(_))),
            "{text}: {err:?}"
        );
    }
}

#[test]
fn an_exact_origin_matches_only_itself() {
    let p = parse("http://localhost:8080");
    assert!(p.matches("http://localhost:8080"));
    for other in [
        "http://localhost:8081",
        "http://localhost",
        "https://localhost:8080",
        "http://LOCALHOST:8080",
        "http://localhost:8080/",
        "null",
    ] {
        assert!(!p.matches(other), "{other}");
    }
}

#[test]
fn a_scheme_wildcard_matches_every_well_formed_origin_of_that_scheme() {
    let p = parse("https://*");
    assert!(p.matches("https://a.example") && p.matches("https://localhost:9999"));
    for other in [
        "http://a.example",
        "null",
        "https://a.example/path",
        "https://",
        "https:// x",
    ] {
        assert!(!p.matches(other), "{other}");
    }
}

#[test]
fn a_domain_wildcard_matches_subdomains_at_any_depth_but_not_the_domain_itself() {
    let p = parse("https://*.example.com");
    assert!(p.matches("https://app.example.com"));
    assert!(p.matches("https://a.b.example.com"));
    for other in [
        "https://example.com",
        "https://evilexample.com",
        "https://example.com.evil.net",
        "http://app.example.com",
        "https://app.example.com:8443",
        "https://app.example.com/",
    ] {
        assert!(!p.matches(other), "{other}");
    }
    assert!(parse("https://*.example.com:8443").matches("https://app.example.com:8443"));
}

#[test]
fn the_any_origin_matches_null_too() {
    assert!(OriginPattern::Any.matches("null"));
    assert!(cors(&["*"]).allows_origin("https://anything.example"));
}

#[test]
fn the_answer_depends_on_the_origin_unless_every_or_no_origin_is_allowed() {
    assert!(cors(&["https://a.example"]).depends_on_origin());
    assert!(cors(&["https://*"]).depends_on_origin());
    assert!(!cors(&["*"]).depends_on_origin());
    assert!(!cors(&["https://a.example", "*"]).depends_on_origin());
    assert!(!cors(&[]).depends_on_origin());
}

#[test]
fn header_names_are_tokens_without_a_star() {
    for ok in ["authorization", "X-Api-Key", "x_custom", "a!#$%&'+-.^_`|~1"] {
        assert!(is_header_name(ok), "{ok}");
    }
    for bad in ["", "x y", "x:y", "x,y", "x-*", "*", "é", "x\ty"] {
        assert!(!is_header_name(bad), "{bad:?}");
    }
}
