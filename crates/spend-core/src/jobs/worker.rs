//! `spend worker`: runs the queue's jobs until told to stop.

use std::sync::Arc;
use std::time::Duration;

use apalis::layers::retry::HasherRng;
use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use apalis::prelude::*;
use blob_store::BlobStore;
use futures_util::future::{Either, select};

use super::handler::run_job;
use super::{JobDb, JobQueue, JobsError, MAX_ATTEMPTS, QUEUE, SettleStatusLayer};
use crate::app::ProviderApps;
use crate::enrich::EnrichOptions;
use crate::matching::MatchOptions;
use crate::store::Store;
use crate::vault::Vault;

/// What every job of a worker shares: the store, the secrets, the blobs and
/// the providers' apps. A job brings only its user and what to work on.
#[derive(Clone)]
pub struct JobEnv {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The store's job tables.
    pub db: JobDb,
    /// The vault (every user's secrets are sealed with the deployment's keys).
    pub vault: Vault,
    /// Receipt files, raw mail and files queued for import (shared by the
    /// workers: S3/MinIO, or one folder when they share a machine).
    pub blobs: Arc<dyn BlobStore>,
    /// The providers' apps.
    pub apps: ProviderApps,
    /// Matching's options.
    pub matching: MatchOptions,
    /// Categorisation's options (its LLM, if any).
    pub enrich: EnrichOptions,
}

impl std::fmt::Debug for JobEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobEnv")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

impl JobEnv {
    /// A worker's parts; matching and categorisation with their defaults.
    pub fn new(
        queue: &JobQueue,
        store: Arc<dyn Store>,
        vault: Vault,
        blobs: Arc<dyn BlobStore>,
        apps: ProviderApps,
    ) -> JobEnv {
        JobEnv {
            store,
            db: queue.db().clone(),
            vault,
            blobs,
            apps,
            matching: MatchOptions::default(),
            enrich: EnrichOptions::default(),
        }
    }
}

/// How a worker runs.
///
/// ```
/// use spend_core::jobs::WorkerOptions;
/// let options = WorkerOptions::named("worker-a").concurrency(4);
/// assert_eq!(options.concurrency, 4);
/// ```
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The worker's name: unique per process (a restart adds a number).
    pub name: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// How often the worker tells the queue it is alive.
    pub heartbeat: Duration,
    /// Heartbeats missed before another worker takes its jobs back. Every
    /// worker of a deployment should use the same figure.
    pub missed_heartbeats: usize,
    /// How long a stopping worker lets its running jobs finish.
    pub shutdown_grace: Duration,
    /// Stop when no job is left to run (in any worker).
    pub until_idle: bool,
    /// How often due schedules are looked for.
    pub schedule_tick: Duration,
    /// The first wait before a failed run is tried again (doubling, up to a minute).
    pub retry_after: Duration,
}

impl WorkerOptions {
    /// The defaults under `name`: 2 jobs at once, a heartbeat every 10 s,
    /// 3 missed before a dead worker's jobs go back to the queue, 30 s of
    /// grace when stopping, schedules looked at every 15 s, retries after 2 s.
    pub fn named(name: impl Into<String>) -> WorkerOptions {
        WorkerOptions {
            name: name.into(),
            concurrency: 2,
            heartbeat: Duration::from_secs(10),
            missed_heartbeats: 3,
            shutdown_grace: Duration::from_secs(30),
            until_idle: false,
            schedule_tick: Duration::from_secs(15),
            retry_after: Duration::from_secs(2),
        }
    }

    /// Runs `n` jobs at once.
    pub fn concurrency(mut self, n: usize) -> WorkerOptions {
        self.concurrency = n.max(1);
        self
    }

    /// Stops once no job is left.
    pub fn until_idle(mut self, yes: bool) -> WorkerOptions {
        self.until_idle = yes;
        self
    }
}

type Backoff = apalis::layers::retry::backoff::ExponentialBackoff<HasherRng>;

fn retry_policy(first: Duration) -> Result<BackoffRetryPolicy<Backoff>, JobsError> {
    let backoff = ExponentialBackoffMaker::new(
        first,
        Duration::from_secs(60).max(first),
        0.5,
        HasherRng::default(),
    )
    .map_err(|e| JobsError::Worker(format!("retry backoff: {e}")))?
    .make_backoff();
    Ok(RetryPolicy::retries(MAX_ATTEMPTS - 1).with_backoff(backoff))
}

/// Restarts of a worker that died on a queue error before `spend worker`
/// gives up (and exits non-zero, for its supervisor to start it again).
const MAX_RESTARTS: usize = 5;

// Both backends' configs have the same builders but are different types.
macro_rules! config {
    ($config:ty, $o:expr) => {
        <$config>::default()
            .queue(QUEUE)
            .batch_size($o.concurrency)
            .heartbeat_interval($o.heartbeat)
            .missed_heartbeats($o.missed_heartbeats)
    };
}

macro_rules! worker {
    ($name:expr, $backend:expr, $env:expr, $o:expr, $policy:expr) => {
        WorkerBuilder::new($name)
            .backend($backend.poll_with_interval(Duration::from_millis(500)))
            .data($env.clone())
            .concurrency($o.concurrency)
            .retry($policy.clone())
            .layer(SettleStatusLayer)
            .catch_panic()
            .parallelize(tokio::spawn)
            .build(run_job)
    };
}

/// Runs jobs until `shutdown` resolves (or, with
/// [`WorkerOptions::until_idle`], until none is left), then lets running
/// jobs finish for [`WorkerOptions::shutdown_grace`]. A worker that dies on
/// a queue error is restarted a few times; then this returns the error.
///
/// A job whose worker is killed goes back to the queue once its heartbeats
/// have been missed, and another worker runs it; its writes are idempotent,
/// so nothing is stored twice. Due schedules are queued by whichever worker
/// claims them first.
pub async fn run_worker(
    env: JobEnv,
    options: WorkerOptions,
    shutdown: impl Future<Output = std::io::Result<()>> + Send + 'static,
) -> Result<(), JobsError> {
    let queue = JobQueue { db: env.db.clone() };
    let policy = retry_policy(options.retry_after)?;
    let o = options.clone();
    let monitor = match env.db.clone() {
        #[cfg(feature = "postgres")]
        JobDb::Postgres(pool) => Monitor::new().register(move |restarts| {
            let backend = apalis_postgres::PostgresStorage::<super::Job>::new(&pool)
                .with_config(config!(apalis_postgres::Config, o));
            worker!(format!("{}-{restarts}", o.name), backend, env, o, policy)
        }),
        #[cfg(feature = "sqlite")]
        JobDb::Sqlite(pool) => Monitor::new().register(move |restarts| {
            let backend = apalis_sqlite::SqliteStorage::<super::Job>::new(&pool)
                .with_config(config!(apalis_sqlite::Config, o));
            worker!(format!("{}-{restarts}", o.name), backend, env, o, policy)
        }),
    };
    let monitor = monitor
        .should_restart(|worker, error| {
            tracing::warn!(worker = worker.name(), %error, "job worker restarting");
            worker.restarts() < MAX_RESTARTS
        })
        .shutdown_timeout(options.shutdown_grace);
    let scheduler = tokio::spawn(tick_schedules(queue.clone(), options.schedule_tick));
    let stop = async move {
        if options.until_idle {
            match select(Box::pin(shutdown), Box::pin(idle(queue))).await {
                Either::Left((signal, _)) => signal,
                Either::Right((idle, _)) => idle,
            }
        } else {
            shutdown.await
        }
    };
    let result = monitor.run_with_signal(stop).await;
    scheduler.abort();
    result.map_err(|e| JobsError::Worker(e.to_string()))
}

async fn tick_schedules(queue: JobQueue, every: Duration) {
    loop {
        if let Err(e) = queue.run_due_schedules().await {
            tracing::warn!(error = %e, "could not queue due schedules");
        }
        tokio::time::sleep(every).await;
    }
}

/// Resolves once two looks a second apart find no job left to run.
async fn idle(queue: JobQueue) -> std::io::Result<()> {
    let mut empty = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        match queue.unfinished().await {
            Ok(0) => empty += 1,
            Ok(_) => empty = 0,
            Err(e) => tracing::warn!(error = %e, "could not count unfinished jobs"),
        }
        if empty >= 2 {
            return Ok(());
        }
    }
}
