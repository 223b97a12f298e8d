//! Running one source.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;

use crate::model::{Checkpoint, SyncRun};
use crate::sources::{Source, SourceError};
use crate::store::{StoreError, UserStore, Written};

/// Where a run is, after each page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The source.
    pub source: String,
    /// Units done (messages, accounts, orders: the source's own unit).
    pub done: u64,
    /// Units in all, when the source knows.
    pub total: Option<u64>,
    /// Rows written so far.
    pub rows: u64,
    /// Time so far.
    #[serde(with = "seconds")]
    pub elapsed: Duration,
}

mod seconds {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncOutcome {
    /// The source.
    pub source: String,
    /// The recorded run's id.
    pub run_id: i64,
    /// Pages written.
    pub pages: u64,
    /// Rows written, by kind.
    pub written: Written,
    /// Bytes the source read.
    pub bytes: u64,
    /// Items the source skipped with an error (a broken message), by message.
    pub skipped: Vec<String>,
    /// The source's HTTP calls: requests, retries, 429 answers, time waiting
    /// in rate limiters (calls its client makes on other tasks are not seen).
    pub calls: spend_http::CallSummary,
    /// Wall time.
    #[serde(with = "seconds")]
    pub elapsed: Duration,
}

impl SyncOutcome {
    /// Rows written (inserted or updated) of every kind.
    pub fn rows_written(&self) -> u64 {
        let w = &self.written;
        [
            w.accounts,
            w.transactions,
            w.orders,
            w.apple_purchases,
            w.emails,
            w.receipts,
            w.documents,
            w.matches,
            w.enrichments,
        ]
        .iter()
        .map(|u| u.written())
        .sum()
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The source failed (its provider's words inside).
    #[error("{source_id}: {error}")]
    Source {
        /// The source.
        source_id: String,
        /// What went wrong.
        #[source]
        error: SourceError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs sources for one user.
#[derive(Clone)]
pub struct SyncEngine {
    user: Arc<dyn UserStore>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("user", &self.user.user_id())
            .finish()
    }
}

fn add(total: &mut Written, w: Written) {
    for (t, x) in [
        (&mut total.accounts, w.accounts),
        (&mut total.transactions, w.transactions),
        (&mut total.orders, w.orders),
        (&mut total.apple_purchases, w.apple_purchases),
        (&mut total.emails, w.emails),
        (&mut total.receipts, w.receipts),
        (&mut total.documents, w.documents),
        (&mut total.matches, w.matches),
        (&mut total.enrichments, w.enrichments),
    ] {
        t.inserted += x.inserted;
        t.updated += x.updated;
        t.unchanged += x.unchanged;
    }
    total.removed += w.removed;
}

impl SyncEngine {
    /// An engine writing into `user`'s store.
    pub fn new(user: Arc<dyn UserStore>) -> Self {
        SyncEngine { user }
    }

    /// Runs `source` to its end from its stored checkpoint, calling
    /// `progress` after every page. Each page and its checkpoint are written
    /// in one transaction. The run is recorded (`ok` or `failed` with the
    /// error) whatever happens.
    pub async fn run(
        &self,
        source: &mut dyn Source,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<SyncOutcome, SyncError> {
        let id = source.id().to_owned();
        let started = Instant::now();
        let mut run = SyncRun {
            id: 0,
            source: id.clone(),
            started_at: OffsetDateTime::now_utc(),
            finished_at: None,
            status: "running".into(),
            summary: serde_json::json!({}),
        };
        run.id = self.user.record_sync_run(&run).await?;
        let mut outcome = SyncOutcome {
            source: id.clone(),
            run_id: run.id,
            pages: 0,
            written: Written::default(),
            bytes: 0,
            skipped: Vec::new(),
            calls: spend_http::CallSummary::default(),
            elapsed: Duration::ZERO,
        };
        let calls = Arc::new(spend_http::CallStats::default());
        let result = calls
            .clone()
            .scope(self.pages(source, &mut outcome, started, progress))
            .await;
        outcome.calls = calls.summary();
        outcome.elapsed = started.elapsed();
        run.finished_at = Some(OffsetDateTime::now_utc());
        let rows = outcome.rows_written();
        let mut summary = serde_json::to_value(&outcome).unwrap_or_default();
        summary["rows_per_second"] =
            serde_json::json!(rows as f64 / outcome.elapsed.as_secs_f64().max(1e-9));
        match &result {
            Ok(()) => run.status = "ok".into(),
            Err(e) => {
                run.status = "failed".into();
                summary["error"] = serde_json::json!(e.to_string());
            }
        }
        run.summary = summary;
        // The run's record is best effort once the work itself failed.
        let recorded = self.user.record_sync_run(&run).await;
        result?;
        recorded?;
        Ok(outcome)
    }

    async fn pages(
        &self,
        source: &mut dyn Source,
        outcome: &mut SyncOutcome,
        started: Instant,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(), SyncError> {
        let id = source.id().to_owned();
        loop {
            let checkpoint = self.user.checkpoint(&id).await?;
            let page = source
                .next_page(self.user.as_ref(), checkpoint.as_ref())
                .await
                .map_err(|error| SyncError::Source {
                    source_id: id.clone(),
                    error,
                })?;
            let Some(page) = page else { return Ok(()) };
            let mut batch = page.batch;
            batch.checkpoint = Some(Checkpoint {
                source: id.clone(),
                value: page.checkpoint,
                updated_at: OffsetDateTime::now_utc(),
            });
            let written = self.user.write(batch).await?;
            add(&mut outcome.written, written);
            outcome.pages += 1;
            outcome.bytes += page.bytes;
            outcome.skipped.extend(page.skipped);
            progress(&Progress {
                source: id.clone(),
                done: page.done,
                total: page.total,
                rows: outcome.rows_written(),
                elapsed: started.elapsed(),
            });
        }
    }
}
