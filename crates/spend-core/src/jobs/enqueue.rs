//! Queueing one person's work: what `spend sync --background` and
//! `spend import --background` do.

use std::path::Path;

use super::{Job, JobQueue, JobsError};
use crate::app::Spend;
use crate::sources::MailboxFiles;
use crate::sources::files::ImportOptions;
use gmail_receipts::sources::SourceKind;

/// A job queued for a person: what it works on, and its id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Queued {
    /// The connection (`provider:name`) or file.
    pub target: String,
    /// The job's id.
    pub job: String,
}

impl Spend {
    /// Queues a sync of each of this person's connections that `only`
    /// selects (all when empty; a provider or `provider:name`), one job per
    /// connection so that different workers run them side by side.
    ///
    /// ```no_run
    /// # async fn run(spend: spend_core::app::Spend) -> Result<(), spend_core::jobs::JobsError> {
    /// use spend_core::jobs::JobQueue;
    /// let queue = JobQueue::open(spend.store.as_ref()).await?;
    /// for queued in spend.enqueue_syncs(&queue, &[]).await? {
    ///     println!("{} {}", queued.job, queued.target);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn enqueue_syncs(
        &self,
        queue: &JobQueue,
        only: &[String],
    ) -> Result<Vec<Queued>, JobsError> {
        let user = self.user.user_id().0;
        let targets: Vec<String> = self
            .user
            .connections()
            .await?
            .into_iter()
            .filter(|c| crate::app::selected(c, only))
            .map(|c| format!("{}:{}", c.provider, c.name))
            .collect();
        if targets.is_empty() {
            return Err(JobsError::NotFound(if only.is_empty() {
                "no connections to sync: `spend connect` one first".into()
            } else {
                format!("no connection matches {}", only.join(", "))
            }));
        }
        let jobs = targets
            .iter()
            .map(|connection| Job::Sync {
                user,
                connection: connection.clone(),
            })
            .collect();
        Ok(pair(targets, queue.enqueue_all(jobs).await?))
    }

    /// Keeps each history file in the blob store (where every worker can
    /// read it) and queues its import, read with `options` (the account,
    /// currency or CSV columns the files do not name). A file that cannot
    /// be read is an error naming it, and nothing is queued.
    pub async fn enqueue_imports(
        &self,
        queue: &JobQueue,
        paths: &[impl AsRef<Path>],
        options: &ImportOptions,
    ) -> Result<Vec<Queued>, JobsError> {
        let user = self.user.user_id().0;
        let mut jobs = Vec::with_capacity(paths.len());
        let mut names = Vec::with_capacity(paths.len());
        for path in paths {
            let path = path.as_ref();
            let shown = path.display().to_string();
            let key = self.keep_for_workers(path).await?;
            let name = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| shown.clone());
            jobs.push(Job::Import {
                user,
                blob: key.as_str().to_owned(),
                name,
                options: Box::new(options.clone()),
            });
            names.push(shown);
        }
        Ok(pair(names, queue.enqueue_all(jobs).await?))
    }
}

fn pair(targets: Vec<String>, ids: Vec<String>) -> Vec<Queued> {
    targets
        .into_iter()
        .zip(ids)
        .map(|(target, job)| Queued { target, job })
        .collect()
}

impl Spend {
    /// Keeps an mbox export in the blob store and queues its import through
    /// the receipt pipeline. Its mailbox is named after the export's path
    /// here (`mbox:/home/alex/export.mbox`), as a direct import names it,
    /// so importing it both ways stores each message once.
    pub async fn enqueue_mbox(&self, queue: &JobQueue, path: &Path) -> Result<Queued, JobsError> {
        let shown = path.display().to_string();
        let (mailbox, _) = MailboxFiles::id_of(SourceKind::Mbox, path)
            .map_err(|e| JobsError::NotFound(format!("{shown}: {e}")))?;
        let key = self.keep_for_workers(path).await?;
        let job = Job::ImportMbox {
            user: self.user.user_id().0,
            blob: key.as_str().to_owned(),
            mailbox,
        };
        queue_one(queue, job).await
    }

    /// Reads the file at `path` and keeps it in the blob store, where every
    /// worker can read it; errors name the file as given.
    async fn keep_for_workers(&self, path: &Path) -> Result<blob_store::Key, JobsError> {
        let shown = path.display();
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| JobsError::NotFound(format!("{shown}: {e}")))?;
        let digest = blob_store::sha256_hex(&bytes);
        self.keep_file(path, bytes, &digest)
            .await
            .map_err(|e| JobsError::NotFound(format!("{shown}: cannot keep the file: {e}")))
    }

    /// Queues the import of a mailbox export of `kind` through the receipt
    /// pipeline: an mbox file as [`enqueue_mbox`](Self::enqueue_mbox) keeps
    /// it; a Maildir or a folder of `.eml` files packed into one blob (each
    /// message with its id and flags, in order). A worker stores the same
    /// email rows a direct import here would (`maildir:` or `eml:` and the
    /// folder's absolute path), so importing it both ways stores each
    /// message once.
    ///
    /// ```no_run
    /// # async fn run(spend: spend_core::app::Spend) -> Result<(), spend_core::jobs::JobsError> {
    /// use gmail_receipts::sources::SourceKind;
    /// use spend_core::jobs::JobQueue;
    /// let queue = JobQueue::open(spend.store.as_ref()).await?;
    /// let queued = spend.enqueue_mailbox(&queue, SourceKind::Maildir, "Mail/receipts".as_ref()).await?;
    /// println!("{} {}", queued.job, queued.target);
    /// # Ok(()) }
    /// ```
    pub async fn enqueue_mailbox(
        &self,
        queue: &JobQueue,
        kind: SourceKind,
        path: &Path,
    ) -> Result<Queued, JobsError> {
        if kind == SourceKind::Mbox {
            return self.enqueue_mbox(queue, path).await;
        }
        let shown = path.display().to_string();
        let folder = path.to_owned();
        let (mailbox, bundle) =
            tokio::task::spawn_blocking(move || MailboxFiles::pack(kind, &folder))
                .await
                .map_err(|e| JobsError::NotFound(format!("{shown}: {e}")))?
                .map_err(|e| JobsError::NotFound(format!("{shown}: {e}")))?;
        let digest = blob_store::sha256_hex(&bundle);
        let key = self
            .keep_bytes(
                "mail-bundles",
                ".bundle",
                Some(mailbox.clone()),
                bundle,
                &digest,
            )
            .await
            .map_err(|e| JobsError::NotFound(format!("{shown}: cannot keep the folder: {e}")))?;
        let job = Job::ImportMailFolder {
            user: self.user.user_id().0,
            blob: key.as_str().to_owned(),
            mailbox,
        };
        queue_one(queue, job).await
    }
}

/// A pass over all of one person's data, queued as one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pass {
    /// Match charges to orders and receipts ([`Job::Match`]).
    Match,
    /// Categorise transactions ([`Job::Enrich`]).
    Enrich,
    /// Parse every kept email again ([`Job::Reparse`]).
    Reparse,
}

impl Pass {
    /// The job that runs this pass for `user`.
    ///
    /// ```
    /// use spend_core::jobs::{Job, Pass};
    /// assert_eq!(Pass::Enrich.job(7), Job::Enrich { user: 7 });
    /// ```
    pub fn job(self, user: i64) -> Job {
        match self {
            Pass::Match => Job::Match { user },
            Pass::Enrich => Job::Enrich { user },
            Pass::Reparse => Job::Reparse { user },
        }
    }
}

impl Spend {
    /// Queues one pass over all of this person's data (matching,
    /// categorising or re-parsing); its target is the job's kind.
    pub async fn enqueue_pass(&self, queue: &JobQueue, pass: Pass) -> Result<Queued, JobsError> {
        queue_one(queue, pass.job(self.user.user_id().0)).await
    }
}

/// Queues `job`; its target is what it works on, or its kind.
async fn queue_one(queue: &JobQueue, job: Job) -> Result<Queued, JobsError> {
    let target = job.target().unwrap_or(job.kind()).to_owned();
    let job = queue.enqueue(job).await?;
    Ok(Queued { target, job })
}
