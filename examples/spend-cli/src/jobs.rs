//! `spend worker`, `spend jobs`, `spend schedule`, and the `--background`
//! forms of `spend sync` and `spend import`: thin over spend-core's `jobs`.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use spend_core::app::{ProviderApps, Settings, Spend};
use spend_core::enrich::EnrichOptions;
use spend_core::jobs::{
    JobEnv, JobFilter, JobQueue, JobState, JobView, Pass, Queued, WorkerOptions, run_worker,
};
use spend_core::vault::{Keyring, Vault};

use crate::table;

/// Arguments of `spend worker`.
#[derive(clap::Args)]
pub struct WorkerArgs {
    /// Jobs run at once.
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
    /// Stop once no job is left (in any worker) instead of waiting for more.
    #[arg(long)]
    until_idle: bool,
    /// The start of this worker's name (the host and process id follow).
    #[arg(long, default_value = "worker")]
    name: String,
}

/// Arguments of `spend jobs`.
#[derive(clap::Args)]
pub struct JobsArgs {
    /// Every user's jobs, not only yours.
    #[arg(long)]
    all: bool,
    /// Only jobs in this state: queued, running, retrying, done, failed.
    #[arg(long)]
    state: Option<JobState>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `spend schedule`.
#[derive(clap::Subcommand)]
pub enum ScheduleCommand {
    /// Sync a connection on a cron schedule (UTC), e.g. `"0 6 * * *"` for
    /// 06:00 every day; any running `spend worker` queues it when due.
    Set {
        /// The connection (`provider:name`, see `spend connections`).
        connection: String,
        /// Five cron fields (`minute hour day month weekday`), or `@daily`, `@hourly`.
        cron: String,
    },
    /// The recurring syncs.
    List {
        /// Every user's.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop a recurring sync.
    Rm {
        /// The connection.
        connection: String,
    },
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

async fn open() -> anyhow::Result<(Settings, Spend, JobQueue)> {
    let (settings, spend) = crate::store_app::open_with_settings().await?;
    let queue = JobQueue::open(spend.store.as_ref()).await?;
    Ok((settings, spend, queue))
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name).ok().filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a number")),
        None => Ok(default),
    }
}

/// Runs `spend worker` until SIGTERM or Ctrl-C (or, with `--until-idle`,
/// until no job is left).
pub fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let settings = Settings::load()?;
        let store = spend_core::store::open(&settings.store)
            .await
            .with_context(|| {
                format!(
                    "opening the store {}",
                    crate::store_app::redact(&settings.store)
                )
            })?;
        let queue = JobQueue::open(store.as_ref()).await?;
        let blobs = spend_core::app::open_blobs(&settings.blobs).await?;
        let vault = Vault::new(Keyring::load_default()?);
        let mut env = JobEnv::new(&queue, store, vault, blobs, ProviderApps::from_env()?);
        // Categorisation jobs use the LLM the worker's settings name, as `spend enrich` does.
        if let Some(llm) = &settings.llm {
            env.enrich = EnrichOptions::new().provider(llm.provider()?);
            env.enrich.budget = llm.budget()?;
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "host".into());
        let mut options =
            WorkerOptions::named(format!("{}-{host}-{}", args.name, std::process::id()))
                .concurrency(args.concurrency)
                .until_idle(args.until_idle);
        options.heartbeat = Duration::from_secs(env_number("SPEND_JOBS_HEARTBEAT_SECS", 10)?);
        options.missed_heartbeats = env_number("SPEND_JOBS_MISSED_HEARTBEATS", 3)?;
        options.shutdown_grace =
            Duration::from_secs(env_number("SPEND_JOBS_SHUTDOWN_GRACE_SECS", 30)?);
        eprintln!(
            "{}: running up to {} jobs at once on {} (Ctrl-C or SIGTERM to stop)",
            options.name,
            options.concurrency,
            crate::store_app::redact(&settings.store)
        );
        run_worker(env, options, stop_signal()).await?;
        Ok(())
    })
}

async fn stop_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = terminate.recv() => Ok(()),
    }
}

/// Queues one pass over the settings' user's data (`spend match`,
/// `spend enrich` or `spend reparse` with `--background`).
pub fn background(pass: Pass, json: bool) -> anyhow::Result<bool> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let queued = spend.enqueue_pass(&queue, pass).await?;
        finish_queueing(&queue, vec![queued], false, json).await
    })
}

/// `spend sync --background`: queues one sync per connection.
pub fn background_sync(only: &[String], wait: bool, json: bool) -> anyhow::Result<bool> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let queued = spend.enqueue_syncs(&queue, only).await?;
        finish_queueing(&queue, queued, wait, json).await
    })
}

/// `spend import --background FILE...`: keeps the files and queues their
/// imports, read with `options` (`--account`, `--currency`, `--map`).
pub fn background_import(
    paths: &[String],
    options: &spend_core::sources::files::ImportOptions,
    wait: bool,
    json: bool,
) -> anyhow::Result<bool> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let queued = spend.enqueue_imports(&queue, paths, options).await?;
        finish_queueing(&queue, queued, wait, json).await
    })
}

/// `spend import --background mbox|maildir|eml PATH`: keeps the export
/// (a folder packed into one blob) and queues its import.
pub fn background_mailbox(
    kind: gmail_receipts::sources::SourceKind,
    path: &std::path::Path,
    wait: bool,
    json: bool,
) -> anyhow::Result<bool> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let queued = spend.enqueue_mailbox(&queue, kind, path).await?;
        finish_queueing(&queue, vec![queued], wait, json).await
    })
}

async fn finish_queueing(
    queue: &JobQueue,
    queued: Vec<Queued>,
    wait: bool,
    json: bool,
) -> anyhow::Result<bool> {
    if !wait {
        if json {
            println!("{}", serde_json::to_string_pretty(&queued)?);
        } else {
            for q in &queued {
                println!("queued {}  {}", q.job, q.target);
            }
            eprintln!("`spend worker` runs them (`spend jobs` shows how they are doing).");
        }
        return Ok(true);
    }
    let filter = JobFilter::default()
        .ids(queued.iter().map(|q| q.job.clone()))
        .limit(queued.len() as u32);
    let jobs = loop {
        let jobs = queue.list(&filter).await?;
        if jobs.len() == queued.len() && jobs.iter().all(|j| j.state.is_final()) {
            break jobs;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    print_jobs(&jobs, json)?;
    Ok(jobs.iter().all(|j| j.state == JobState::Done))
}

/// `spend jobs`.
pub fn list(args: JobsArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let mut filter = JobFilter::default().limit(args.limit);
        if !args.all {
            filter = filter.user(spend.user.user_id().0);
        }
        if let Some(state) = args.state {
            filter = filter.state(state);
        }
        let jobs = queue.list(&filter).await?;
        print_jobs(&jobs, args.json)
    })
}

fn print_jobs(jobs: &[JobView], json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(jobs)?)?;
        return Ok(());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            let progress = match (j.done, j.total) {
                (Some(d), Some(t)) => format!("{d}/{t}"),
                (Some(d), None) => d.to_string(),
                _ => "-".into(),
            };
            vec![
                j.id.clone(),
                j.user.clone(),
                j.kind.clone(),
                j.target.clone().unwrap_or_default(),
                j.state.to_string(),
                progress,
                j.rows.map(|r| r.to_string()).unwrap_or_default(),
                format!("{}/{}", j.attempts, j.max_attempts),
                j.worker.clone().unwrap_or_default(),
                age(now - j.queued_at_ms),
                j.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    const HEADERS: [&str; 11] = [
        "JOB", "USER", "KIND", "TARGET", "STATE", "PROGRESS", "ROWS", "ATTEMPTS", "WORKER", "AGE",
        "ERROR",
    ];
    table::print(
        &mut out,
        &HEADERS,
        &rows,
        &["PROGRESS", "ROWS", "ATTEMPTS", "AGE"],
    )?;
    if jobs.is_empty() {
        eprintln!("No jobs.");
    }
    Ok(())
}

fn age(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

fn utc(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// `spend schedule`.
pub fn schedule(command: ScheduleCommand) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let (_, spend, queue) = open().await?;
        let user = spend.user.user_id().0;
        match command {
            ScheduleCommand::Set { connection, cron } => {
                let known = spend
                    .user
                    .connections()
                    .await?
                    .iter()
                    .any(|c| format!("{}:{}", c.provider, c.name) == connection);
                anyhow::ensure!(
                    known,
                    "no connection {connection}: `spend connections` lists them as provider:name"
                );
                let next = queue.set_schedule(user, &connection, &cron).await?;
                println!("{connection}: {cron} (next run {})", utc(next));
            }
            ScheduleCommand::Rm { connection } => {
                anyhow::ensure!(
                    queue.remove_schedule(user, &connection).await?,
                    "no schedule for {connection}"
                );
                println!("{connection}: no longer scheduled");
            }
            ScheduleCommand::List { all, json } => {
                let schedules = queue.schedules((!all).then_some(user)).await?;
                let mut out = std::io::stdout().lock();
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&schedules)?)?;
                    return Ok(());
                }
                let rows: Vec<Vec<String>> = schedules
                    .iter()
                    .map(|s| {
                        vec![
                            s.user.clone(),
                            s.target.clone(),
                            s.cron.clone(),
                            utc(s.next_run_at_ms),
                            s.last_enqueued_at_ms.map(utc).unwrap_or_default(),
                            s.last_job_id.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                table::print(
                    &mut out,
                    &[
                        "USER",
                        "CONNECTION",
                        "CRON",
                        "NEXT RUN",
                        "LAST RUN",
                        "LAST JOB",
                    ],
                    &rows,
                    &[],
                )?;
            }
        }
        Ok(())
    })
}
