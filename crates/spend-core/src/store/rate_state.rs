//! Rate-limit bucket state kept in the store, so every process of a
//! deployment starts from the same view of a provider's limits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use truelayer_client::spend_http::{BoxError, BucketState, RateStateStore, SharedBuckets};

use super::{Store, StoreError};

/// A [`RateStateStore`] over a [`Store`]: loaded once when made, saved off
/// the request path (a background task writes the newest snapshot), and
/// merged in the database by keeping each bucket's later "full again" time,
/// so two processes never both start with a full bucket.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use spend_core::store::{SqliteStore, StoreRateState};
/// let store = Arc::new(SqliteStore::in_memory().await?);
/// let state = StoreRateState::open(store, "sp-api").await?;
/// let limiter = amazon_sp_client::plans::limiter(1.0).with_store(state.clone()).map_err(|e| e.to_string())?;
/// # let _ = limiter;
/// # Ok(()) }
/// ```
pub struct StoreRateState {
    store: Arc<dyn Store>,
    scope: String,
    loaded: Mutex<Vec<BucketState>>,
    writes: tokio::sync::mpsc::UnboundedSender<Vec<BucketState>>,
    flushed: tokio::sync::watch::Receiver<u64>,
    sent: AtomicU64,
}

impl std::fmt::Debug for StoreRateState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreRateState")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl StoreRateState {
    /// Loads `scope`'s saved state (a provider: `sp-api`, `truelayer`) and
    /// starts the writer task (on the current Tokio runtime).
    pub async fn open(
        store: Arc<dyn Store>,
        scope: &str,
    ) -> Result<Arc<StoreRateState>, StoreError> {
        let loaded = store
            .rate_states(scope)
            .await?
            .into_iter()
            .map(|(operation, key, full_at)| BucketState {
                operation,
                key,
                full_at_unix_ms: u64::try_from(full_at).unwrap_or(0),
            })
            .collect();
        let (writes, mut queue) = tokio::sync::mpsc::unbounded_channel::<Vec<BucketState>>();
        let (done, flushed) = tokio::sync::watch::channel(0u64);
        let scope_name = scope.to_owned();
        let writer_store = store.clone();
        tokio::spawn(async move {
            let store = writer_store;
            let mut written = 0u64;
            while let Some(mut states) = queue.recv().await {
                let mut taken = 1;
                // Only the newest snapshot matters: skip the ones queued behind it.
                while let Ok(newer) = queue.try_recv() {
                    states = newer;
                    taken += 1;
                }
                let rows: Vec<(String, String, i64)> = states
                    .into_iter()
                    .map(|s| {
                        (
                            s.operation,
                            s.key,
                            i64::try_from(s.full_at_unix_ms).unwrap_or(i64::MAX),
                        )
                    })
                    .collect();
                if let Err(e) = store.put_rate_states(&scope_name, &rows).await {
                    tracing::warn!(error = %e, scope = %scope_name, "could not save rate-limit state");
                }
                written += taken;
                let _ = done.send(written);
            }
        });
        Ok(Arc::new(StoreRateState {
            store,
            scope: scope.to_owned(),
            loaded: Mutex::new(loaded),
            writes,
            flushed,
            sent: AtomicU64::new(0),
        }))
    }

    /// Waits until every snapshot saved so far is written to the store.
    pub async fn flush(&self) {
        let sent = self.sent.load(Ordering::SeqCst);
        let mut flushed = self.flushed.clone();
        let _ = flushed.wait_for(|n| *n >= sent).await;
    }
}

impl RateStateStore for StoreRateState {
    fn load(&self) -> Result<Vec<BucketState>, BoxError> {
        Ok(self
            .loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    fn save(&self, states: &[BucketState]) -> Result<(), BoxError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.writes
            .send(states.to_vec())
            .map_err(|_| "the rate-state writer has stopped".into())
    }
}

/// Every request takes its cells from the store's row for its bucket, so
/// workers in several processes (or on several machines) keep to one plan.
impl SharedBuckets for StoreRateState {
    fn reserve<'a>(
        &'a self,
        operation: &'a str,
        key: &'a str,
        now_ms: u64,
        cost_ms: u64,
    ) -> BoxFuture<'a, Result<u64, BoxError>> {
        Box::pin(async move {
            let full_at = self
                .store
                .reserve_rate(
                    &self.scope,
                    operation,
                    key,
                    i64::try_from(now_ms).unwrap_or(i64::MAX),
                    i64::try_from(cost_ms).unwrap_or(i64::MAX),
                )
                .await?;
            Ok(u64::try_from(full_at).unwrap_or(0))
        })
    }
}
