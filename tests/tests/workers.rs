//! Durable jobs shared by several `spend worker` processes on one Postgres:
//! 50 demo users' bank syncs queued, run by one worker and then by three
//! (one of them killed with SIGKILL mid-job); every user's data ends
//! complete, nothing is stored twice, and the killed job is run again by
//! another worker. Needs `POSTGRES_TEST_URL` (scripts/test.sh starts a
//! server); under `CI=true` a missing server fails the test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use spend_core::app::Spend;
use spend_core::demo::{Demo, DemoSize};
use spend_core::jobs::{JobFilter, JobQueue, JobState};
use spend_core::store::{PostgresStore, Store, TransactionQuery};
use spend_core::vault::Keyring;
use sqlx::Row;

/// A Fernet key for this test's vaults (the workers get it too).
const KEY: &str = "dVnX_qmA7OrFoBkQYvWaPqD7RcUbbK0kfshvynCMnec=";
const USERS: usize = 50;
const CONNECTION: &str = "truelayer:demo-bank";

fn admin_url() -> Option<String> {
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
async fn database(admin: &str, name: &str) -> String {
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

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-workers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `spend` against the store at `url`, with the demo's providers.
fn spend(demo: &Demo, url: &str, data: &Path) -> Command {
    let mut c = spend_tests::spend(data);
    c.env("SPEND_STORE", url)
        .env("SPEND_BLOBS", data.join("blobs"))
        .env("SPEND_FERNET_KEYS", KEY)
        // A dead worker's jobs go back to the queue after 3 missed 1 s heartbeats.
        .env("SPEND_JOBS_HEARTBEAT_SECS", "1")
        .env("SPEND_JOBS_MISSED_HEARTBEATS", "3")
        .envs(demo.env());
    c
}

fn worker(demo: &Demo, url: &str, data: &Path, name: &str) -> Child {
    let log = std::fs::File::create(data.join(format!("{name}.log"))).unwrap();
    spend(demo, url, data)
        .args(["worker", "--concurrency", "2", "--name", name])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn terminate(child: &mut Child) {
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

/// 50 users connected to the demo bank, their syncs queued (user00's
/// through `spend sync --background`, the others through spend-core).
async fn seed(demo: &Demo, url: &str, data: &Path) -> (Arc<dyn Store>, JobQueue) {
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(url).await.unwrap());
    let blobs = Arc::new(blob_store::LocalStore::new(data.join("blobs")));
    let queue = JobQueue::open(store.as_ref()).await.unwrap();
    for i in 0..USERS {
        let keys = Keyring::from_keys([KEY]).unwrap();
        let spend = Spend::with(store.clone(), &format!("user{i:02}"), keys, blobs.clone())
            .await
            .unwrap();
        demo.connect(&spend).await.unwrap();
        if i > 0 {
            let queued = spend
                .enqueue_syncs(&queue, &[CONNECTION.to_owned()])
                .await
                .unwrap();
            assert_eq!(queued.len(), 1);
        }
    }
    let out = spend(demo, url, data)
        .env("SPEND_USER", "user00")
        .args(["sync", "--background", CONNECTION, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (store, queue)
}

async fn wait_all_done(queue: &JobQueue, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let jobs = queue.list(&JobFilter::default().limit(1000)).await.unwrap();
        assert!(
            jobs.iter().all(|j| j.state != JobState::Failed),
            "no job fails: {:?}",
            jobs.iter().find(|j| j.state == JobState::Failed)
        );
        if jobs.len() == USERS && jobs.iter().all(|j| j.state == JobState::Done) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "the jobs did not all end within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A user's transactions by natural key, and how many rows hold them.
async fn transactions(store: &dyn Store, user: &str) -> (BTreeSet<String>, usize, bool) {
    let user = store.user(store.ensure_user(user).await.unwrap());
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = user
            .transactions(&TransactionQuery::default().limit(1000).after(cursor))
            .await
            .unwrap();
        keys.extend(page.items.into_iter().map(|t| {
            format!(
                "{}|{}|{}|{}|{}",
                t.source, t.account_id, t.id, t.status, t.amount
            )
        }));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let rows = keys.len();
    let checkpoint = user.checkpoint(CONNECTION).await.unwrap().is_some();
    (keys.into_iter().collect(), rows, checkpoint)
}

#[test]
fn three_workers_share_fifty_users_syncs_and_retry_a_killed_workers_job() {
    let Some(admin) = admin_url() else { return };
    spend_tests::spend_binary();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let demo = Demo::start_with(DemoSize {
            bank_days: 30,
            emails: 10,
            orders: 5,
            transactions: 80,
            ..DemoSize::default()
        })
        .await;
        // A slow bank, so that a sync lasts long enough to be killed mid-job.
        demo.bank().delay("/data", Duration::from_millis(150), u32::MAX);
        let pid = std::process::id();

        // One worker.
        let url_a = database(&admin, &format!("spend_workers_a_{pid}")).await;
        let data_a = temp("a");
        let (store_a, queue_a) = seed(&demo, &url_a, &data_a).await;
        let mut a = worker(&demo, &url_a, &data_a, "a0");
        let one = wait_all_done(&queue_a, Duration::from_secs(300)).await;
        terminate(&mut a);
        let (expected, rows, checkpoint) = transactions(store_a.as_ref(), "user00").await;
        assert!(expected.len() > 20 && rows == expected.len() && checkpoint);

        // Three workers; the second is killed while it runs a job.
        let url_b = database(&admin, &format!("spend_workers_b_{pid}")).await;
        let data_b = temp("b");
        let (store_b, queue_b) = seed(&demo, &url_b, &data_b).await;
        let pool = sqlx::PgPool::connect(&url_b).await.unwrap();
        let started = Instant::now();
        let mut w0 = worker(&demo, &url_b, &data_b, "w0");
        let mut w1 = worker(&demo, &url_b, &data_b, "w1");
        let mut w2 = worker(&demo, &url_b, &data_b, "w2");
        loop {
            let busy: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM job_progress \
                 WHERE state = 'running' AND worker LIKE 'w1-%' AND done > 0",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("n");
            if busy > 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "worker w1 never got a job under way"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        w1.kill().unwrap(); // SIGKILL
        w1.wait().unwrap();
        let remaining = wait_all_done(&queue_b, Duration::from_secs(300)).await;
        let three = started.elapsed();
        assert!(remaining <= three);
        terminate(&mut w0);
        terminate(&mut w2);

        let retried: i64 = sqlx::query(
            "SELECT COUNT(DISTINCT a.job_id) AS n FROM job_attempts a \
             WHERE a.worker LIKE 'w1-%' AND a.finished_at IS NULL AND EXISTS ( \
               SELECT 1 FROM job_attempts b WHERE b.job_id = a.job_id \
               AND b.started_at > a.started_at AND b.worker NOT LIKE 'w1-%' AND b.outcome = 'ok')",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
        let jobs = queue_b.list(&JobFilter::default().limit(1000)).await.unwrap();
        let (mut duplicates, mut missing) = (0, 0);
        for i in 0..USERS {
            let (got, rows, checkpoint) = transactions(store_b.as_ref(), &format!("user{i:02}")).await;
            assert!(checkpoint, "user{i:02}'s sync reached its end");
            duplicates += rows - got.len() + got.difference(&expected).count();
            missing += expected.difference(&got).count();
        }
        println!(
            "workers: {} jobs, {retried} retried after a kill, {duplicates} duplicates, wall 1 worker {:.1}s / 3 workers {:.1}s",
            jobs.len(),
            one.as_secs_f64(),
            three.as_secs_f64()
        );
        assert_eq!(jobs.len(), USERS);
        assert!(retried >= 1, "the killed worker's job was run again by another");
        assert_eq!((duplicates, missing), (0, 0));
        let _ = std::fs::remove_dir_all(&data_a);
        let _ = std::fs::remove_dir_all(&data_b);
    });
}
