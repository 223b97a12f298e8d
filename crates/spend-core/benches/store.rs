//! Store throughput: batched upserts of 1,000,000 transactions (new, then
//! the same again), and spend by month and category over them, on SQLite
//! and, when `POSTGRES_TEST_URL` is set, Postgres. One core: a
//! current-thread runtime and one writer. Prints its figures.
//!
//! `cargo bench -p spend-core --bench store` (`STORE_BENCH_ROWS` to change the count).

use std::time::{Duration, Instant};

use spend_core::model::{Currency, Money, Transaction};
use spend_core::store::{Batch, Grouping, SpendQuery, Store, UserStore};
use time::macros::date;

const BATCH: usize = 10_000;
const CATEGORIES: [&str; 12] = [
    "groceries",
    "eating out",
    "transport",
    "bills",
    "shopping",
    "entertainment",
    "health",
    "travel",
    "subscriptions",
    "home",
    "gifts",
    "cash",
];

/// Transaction `i` of `rows`: four accounts over five years in date order, as
/// a sync brings them; ids look like TrueLayer's (hashes, not sequences).
fn batch(start: usize, len: usize, rows: usize) -> Vec<Transaction> {
    let first = date!(2021 - 01 - 01);
    (start..start + len)
        .map(|i| {
            let id = format!(
                "{:016x}",
                (i as u64 ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9)
            );
            let mut tx = Transaction::new(
                "truelayer",
                ["acc-current", "acc-savings", "card-credit", "card-debit"][i % 4],
                &id,
                first + time::Duration::days((i * 1826 / rows.max(1)) as i64),
                Money::new(-((i * 7919 % 20_000) as i64 + 1), Currency::GBP),
                &format!("CARD PAYMENT TO MERCHANT {:03} LONDON", i % 500),
            );
            tx.category = Some(CATEGORIES[i % CATEGORIES.len()].to_owned());
            tx.merchant = Some(format!("Merchant {:03}", i % 500));
            tx
        })
        .collect()
}

async fn upsert_all(user: &dyn UserStore, rows: usize) -> (Duration, u64, u64) {
    let mut spent = Duration::ZERO;
    let (mut written, mut unchanged) = (0, 0);
    let mut start = 0;
    while start < rows {
        let len = BATCH.min(rows - start);
        let txs = batch(start, len, rows);
        let t = Instant::now();
        let w = user
            .write(Batch::default().transactions(txs))
            .await
            .expect("write");
        spent += t.elapsed();
        written += w.transactions.written();
        unchanged += w.transactions.unchanged;
        start += len;
    }
    (spent, written, unchanged)
}

async fn run(store: &dyn Store, rows: usize, goal: f64) {
    let name = store.backend();
    let user_name = format!(
        "bench-{}",
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let user = store.user(store.ensure_user(&user_name).await.expect("user"));
    let (first, written, _) = upsert_all(user.as_ref(), rows).await;
    let rate = rows as f64 / first.as_secs_f64();
    println!(
        "{name}: upsert {rows} new transactions in batches of {BATCH}: {:.1} s, {:.0} rows/s (goal {goal:.0}): {}",
        first.as_secs_f64(),
        rate,
        if rate >= goal { "met" } else { "NOT met" }
    );
    assert_eq!(written, rows as u64);
    let (second, written, unchanged) = upsert_all(user.as_ref(), rows).await;
    let again = rows as f64 / second.as_secs_f64();
    println!(
        "{name}: re-upsert the same {rows} (no change): {:.1} s, {:.0} rows/s, {:.2}x the first pass ({written} written, {unchanged} unchanged)",
        second.as_secs_f64(),
        again,
        again / rate
    );
    let query = SpendQuery::by(&[Grouping::Month, Grouping::Category]).outgoing();
    let t = Instant::now();
    user.spend(&query).await.expect("spend");
    println!(
        "{name}: the first summary after the writes (recomputes every month's sums, {rows} transactions): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut times = Vec::new();
    let mut groups = 0;
    for _ in 0..7 {
        let t = Instant::now();
        groups = user.spend(&query).await.expect("spend").len();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{name}: spend by month and category over {rows} transactions: {groups} groups, median {:.0} ms of 7 runs (fastest {:.0} ms; goal < 200 ms on SQLite)",
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
    analytics(name, user.as_ref(), rows).await;
    // A sync's page of 100 new transactions in the newest month: the next
    // summary recomputes that month's sums only.
    user.write(Batch::default().transactions(batch(rows, 100, rows)))
        .await
        .expect("write");
    let t = Instant::now();
    user.spend(&query).await.expect("spend");
    println!(
        "{name}: a summary after a page of 100 new transactions (recomputes their month): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
}

/// The report's queries over the last year of the data, and the whole report.
async fn analytics(name: &str, user: &dyn UserStore, rows: usize) {
    use spend_core::analytics::{Period, Report, ReportOptions};
    let period = Period::parse("2025", date!(2026 - 01 - 01)).expect("period");
    let queries = [
        (
            "money out by month, category and essential",
            SpendQuery::by(&[Grouping::Month, Grouping::Category, Grouping::Essential]).outgoing(),
        ),
        (
            "by merchant, category and direction",
            SpendQuery::by(&[Grouping::Merchant, Grouping::Category, Grouping::Direction]),
        ),
        (
            "by account and direction",
            SpendQuery::by(&[Grouping::Account, Grouping::Direction]),
        ),
        (
            "by merchant and month (recurring candidates)",
            SpendQuery::by(&[Grouping::Merchant, Grouping::Month]).outgoing(),
        ),
    ];
    for (label, query) in queries {
        let query = query.between(period.from, period.to);
        let median = median_of(7, || async {
            user.spend(&query).await.expect("spend");
        })
        .await;
        println!(
            "{name}: analytics {label}, a year of {rows} transactions: median {:.0} ms of 7 (goal < 200 ms)",
            median.as_secs_f64() * 1000.0
        );
    }
    let options = ReportOptions::new(period);
    let median = median_of(3, || async {
        Report::build(user, &options).await.expect("report");
    })
    .await;
    println!(
        "{name}: the whole report (all of the above, recurring payments, trends) for a year of {rows} transactions: median {:.0} ms of 3",
        median.as_secs_f64() * 1000.0
    );
}

async fn median_of<F: std::future::Future<Output = ()>>(
    runs: usize,
    mut f: impl FnMut() -> F,
) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent: keep that a smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let rows: usize = std::env::var("STORE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 20_000 });
    if !full {
        println!("smoke run ({rows} rows); `cargo bench` runs the full 1,000,000");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("spend-bench-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        let sqlite = spend_core::store::SqliteStore::open(dir.join("bench.db"))
            .await
            .expect("sqlite");
        run(&sqlite, rows, 100_000.0).await;
        drop(sqlite);
        std::fs::remove_dir_all(&dir).ok();
        match std::env::var("POSTGRES_TEST_URL") {
            Ok(url) => {
                let pg = spend_core::store::PostgresStore::connect(&url)
                    .await
                    .expect("postgres");
                run(&pg, rows, 30_000.0).await;
            }
            Err(_) => println!("postgres: skipped (set POSTGRES_TEST_URL)"),
        }
    });
}
