//! A usage plan: a steady rate and a burst, as providers publish them.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::Quota;

/// A token bucket's shape: `rate` requests per second refill a bucket of `burst`.
///
/// ```
/// use spend_http::RatePlan;
/// // SP-API getOrders: 0.0167 requests per second, burst 20.
/// let plan = RatePlan::new(0.0167, 20);
/// assert_eq!(plan.emission_interval().as_secs(), 59);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RatePlan {
    /// Sustained requests per second.
    pub rate: f64,
    /// How many requests may go at once from a full bucket.
    pub burst: u32,
}

impl RatePlan {
    /// A plan of `rate` requests per second with a bucket of `burst`.
    /// A rate that is not positive and finite, or a burst of 0, is raised to the
    /// smallest usable value (one request a day, a burst of 1).
    pub fn new(rate: f64, burst: u32) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0 / 86_400.0
        };
        RatePlan {
            rate,
            burst: burst.max(1),
        }
    }

    /// One request every `period`, with a bucket of `burst`.
    pub fn every(period: Duration, burst: u32) -> Self {
        RatePlan::new(1.0 / period.as_secs_f64().max(1e-9), burst)
    }

    /// The time one token takes to come back.
    pub fn emission_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate)
    }

    pub(crate) fn quota(&self) -> Quota {
        let period = self.emission_interval().max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}
