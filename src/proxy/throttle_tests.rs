#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Buckets, MIN_SWEEP, TokenBucket};
use crate::model::Throttle;

const fn limits(burst_limit: u32, rate_limit: f64) -> Throttle {
    Throttle {
        burst_limit,
        rate_limit,
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// How many of `n` requests arriving together at `now` the bucket admits.
fn admitted(bucket: &TokenBucket, now: Instant, n: usize) -> usize {
    (0..n).filter(|_| bucket.try_take(now)).count()
}

#[test]
fn a_new_bucket_admits_its_burst_at_once_then_refuses() {
    let bucket = TokenBucket::new(limits(3, 1.0));
    let t0 = Instant::now();
    assert_eq!(admitted(&bucket, t0, 5), 3);
    assert!(!bucket.try_take(t0 + ms(999)), "less than one token earned");
}

#[test]
fn refills_at_the_rate_but_never_beyond_the_burst() {
    let bucket = TokenBucket::new(limits(2, 8.0));
    let t0 = Instant::now();
    assert_eq!(admitted(&bucket, t0, 2), 2);
    assert_eq!(admitted(&bucket, t0 + ms(125), 3), 1, "8/s earns one token per 125 ms");
    assert_eq!(admitted(&bucket, t0 + ms(375), 3), 2, "250 ms more earn two");
    assert_eq!(
        admitted(&bucket, t0 + Duration::from_secs(3600), 10),
        2,
        "an hour idle fills the bucket to its burst, no more"
    );
}

#[test]
fn refused_requests_take_nothing_and_time_keeps_earning() {
    let bucket = TokenBucket::new(limits(1, 2.0));
    let t0 = Instant::now();
    assert!(bucket.try_take(t0));
    for step in 1..4 {
        assert!(!bucket.try_take(t0 + ms(125 * step)), "{step}");
    }
    assert!(bucket.try_take(t0 + ms(500)), "half a second at 2/s is one token");
}

#[test]
fn a_rate_of_zero_never_refills() {
    let bucket = TokenBucket::new(limits(2, 0.0));
    let t0 = Instant::now();
    assert_eq!(admitted(&bucket, t0, 3), 2);
    assert!(!bucket.try_take(t0 + Duration::from_secs(86_400 * 365)));
}

#[test]
fn a_burst_of_zero_refuses_everything_whatever_the_rate() {
    let bucket = TokenBucket::new(limits(0, 1_000_000.0));
    let t0 = Instant::now();
    assert!(!bucket.try_take(t0));
    assert!(!bucket.try_take(t0 + Duration::from_secs(10)));
    let zero = TokenBucket::new(limits(0, 0.0));
    assert!(!zero.try_take(t0));
}

#[test]
fn fractional_rates_earn_fractions_of_a_token() {
    let bucket = TokenBucket::new(limits(1, 0.5));
    let t0 = Instant::now();
    assert!(bucket.try_take(t0));
    assert!(!bucket.try_take(t0 + Duration::from_secs(1)), "half a token");
    assert!(
        bucket.try_take(t0 + Duration::from_secs(2)),
        "a whole token after two seconds"
    );
    let slow = TokenBucket::new(limits(2, 0.001));
    assert_eq!(admitted(&slow, t0, 2), 2);
    assert!(
        !slow.try_take(t0 + Duration::from_secs(60)),
        "0.06 of a token in a minute"
    );
    assert!(slow.try_take(t0 + Duration::from_secs(1001)));
}

#[test]
fn a_clock_going_backwards_earns_nothing_and_does_not_rewind_the_bucket() {
    let bucket = TokenBucket::new(limits(1, 1.0));
    let t0 = Instant::now();
    let later = t0 + Duration::from_secs(10);
    assert!(bucket.try_take(later));
    // A request that read the clock earlier takes the lock later.
    assert!(!bucket.try_take(t0));
    assert!(!bucket.try_take(t0 + Duration::from_secs(5)));
    // Had the update time moved back to t0, 10.5 s would have earned a token.
    assert!(!bucket.try_take(later + ms(500)));
    assert!(bucket.try_take(later + Duration::from_secs(1)));
}

#[test]
fn unchanged_limits_get_the_same_bucket_with_its_tokens() {
    let buckets = Buckets::new();
    let t0 = Instant::now();
    let first = buckets.bucket_for("solar", "$default", "GET /planets", limits(2, 0.001));
    assert_eq!(admitted(&first, t0, 2), 2);
    let rebuilt = buckets.bucket_for("solar", "$default", "GET /planets", limits(2, 0.001));
    assert!(Arc::ptr_eq(&first, &rebuilt));
    assert!(!rebuilt.try_take(t0), "a rebuild does not refill the bucket");
}

#[test]
fn routes_stages_apis_and_changed_limits_each_get_their_own_full_bucket() {
    let buckets = Buckets::new();
    let t0 = Instant::now();
    let bucket = buckets.bucket_for("solar", "$default", "GET /planets", limits(1, 0.0));
    assert!(bucket.try_take(t0));
    for other in [
        buckets.bucket_for("solar", "$default", "GET /moons", limits(1, 0.0)),
        buckets.bucket_for("solar", "prod", "GET /planets", limits(1, 0.0)),
        buckets.bucket_for("lunar", "$default", "GET /planets", limits(1, 0.0)),
        buckets.bucket_for("solar", "$default", "GET /planets", limits(2, 0.0)),
        buckets.bucket_for("solar", "$default", "GET /planets", limits(1, 0.5)),
    ] {
        assert!(!Arc::ptr_eq(&bucket, &other));
        assert!(other.try_take(t0), "{:?} starts full", other.limits());
    }
}

#[test]
fn buckets_no_snapshot_holds_are_forgotten() {
    let buckets = Buckets::new();
    let kept = buckets.bucket_for("solar", "$default", "GET /planets", limits(1, 1.0));
    for i in 0..(MIN_SWEEP * 4) {
        // Dropped at once, like the buckets of a route removed by the next reload.
        drop(buckets.bucket_for("solar", "$default", &format!("GET /r{i}"), limits(1, 1.0)));
    }
    assert!(buckets.len() <= MIN_SWEEP * 2, "{} entries kept", buckets.len());
    let again = buckets.bucket_for("solar", "$default", "GET /planets", limits(1, 1.0));
    assert!(Arc::ptr_eq(&kept, &again), "a held bucket survives the sweeps");
}
