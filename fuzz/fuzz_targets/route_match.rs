//! Fuzzes route lookup: a fixed `RouteTable` (static, `{var}`, greedy,
//! `ANY`, `HEAD`/`GET` and `$default` keys) is searched with arbitrary
//! request methods and arbitrary paths (after `routing::normalize`).
//!
//! Input: `METHOD SP path` (no space: method `GET`, the whole input is the
//! path). Inputs whose method is not an HTTP token or whose path does not
//! normalize are skipped.
//!
//! Properties beyond "no panic":
//! - a matched route's static segments equal the path's segments at those
//!   positions, a full match has exactly as many segments as the path, a
//!   greedy match fewer than the path, and the route's method accepts the
//!   request's; the parameters are the path's segments (greedy: the rest
//!   joined with `/`);
//! - the chosen route is exactly the one a naive, independent
//!   implementation of the documented precedence picks (full beats greedy
//!   beats `$default`; static beats `{var}` from the left; deeper greedy
//!   wins; exact method, then `HEAD`→`GET`, then `ANY`);
//! - the same routes without `$default` give `None` exactly when the full
//!   table gives `$default`.
#![no_main]

use std::cmp::Ordering;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portcullis::model::{MethodSel, PathPattern, PatternSegment, RouteKey};
use portcullis::routing::{RouteTable, normalize};

const ROUTES: &[&str] = &[
    "GET /",
    "GET /pets",
    "POST /pets",
    "GET /pets/{id}",
    "ANY /pets/{id}",
    "HEAD /pets/{id}/photo",
    "GET /pets/{id}/photo",
    "ANY /pets/{id}/toys",
    "GET /pets/dog/{name}",
    "DELETE /pets/dog/{name}",
    "ANY /store/{proxy+}",
    "GET /store/items/{item+}",
    "POST /store/{proxy}/checkout",
    "DELETE /{proxy+}",
    "OPTIONS /{proxy+}",
    "ANY /a/b/c",
    "GET /a/{b}/c",
    "PUT /{x}/static",
    "PATCH /{x}/{y}",
    "GET /{x}/{y}/{z+}",
];

struct Tables {
    with_default: RouteTable<usize>,
    without_default: RouteTable<usize>,
    keys: Vec<RouteKey>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let keys: Vec<RouteKey> = ROUTES
            .iter()
            .map(|k| RouteKey::parse(k).unwrap_or_else(|e| panic!("fixture key {k}: {e}")))
            .collect();
        let mut with_default = RouteTable::builder();
        let mut without_default = RouteTable::builder();
        for (i, key) in keys.iter().enumerate() {
            with_default.insert(key.clone(), i).expect("fixture route conflicts");
            without_default.insert(key.clone(), i).expect("fixture route conflicts");
        }
        with_default
            .insert(RouteKey::Default, usize::MAX)
            .expect("fixture $default");
        Tables {
            with_default: with_default.build(),
            without_default: without_default.build(),
            keys,
        }
    })
}

/// How a pattern matches a path: `Full`, or `Greedy` (prefix length).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fit {
    Full,
    Greedy(usize),
}

fn fit(pattern: &PathPattern, segments: &[String]) -> Option<Fit> {
    let (prefix, greedy) = match pattern.segments.split_last() {
        Some((PatternSegment::Greedy(_), prefix)) => (prefix, true),
        _ => (&pattern.segments[..], false),
    };
    let lengths_ok = if greedy {
        segments.len() > prefix.len()
    } else {
        segments.len() == prefix.len()
    };
    let statics_ok = prefix.iter().zip(segments).all(|(p, s)| match p {
        PatternSegment::Static(text) => text == s,
        _ => true,
    });
    (lengths_ok && statics_ok).then_some(if greedy { Fit::Greedy(prefix.len()) } else { Fit::Full })
}

/// Rank of the route at one pattern for the method (lower wins): exact,
/// then `HEAD` served by `GET`, then `ANY`; `None` if it does not accept.
fn method_rank(route: MethodSel, request: Option<MethodSel>) -> Option<u8> {
    match (route, request) {
        (r, Some(q)) if r == q => Some(0),
        (MethodSel::Get, Some(MethodSel::Head)) => Some(1),
        (MethodSel::Any, _) => Some(2),
        _ => None,
    }
}

/// Precedence between two matching patterns (Greater = `a` wins).
fn compare(a: (&PathPattern, Fit), b: (&PathPattern, Fit)) -> Ordering {
    let class = |f: Fit| match f {
        Fit::Full => (1, 0),
        Fit::Greedy(depth) => (0, depth),
    };
    class(a.1).cmp(&class(b.1)).then_with(|| {
        for (x, y) in a.0.segments.iter().zip(&b.0.segments) {
            let rank = |s: &PatternSegment| match s {
                PatternSegment::Static(_) => 2,
                PatternSegment::Var(_) => 1,
                PatternSegment::Greedy(_) => 0,
            };
            match rank(x).cmp(&rank(y)) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        Ordering::Equal
    })
}

/// The naive reference: index into `keys` of the route to use, if any.
fn reference(keys: &[RouteKey], method: Option<MethodSel>, segments: &[String]) -> Option<usize> {
    let mut best: Option<(usize, Fit, u8)> = None;
    for (i, key) in keys.iter().enumerate() {
        let (Some(route_method), Some(pattern)) = (key.method(), key.path()) else {
            continue;
        };
        let (Some(f), Some(rank)) = (fit(pattern, segments), method_rank(route_method, method)) else {
            continue;
        };
        best = match best {
            None => Some((i, f, rank)),
            Some((j, g, r)) => {
                let other = keys[j].path().expect("route");
                match compare((pattern, f), (other, g)) {
                    Ordering::Greater => Some((i, f, rank)),
                    Ordering::Less => Some((j, g, r)),
                    Ordering::Equal if pattern == other && rank < r => Some((i, f, rank)),
                    Ordering::Equal => {
                        assert!(pattern == other, "fixture has equal-precedence patterns");
                        Some((j, g, r))
                    }
                }
            }
        };
    }
    best.map(|(i, _, _)| i)
}

fuzz_target!(|data: &[u8]| {
    let (method, raw) = match data.iter().position(|b| *b == b' ') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"GET"[..], data),
    };
    let Ok(method) = http::Method::from_bytes(method) else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(raw) else { return };
    let Ok(path) = normalize(raw) else { return };
    let owned: Vec<String> = path.segments().map(str::to_owned).collect();
    let segments = owned.as_slice();
    let t = tables();

    let found = t.with_default.find(&method, &path).expect("$default always matches");
    let without = t.without_default.find(&method, &path);
    match (found.key, &without) {
        (RouteKey::Default, None) => {}
        (RouteKey::Default, Some(m)) => panic!("{} only without $default", m.key),
        (key, Some(m)) => assert_eq!(key, m.key, "tables disagree"),
        (key, None) => panic!("{key} only with $default"),
    }

    let request = MethodSel::from_method(&method);
    let expected = reference(&t.keys, request, segments);
    let got = (found.key != &RouteKey::Default).then_some(*found.value);
    assert_eq!(
        got.map(|i| ROUTES[i]),
        expected.map(|i| ROUTES[i]),
        "precedence differs from the reference for {method} {path}"
    );

    let Some(pattern) = found.key.path() else {
        assert!(found.params.is_empty());
        return;
    };
    let route_method = found.key.method().expect("route has a method");
    assert!(
        method_rank(route_method, request).is_some(),
        "{route_method} cannot serve {method}"
    );
    let f = fit(pattern, segments).expect("matched pattern does not fit the path");
    let mut params = Vec::new();
    for (i, segment) in pattern.segments.iter().enumerate() {
        match segment {
            PatternSegment::Static(text) => assert_eq!(Some(text), segments.get(i), "static segment {i}"),
            PatternSegment::Var(name) => params.push((name.clone(), segments[i].clone())),
            PatternSegment::Greedy(name) => params.push((name.clone(), segments[i..].join("/"))),
        }
    }
    match f {
        Fit::Full => assert_eq!(pattern.segments.len(), segments.len()),
        Fit::Greedy(depth) => assert!(depth < segments.len()),
    }
    assert_eq!(found.params, params, "parameters");
});
