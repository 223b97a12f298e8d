//! The job tables on SQLite, beside apalis's `Jobs` and `Workers`.

use apalis::prelude::Task;

use crate::jobs::JobsError;

type Db = sqlx::Sqlite;
type Pool = sqlx::SqlitePool;

const JOBS: &str = "Jobs";
const ATTEMPTS: &str = "j.attempts";
const MAX_ATTEMPTS_COL: &str = "j.max_attempts";
const LAST_ERROR: &str = "json_extract(j.last_result, '$.Err')";

/// apalis's migrations, recorded in their own table: its default is the
/// store's `_sqlx_migrations`, where each migrator would take the other's
/// versions for missing ones. (Its `setup` would also turn the store's
/// `synchronous` pragma off.)
pub(crate) async fn migrate(pool: &Pool) -> Result<(), JobsError> {
    let mut migrator = apalis_sqlite::SqliteStorage::<()>::migrations();
    migrator.dangerous_set_table_name("_apalis_migrations");
    migrator.run(pool).await?;
    Ok(())
}

async fn push(conn: &mut Conn, tasks: Vec<Task<Vec<u8>>>) -> Result<(), JobsError> {
    apalis_sqlite::queries::push_tasks(conn, crate::jobs::QUEUE, &tasks)
        .await
        .map_err(|e| JobsError::Queue(e.to_string()))
}

include!("queries.rs");
