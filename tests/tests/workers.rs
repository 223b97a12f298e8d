//! Durable jobs shared by several `spend worker` processes on one Postgres:
//! 50 demo users' bank syncs queued, run by one worker and then by three
//! (one of them killed with SIGKILL mid-job); every user's data ends
//! complete, nothing is stored twice, and the killed job is run again by
//! another worker. Needs `POSTGRES_TEST_URL` (scripts/test.sh starts a
//! server); under `CI=true` a missing server fails the test.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use spend_core::app::Spend;
use spend_core::demo::{Demo, DemoSize};
use spend_core::jobs::{JobFilter, JobQueue};
use spend_core::store::{PostgresStore, Store};
use spend_core::vault::Keyring;
use sqlx::Row;

mod common;

use common::{KEY, admin_url, database, spend, temp, terminate, wait_all_done, worker};

const USERS: usize = 50;
const CONNECTION: &str = "truelayer:demo-bank";

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
    let out = spend(&demo.env(), url, data)
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

/// A user's transactions by natural key, and how many rows hold them.
async fn transactions(store: &dyn Store, user: &str) -> (BTreeSet<String>, usize, bool) {
    let user = store.user(store.ensure_user(user).await.unwrap());
    let keys = spend_tests::transaction_keys(user.as_ref()).await;
    let rows = keys.len();
    let checkpoint = user.checkpoint(CONNECTION).await.unwrap().is_some();
    (keys.into_iter().collect(), rows, checkpoint)
}

#[test]
fn three_workers_share_fifty_users_syncs_and_retry_a_killed_workers_job() {
    let Some(admin) = admin_url() else { return };
    spend_tests::spend_binary();
    let runtime = common::runtime();
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
        let mut a = worker(&demo.env(), &url_a, &data_a, "a0");
        let one = wait_all_done(&queue_a, USERS, Duration::from_secs(300)).await;
        terminate(&mut a);
        let (expected, rows, checkpoint) = transactions(store_a.as_ref(), "user00").await;
        assert!(expected.len() > 20 && rows == expected.len() && checkpoint);

        // Three workers; the second is killed while it runs a job.
        let url_b = database(&admin, &format!("spend_workers_b_{pid}")).await;
        let data_b = temp("b");
        let (store_b, queue_b) = seed(&demo, &url_b, &data_b).await;
        let pool = sqlx::PgPool::connect(&url_b).await.unwrap();
        let started = Instant::now();
        // The killed worker's job goes back after 3 missed 1 s heartbeats
        // (a job run twice here is only counted, never stored twice).
        let mut env = demo.env();
        env.push(("SPEND_JOBS_HEARTBEAT_SECS", "1".into()));
        env.push(("SPEND_JOBS_MISSED_HEARTBEATS", "3".into()));
        let mut w0 = worker(&env, &url_b, &data_b, "w0");
        let mut w1 = worker(&env, &url_b, &data_b, "w1");
        let mut w2 = worker(&env, &url_b, &data_b, "w2");
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
        let remaining = wait_all_done(&queue_b, USERS, Duration::from_secs(300)).await;
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
