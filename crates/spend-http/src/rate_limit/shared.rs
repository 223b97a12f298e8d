//! Buckets that every process of a deployment takes from on each request.

use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;

use super::RatePlan;
use crate::BoxError;

/// Token buckets kept outside the process (a database row per operation and
/// key) that every client of a deployment reserves its cells from on each
/// request, so N processes together send no more than one plan allows.
///
/// A bucket is one number: the time it is full again (ms since the epoch).
/// Taking cells moves it to `max(it, now) + cells × emission interval`, in
/// one atomic step; the request may go once that time is no more than a
/// burst ahead of now (GCRA, as the in-process buckets).
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::{Arc, Mutex};
/// use futures_util::future::BoxFuture;
/// use spend_http::{BoxError, Operation, RateLimiter, RatePlan, SharedBuckets};
///
/// #[derive(Default)]
/// struct InMemory(Mutex<HashMap<(String, String), u64>>);
///
/// impl SharedBuckets for InMemory {
///     fn reserve<'a>(&'a self, operation: &'a str, key: &'a str, now_ms: u64, cost_ms: u64)
///         -> BoxFuture<'a, Result<u64, BoxError>> {
///         let mut buckets = self.0.lock().unwrap();
///         let full_at = buckets.entry((operation.into(), key.into())).or_default();
///         *full_at = (*full_at).max(now_ms) + cost_ms;
///         let at = *full_at;
///         Box::pin(async move { Ok(at) })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let shared = Arc::new(InMemory::default());
/// let a = RateLimiter::new().with_plan("getOrders", RatePlan::new(1.0, 2)).with_shared(shared.clone());
/// let b = RateLimiter::new().with_plan("getOrders", RatePlan::new(1.0, 2)).with_shared(shared);
/// let op = Operation::new("getOrders").key("seller");
/// // Two processes share one burst of 2: the third request waits about a second.
/// assert!(a.acquire(&op).await.is_zero());
/// assert!(b.acquire(&op).await.is_zero());
/// assert!(a.acquire(&op).await >= std::time::Duration::from_millis(900));
/// # }
/// ```
pub trait SharedBuckets: Send + Sync + 'static {
    /// Moves the "full again" time of `operation`'s bucket for `key` to
    /// `max(it, now_ms) + cost_ms` atomically (a missing bucket counts as
    /// full), and returns the new time.
    fn reserve<'a>(
        &'a self,
        operation: &'a str,
        key: &'a str,
        now_ms: u64,
        cost_ms: u64,
    ) -> BoxFuture<'a, Result<u64, BoxError>>;
}

/// Now, ms since the epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// What `cells` cost under `plan`, in ms of the bucket's time.
pub(crate) fn cost_ms(plan: RatePlan, cells: u32) -> u64 {
    (f64::from(cells) * plan.emission_interval().as_secs_f64() * 1000.0).ceil() as u64
}

/// How long to wait before sending, once the bucket is full again at
/// `full_at_ms`: until that is no more than a burst ahead, and then a
/// margin. The provider's bucket started refilling when the first request
/// of a burst reached it, a little after this one was reserved; a request
/// paced to the millisecond can arrive before its cell is back.
pub(crate) fn wait_until_allowed(full_at_ms: u64, now_ms: u64, plan: RatePlan) -> Duration {
    let allowed_at = full_at_ms.saturating_sub(cost_ms(plan, plan.burst));
    if allowed_at <= now_ms {
        return Duration::ZERO;
    }
    let margin = (cost_ms(plan, 1) / 10).max(MARGIN_MS);
    Duration::from_millis(allowed_at - now_ms + margin)
}

/// The least margin a paced request waits beyond its cell's return.
const MARGIN_MS: u64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_a_burst_through_and_then_paces() {
        let plan = RatePlan::new(2.0, 3); // 500 ms a cell
        let mut full_at = 0;
        let now = 10_000;
        let mut waits = Vec::new();
        for _ in 0..5 {
            full_at = full_at.max(now) + cost_ms(plan, 1);
            waits.push(wait_until_allowed(full_at, now, plan).as_millis());
        }
        assert_eq!(waits, [0, 0, 0, 600, 1100]);
    }
}
