//! Stage throttling as AWS HTTP APIs configure it: the token-bucket limits of one route
//! (`throttlingBurstLimit`, `throttlingRateLimit`), and how a route's `routeSettings` entry
//! combines with the stage's `defaultRouteSettings` (aws-http-api.md §5; docs/compat.md,
//! "Throttling").
//!
//! May import: std.

/// AWS's account-level steady-state rate (requests per second, per Region). Portcullis has no
/// account-level throttle; this only fills in the rate of a throttle that sets just a burst.
pub const ACCOUNT_RATE_LIMIT: f64 = 10_000.0;

/// AWS's account-level burst (per Region); fills in the burst of a throttle that sets just a rate.
pub const ACCOUNT_BURST_LIMIT: u32 = 5_000;

/// The limits of one token bucket, shared by every client of a route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    /// `throttlingBurstLimit`: the bucket's size, i.e. how many requests may arrive at once.
    /// 0 refuses every request.
    pub burst_limit: u32,
    /// `throttlingRateLimit`: tokens added per second (steady-state requests per second);
    /// finite, ≥ 0, may be fractional. 0 never refills.
    pub rate_limit: f64,
}

/// The throttling fields of one `RouteSettings` object, validated, each of them optional.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ThrottleSettings {
    /// `throttlingBurstLimit`.
    pub burst_limit: Option<u32>,
    /// `throttlingRateLimit`.
    pub rate_limit: Option<f64>,
}

impl ThrottleSettings {
    /// These (a route's) settings, field by field over `defaults` (the stage's): a field the
    /// route sets wins, a field it leaves out is the stage's.
    pub fn over(self, defaults: ThrottleSettings) -> ThrottleSettings {
        ThrottleSettings {
            burst_limit: self.burst_limit.or(defaults.burst_limit),
            rate_limit: self.rate_limit.or(defaults.rate_limit),
        }
    }

    /// The bucket these settings describe: none when neither field is set (no limit); when
    /// only one is, the other is AWS's account-level value.
    pub fn throttle(self) -> Option<Throttle> {
        if self.burst_limit.is_none() && self.rate_limit.is_none() {
            return None;
        }
        Some(Throttle {
            burst_limit: self.burst_limit.unwrap_or(ACCOUNT_BURST_LIMIT),
            rate_limit: self.rate_limit.unwrap_or(ACCOUNT_RATE_LIMIT),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn settings(burst_limit: Option<u32>, rate_limit: Option<f64>) -> ThrottleSettings {
        ThrottleSettings {
            burst_limit,
            rate_limit,
        }
    }

    #[test]
    fn no_throttling_field_means_no_limit() {
        assert_eq!(ThrottleSettings::default().throttle(), None);
    }

    #[test]
    fn a_route_field_wins_over_the_stage_default_field_by_field() {
        let stage = settings(Some(10), Some(5.0));
        assert_eq!(
            settings(Some(2), None).over(stage).throttle(),
            Some(Throttle {
                burst_limit: 2,
                rate_limit: 5.0
            })
        );
        assert_eq!(settings(None, None).over(stage), stage);
        assert_eq!(
            settings(None, Some(0.5)).over(settings(None, None)),
            settings(None, Some(0.5))
        );
    }

    #[test]
    fn the_missing_half_of_a_throttle_is_the_aws_account_level_value() {
        assert_eq!(
            settings(Some(3), None).throttle(),
            Some(Throttle {
                burst_limit: 3,
                rate_limit: ACCOUNT_RATE_LIMIT
            })
        );
        assert_eq!(
            settings(None, Some(1.0)).throttle(),
            Some(Throttle {
                burst_limit: ACCOUNT_BURST_LIMIT,
                rate_limit: 1.0
            })
        );
    }
}
