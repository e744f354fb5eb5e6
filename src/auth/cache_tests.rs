#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::auth::fixtures::{AUD, ISS, KID, NOW, claims, claims_with, key_set, key_set_of, rs256, rules};
use crate::auth::testkit::keys;
use crate::auth::{Alg, NoTrace, Reason, check_route_scopes, verify, verify_for_cache};

const ROOMY: CacheLimits = CacheLimits {
    max_entries: 1000,
    max_bytes: 1 << 24,
};

/// Verifies `token` with the full pipeline and caches it, as the gateway does on a miss.
fn verify_and_keep<'t>(
    cache: &TokenCache,
    token: &'t str,
    keys: &Arc<KeySet>,
    rules: &Rules,
    now: i64,
) -> CacheKey<'t> {
    let key = CacheKey::new(&RulesId::of(rules), token);
    let claims = Arc::new(verify(token, keys, rules, now, &mut NoTrace).unwrap());
    cache.insert(&key, keys, claims, rules, now);
    key
}

#[test]
fn a_verified_token_is_answered_from_the_cache_with_its_claims() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token_1 = rs256(&claims());
    let key = verify_and_keep(&cache, &token_1, &keys, &rules(), NOW);
    let hit = cache.get(&key, &keys, NOW + 10).expect("a hit");
    assert_eq!(hit.get("sub"), Some(&json!("user-1")));
    assert_eq!(hit.scopes(), ["orders:read", "orders:write"]);
}

/// `token` with its first payload character changed: same length, same last bytes (so the same
/// probe), not the same token.
fn same_probe_other_token(token: &str) -> String {
    let dot = token.find('.').unwrap() + 1;
    let mut bytes = token.as_bytes().to_vec();
    bytes[dot] = if bytes[dot] == b'e' { b'f' } else { b'e' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_token_sharing_a_probe_with_a_kept_token_is_a_miss_not_its_verdict() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = rs256(&claims());
    let kept = verify_and_keep(&cache, &token, &keys, &rules(), NOW);
    let twin = same_probe_other_token(&token);
    let twin_key = CacheKey::new(&RulesId::of(&rules()), &twin);
    assert_eq!(kept.probe, twin_key.probe, "the test needs a shared probe");
    assert!(
        cache.recall(&twin_key, &keys, NOW).is_none(),
        "confirmed by the whole token, not the probe"
    );
    assert!(cache.get(&kept, &keys, NOW).is_some());

    // One slot per probe: remembering the twin replaces the kept token, never mixes them.
    let claims = Arc::new(verify(&token, &keys, &rules(), NOW, &mut NoTrace).unwrap());
    cache.insert(&twin_key, &keys, claims, &rules(), NOW);
    assert_eq!(cache.len(), 1);
    assert!(cache.get(&twin_key, &keys, NOW).is_some());
    assert!(
        cache.get(&kept, &keys, NOW).is_none(),
        "replaced, so a miss: verified again"
    );
}

#[test]
fn a_hit_needs_every_byte_of_the_rules_and_of_the_token() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = rs256(&claims());
    let kept = verify_and_keep(&cache, &token, &keys, &rules(), NOW);

    // Rules whose identity shares the probe's 8-byte prefix but not its last byte.
    let mut near = RulesId::of(&rules());
    near.0[31] ^= 1;
    let near_key = CacheKey::new(&near, &token);
    assert_eq!(kept.probe, near_key.probe, "the test needs a shared probe");
    assert!(
        cache.recall(&near_key, &keys, NOW).is_none(),
        "other rules, same prefix"
    );

    // The same length and last 32 bytes (the probe), one byte changed anywhere before them.
    let tail_from = token.len() - 32;
    for at in [0, 1, token.len() / 2, tail_from - 1] {
        let mut bytes = token.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let other = String::from_utf8(bytes).unwrap();
        let other_key = CacheKey::new(&RulesId::of(&rules()), &other);
        assert_eq!(kept.probe, other_key.probe);
        assert!(cache.recall(&other_key, &keys, NOW).is_none(), "byte {at} differs");
    }
    assert!(cache.recall(&kept, &keys, NOW).is_some());
}

#[test]
fn a_cached_token_stops_answering_at_exp_exactly_as_the_pipeline_does() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = rs256(&claims_with("exp", Some(json!(NOW + 100))));
    let key = verify_and_keep(&cache, &token, &keys, &rules(), NOW);
    assert!(cache.get(&key, &keys, NOW + 99).is_some());
    assert!(cache.get(&key, &keys, NOW + 100).is_none(), "exp == now is expired");
    let err = verify(&token, &keys, &rules(), NOW + 100, &mut NoTrace).unwrap_err();
    assert_eq!(
        err.reason,
        Reason::Expired,
        "the miss then gets the pipeline's own answer"
    );
}

#[test]
fn claims_without_a_finite_exp_are_not_kept() {
    // The pipeline never accepts such claims; the cache does not take its caller's word for it.
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = rs256(&claims());
    let key = CacheKey::new(&RulesId::of(&rules()), &token);
    for exp in [None, Some(json!("soon")), Some(json!(null))] {
        let mut map = serde_json::Map::new();
        map.insert("sub".into(), json!("user-1"));
        if let Some(exp) = exp {
            map.insert("exp".into(), exp);
        }
        cache.insert(&key, &keys, Arc::new(Claims::new(map)), &rules(), NOW);
        assert!(cache.is_empty());
    }
    let mut map = serde_json::Map::new();
    map.insert("exp".into(), json!(NOW + 5));
    cache.insert(&key, &keys, Arc::new(Claims::new(map)), &rules(), NOW);
    assert!(
        cache.get(&key, &keys, NOW + 4).is_some(),
        "the same insert with an exp is kept"
    );
}

#[test]
fn leeway_extends_a_cached_token_by_exactly_the_leeway() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let lenient = Rules {
        leeway_secs: 30,
        ..rules()
    };
    let token = rs256(&claims_with("exp", Some(json!(NOW + 100))));
    let key = verify_and_keep(&cache, &token, &keys, &lenient, NOW);
    assert!(cache.get(&key, &keys, NOW + 129).is_some());
    assert!(cache.get(&key, &keys, NOW + 130).is_none());
}

#[test]
fn a_fractional_exp_bounds_the_entry_like_the_pipeline() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = rs256(&claims_with("exp", Some(json!(NOW as f64 + 10.5))));
    let key = verify_and_keep(&cache, &token, &keys, &rules(), NOW);
    assert!(cache.get(&key, &keys, NOW + 10).is_some());
    assert!(cache.get(&key, &keys, NOW + 11).is_none());
}

#[test]
fn a_refetched_key_set_makes_every_entry_verify_again() {
    let cache = TokenCache::new(ROOMY);
    let before = Arc::new(key_set());
    let token_2 = rs256(&claims());
    let key = verify_and_keep(&cache, &token_2, &before, &rules(), NOW);
    let same_keys_refetched = Arc::new(key_set());
    assert!(cache.get(&key, &same_keys_refetched, NOW).is_none());
    assert!(
        cache.get(&key, &before, NOW).is_some(),
        "the old set still answers for itself"
    );
}

#[test]
fn a_removed_key_stops_accepting_its_cached_tokens_once_the_new_set_is_in_place() {
    let cache = TokenCache::new(ROOMY);
    let with_key = Arc::new(key_set());
    let token = rs256(&claims());
    let key = verify_and_keep(&cache, &token, &with_key, &rules(), NOW);
    drop(with_key);
    let rotated = Arc::new(key_set_of(&[keys().rsa2.public_jwk("rsa-2")]));
    assert!(cache.get(&key, &rotated, NOW).is_none());
    let err = verify(&token, &rotated, &rules(), NOW, &mut NoTrace).unwrap_err();
    assert_eq!(err.reason, Reason::UnknownKid);
}

#[test]
fn a_token_verified_for_one_authorizer_is_not_a_hit_for_another() {
    let base = rules();
    let others = [
        Rules {
            issuer: format!("{ISS}/"),
            ..rules()
        },
        Rules {
            audiences: vec![AUD.to_owned(), "api://other".to_owned()],
            ..rules()
        },
        Rules {
            algorithms: vec![Alg::RS256],
            ..rules()
        },
        Rules {
            leeway_secs: 1,
            ..rules()
        },
        Rules {
            required_typ: Some("JWT".to_owned()),
            ..rules()
        },
    ];
    let token = rs256(&claims());
    let ids: Vec<RulesId> = others.iter().map(RulesId::of).collect();
    for (i, id) in ids.iter().enumerate() {
        assert_ne!(*id, RulesId::of(&base), "rules #{i}");
        assert_ne!(CacheKey::new(id, &token), CacheKey::new(&RulesId::of(&base), &token));
    }
    assert_eq!(
        RulesId::of(&rules()),
        RulesId::of(&base),
        "identical rules share entries"
    );
}

#[test]
fn field_boundaries_are_part_of_the_rules_identity() {
    let split = |a: &str, b: &str| Rules {
        audiences: vec![a.to_owned(), b.to_owned()],
        ..rules()
    };
    assert_ne!(RulesId::of(&split("ab", "c")), RulesId::of(&split("a", "bc")));
}

#[test]
fn route_scopes_are_checked_on_the_cached_claims_of_every_request() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token_3 = rs256(&claims());
    let key = verify_and_keep(&cache, &token_3, &keys, &rules(), NOW);
    let hit = cache.get(&key, &keys, NOW).unwrap();
    assert!(check_route_scopes(&hit, &["orders:read".to_owned()], &mut NoTrace).is_ok());
    let err = check_route_scopes(&hit, &["admin".to_owned()], &mut NoTrace).unwrap_err();
    assert_eq!((err.reason, err.status()), (Reason::Scope, 403));
}

#[test]
fn the_entry_count_is_bounded_and_recently_used_entries_get_a_second_chance() {
    let cache = TokenCache::new(CacheLimits {
        max_entries: 2,
        max_bytes: 1 << 24,
    });
    let keys = Arc::new(key_set());
    let token = |sub: &str| rs256(&claims_with("sub", Some(json!(sub))));
    let token_4 = token("a");
    let a = verify_and_keep(&cache, &token_4, &keys, &rules(), NOW);
    let token_5 = token("b");
    let b = verify_and_keep(&cache, &token_5, &keys, &rules(), NOW);
    assert!(cache.get(&a, &keys, NOW).is_some());
    let token_6 = token("c");
    let c = verify_and_keep(&cache, &token_6, &keys, &rules(), NOW);
    assert_eq!(cache.len(), 2);
    assert!(cache.get(&a, &keys, NOW).is_some(), "used: kept");
    assert!(cache.get(&b, &keys, NOW).is_none(), "unused: evicted");
    assert!(cache.get(&c, &keys, NOW).is_some(), "newest: kept");
}

#[test]
fn expired_entries_are_evicted_before_used_ones() {
    let cache = TokenCache::new(CacheLimits {
        max_entries: 2,
        max_bytes: 1 << 24,
    });
    let keys = Arc::new(key_set());
    let short_token = rs256(&claims_with("exp", Some(json!(NOW + 5))));
    let short = verify_and_keep(&cache, &short_token, &keys, &rules(), NOW);
    let token_7 = rs256(&claims());
    let long = verify_and_keep(&cache, &token_7, &keys, &rules(), NOW);
    let later = NOW + 10;
    assert!(cache.get(&long, &keys, later).is_some());
    let newer = rs256(&claims_with("sub", Some(json!("n"))));
    let fresh = verify_and_keep(&cache, &newer, &keys, &rules(), later);
    assert!(cache.get(&short, &keys, NOW).is_none(), "the expired entry went first");
    assert!(cache.get(&long, &keys, later).is_some());
    assert!(cache.get(&fresh, &keys, later).is_some());
}

#[test]
fn the_estimated_memory_is_bounded_and_oversized_tokens_are_not_kept() {
    let token = rs256(&claims());
    let cost = entry_cost(token.len());
    let cache = TokenCache::new(CacheLimits {
        max_entries: 1000,
        max_bytes: cost * 3,
    });
    let keys = Arc::new(key_set());
    for i in 0..10 {
        let t = rs256(&claims_with("sub", Some(json!(format!("u{i}")))));
        verify_and_keep(&cache, &t, &keys, &rules(), NOW);
        assert!(cache.bytes() <= cost * 3, "after {i}: {}", cache.bytes());
    }
    assert_eq!(cache.len(), 3);
    let tiny = TokenCache::new(CacheLimits {
        max_entries: 1000,
        max_bytes: cost - 1,
    });
    let key = verify_and_keep(&tiny, &token, &keys, &rules(), NOW);
    assert!(tiny.get(&key, &keys, NOW).is_none());
    assert!(tiny.is_empty());
}

#[test]
fn storing_the_same_token_again_replaces_its_entry() {
    let (cache, token) = (TokenCache::new(ROOMY), rs256(&claims()));
    let old = Arc::new(key_set());
    verify_and_keep(&cache, &token, &old, &rules(), NOW);
    let new = Arc::new(key_set());
    let key = verify_and_keep(&cache, &token, &new, &rules(), NOW);
    assert_eq!((cache.len(), cache.bytes()), (1, entry_cost(token.len())));
    assert!(cache.get(&key, &new, NOW).is_some());
}

#[test]
fn entries_of_a_dropped_key_set_are_evicted_first() {
    let cache = TokenCache::new(CacheLimits {
        max_entries: 2,
        max_bytes: 1 << 24,
    });
    let (old, current) = (Arc::new(key_set()), Arc::new(key_set()));
    let token_8 = rs256(&claims());
    let stale = verify_and_keep(&cache, &token_8, &old, &rules(), NOW);
    let kept_token = rs256(&claims_with("sub", Some(json!("k"))));
    let kept = verify_and_keep(&cache, &kept_token, &current, &rules(), NOW);
    drop(old);
    let third_token = rs256(&claims_with("sub", Some(json!("t"))));
    let third = verify_and_keep(&cache, &third_token, &current, &rules(), NOW);
    assert!(cache.get(&kept, &current, NOW).is_some());
    assert!(cache.get(&third, &current, NOW).is_some());
    assert!(cache.get(&stale, &current, NOW).is_none());
}

#[test]
fn a_cache_of_zero_entries_keeps_nothing() {
    let cache = TokenCache::new(CacheLimits {
        max_entries: 0,
        max_bytes: 1 << 20,
    });
    let keys = Arc::new(key_set());
    let token_9 = rs256(&claims());
    let key = verify_and_keep(&cache, &token_9, &keys, &rules(), NOW);
    assert!(cache.get(&key, &keys, NOW).is_none());
}

/// Runs the pipeline on a miss and remembers a rejected signature, as the gateway does.
fn refuse_and_keep<'t>(
    cache: &TokenCache,
    token: &'t str,
    keys: &Arc<KeySet>,
    now: i64,
) -> (CacheKey<'t>, crate::auth::AuthError) {
    let key = CacheKey::new(&RulesId::of(&rules()), token);
    let refusal = verify_for_cache(token, keys, &rules(), now, &mut NoTrace).unwrap_err();
    cache.insert_refusal(&key, keys, &refusal, &rules(), now);
    (key, refusal.error)
}

fn forged(claims: &serde_json::Value) -> String {
    crate::auth::fixtures::signed(
        &keys().attacker,
        "RS256",
        &crate::auth::fixtures::header("RS256", KID),
        claims,
    )
}

#[test]
fn a_rejected_signature_is_remembered_with_the_pipelines_own_answer() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = forged(&claims_with("exp", Some(json!(NOW + 100))));
    let (key, err) = refuse_and_keep(&cache, &token, &keys, NOW);
    assert_eq!(err.reason, Reason::Signature);
    let Some(Remembered::Refused(again)) = cache.recall(&key, &keys, NOW + 50) else {
        panic!("the refusal is remembered");
    };
    assert_eq!(again, err);
    assert_eq!(keys.signature_checks(), 1, "the second answer cost no crypto");
    assert!(
        cache.get(&key, &keys, NOW).is_none(),
        "a refusal is never an acceptance"
    );
}

#[test]
fn a_remembered_refusal_ends_at_exp_when_the_pipeline_would_say_expired() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    let token = forged(&claims_with("exp", Some(json!(NOW + 100))));
    let (key, _) = refuse_and_keep(&cache, &token, &keys, NOW);
    assert!(cache.recall(&key, &keys, NOW + 99).is_some());
    assert!(cache.recall(&key, &keys, NOW + 100).is_none());
    let err = verify(&token, &keys, &rules(), NOW + 100, &mut NoTrace).unwrap_err();
    assert_eq!(err.reason, Reason::Expired);
}

#[test]
fn a_new_key_set_reopens_a_remembered_refusal() {
    let cache = TokenCache::new(ROOMY);
    let old = Arc::new(key_set());
    let token = forged(&claims());
    let (key, _) = refuse_and_keep(&cache, &token, &old, NOW);
    let now_trusting_that_key = Arc::new(key_set_of(&[keys().attacker.public_jwk(KID)]));
    assert!(cache.recall(&key, &now_trusting_that_key, NOW).is_none());
    assert!(verify(&token, &now_trusting_that_key, &rules(), NOW, &mut NoTrace).is_ok());
}

#[test]
fn only_rejected_signatures_are_remembered() {
    let (cache, keys) = (TokenCache::new(ROOMY), Arc::new(key_set()));
    for token in [
        rs256(&claims_with("aud", Some(json!("api://other")))),
        forged(&claims_with("iss", Some(json!("https://evil.test")))),
        "not.a.token".to_owned(),
    ] {
        let (key, err) = refuse_and_keep(&cache, &token, &keys, NOW);
        assert_ne!(err.reason, Reason::Signature);
        assert!(cache.recall(&key, &keys, NOW).is_none(), "{}", err.description);
    }
    assert_eq!(cache.refusals(), 0);
}

#[test]
fn a_flood_of_distinct_forged_tokens_never_evicts_a_valid_token() {
    let cache = TokenCache::new(CacheLimits {
        max_entries: 4,
        max_bytes: 1 << 24,
    });
    let keys = Arc::new(key_set());
    let token_10 = rs256(&claims());
    let valid = verify_and_keep(&cache, &token_10, &keys, &rules(), NOW);
    for i in 0..40 {
        refuse_and_keep(&cache, &forged(&claims_with("jti", Some(json!(i)))), &keys, NOW);
    }
    assert_eq!(cache.refusals(), MIN_REFUSALS.min(40));
    assert!(matches!(cache.recall(&valid, &keys, NOW), Some(Remembered::Valid(_))));
}

#[test]
fn a_remembered_refusal_costs_its_token_so_long_tokens_fill_the_refusal_table_sooner() {
    let keys = Arc::new(key_set());
    let long = |i: usize| {
        let mut c = claims_with("jti", Some(json!(i)));
        c["pad"] = json!("x".repeat(1500));
        forged(&c)
    };
    let forgeries: Vec<String> = (0..12).map(long).collect();
    let cost = REFUSAL_COST_BYTES + forgeries[0].len();
    // The refusal table gets a quarter of the bytes: room for three refusals of these tokens,
    // though ten would fit if a refusal cost only its fixed part.
    let cache = TokenCache::new(CacheLimits {
        max_entries: 1000,
        max_bytes: 4 * (3 * cost + cost / 2),
    });
    assert!(
        3 * cost + cost / 2 >= 10 * REFUSAL_COST_BYTES,
        "the tokens need to be long"
    );
    for token in &forgeries {
        refuse_and_keep(&cache, token, &keys, NOW);
    }
    assert_eq!(cache.refusals(), 3);
}
