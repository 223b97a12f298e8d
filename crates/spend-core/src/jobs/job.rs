//! What a job is, how it can fail, and what it reports.

use serde::{Deserialize, Serialize};

use crate::app::AppError;
use crate::sources::SourceError;
use crate::sources::files::ImportOptions;
use crate::store::StoreError;
use crate::sync::SyncError;

/// One unit of work a worker runs for one user.
///
/// A job carries the user it belongs to and names that the worker looks up
/// inside that user's data (a connection, a blob kept by the enqueuer),
/// never a path, URL, token or setting: a row in the queue cannot make a
/// worker read another user's data or call somewhere else.
///
/// ```
/// use spend_core::jobs::Job;
/// let job = Job::Sync { user: 7, connection: "truelayer:main".into() };
/// assert_eq!(job.kind(), "sync");
/// assert_eq!(job.target(), Some("truelayer:main"));
/// assert_eq!(serde_json::to_string(&job).unwrap(), r#"{"kind":"sync","user":7,"connection":"truelayer:main"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Job {
    /// Sync one connection (`provider:name`) of one user.
    Sync {
        /// The user's id.
        user: i64,
        /// `provider:name`.
        connection: String,
    },
    /// Import a history file the enqueuer kept in the blob store.
    Import {
        /// The user's id.
        user: i64,
        /// The blob's key.
        blob: String,
        /// The file's name (its extension helps recognise it).
        name: String,
        /// What the file does not say: its account, currency or CSV
        /// columns (names within the user's own data, never a path).
        #[serde(default, skip_serializing_if = "ImportOptions::is_empty")]
        options: Box<ImportOptions>,
    },
    /// Import an mbox export the enqueuer kept in the blob store, through
    /// the receipt pipeline.
    ImportMbox {
        /// The user's id.
        user: i64,
        /// The blob's key.
        blob: String,
        /// The mailbox's name: `mbox:` and the export's path where it was
        /// queued (a label only; the worker reads the blob).
        mailbox: String,
    },
    /// Import a Maildir or a folder of `.eml` files the enqueuer packed
    /// into one blob (each message with its id and flags), through the
    /// receipt pipeline.
    ImportMailFolder {
        /// The user's id.
        user: i64,
        /// The bundle's blob key.
        blob: String,
        /// `maildir:` or `eml:` and the folder's path where it was queued
        /// (a label only; the worker reads the blob).
        mailbox: String,
    },
    /// Parse every kept email again with today's parsers.
    Reparse {
        /// The user's id.
        user: i64,
    },
    /// Match charges to orders and receipts.
    Match {
        /// The user's id.
        user: i64,
    },
    /// Categorise transactions.
    Enrich {
        /// The user's id.
        user: i64,
    },
    /// A kind this build does not know (queued by a newer spend): it fails
    /// at once instead of stopping the worker that fetched it.
    #[serde(other)]
    Unknown,
}

impl Job {
    /// The user the job belongs to (none for [`Job::Unknown`]).
    pub fn user(&self) -> Option<i64> {
        match self {
            Job::Sync { user, .. }
            | Job::Import { user, .. }
            | Job::ImportMbox { user, .. }
            | Job::ImportMailFolder { user, .. }
            | Job::Reparse { user }
            | Job::Match { user }
            | Job::Enrich { user } => Some(*user),
            Job::Unknown => None,
        }
    }

    /// `sync`, `import`, `reparse`, `match`, `enrich`.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Sync { .. } => "sync",
            Job::Import { .. } => "import",
            Job::ImportMbox { .. } => "import_mbox",
            Job::ImportMailFolder { .. } => "import_mail_folder",
            Job::Reparse { .. } => "reparse",
            Job::Match { .. } => "match",
            Job::Enrich { .. } => "enrich",
            Job::Unknown => "unknown",
        }
    }

    /// What it works on: the connection, or the file's name.
    pub fn target(&self) -> Option<&str> {
        match self {
            Job::Sync { connection, .. } => Some(connection),
            Job::Import { name, .. } => Some(name),
            Job::ImportMbox { mailbox, .. } | Job::ImportMailFolder { mailbox, .. } => {
                Some(mailbox)
            }
            _ => None,
        }
    }
}

/// Why a job failed, in the provider's words.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The sync failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// Opening the user's sources, or matching or categorising, failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job cannot run as asked: an unknown connection or blob, a file
    /// that could not be imported, a job kind this build does not know.
    #[error("{0}")]
    NotRunnable(String),
    /// The job's code panicked.
    #[error("the job panicked: {0}")]
    Panic(String),
}

impl JobError {
    /// Whether running the job again cannot help (consent revoked, the
    /// day's allowance spent, bad input, a panic): such a job fails at once
    /// instead of being retried.
    ///
    /// ```
    /// use spend_core::jobs::JobError;
    /// assert!(JobError::NotRunnable("no connection truelayer:x".into()).is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        match self {
            JobError::Sync(SyncError::Source { error, .. }) => source_is_terminal(error),
            JobError::App(AppError::Source(error)) => source_is_terminal(error),
            JobError::App(AppError::Settings { .. } | AppError::Environment { .. }) => true,
            JobError::NotRunnable(_) | JobError::Panic(_) => true,
            _ => false,
        }
    }
}

fn source_is_terminal(error: &SourceError) -> bool {
    matches!(
        error,
        SourceError::NeedsReauthorisation { .. }
            | SourceError::AllowanceSpent { .. }
            | SourceError::Invalid(_)
    )
}

/// What a job that succeeded did (kept as the job's result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobReport {
    /// Rows written.
    pub rows: u64,
    /// How long it ran, in seconds.
    pub elapsed_secs: f64,
    /// The whole report of the work (a sync outcome, a match report, ...).
    pub summary: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_of_an_unknown_kind_decodes_as_unknown() {
        let job: Job = serde_json::from_str(r#"{"kind":"teleport","user":1}"#).unwrap();
        assert_eq!(job, Job::Unknown);
        assert_eq!(job.user(), None);
    }

    #[test]
    fn revoked_consent_is_terminal_a_store_error_is_not() {
        let revoked = JobError::Sync(SyncError::Source {
            source_id: "truelayer:main".into(),
            error: SourceError::NeedsReauthorisation {
                provider: "truelayer".into(),
                name: "main".into(),
                detail: "consent revoked".into(),
            },
        });
        assert!(revoked.is_terminal());
        assert!(revoked.to_string().contains("needs to be authorised again"));
        let store = JobError::Store(StoreError::Config("down".into()));
        assert!(!store.is_terminal());
    }
}
