//! Tests for building route tables: conflicts, atomic inserts, listing and
//! lookup speed.
//!
//! Invariant checked: a rejected insert leaves the builder unchanged.
//! Imports: std, `http` and the parent test module's helpers.

use super::*;

fn insert_all(keys: &[&str]) -> Result<RouteTableBuilder<()>, RouteConflict> {
    let mut builder = RouteTable::builder();
    for key in keys {
        builder.insert(RouteKey::parse(key).unwrap(), ())?;
    }
    Ok(builder)
}

#[test]
fn conflicting_inserts_are_rejected_with_their_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["GET /items", "GET /items"],
            "Route with key 'GET /items' already exists",
        ),
        (&["$default", "$default"], "Route with key '$default' already exists"),
        (&["ANY /{p+}", "ANY /{p+}"], "Route with key 'ANY /{p+}' already exists"),
        (
            &[
                "GET /public/orgs/{orgId}/stages/{stage_id}/questions",
                "GET /public/orgs/{orgId}/stages/{stageId}/questions",
            ],
            "The provided route key \"GET /public/orgs/{orgId}/stages/{stageId}/questions\" has a conflicting variable on the same hierarchical level as \"GET /public/orgs/{orgId}/stages/{stage_id}/questions\"",
        ),
        (
            &["GET /a/{x}/b", "GET /a/{x}/c", "POST /a/{y}"],
            "The provided route key \"POST /a/{y}\" has a conflicting variable on the same hierarchical level as \"GET /a/{x}/b\"",
        ),
        (
            &["GET /a/{p+}", "PUT /a/{q+}"],
            "The provided route key \"PUT /a/{q+}\" has a conflicting variable on the same hierarchical level as \"GET /a/{p+}\"",
        ),
    ];
    for (keys, message) in cases {
        let err = insert_all(keys).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some(*message), "{keys:?}");
    }
}

#[test]
fn compatible_inserts_are_accepted() {
    let cases: &[&[&str]] = &[
        &["GET /a/{x}", "GET /a/{proxy+}"],
        &["GET /a/{x}", "POST /a/{x}", "ANY /a/{x}", "GET /a/{x}/b"],
        &["GET /a/{x}", "GET /b/{y}"],
        &["GET /a", "GET /a/{p+}", "GET /{p+}", "$default"],
    ];
    for keys in cases {
        assert!(insert_all(keys).is_ok(), "{keys:?}");
    }
}

#[test]
fn failed_insert_leaves_the_table_unchanged() {
    let mut builder = insert_all(&["GET /a/{x}/b"]).unwrap();
    let bad = RouteKey::parse("GET /a/{y}/c/{z}").unwrap();
    assert!(builder.insert(bad, ()).is_err());
    let good = RouteKey::parse("GET /a/{x}/c/{w}").unwrap();
    assert_eq!(builder.insert(good, ()), Ok(()));
    let t = builder.build();
    assert_eq!(t.len(), 2);
    let found = t.find(&http::Method::GET, &normalize("/a/1/c/2").unwrap());
    assert_eq!(found.map(|m| m.params), Some(pairs(&[("x", "1"), ("w", "2")])));
}

#[test]
fn len_and_iter_follow_insertion_order() {
    let keys = ["GET /b", "$default", "ANY /{p+}"];
    let t = table(&keys);
    assert_eq!(t.len(), 3);
    assert!(!t.is_empty());
    let listed: Vec<String> = t.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(listed, ["GET /b=GET /b", "$default=$default", "ANY /{p+}=ANY /{p+}"]);
    assert!(RouteTable::<()>::builder().build().is_empty());
}

#[test]
fn lookup_in_a_large_table_is_fast() {
    let mut keys = Vec::new();
    for i in 0..100 {
        keys.push(format!("GET /svc{i}/items/{{id}}"));
        keys.push(format!("POST /svc{i}/items"));
        keys.push(format!("ANY /svc{i}/{{proxy+}}"));
    }
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let t = table(&refs);
    let path = normalize("/svc57/items/abc").unwrap();
    let start = std::time::Instant::now();
    let rounds: u32 = 20_000;
    for _ in 0..rounds {
        std::hint::black_box(t.find(&http::Method::GET, std::hint::black_box(&path)));
    }
    let per_lookup = start.elapsed() / rounds;
    // Generous bound so debug builds on slow CI pass; release is ~100x faster.
    assert!(per_lookup < std::time::Duration::from_micros(50), "{per_lookup:?}");
}
