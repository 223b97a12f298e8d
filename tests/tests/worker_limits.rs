//! Providers' limits hold across workers: four `spend worker` processes
//! syncing one Amazon seller and one Gmail account (connected by four
//! people) take every request from the same buckets in the store, so the
//! simulators, which enforce Amazon's usage plans and Gmail's per-user
//! quota server-side, answer 429 to none of them, though the work is more
//! than one bucket holds. Needs `POSTGRES_TEST_URL`, as `workers.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use spend_core::app::Spend;
use spend_core::demo::{Demo, DemoSize};
use spend_core::jobs::JobQueue;
use spend_core::store::{PostgresStore, Store};
use spend_core::vault::Keyring;

mod common;

use common::{KEY, admin_url, database, temp, terminate, wait_all_done, worker};

const PEOPLE: usize = 4;
/// Gmail's per-user quota on the simulator, and what the workers pace by.
const GMAIL_UNITS_PER_MINUTE: u32 = 480;
/// SP-API searchOrders' burst (Amazon's usage plan).
const SEARCH_BURST: u64 = 20;

#[test]
fn four_workers_keep_to_one_sellers_and_one_mailboxs_limits() {
    let Some(admin) = admin_url() else { return };
    spend_tests::spend_binary();
    let runtime = common::runtime();
    runtime.block_on(async {
        // Amazon's plans sped up 100 times, on the simulator and in the
        // workers alike; 600 orders a person are 6 pages of searchOrders.
        let amazon = Demo::start_with(DemoSize {
            bank_days: 30,
            emails: 5,
            orders: 600,
            transactions: 80,
            amazon_time_scale: 100.0,
            ..DemoSize::default()
        })
        .await;
        // A mailbox a little larger than a minute of its quota.
        let gmail = Demo::start_with(DemoSize {
            bank_days: 30,
            emails: 20,
            orders: 5,
            transactions: 80,
            gmail_units_per_minute: GMAIL_UNITS_PER_MINUTE,
            ..DemoSize::default()
        })
        .await;
        let mut env: Vec<_> = gmail.env().into_iter().filter(|(k, _)| !k.contains("LWA") && !k.contains("SP_API")).collect();
        env.extend(amazon.env().into_iter().filter(|(k, _)| k.contains("LWA") || k.contains("SP_API")));
        let url = database(&admin, &format!("spend_limits_{}", std::process::id())).await;
        let data = temp("limits");
        let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
        let blobs = Arc::new(blob_store::LocalStore::new(data.join("blobs")));
        let queue = JobQueue::open(store.as_ref()).await.unwrap();
        for i in 0..PEOPLE {
            let keys = Keyring::from_keys([KEY]).unwrap();
            let spend = Spend::with(store.clone(), &format!("person{i}"), keys, blobs.clone())
                .await
                .unwrap();
            // The seller's consent is the same on both simulators; the
            // mailbox's is the Gmail one's.
            amazon.connect(&spend).await.unwrap();
            gmail.connect(&spend).await.unwrap();
            let queued = spend
                .enqueue_syncs(&queue, &["sp-api".into(), "gmail".into()])
                .await
                .unwrap();
            assert_eq!(queued.len(), 2);
        }
        let started = Instant::now();
        let mut workers: Vec<_> = (0..PEOPLE)
            .map(|i| worker(&env, &url, &data, &format!("l{i}")))
            .collect();
        wait_all_done(&queue, 2 * PEOPLE, Duration::from_secs(300)).await;
        let took = started.elapsed();
        for w in &mut workers {
            terminate(w);
        }
        let (amazon_429, _) = amazon.throttled();
        let (_, gmail_429) = gmail.throttled();
        let searches = amazon.amazon_requests("searchOrders");
        let units = gmail.gmail_units();
        println!(
            "limits: {PEOPLE} workers, {searches} searchOrders calls (burst {SEARCH_BURST}) and {units} Gmail units (quota {GMAIL_UNITS_PER_MINUTE} a minute) in {:.1}s: {amazon_429} + {gmail_429} answers 429",
            took.as_secs_f64()
        );
        // More work than one bucket holds, so the workers had to share.
        assert!(searches > SEARCH_BURST, "{searches} searchOrders calls");
        assert!(units > u64::from(GMAIL_UNITS_PER_MINUTE), "{units} Gmail units");
        assert_eq!((amazon_429, gmail_429), (0, 0));
        let _ = std::fs::remove_dir_all(&data);
    });
}
