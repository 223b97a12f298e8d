//! Per-operation, per-key GCRA buckets (governor) that can be re-tuned,
//! drained and persisted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::RatePlan;
use super::clock::{TokioClock, TokioInstant};
use super::shared::{SharedBuckets, cost_ms, now_ms, wait_until_allowed};
use super::state::{BucketState, RateStateStore};
use crate::{BoxError, Operation};

type Gcra = governor::RateLimiter<
    String,
    DashMapStateStore<String>,
    TokioClock,
    NoOpMiddleware<TokioInstant>,
>;

/// Between an operation's name and a key in the name of a key's own bucket.
const KEYED: char = '\u{1f}';

fn keyed(operation: &str, key: &str) -> String {
    format!("{operation}{KEYED}{key}")
}

/// Amazon's header carrying the operation's current rate in requests per second.
const AMZN_RATE_LIMIT: &str = "x-amzn-ratelimit-limit";

struct Bucket {
    plan: RatePlan,
    gcra: Gcra,
    /// When each key's bucket is full again. governor keeps the same number
    /// privately; this copy is what we persist and carry over on a re-tune.
    full_at: Mutex<HashMap<String, Instant>>,
}

impl Bucket {
    fn new(plan: RatePlan) -> Self {
        Bucket {
            plan,
            gcra: governor::RateLimiter::new(
                plan.quota(),
                DashMapStateStore::default(),
                TokioClock,
            ),
            full_at: Mutex::new(HashMap::new()),
        }
    }

    fn try_take(&self, key: &str) -> Result<(), Duration> {
        self.try_take_n(key, 1)
    }

    /// Takes `cells` tokens at once (at most the burst), or says how long to wait.
    fn try_take_n(&self, key: &str, cells: u32) -> Result<(), Duration> {
        let key = key.to_owned();
        let cells = cells.clamp(1, self.plan.burst.max(1));
        let n = std::num::NonZeroU32::new(cells).unwrap_or(std::num::NonZeroU32::MIN);
        match self.gcra.check_key_n(&key, n) {
            Ok(Ok(())) => {
                let now = Instant::now();
                let mut full_at = self.full_at.lock().unwrap_or_else(|e| e.into_inner());
                let at = full_at.entry(key).or_insert(now);
                *at = (*at).max(now) + self.plan.emission_interval() * cells;
                Ok(())
            }
            Ok(Err(not_until)) => Err(not_until.wait_time_from(TokioClock.now())),
            // Unreachable: `cells` is clamped to the burst.
            Err(_) => Err(self.plan.emission_interval()),
        }
    }

    /// Takes up to `cells` tokens without waiting.
    fn take_up_to(&self, key: &str, cells: u32) {
        for _ in 0..cells {
            if self.try_take(key).is_err() {
                break;
            }
        }
    }

    /// Tokens already spent for `key` (rounded up), i.e. how empty the bucket is.
    fn spent(&self, key: &str) -> u32 {
        let full_at = self.full_at.lock().unwrap_or_else(|e| e.into_inner());
        let Some(at) = full_at.get(key) else { return 0 };
        cells_for(at.saturating_duration_since(Instant::now()), self.plan)
    }

    fn keys(&self) -> Vec<String> {
        let full_at = self.full_at.lock().unwrap_or_else(|e| e.into_inner());
        full_at.keys().cloned().collect()
    }
}

fn cells_for(until_full: Duration, plan: RatePlan) -> u32 {
    let cells = (until_full.as_secs_f64() / plan.emission_interval().as_secs_f64()).ceil();
    (cells as u32).min(plan.burst)
}

/// One token bucket per operation and key, seeded from a provider's usage
/// plans, re-tuned from response headers, drained on a 429, and optionally
/// persisted so another process starts where this one stopped.
///
/// Operations without a plan are not limited.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use spend_http::{Operation, RateLimiter, RatePlan};
///
/// let limiter = RateLimiter::new().with_plan("getOrderItems", RatePlan::new(0.5, 30));
/// let waited = limiter.acquire(&Operation::new("getOrderItems").key("seller-1")).await;
/// assert!(waited.is_zero()); // a fresh bucket lets the first 30 through at once
/// # }
/// ```
#[derive(Default)]
pub struct RateLimiter {
    buckets: RwLock<HashMap<String, Arc<Bucket>>>,
    store: Option<Arc<dyn RateStateStore>>,
    /// Buckets shared with every process of a deployment, if any.
    shared: Option<Arc<dyn SharedBuckets>>,
    /// Shared buckets a 429 drained, to be emptied by their next request.
    drained: Mutex<std::collections::HashSet<String>>,
    /// Saved state for operations whose plan is not known yet.
    pending: Mutex<Vec<BucketState>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let buckets = self.buckets.read().unwrap_or_else(|e| e.into_inner());
        let plans: HashMap<&str, RatePlan> =
            buckets.iter().map(|(k, b)| (k.as_str(), b.plan)).collect();
        f.debug_struct("RateLimiter")
            .field("plans", &plans)
            .field("persisted", &self.store.is_some())
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

impl RateLimiter {
    /// A limiter with no plans: nothing is limited until plans are added.
    pub fn new() -> Self {
        RateLimiter::default()
    }

    /// Adds (or replaces) the plan of `operation`.
    pub fn with_plan(self, operation: impl Into<String>, plan: RatePlan) -> Self {
        self.set_plan(operation, plan);
        self
    }

    /// Loads saved bucket state from `store` and hands it the newest state
    /// after every request (the store writes off the request path), so a
    /// second process does not start with full buckets.
    pub fn with_store(mut self, store: Arc<dyn RateStateStore>) -> Result<Self, BoxError> {
        let saved = store.load()?;
        self.store = Some(store);
        self.restore(saved);
        Ok(self)
    }

    /// Takes every request's cells from `shared` buckets (a database every
    /// process of a deployment uses) instead of this process's own, so
    /// several processes together keep to one plan. The plans stay this
    /// limiter's. Should the shared buckets fail, requests fall back to this
    /// process's buckets.
    pub fn with_shared(mut self, shared: Arc<dyn SharedBuckets>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// The plan in force for `operation`.
    pub fn plan(&self, operation: &str) -> Option<RatePlan> {
        self.bucket(operation).map(|b| b.plan)
    }

    /// Sets `operation`'s plan. Tokens already spent stay spent under the new plan.
    pub fn set_plan(&self, operation: impl Into<String>, plan: RatePlan) {
        let operation = operation.into();
        let fresh = Arc::new(Bucket::new(plan));
        let mut buckets = self.buckets.write().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = buckets.get(&operation) {
            for key in old.keys() {
                fresh.take_up_to(&key, old.spent(&key));
            }
        }
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let now = SystemTime::now();
        pending.retain(|state| {
            if state.operation != operation {
                return true;
            }
            fresh.take_up_to(&state.key, cells_for(state.until_full(now), plan));
            false
        });
        buckets.insert(operation, fresh);
    }

    fn bucket(&self, operation: &str) -> Option<Arc<Bucket>> {
        let buckets = self.buckets.read().unwrap_or_else(|e| e.into_inner());
        buckets.get(operation).cloned()
    }

    /// The bucket `operation` takes from: its key's own, when a response
    /// re-tuned the plan for that key, else the operation's.
    fn bucket_for(&self, operation: &Operation) -> Option<Arc<Bucket>> {
        let key = operation.rate_key();
        let buckets = self.buckets.read().unwrap_or_else(|e| e.into_inner());
        (!key.is_empty())
            .then(|| buckets.get(&keyed(operation.bucket_name(), key)))
            .flatten()
            .or_else(|| buckets.get(operation.bucket_name()))
            .cloned()
    }

    /// The plan in force for `operation`'s key (a re-tuned key's own plan,
    /// else the operation's).
    pub fn plan_for(&self, operation: &Operation) -> Option<RatePlan> {
        self.bucket_for(operation).map(|b| b.plan)
    }

    /// Gives one key of an operation its own plan (Amazon's rate header
    /// speaks for one seller's application, not every seller's), carrying
    /// over the tokens that key has spent.
    fn set_key_plan(&self, operation: &Operation, plan: RatePlan) {
        let key = operation.rate_key();
        let spent = self.bucket_for(operation).map_or(0, |b| b.spent(key));
        let fresh = Arc::new(Bucket::new(plan));
        fresh.take_up_to(key, spent);
        let mut buckets = self.buckets.write().unwrap_or_else(|e| e.into_inner());
        buckets.insert(keyed(operation.bucket_name(), key), fresh);
    }

    /// Waits until `operation` may be sent for its key, takes its
    /// [`units`](Operation::units) from its [bucket](Operation::bucket_name)
    /// (in burst-sized steps when it costs more than a burst), and returns how
    /// long it waited.
    pub async fn acquire(&self, operation: &Operation) -> Duration {
        if let Some(shared) = &self.shared {
            let Some(bucket) = self.bucket_for(operation) else {
                return Duration::ZERO;
            };
            let plan = bucket.plan;
            let mut cells = operation.units().max(1);
            let name = keyed(operation.bucket_name(), operation.rate_key());
            if self
                .drained
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&name)
            {
                cells = cells.saturating_add(plan.burst);
            }
            let now = now_ms();
            match shared
                .reserve(
                    operation.bucket_name(),
                    operation.rate_key(),
                    now,
                    cost_ms(plan, cells),
                )
                .await
            {
                Ok(full_at) => {
                    let wait = wait_until_allowed(full_at, now, plan);
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    return wait;
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    operation = operation.name(),
                    "shared rate limits unavailable: pacing by this process's own"
                ),
            }
        }
        let started = Instant::now();
        let mut waited = false;
        let mut remaining = operation.units().max(1);
        while remaining > 0 {
            // Looked up on every turn: a re-tune may have replaced the bucket.
            let Some(bucket) = self.bucket_for(operation) else {
                return Duration::ZERO;
            };
            let step = remaining.min(bucket.plan.burst.max(1));
            match bucket.try_take_n(operation.rate_key(), step) {
                Ok(()) => remaining -= step,
                Err(wait) => {
                    waited = true;
                    tokio::time::sleep(wait).await;
                }
            }
        }
        self.save();
        if waited {
            started.elapsed()
        } else {
            Duration::ZERO
        }
    }

    /// Empties `operation`'s bucket for `key`: the provider said we are over
    /// its limit (another client may share the bucket), so assume no tokens left.
    pub fn drain(&self, operation: &Operation) {
        if self.shared.is_some() {
            self.drained
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(keyed(operation.bucket_name(), operation.rate_key()));
        }
        if let Some(bucket) = self.bucket_for(operation) {
            bucket.take_up_to(operation.rate_key(), bucket.plan.burst);
            self.save();
        }
    }

    /// Learns from a response: a 429 drains the bucket, and a rate header
    /// (`x-amzn-RateLimit-Limit`) re-tunes the plan of the operation's key
    /// (one seller's), or the operation's when it has no key.
    pub fn observe(&self, operation: &Operation, status: StatusCode, headers: &HeaderMap) {
        if let Some(rate) = headers
            .get(AMZN_RATE_LIMIT)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|r| r.is_finite() && *r > 0.0)
        {
            let current = self.plan_for(operation);
            let changed = current.is_none_or(|p| ((p.rate - rate) / p.rate).abs() > 0.001);
            if changed {
                let burst = current.map_or(1, |p| p.burst);
                tracing::debug!(
                    operation = operation.name(),
                    rate,
                    burst,
                    "rate plan re-tuned from response header"
                );
                let plan = RatePlan::new(rate, burst);
                if operation.rate_key().is_empty() {
                    self.set_plan(operation.bucket_name(), plan);
                } else {
                    self.set_key_plan(operation, plan);
                }
            }
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.drain(operation);
        }
    }

    /// Every non-full bucket's state, for persisting.
    pub fn snapshot(&self) -> Vec<BucketState> {
        let now = Instant::now();
        let wall = SystemTime::now();
        let buckets = self.buckets.read().unwrap_or_else(|e| e.into_inner());
        let mut states = Vec::new();
        for (name, bucket) in buckets.iter() {
            // A key's own bucket is saved as its operation's: the next
            // process learns the key's plan again from the next answer.
            let operation = name.split_once(KEYED).map_or(name.as_str(), |(op, _)| op);
            let full_at = bucket.full_at.lock().unwrap_or_else(|e| e.into_inner());
            for (key, at) in full_at.iter().filter(|(_, at)| **at > now) {
                let full_at_wall = wall + at.saturating_duration_since(now);
                let ms = full_at_wall
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis();
                states.push(BucketState {
                    operation: operation.to_owned(),
                    key: key.clone(),
                    full_at_unix_ms: u64::try_from(ms).unwrap_or(u64::MAX),
                });
            }
        }
        states.extend(
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned(),
        );
        states.sort_by(|a, b| (&a.operation, &a.key).cmp(&(&b.operation, &b.key)));
        states
    }

    /// Applies saved state: each bucket starts as empty as it was saved.
    pub fn restore(&self, states: Vec<BucketState>) {
        let now = SystemTime::now();
        let mut later = Vec::new();
        for state in states {
            match self.bucket(&state.operation) {
                Some(bucket) => {
                    bucket.take_up_to(&state.key, cells_for(state.until_full(now), bucket.plan))
                }
                None => later.push(state),
            }
        }
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(later);
    }

    /// Writes the state now (the store otherwise writes in the background).
    pub fn flush(&self) {
        if let Some(store) = &self.store {
            self.save();
            if let Err(e) = store.flush() {
                tracing::warn!(error = %e, "could not persist rate-limit state");
            }
        }
    }

    fn save(&self) {
        if let Some(store) = &self.store
            && let Err(e) = store.save(&self.snapshot())
        {
            tracing::warn!(error = %e, "could not persist rate-limit state");
        }
    }
}

impl Drop for RateLimiter {
    fn drop(&mut self) {
        self.flush();
    }
}
