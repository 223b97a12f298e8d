-- Durable jobs (spend-core `jobs`). The queue itself is apalis's own tables
-- (`apalis.jobs` on Postgres, `Jobs` on SQLite); these hold what apalis does
-- not keep: each job's progress and typed error, every attempt (which worker
-- ran it, how it ended), and the recurring syncs. Times in ms since the epoch.
CREATE TABLE job_progress (
    job_id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    target TEXT,
    state TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    worker TEXT,
    done BIGINT,
    total BIGINT,
    rows_written BIGINT,
    error TEXT,
    summary TEXT,
    started_at BIGINT,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE TABLE job_attempts (
    job_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    worker TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT,
    error TEXT,
    PRIMARY KEY (job_id, attempt, worker)
);
CREATE TABLE job_schedules (
    user_id BIGINT NOT NULL REFERENCES users(id),
    target TEXT NOT NULL,
    cron TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    last_enqueued_at BIGINT,
    last_job_id TEXT,
    PRIMARY KEY (user_id, target)
);
