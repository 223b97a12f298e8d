//! The job tables on each SQL backend. apalis owns the queue (its own
//! tables and migrations); these functions write and read spend's tables
//! beside it (progress, attempts, schedules) and push into apalis's table in
//! the same transaction, so a job and its row are stored together or not
//! at all. As in the store, one text (`queries.rs`) is compiled once per
//! backend against its concrete sqlx types.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

use apalis::prelude::{Task, TaskBuilder, TaskId};

use super::{Job, JobsError, MAX_ATTEMPTS};

/// The queue's task for `job`: its args as JSON (what apalis's JSON codec
/// decodes), our id, and a cap on attempts (apalis would allow 25).
pub(crate) fn task(
    id: &str,
    job: &Job,
    idempotency_key: Option<String>,
) -> Result<Task<Vec<u8>>, JobsError> {
    // apalis reads ids back as ULIDs: any other id would stop the worker
    // that fetched it.
    let id = ulid::Ulid::from_string(id)
        .map(TaskId::from_ulid)
        .map_err(|e| JobsError::Queue(format!("job id {id:?}: {e}")))?;
    let mut builder = TaskBuilder::new(serde_json::to_vec(job)?)
        .task_id(id)
        .max_attempts(MAX_ATTEMPTS);
    if let Some(key) = idempotency_key {
        builder = builder.idempotency_key(key);
    }
    Ok(builder.build())
}

/// When the job with this ULID was queued, ms since the epoch.
pub(crate) fn queued_at_ms(id: &str) -> i64 {
    ulid::Ulid::from_string(id)
        .map(|u| u.timestamp_ms() as i64)
        .unwrap_or_default()
}

/// A fresh job id.
pub(crate) fn new_id() -> String {
    ulid::Ulid::generate().to_string()
}

/// Now, ms since the epoch.
pub(crate) fn now_ms() -> i64 {
    crate::store::sql::now_millis()
}
