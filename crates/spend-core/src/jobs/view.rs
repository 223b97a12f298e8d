//! What `spend jobs` shows: each job's state, progress, attempts and error.

use serde::Serialize;

/// A job's state, as a person reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker is running it.
    Running,
    /// It failed (or its worker died) and will run again.
    Retrying,
    /// It succeeded.
    Done,
    /// It failed for good; the error says why.
    Failed,
}

impl JobState {
    /// `queued`, `running`, `retrying`, `done`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Retrying => "retrying",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }

    /// The state from the queue's row (apalis's status and attempts) and
    /// the worker's own note (`retrying` while it backs off between tries).
    ///
    /// A job apalis stored as `Killed` (aborted) or `Failed` with no
    /// attempts left is failed; only `Done` is done.
    ///
    /// ```
    /// use spend_core::jobs::JobState;
    /// assert_eq!(JobState::from_queue("Killed", 1, 4, "failed"), JobState::Failed);
    /// assert_eq!(JobState::from_queue("Failed", 2, 4, "retrying"), JobState::Retrying);
    /// assert_eq!(JobState::from_queue("Pending", 1, 4, "running"), JobState::Retrying);
    /// assert_eq!(JobState::from_queue("Pending", 0, 4, "queued"), JobState::Queued);
    /// ```
    pub fn from_queue(status: &str, attempts: i64, max_attempts: i64, note: &str) -> JobState {
        match status {
            "Done" => JobState::Done,
            "Killed" => JobState::Failed,
            "Failed" if attempts >= max_attempts => JobState::Failed,
            "Failed" => JobState::Retrying,
            "Running" if note == "retrying" => JobState::Retrying,
            "Running" => JobState::Running,
            _ if attempts > 0 => JobState::Retrying,
            _ => JobState::Queued,
        }
    }
}

impl std::str::FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<JobState, String> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "retrying" => JobState::Retrying,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            other => {
                return Err(format!(
                    "unknown job state {other:?}: expected queued, running, retrying, done or failed"
                ));
            }
        })
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One job as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobView {
    /// Its id (a ULID).
    pub id: String,
    /// The user's name.
    pub user: String,
    /// `sync`, `import`, ...
    pub kind: String,
    /// The connection or file.
    pub target: Option<String>,
    /// Its state.
    pub state: JobState,
    /// Runs so far (a run cut short by a dead worker counts).
    pub attempts: i64,
    /// The most runs it gets.
    pub max_attempts: i64,
    /// The worker running it, or that ran it last.
    pub worker: Option<String>,
    /// Units done (the source's own unit: accounts, messages, orders).
    pub done: Option<i64>,
    /// Units in all, when known.
    pub total: Option<i64>,
    /// Rows written.
    pub rows: Option<i64>,
    /// Why it failed (or why its last run failed), in the provider's words.
    pub error: Option<String>,
    /// When it was queued, ms since the epoch.
    pub queued_at_ms: i64,
    /// When it ended, ms since the epoch.
    pub finished_at_ms: Option<i64>,
}

/// Which jobs to list.
///
/// ```
/// use spend_core::jobs::{JobFilter, JobState};
/// let failed = JobFilter::default().state(JobState::Failed).limit(20);
/// assert_eq!(failed.limit, 20);
/// ```
#[derive(Debug, Clone)]
pub struct JobFilter {
    /// Only this user's (all users' when none).
    pub user: Option<i64>,
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only these jobs.
    pub ids: Vec<String>,
    /// At most this many, newest first.
    pub limit: u32,
}

impl Default for JobFilter {
    fn default() -> JobFilter {
        JobFilter {
            user: None,
            state: None,
            ids: Vec::new(),
            limit: 50,
        }
    }
}

impl JobFilter {
    /// Only this user's jobs.
    pub fn user(mut self, user: i64) -> JobFilter {
        self.user = Some(user);
        self
    }
    /// Only jobs in `state`.
    pub fn state(mut self, state: JobState) -> JobFilter {
        self.state = Some(state);
        self
    }
    /// Only these jobs.
    pub fn ids(mut self, ids: impl IntoIterator<Item = String>) -> JobFilter {
        self.ids = ids.into_iter().collect();
        self
    }
    /// At most `limit` jobs.
    pub fn limit(mut self, limit: u32) -> JobFilter {
        self.limit = limit;
        self
    }
}

/// One recurring sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleView {
    /// The user's name.
    pub user: String,
    /// The user's id.
    pub user_id: i64,
    /// The connection (`provider:name`).
    pub target: String,
    /// The cron expression as given.
    pub cron: String,
    /// When it runs next, ms since the epoch (UTC).
    pub next_run_at_ms: i64,
    /// When it last queued a job.
    pub last_enqueued_at_ms: Option<i64>,
    /// That job's id.
    pub last_job_id: Option<String>,
}
