//! Call statistics of a piece of work (a sync run): every request any client
//! makes inside [`CallStats::scope`] is counted, whatever the client.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::RequestStats;

tokio::task_local! {
    static CURRENT: Arc<CallStats>;
}

/// Counts the requests made inside [`scope`](CallStats::scope).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
/// use spend_http::CallStats;
/// let stats = Arc::new(CallStats::default());
/// stats.clone().scope(async { /* requests through any spend-http client */ }).await;
/// assert_eq!(stats.summary().requests, 0);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct CallStats {
    requests: AtomicU64,
    attempts: AtomicU64,
    throttled: AtomicU64,
    limiter_wait_micros: AtomicU64,
}

/// What [`CallStats`] counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallSummary {
    /// Requests made (each once, however many attempts it took).
    pub requests: u64,
    /// Attempts beyond the first (retries and auth replays).
    pub retries: u64,
    /// Attempts the provider answered 429.
    pub throttled: u64,
    /// Time spent waiting in rate limiters, in milliseconds.
    pub limiter_wait_ms: u64,
}

impl CallStats {
    /// Runs `work`, counting the requests it makes (in this task).
    pub async fn scope<F: Future>(self: Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// `work` counted in the current scope, if there is one: wrap a future
    /// that is spawned onto another task, which a task-local scope does not
    /// reach by itself.
    pub fn carry<F: Future>(work: F) -> impl Future<Output = F::Output> {
        match CURRENT.try_with(Arc::clone) {
            Ok(stats) => futures_util::future::Either::Left(CURRENT.scope(stats, work)),
            Err(_) => futures_util::future::Either::Right(work),
        }
    }

    /// The counts so far.
    pub fn summary(&self) -> CallSummary {
        let requests = self.requests.load(Ordering::Relaxed);
        CallSummary {
            requests,
            retries: self
                .attempts
                .load(Ordering::Relaxed)
                .saturating_sub(requests),
            throttled: self.throttled.load(Ordering::Relaxed),
            limiter_wait_ms: self.limiter_wait_micros.load(Ordering::Relaxed) / 1000,
        }
    }

    /// The time spent waiting in rate limiters.
    pub fn limiter_wait(&self) -> Duration {
        Duration::from_micros(self.limiter_wait_micros.load(Ordering::Relaxed))
    }
}

/// Adds one finished request to the current scope's counts, if there is one.
pub(crate) fn record(stats: &RequestStats) {
    let _ = CURRENT.try_with(|c| {
        c.requests.fetch_add(1, Ordering::Relaxed);
        c.attempts
            .fetch_add(u64::from(stats.attempts()), Ordering::Relaxed);
        c.throttled
            .fetch_add(u64::from(stats.throttled()), Ordering::Relaxed);
        let micros = u64::try_from(stats.limiter_wait().as_micros()).unwrap_or(u64::MAX);
        c.limiter_wait_micros.fetch_add(micros, Ordering::Relaxed);
    });
}
