//! Matching at scale: 100,000 transactions against 100,000 candidates in
//! memory, then `match_user` end to end over a SQLite store holding 100,000
//! of each. Prints both times (no assertion: figures, not tests).

use std::sync::Arc;
use std::time::Instant;

use spend_core::matching::{Candidate, Charge, MatchOptions, Matcher, match_user};
use spend_core::model::{Money, Order, OrderItem, Transaction};
use spend_core::store::{Batch, SqliteStore, Store};
use time::{Date, Duration};

const MERCHANTS: &[(&str, &str)] = &[
    ("AMZNMKTPLACE AMAZON.CO.UK", "Amazon"),
    ("AMAZON.CO.UK*2K4RT51X4", "Amazon"),
    ("UBER *TRIP HELP.UBER.COM", "Uber"),
    ("DELIVEROO LONDON", "Deliveroo"),
    ("TRAINLINE.COM", "Trainline"),
    ("SQ *DISHOOM KINGS CROSS", "Dishoom"),
    ("NETFLIX.COM", "Netflix"),
    ("PAYPAL *STEAMGAMES", "Steam"),
    ("TESCO STORES 2041", "Tesco"),
    ("JOHN LEWIS 0123", "John Lewis"),
];

/// `n` orders and their charges over five years; one charge in ten has no
/// order and one order in ten no charge, amounts cluster as real ones do.
fn people(n: usize) -> (Vec<Transaction>, Vec<Order>) {
    let mut rng = fastrand::Rng::with_seed(42);
    let start = Date::from_calendar_date(2021, time::Month::January, 1).unwrap();
    let mut txs = Vec::with_capacity(n);
    let mut orders = Vec::with_capacity(n);
    for i in 0..n {
        let day = start + Duration::days(rng.i64(0..1826));
        let (descriptor, merchant) = MERCHANTS[rng.usize(..MERCHANTS.len())];
        // Prices cluster on .99 and round pounds, so same amounts recur.
        let pence = rng.i64(1..200) * 100 + if rng.bool() { 99 } else { 0 };
        let amount = Money::parse(&format!("{}.{:02}", pence / 100, pence % 100), "GBP").unwrap();
        if i % 10 != 0 {
            let mut order = Order::new(
                "amazon-history",
                &format!("203-{i:07}-{:07}", rng.u32(..10_000_000)),
                day,
                merchant,
            );
            order.total = Some(amount);
            order.items.push(OrderItem {
                title: format!("item {i}"),
                quantity: 1,
                total: Some(amount),
                ..OrderItem::default()
            });
            orders.push(order);
        } else {
            let mut order = Order::new(
                "amazon-history",
                &format!("203-{i:07}-0000000"),
                day + Duration::days(3),
                merchant,
            );
            order.total = Some(Money::new(pence + 17, amount.currency()));
            orders.push(order);
        }
        let charged = day + Duration::days(rng.i64(0..4));
        txs.push(Transaction::new(
            "bank-file",
            "acc",
            &format!("t{i}"),
            charged,
            Money::new(-amount.minor(), amount.currency()),
            descriptor,
        ));
    }
    (txs, orders)
}

fn main() {
    let n: usize = std::env::var("SPEND_BENCH_MATCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (txs, orders) = people(n);
    let charges: Vec<Charge> = txs.iter().map(Charge::from_transaction).collect();
    let candidates: Vec<Candidate> = orders.iter().filter_map(Candidate::from_order).collect();
    let matcher = Matcher::default();
    let _ = matcher.run(&charges[..1000], &candidates[..1000]);
    let mut best = f64::MAX;
    let mut proposals = 0;
    for _ in 0..3 {
        let started = Instant::now();
        proposals = matcher.run(&charges, &candidates).len();
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "matching in memory: {n} transactions x {n} candidates in {:.0} ms ({} proposals; best of 3, one core)",
        best * 1000.0,
        proposals
    );

    if std::env::var_os("SPEND_BENCH_MATCH_MEMORY_ONLY").is_some() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("spend-match-bench-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        let store = Arc::new(SqliteStore::open(dir.join("spend.db")).await.unwrap());
        let user = store.user(store.ensure_user("bench").await.unwrap());
        for chunk in txs.chunks(10_000) {
            user.write(Batch::default().transactions(chunk.to_vec())).await.unwrap();
        }
        for chunk in orders.chunks(10_000) {
            user.write(Batch::default().orders(chunk.to_vec())).await.unwrap();
        }
        let started = Instant::now();
        let report = match_user(user.as_ref(), &MatchOptions::default()).await.unwrap();
        println!(
            "spend match end to end (SQLite, {n} transactions and {n} orders): {:.1} s (matcher {} ms; {} automatic, {} suggested)",
            started.elapsed().as_secs_f64(),
            report.matcher_ms,
            report.automatic,
            report.suggested
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}
