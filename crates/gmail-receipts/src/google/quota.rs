//! Gmail's per-user quota: 15,000 units a minute, each method its own cost.

use spend_http::RatePlan;

/// Quota units a user may spend per minute.
pub const USER_UNITS_PER_MINUTE: u32 = 15_000;

/// The bucket every Gmail call draws from (keyed by user).
pub(crate) const BUCKET: &str = "gmail.user-quota";

/// A method's cost in quota units, from Gmail's usage-limits table.
///
/// ```
/// use gmail_receipts::google::quota::units;
/// assert_eq!(units("messages.get"), 5);
/// assert_eq!(units("history.list"), 2);
/// assert_eq!(units("users.getProfile"), 1);
/// ```
pub fn units(method: &str) -> u32 {
    match method {
        "users.getProfile" => 1,
        "messages.list" | "messages.get" | "messages.attachments.get" => 5,
        "history.list" => 2,
        "labels.list" | "labels.get" => 1,
        _ => 5,
    }
}

/// The plan the client paces itself by: never more than `units_per_minute`
/// in any sliding minute, with a burst of `burst` units. The long-run rate
/// leaves room for the burst, so a minute that starts with a full bucket
/// still stays under the quota. The burst is held to half the quota: a
/// larger one would leave almost no rate to refill it with (after a 429
/// drains the bucket, the client would wait for minutes).
///
/// ```
/// use gmail_receipts::google::quota::plan;
/// let p = plan(15_000, 250);
/// assert!((p.rate - 245.83).abs() < 0.01);
/// assert_eq!(p.burst, 250);
/// // A burst as large as the quota is held to half of it.
/// let p = plan(15_000, 15_000);
/// assert_eq!(p.burst, 7_500);
/// assert_eq!(p.rate, 125.0);
/// ```
pub fn plan(units_per_minute: u32, burst: u32) -> RatePlan {
    let burst = burst.clamp(1, (units_per_minute / 2).max(1));
    let rate = f64::from(units_per_minute.saturating_sub(burst).max(1)) / 60.0;
    RatePlan::new(rate, burst)
}
