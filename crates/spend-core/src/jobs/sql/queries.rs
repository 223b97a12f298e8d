// spend's job tables, compiled once per backend. Included by `postgres.rs`
// and `sqlite.rs`, which define `Db`, `Pool`, `JOBS` (apalis's table),
// `ATTEMPTS`/`MAX_ATTEMPTS_COL` (as BIGINT), `LAST_ERROR` (apalis's last
// error text) and `push` (apalis's insert, in our transaction).

use sqlx::{QueryBuilder, Row};

use crate::jobs::sql::{now_ms, queued_at_ms, task};
use crate::jobs::{Job, JobFilter, JobReport, JobState, JobView, ScheduleView};

type Conn = <Db as sqlx::Database>::Connection;

/// Stores each job's row and pushes it into apalis's queue, all in one transaction.
pub(crate) async fn enqueue(pool: &Pool, jobs: &[(String, Job)]) -> Result<(), JobsError> {
    let mut tx = pool.begin().await?;
    let mut tasks = Vec::with_capacity(jobs.len());
    for (id, job) in jobs {
        insert_progress(&mut tx, id, job).await?;
        tasks.push(task(id, job, None)?);
    }
    push(&mut tx, tasks).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_progress(conn: &mut Conn, id: &str, job: &Job) -> Result<(), JobsError> {
    let user = job
        .user()
        .ok_or_else(|| JobsError::Queue("a job of an unknown kind cannot be queued".into()))?;
    sqlx::query(
        "INSERT INTO job_progress (job_id, user_id, kind, target, state, attempt, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5)",
    )
    .bind(id)
    .bind(user)
    .bind(job.kind())
    .bind(job.target())
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The jobs `filter` selects, newest first.
pub(crate) async fn list(pool: &Pool, filter: &JobFilter) -> Result<Vec<JobView>, JobsError> {
    let mut q = QueryBuilder::<Db>::new(format!(
        "SELECT p.job_id, u.name, p.kind, p.target, p.state, p.worker, p.done, p.total, \
         p.rows_written, p.error, p.finished_at, j.status, {ATTEMPTS} AS attempts, \
         {MAX_ATTEMPTS_COL} AS max_attempts, j.lock_by, {LAST_ERROR} AS queue_error \
         FROM job_progress p JOIN users u ON u.id = p.user_id JOIN {JOBS} j ON j.id = p.job_id \
         WHERE 1 = 1"
    ));
    if let Some(user) = filter.user {
        q.push(" AND p.user_id = ").push_bind(user);
    }
    if !filter.ids.is_empty() {
        q.push(" AND p.job_id IN (");
        let mut ids = q.separated(", ");
        for id in &filter.ids {
            ids.push_bind(id.clone());
        }
        q.push(")");
    }
    q.push(" ORDER BY p.job_id DESC");
    // The state is worked out here, so a state filter reads every row.
    if filter.state.is_none() {
        q.push(" LIMIT ").push_bind(i64::from(filter.limit));
    }
    let rows = q.build().fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get("job_id")?;
        let status: String = r.try_get("status")?;
        let attempts: i64 = r.try_get("attempts")?;
        let max_attempts: i64 = r.try_get("max_attempts")?;
        let note: String = r.try_get("state")?;
        let state = JobState::from_queue(&status, attempts, max_attempts, &note);
        if filter.state.is_some_and(|s| s != state) {
            continue;
        }
        let queue_error: Option<String> = r.try_get("queue_error")?;
        let error: Option<String> = r.try_get::<Option<String>, _>("error")?.or_else(|| {
            queue_error.map(|e| e.trim_start_matches("AbortError: ").to_owned())
        });
        out.push(JobView {
            queued_at_ms: queued_at_ms(&id),
            id,
            user: r.try_get("name")?,
            kind: r.try_get("kind")?,
            target: r.try_get("target")?,
            state,
            attempts,
            max_attempts,
            worker: r
                .try_get::<Option<String>, _>("worker")?
                .or(r.try_get("lock_by")?),
            done: r.try_get("done")?,
            total: r.try_get("total")?,
            rows: r.try_get("rows_written")?,
            error: if state == JobState::Done { None } else { error },
            finished_at_ms: r.try_get("finished_at")?,
        });
        if out.len() >= filter.limit as usize {
            break;
        }
    }
    Ok(out)
}

/// A worker starts a run of a job.
pub(crate) async fn start_attempt(
    pool: &Pool,
    id: &str,
    attempt: i64,
    worker: &str,
) -> Result<(), JobsError> {
    let now = now_ms();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO job_attempts (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job_id, attempt, worker) DO UPDATE SET started_at = excluded.started_at, \
         finished_at = NULL, outcome = NULL, error = NULL",
    )
    .bind(id)
    .bind(attempt)
    .bind(worker)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE job_progress SET state = 'running', attempt = $2, worker = $3, \
         started_at = COALESCE(started_at, $4), updated_at = $4 WHERE job_id = $1",
    )
    .bind(id)
    .bind(attempt)
    .bind(worker)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How far a running job has got.
pub(crate) async fn progress(
    pool: &Pool,
    id: &str,
    done: i64,
    total: Option<i64>,
    rows: i64,
) -> Result<(), JobsError> {
    sqlx::query(
        "UPDATE job_progress SET done = $2, total = $3, rows_written = $4, updated_at = $5 \
         WHERE job_id = $1",
    )
    .bind(id)
    .bind(done)
    .bind(total)
    .bind(rows)
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

/// A run of a job ended: `state` is done, retrying or failed.
pub(crate) async fn finish_attempt(
    pool: &Pool,
    id: &str,
    attempt: i64,
    worker: &str,
    state: JobState,
    result: Result<&JobReport, &str>,
) -> Result<(), JobsError> {
    let now = now_ms();
    let (error, summary, rows) = match result {
        Ok(report) => (
            None,
            Some(report.summary.to_string()),
            Some(report.rows as i64),
        ),
        Err(e) => (Some(e.to_owned()), None, None),
    };
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE job_attempts SET finished_at = $4, outcome = $5, error = $6 \
         WHERE job_id = $1 AND attempt = $2 AND worker = $3",
    )
    .bind(id)
    .bind(attempt)
    .bind(worker)
    .bind(now)
    .bind(if result.is_ok() { "ok" } else { "failed" })
    .bind(error.as_deref())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE job_progress SET state = $2, error = $3, summary = COALESCE($4, summary), \
         rows_written = COALESCE($5, rows_written), updated_at = $6, finished_at = $7 \
         WHERE job_id = $1",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(error.as_deref())
    .bind(summary)
    .bind(rows)
    .bind(now)
    .bind(state.is_final().then_some(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Jobs of the queue not yet ended (waiting, running, or to be retried).
pub(crate) async fn unfinished(pool: &Pool, queue: &str) -> Result<i64, JobsError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {JOBS} WHERE job_type = $1 AND (status IN ('Pending', 'Queued', 'Running') \
         OR (status = 'Failed' AND attempts < max_attempts))"
    )))
    .bind(queue)
    .fetch_one(pool)
    .await?;
    Ok(row.try_get("n")?)
}

/// Sets (or replaces) a recurring sync.
pub(crate) async fn set_schedule(
    pool: &Pool,
    user: i64,
    target: &str,
    cron: &str,
    next_run_at: i64,
) -> Result<(), JobsError> {
    sqlx::query(
        "INSERT INTO job_schedules (user_id, target, cron, next_run_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, target) DO UPDATE SET cron = excluded.cron, next_run_at = excluded.next_run_at",
    )
    .bind(user)
    .bind(target)
    .bind(cron)
    .bind(next_run_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes a recurring sync; whether there was one.
pub(crate) async fn remove_schedule(pool: &Pool, user: i64, target: &str) -> Result<bool, JobsError> {
    let done = sqlx::query("DELETE FROM job_schedules WHERE user_id = $1 AND target = $2")
        .bind(user)
        .bind(target)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The recurring syncs (one user's, or everyone's).
pub(crate) async fn schedules(pool: &Pool, user: Option<i64>) -> Result<Vec<ScheduleView>, JobsError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT u.name, s.user_id, s.target, s.cron, s.next_run_at, s.last_enqueued_at, s.last_job_id \
         FROM job_schedules s JOIN users u ON u.id = s.user_id",
    );
    if let Some(user) = user {
        q.push(" WHERE s.user_id = ").push_bind(user);
    }
    q.push(" ORDER BY u.name, s.target");
    let rows = q.build().fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(ScheduleView {
                user: r.try_get("name")?,
                user_id: r.try_get("user_id")?,
                target: r.try_get("target")?,
                cron: r.try_get("cron")?,
                next_run_at_ms: r.try_get("next_run_at")?,
                last_enqueued_at_ms: r.try_get("last_enqueued_at")?,
                last_job_id: r.try_get("last_job_id")?,
            })
        })
        .collect()
}

/// Claims a due run of a schedule and queues its job, in one transaction:
/// of several workers ticking at once, exactly one claims it.
pub(crate) async fn claim_schedule(
    pool: &Pool,
    due: &ScheduleView,
    next_run_at: i64,
    id: &str,
    job: &Job,
) -> Result<bool, JobsError> {
    let mut tx = pool.begin().await?;
    let claimed = sqlx::query(
        "UPDATE job_schedules SET next_run_at = $1, last_enqueued_at = $2, last_job_id = $3 \
         WHERE user_id = $4 AND target = $5 AND next_run_at = $6",
    )
    .bind(next_run_at)
    .bind(now_ms())
    .bind(id)
    .bind(due.user_id)
    .bind(&due.target)
    .bind(due.next_run_at_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        insert_progress(&mut tx, id, job).await?;
        let key = format!("schedule:{}:{}:{}", due.user_id, due.target, due.next_run_at_ms);
        push(&mut tx, vec![task(id, job, Some(key))?]).await?;
    }
    tx.commit().await?;
    Ok(claimed)
}
