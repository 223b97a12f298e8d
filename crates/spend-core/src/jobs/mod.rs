//! Durable jobs: syncs, imports, re-parsing, matching and categorisation as
//! jobs that any number of workers share.
//!
//! The queue is [apalis](https://docs.rs/apalis) 1.0 on the store's own
//! database: `apalis-postgres` on a Postgres store (rows taken with
//! `FOR UPDATE SKIP LOCKED`, workers' heartbeats, a dead worker's jobs given
//! back to the queue), `apalis-sqlite` on the embedded SQLite default. Beside
//! apalis's tables spend keeps each job's progress and typed error, every
//! attempt (which worker ran it and how it ended) and the recurring syncs
//! ([`JobQueue::set_schedule`]), so `spend jobs` shows what happened in the
//! provider's words and a failed job is never reported as done.
//!
//! Limits hold across workers because every worker's clients take their
//! rate-limit state from the store (see [`StoreRateState`](crate::store::StoreRateState)).
//!
//! ```no_run
//! # async fn run(store: std::sync::Arc<dyn spend_core::store::Store>) -> Result<(), spend_core::jobs::JobsError> {
//! use spend_core::jobs::{Job, JobFilter, JobQueue};
//!
//! let queue = JobQueue::open(store.as_ref()).await?;
//! let id = queue.enqueue(Job::Sync { user: 1, connection: "truelayer:main".into() }).await?;
//! // ... `spend worker` (or `run_worker`) runs it ...
//! for job in queue.list(&JobFilter::default().ids([id])).await? {
//!     println!("{} {} {}", job.id, job.state, job.error.unwrap_or_default());
//! }
//! # Ok(()) }
//! ```

mod enqueue;
mod handler;
mod job;
mod layer;
mod schedule;
mod sql;
mod view;
mod worker;

pub use enqueue::{Pass, Queued};
pub use job::{Job, JobError, JobReport};
pub use layer::{SettleStatus, SettleStatusLayer};
pub use schedule::{next_after_ms, parse_cron};
pub use view::{JobFilter, JobState, JobView, ScheduleView};
pub use worker::{JobEnv, WorkerOptions, run_worker};

use crate::store::Store;

/// The apalis queue spend's jobs go in.
pub const QUEUE: &str = "spend.jobs";

/// The most runs a job gets (a run cut short by a dead worker counts).
pub const MAX_ATTEMPTS: usize = 4;

/// What can go wrong queueing, listing or running jobs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobsError {
    /// The store is not one of spend's SQL stores.
    #[error("the {0} store keeps no jobs: use a SQLite or Postgres store")]
    Unsupported(&'static str),
    /// The database failed.
    #[error("job tables: {0}")]
    Database(#[from] sqlx::Error),
    /// apalis's migrations failed.
    #[error("job queue migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// apalis failed.
    #[error("job queue: {0}")]
    Queue(String),
    /// A job could not be encoded.
    #[error("job: {0}")]
    Encode(#[from] serde_json::Error),
    /// A cron expression could not be read.
    #[error("schedule {0}")]
    Cron(String),
    /// No such connection.
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A worker stopped on an error it could not get past.
    #[error("worker: {0}")]
    Worker(String),
}

/// The database a store keeps its jobs in: the store's own pool.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum JobDb {
    /// A SQLite store.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// A Postgres store.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

#[cfg(feature = "sqlite")]
impl From<sqlx::SqlitePool> for JobDb {
    fn from(pool: sqlx::SqlitePool) -> JobDb {
        JobDb::Sqlite(pool)
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for JobDb {
    fn from(pool: sqlx::PgPool) -> JobDb {
        JobDb::Postgres(pool)
    }
}

// Calls the same function of the backend's module with the backend's pool.
macro_rules! on_backend {
    ($db:expr, $f:ident($($arg:expr),*)) => {
        match $db {
            #[cfg(feature = "sqlite")]
            JobDb::Sqlite(pool) => sql::sqlite::$f(pool, $($arg),*).await,
            #[cfg(feature = "postgres")]
            JobDb::Postgres(pool) => sql::postgres::$f(pool, $($arg),*).await,
        }
    };
}
pub(crate) use on_backend;

/// Queues jobs, lists them, and keeps the recurring syncs.
#[derive(Clone, Debug)]
pub struct JobQueue {
    db: JobDb,
}

impl JobQueue {
    /// The queue in `store`'s database, its tables made if missing.
    pub async fn open(store: &dyn Store) -> Result<JobQueue, JobsError> {
        let db = store
            .job_db()
            .ok_or_else(|| JobsError::Unsupported(store.backend()))?;
        on_backend!(&db, migrate())?;
        Ok(JobQueue { db })
    }

    /// The database, for a worker.
    pub fn db(&self) -> &JobDb {
        &self.db
    }

    /// Queues `job`; its id.
    pub async fn enqueue(&self, job: Job) -> Result<String, JobsError> {
        Ok(self.enqueue_all(vec![job]).await?.remove(0))
    }

    /// Queues `jobs` together (all or none); their ids in order.
    pub async fn enqueue_all(&self, jobs: Vec<Job>) -> Result<Vec<String>, JobsError> {
        let jobs: Vec<(String, Job)> = jobs.into_iter().map(|j| (sql::new_id(), j)).collect();
        on_backend!(&self.db, enqueue(&jobs))?;
        Ok(jobs.into_iter().map(|(id, _)| id).collect())
    }

    /// The jobs `filter` selects, newest first.
    pub async fn list(&self, filter: &JobFilter) -> Result<Vec<JobView>, JobsError> {
        on_backend!(&self.db, list(filter))
    }

    /// How many jobs have not ended yet.
    pub async fn unfinished(&self) -> Result<i64, JobsError> {
        on_backend!(&self.db, unfinished(QUEUE))
    }

    /// Syncs `target` (`provider:name`) for `user` on the cron schedule
    /// `cron` (five fields, `minute hour day month weekday`, in UTC; or six
    /// with seconds first; or `@daily`, `@hourly`). Any worker runs it; the
    /// store keeps it, so no outside cron is needed. Returns the next run,
    /// ms since the epoch.
    pub async fn set_schedule(
        &self,
        user: i64,
        target: &str,
        cron: &str,
    ) -> Result<i64, JobsError> {
        let schedule = parse_cron(cron)?;
        let next = next_after_ms(&schedule, sql::now_ms())
            .ok_or_else(|| JobsError::Cron(format!("{cron:?} never runs again")))?;
        on_backend!(&self.db, set_schedule(user, target, cron, next))?;
        Ok(next)
    }

    /// The recurring syncs (one user's, or everyone's).
    pub async fn schedules(&self, user: Option<i64>) -> Result<Vec<ScheduleView>, JobsError> {
        on_backend!(&self.db, schedules(user))
    }

    /// Stops a recurring sync; whether there was one.
    pub async fn remove_schedule(&self, user: i64, target: &str) -> Result<bool, JobsError> {
        on_backend!(&self.db, remove_schedule(user, target))
    }

    /// Queues the run of every schedule that is due, each exactly once
    /// however many workers tick at the same time; the ids queued.
    pub async fn run_due_schedules(&self) -> Result<Vec<String>, JobsError> {
        let now = sql::now_ms();
        let mut queued = Vec::new();
        for due in self.schedules(None).await? {
            if due.next_run_at_ms > now {
                continue;
            }
            // Runs missed while no worker was up are not replayed: the
            // next run counts from now.
            let next = parse_cron(&due.cron)
                .ok()
                .and_then(|s| next_after_ms(&s, now))
                .unwrap_or(i64::MAX);
            let id = sql::new_id();
            let job = Job::Sync {
                user: due.user_id,
                connection: due.target.clone(),
            };
            if on_backend!(&self.db, claim_schedule(&due, next, &id, &job))? {
                queued.push(id);
            }
        }
        Ok(queued)
    }
}
