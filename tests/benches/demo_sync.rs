//! A five-year demo person synced end to end into a SQLite store: the bank
//! (TrueLayer), the mailbox (Gmail, under Google's real per-user quota, 15,000
//! units in any minute) and
//! Amazon orders (SP-API at Amazon's own pace). Prints rows/s per source and
//! each source's time against the provider's own minimum for that much data.
//!
//! `cargo bench -p spend-core --bench demo_sync --features demo` (minutes:
//! Gmail's quota paces the mail).

use std::sync::Arc;
use std::time::Instant;

use spend_core::app::{Spend, SyncSettings};
use spend_core::demo::{Demo, DemoSize, GMAIL_ADDRESS, SELLER, TRUELAYER_CONNECTION};
use spend_core::sources::Source;
use spend_core::store::SqliteStore;
use spend_core::vault::Keyring;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let size = if full {
        DemoSize {
            bank_days: 1826,
            emails: 10_000,
            orders: 2_000,
            transactions: 20_000,
            gmail_units_per_minute: 15_000,
            amazon_time_scale: 1.0,
        }
    } else {
        println!("smoke run (a small person); `cargo bench` runs the five-year one");
        DemoSize {
            bank_days: 60,
            emails: 200,
            orders: 40,
            transactions: 300,
            ..DemoSize::default()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let demo = Demo::start_with(size).await;
        let dir = std::env::temp_dir().join(format!("spend-demo-bench-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        let store = Arc::new(SqliteStore::open(dir.join("spend.db")).await.expect("store"));
        let blobs = Arc::new(blob_store::LocalStore::new(dir.join("blobs")));
        let spend = Spend::with(store, "demo", Keyring::generate(), blobs).await.expect("spend");
        demo.connect(&spend).await.expect("connect");
        let today = time::OffsetDateTime::now_utc().date();
        let options = SyncSettings {
            present: Some(std::net::IpAddr::from([127, 0, 0, 1])),
            since: Some(today - time::Duration::days(i64::from(size.bank_days))),
        };
        // The providers' own minimum for this much data: Gmail's quota at its
        // long-run rate (5 units a message; quota/60 units a second), Amazon's
        // searchOrders plan (100 orders a page; a burst of 20 pages, then one
        // every 180 s at Amazon's pace).
        let quota = f64::from(size.gmail_units_per_minute);
        let pages = (size.orders as f64 / 100.0).ceil();
        let amazon_minimum = (pages - 20.0).max(0.0) * 180.0 / size.amazon_time_scale;
        let sources: Vec<(Box<dyn Source>, f64)> = vec![
            (Box::new(spend.truelayer_source(&demo.truelayer(), TRUELAYER_CONNECTION, &options).expect("truelayer")), 0.0),
            (Box::new(spend.gmail_source(&demo.google().expect("google"), GMAIL_ADDRESS, &options).await.expect("gmail")), -1.0),
            (Box::new(spend.sp_api_source(&demo.amazon().expect("amazon"), SELLER).await.expect("sp-api")), amazon_minimum),
        ];
        let started = Instant::now();
        let runs = sources.into_iter().map(|(mut source, minimum)| {
            let engine = spend.engine();
            async move {
                let t = Instant::now();
                let outcome = engine.run(source.as_mut(), &mut |_| {}).await;
                (source.id().to_owned(), outcome, t.elapsed(), minimum)
            }
        });
        for (id, outcome, elapsed, minimum) in futures_util::future::join_all(runs).await {
            let outcome = outcome.unwrap_or_else(|e| panic!("{id}: {e}"));
            let rows = outcome.rows_written();
            let minimum = if minimum < 0.0 {
                let e = outcome.written.emails;
                let units = (e.inserted + e.updated + e.unchanged) as f64 * 5.0;
                units / (quota / 60.0)
            } else {
                minimum
            };
            let secs = elapsed.as_secs_f64();
            println!(
                "{id}: {rows} rows in {secs:.1} s, {:.0} rows/s; the provider's minimum for this much data {minimum:.1} s ({})",
                rows as f64 / secs.max(1e-9),
                if minimum > 0.0 { format!("{:.1}% over it", (secs / minimum - 1.0) * 100.0) } else { "within the burst".into() }
            );
        }
        println!("all sources side by side: {:.1} s", started.elapsed().as_secs_f64());
        std::fs::remove_dir_all(&dir).ok();
    });
}
