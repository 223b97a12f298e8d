//! What a worker does with one job: records the run, does the work through
//! the same spend-core calls the CLI makes, and reports how it ended.

use std::sync::Arc;
use std::time::{Duration, Instant};

use apalis::prelude::{AbortError, Attempt, BoxDynError, Data, TaskId, WorkerContext};
use futures_util::FutureExt;

use super::{Job, JobDb, JobEnv, JobError, JobReport, JobState, MAX_ATTEMPTS, on_backend, sql};
use crate::app::Spend;
use crate::mail::MailArchive;
use crate::model::UserId;
use crate::sync::Progress;

/// How often a running job's progress is written.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// The apalis handler: every job kind of the queue.
pub(crate) async fn run_job(
    job: Job,
    env: Data<JobEnv>,
    id: TaskId,
    attempt: Attempt,
    worker: WorkerContext,
) -> Result<JobReport, BoxDynError> {
    let id = id.to_string();
    let attempt = attempt.current().max(1) as i64;
    let worker = worker.name().to_owned();
    on_backend!(&env.db, start_attempt(&id, attempt, &worker))?;
    let result = match std::panic::AssertUnwindSafe(execute(&env, &id, &job))
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(panic) => Err(JobError::Panic(panic_text(panic.as_ref()))),
    };
    let terminal =
        result.as_ref().err().is_some_and(JobError::is_terminal) || attempt >= MAX_ATTEMPTS as i64;
    let state = match (&result, terminal) {
        (Ok(_), _) => JobState::Done,
        (Err(_), true) => JobState::Failed,
        (Err(_), false) => JobState::Retrying,
    };
    let text = result.as_ref().err().map(ToString::to_string);
    let recorded = match &result {
        Ok(report) => Ok(report),
        Err(_) => Err(text.as_deref().unwrap_or_default()),
    };
    on_backend!(
        &env.db,
        finish_attempt(&id, attempt, &worker, state, recorded)
    )?;
    match result {
        Ok(report) => Ok(report),
        // apalis stores an aborted job as `Killed` and never runs it again.
        Err(e) if terminal => Err(AbortError::new(e).into()),
        Err(e) => Err(Box::new(e)),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

async fn execute(env: &JobEnv, id: &str, job: &Job) -> Result<JobReport, JobError> {
    let started = Instant::now();
    let Some(user) = job.user() else {
        return Err(JobError::NotRunnable(
            "a job of a kind this spend does not know".into(),
        ));
    };
    let spend = env.spend_for(UserId(user));
    let (rows, summary) = match job {
        Job::Sync { connection, .. } => sync(env, &spend, id, connection).await?,
        Job::Import {
            blob,
            name,
            options,
            ..
        } => import(&spend, blob, name, options).await?,
        Job::ImportMbox { blob, mailbox, .. } => import_mbox(&spend, blob, mailbox).await?,
        Job::ImportMailFolder { blob, mailbox, .. } => {
            import_mail_folder(&spend, blob, mailbox).await?
        }
        Job::Reparse { .. } => {
            let done = spend
                .archive
                .reparse()
                .await
                .map_err(|e| JobError::NotRunnable(e.to_string()))?;
            (0, serde_json::to_value(done).unwrap_or_default())
        }
        Job::Match { .. } => {
            let report = crate::matching::match_user(spend.user.as_ref(), &env.matching).await?;
            (0, serde_json::to_value(&report).unwrap_or_default())
        }
        Job::Enrich { .. } => {
            let report = crate::enrich::enrich_user(spend.user.as_ref(), &env.enrich, |_| {})
                .await
                .map_err(crate::app::AppError::from)?;
            (0, serde_json::to_value(&report).unwrap_or_default())
        }
        Job::Unknown => unreachable!("an unknown job has no user"),
    };
    Ok(JobReport {
        rows,
        elapsed_secs: started.elapsed().as_secs_f64(),
        summary,
    })
}

async fn sync(
    env: &JobEnv,
    spend: &Spend,
    id: &str,
    connection: &str,
) -> Result<(u64, serde_json::Value), JobError> {
    let plan = spend
        .sources(&env.apps, &[connection.to_owned()], &Default::default())
        .await?;
    if let Some(skipped) = plan.not_run.first() {
        return Err(JobError::NotRunnable(format!(
            "{}: {}",
            skipped.source, skipped.reason
        )));
    }
    if plan.sources.is_empty() {
        return Err(JobError::NotRunnable(format!(
            "no connection {connection} for this user"
        )));
    }
    let (tx, rx) = tokio::sync::watch::channel::<Option<Progress>>(None);
    let writer = tokio::spawn(write_progress(env.db.clone(), id.to_owned(), rx));
    let tx = Arc::new(tx);
    let mut synced = spend
        .sync_sources(plan.sources, |_| {
            let tx = tx.clone();
            move |p: &Progress| {
                tx.send_replace(Some(p.clone()));
            }
        })
        .await;
    drop(tx);
    let _ = writer.await;
    let one = synced.pop().expect("one connection selected, one synced");
    let outcome = one.result?;
    let summary = serde_json::to_value(&outcome).unwrap_or_default();
    Ok((outcome.rows_written(), summary))
}

/// Writes the newest progress at most every [`PROGRESS_EVERY`], and once
/// more when the sync ends.
async fn write_progress(
    db: JobDb,
    id: String,
    mut rx: tokio::sync::watch::Receiver<Option<Progress>>,
) {
    while rx.changed().await.is_ok() {
        let latest = rx.borrow_and_update().clone();
        if let Some(p) = latest {
            let total = p.total.map(|t| t as i64);
            // Best effort: progress is for people watching; the job's
            // result does not depend on it.
            let _ = on_backend!(&db, progress(&id, p.done as i64, total, p.rows as i64));
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
    let last = rx.borrow().clone();
    if let Some(p) = last {
        let total = p.total.map(|t| t as i64);
        let _ = on_backend!(&db, progress(&id, p.done as i64, total, p.rows as i64));
    }
}

/// The bytes of the kept blob `blob`; `name` names it in errors.
async fn kept_bytes(spend: &Spend, blob: &str, name: &str) -> Result<Vec<u8>, JobError> {
    let key = blob_store::Key::new(blob).map_err(|e| JobError::NotRunnable(e.to_string()))?;
    let kept = spend
        .blobs
        .get(&key)
        .await
        .map_err(|e| JobError::NotRunnable(format!("{name}: {e}")))?
        .ok_or_else(|| JobError::NotRunnable(format!("{name}: nothing kept at {blob}")))?;
    Ok(kept.bytes)
}

/// The kept blob `blob`, written into a private folder under `name` (the
/// importers read files by path). The folder is the caller's to remove.
async fn blob_file(
    spend: &Spend,
    blob: &str,
    name: &str,
) -> Result<(std::path::PathBuf, std::path::PathBuf), JobError> {
    let kept = kept_bytes(spend, blob, name).await?;
    // Only the file's own name, never a path from the queue.
    let file_name = std::path::Path::new(name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let dir = std::env::temp_dir().join(format!("spend-import-{}", sql::new_id()));
    let path = dir.join(&file_name);
    let written = tokio::fs::create_dir_all(&dir)
        .await
        .and(tokio::fs::write(&path, &kept).await);
    if let Err(e) = written {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        return Err(JobError::NotRunnable(format!("{name}: {e}")));
    }
    Ok((dir, path))
}

async fn import(
    spend: &Spend,
    blob: &str,
    name: &str,
    options: &crate::sources::files::ImportOptions,
) -> Result<(u64, serde_json::Value), JobError> {
    let (dir, path) = blob_file(spend, blob, name).await?;
    let done = spend.import_files(&[path], options).await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    // Errors name the file as the person named it, not the private folder.
    let folder = format!("{}/", dir.display());
    let errors: Vec<String> = done
        .iter()
        .filter_map(|f| f.error.as_deref())
        .map(|e| e.replace(&folder, ""))
        .collect();
    if !errors.is_empty() {
        return Err(JobError::NotRunnable(errors.join("; ")));
    }
    let rows = done
        .iter()
        .filter_map(|f| f.outcome.as_ref())
        .map(|o| o.rows_written())
        .sum();
    Ok((rows, serde_json::to_value(&done).unwrap_or_default()))
}

async fn import_mail_folder(
    spend: &Spend,
    blob: &str,
    mailbox: &str,
) -> Result<(u64, serde_json::Value), JobError> {
    let kept = kept_bytes(spend, blob, mailbox).await?;
    let mut source =
        crate::sources::MailboxFiles::from_bundle(mailbox.to_owned(), kept, spend.archive.clone());
    store_mailbox(spend, &mut source).await
}

/// Runs a mailbox through the sync engine: the rows written, and the outcome.
async fn store_mailbox(
    spend: &Spend,
    source: &mut crate::sources::MailboxFiles,
) -> Result<(u64, serde_json::Value), JobError> {
    let outcome = spend.engine().run(source, &mut |_| {}).await?;
    Ok((
        outcome.rows_written(),
        serde_json::to_value(&outcome).unwrap_or_default(),
    ))
}

async fn import_mbox(
    spend: &Spend,
    blob: &str,
    mailbox: &str,
) -> Result<(u64, serde_json::Value), JobError> {
    let (dir, path) = blob_file(spend, blob, mailbox).await?;
    let opened = crate::sources::MailboxFiles::open(
        gmail_receipts::sources::SourceKind::Mbox,
        &path,
        spend.archive.clone(),
    );
    let result = match opened {
        Ok(source) => store_mailbox(spend, &mut source.named(mailbox)).await,
        Err(e) => Err(JobError::NotRunnable(format!("{mailbox}: {e}"))),
    };
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

impl JobEnv {
    /// The user's spend, from the worker's shared parts.
    pub(crate) fn spend_for(&self, user: UserId) -> Spend {
        let handle = self.store.user(user);
        Spend {
            store: self.store.clone(),
            archive: Arc::new(MailArchive::new(handle.clone(), self.blobs.clone())),
            user: handle,
            vault: self.vault.clone(),
            blobs: self.blobs.clone(),
        }
    }
}
