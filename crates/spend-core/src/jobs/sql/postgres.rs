//! The job tables on Postgres, beside apalis's `apalis` schema.

use apalis::prelude::Task;

use crate::jobs::JobsError;

type Db = sqlx::Postgres;
type Pool = sqlx::PgPool;

const JOBS: &str = "apalis.jobs";
const ATTEMPTS: &str = "j.attempts::BIGINT";
const MAX_ATTEMPTS_COL: &str = "j.max_attempts::BIGINT";
const LAST_ERROR: &str = "j.last_result ->> 'Err'";

/// apalis's migrations (its own schema and migration table, so they never
/// meet the store's).
pub(crate) async fn migrate(pool: &Pool) -> Result<(), JobsError> {
    apalis_postgres::PostgresStorage::setup(pool)
        .await
        .map_err(|e| JobsError::Queue(e.to_string()))
}

async fn push(conn: &mut Conn, tasks: Vec<Task<Vec<u8>>>) -> Result<(), JobsError> {
    apalis_postgres::queries::push_tasks(conn, crate::jobs::QUEUE, tasks)
        .await
        .map_err(|e| JobsError::Queue(e.to_string()))
}

include!("queries.rs");
