//! Syncs 10,000 receipt messages from the Gmail simulator with Gmail's
//! per-user quota (15,000 units a sliding minute) enforced by the simulator,
//! and prints messages per second against the quota's ceiling.
//!
//! `cargo bench -p gmail-receipts --bench gmail_sync` (about 3.5 minutes:
//! the quota, not the code, sets the pace). `GMAIL_BENCH_SPEEDUP=10` raises
//! the quota tenfold on both sides for a quicker look; the ratio is what
//! matters.
//!
//! The ceiling: `messages.get` costs 5 units, so 15,000 units a minute is
//! 50 messages a second, less what listing costs. Goal: at least 90% of it
//! with no failed request.

use std::time::Instant;

use futures_util::StreamExt;
use gmail_receipts::google::{SyncItem, SyncOptions, quota};
use gmail_receipts::testkit::{GmailSimulator, SimConfig};

/// 27,778 generated messages hold exactly 10,000 receipt-like ones (9 in 25).
const MAILBOX: usize = 27_778;
const GOAL: f64 = 0.90;

#[tokio::main]
async fn main() {
    // `cargo test --benches` runs this without `--bench`: a small, quick run.
    let benching = std::env::args().any(|a| a == "--bench");
    let speedup: u32 = std::env::var("GMAIL_BENCH_SPEEDUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 1 } else { 100 });
    let mailbox = if benching { MAILBOX } else { 2_778 };
    let units_per_minute = quota::USER_UNITS_PER_MINUTE * speedup.max(1);

    let sim = GmailSimulator::start(
        SimConfig::default()
            .messages(mailbox)
            .units_per_minute(units_per_minute),
    )
    .await;
    let gmail = sim.client().expect("the simulator's client builds");

    let started = Instant::now();
    let mut stream = gmail.sync(SyncOptions::default(), None);
    let (mut messages, mut bytes, mut skipped) = (0u64, 0u64, 0u64);
    let mut last_report = Instant::now();
    while let Some(item) = stream.next().await {
        match item.expect("the sync runs to the end") {
            SyncItem::Message(m) => {
                messages += 1;
                bytes += m.raw.len() as u64;
                if last_report.elapsed().as_secs() >= 30 {
                    eprintln!(
                        "  ... {messages} messages after {:.0} s",
                        started.elapsed().as_secs_f64()
                    );
                    last_report = Instant::now();
                }
            }
            SyncItem::Skipped { id, error } => {
                skipped += 1;
                eprintln!("skipped {id}: {error}");
            }
            SyncItem::Done { .. } => break,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let stats = sim.stats();

    let per_second = messages as f64 / secs;
    let units_per_second = f64::from(units_per_minute) / 60.0;
    let ceiling = units_per_second / f64::from(quota::units("messages.get"));
    let ratio = per_second / ceiling;
    println!(
        "gmail sync: {messages} messages ({:.1} MiB) in {secs:.1} s, quota {units_per_minute} units/min",
        bytes as f64 / 1_048_576.0
    );
    println!(
        "  {per_second:.2} messages/s against a ceiling of {ceiling:.2}/s: {:.1}% (goal {:.0}%): {}",
        ratio * 100.0,
        GOAL * 100.0,
        if ratio >= GOAL { "met" } else { "NOT met" }
    );
    println!(
        "  HTTP requests {}, batches {}, API calls {}, units {}, peak units in a sliding minute {} of {units_per_minute}",
        stats.http_requests, stats.batches, stats.calls, stats.units, stats.peak_units_per_minute
    );
    println!(
        "  429 answers {}, failed calls {}, skipped messages {skipped}",
        stats.rate_limited, stats.failed
    );
    if !benching {
        println!(
            "  (a smoke run of 1,000 messages at 100x the quota; `cargo bench` gives the figure)"
        );
    }
    assert_eq!(stats.failed, 0, "no request failed");
    assert_eq!(skipped, 0, "every listed message was fetched");
}
