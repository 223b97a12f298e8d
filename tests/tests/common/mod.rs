//! What the job tests share: a Postgres database per run, and `spend worker`
//! processes pointed at it and at the demo's simulators.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use spend_core::jobs::{JobFilter, JobQueue, JobState};

/// A Fernet key for this test's vaults (the workers get it too).
pub const KEY: &str = "dVnX_qmA7OrFoBkQYvWaPqD7RcUbbK0kfshvynCMnec=";

pub fn admin_url() -> Option<String> {
    match std::env::var("POSTGRES_TEST_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("POSTGRES_TEST_URL is not set under CI=true: scripts/test.sh starts the server")
        }
        _ => {
            eprintln!("SKIPPED: POSTGRES_TEST_URL is not set");
            None
        }
    }
}

/// A fresh database on the test server; its URL.
pub async fn database(admin: &str, name: &str) -> String {
    let pool = sqlx::PgPool::connect(admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let base = &base[..base.rfind('/').unwrap()];
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-workers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `spend` against the store at `url`, with the demo's providers.
pub fn spend(env: &[(&'static str, String)], url: &str, data: &Path) -> Command {
    let mut c = spend_tests::spend(data);
    c.env("SPEND_STORE", url)
        .env("SPEND_BLOBS", data.join("blobs"))
        .env("SPEND_FERNET_KEYS", KEY)
        // A dead worker's jobs go back to the queue after 5 missed 2 s
        // heartbeats: soon enough for a test, and long enough that a live
        // worker starved on a busy machine keeps its job.
        .env("SPEND_JOBS_HEARTBEAT_SECS", "2")
        .env("SPEND_JOBS_MISSED_HEARTBEATS", "5")
        .envs(env.iter().cloned());
    c
}

pub fn worker(env: &[(&'static str, String)], url: &str, data: &Path, name: &str) -> Child {
    let log = std::fs::File::create(data.join(format!("{name}.log"))).unwrap();
    spend(env, url, data)
        .args(["worker", "--concurrency", "2", "--name", name])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

pub fn terminate(child: &mut Child) {
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "a worker stops cleanly on SIGTERM: {status}"
    );
}

/// Waits until the queue holds `jobs` jobs, all done (failing on a failed one); how long it took.
pub async fn wait_all_done(queue: &JobQueue, jobs: usize, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let listed = queue.list(&JobFilter::default().limit(1000)).await.unwrap();
        assert!(
            listed.iter().all(|j| j.state != JobState::Failed),
            "no job fails: {:?}",
            listed.iter().find(|j| j.state == JobState::Failed)
        );
        if listed.len() == jobs && listed.iter().all(|j| j.state == JobState::Done) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "the jobs did not all end within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The runtime the simulators serve from while the test drives processes.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
