//! Syncs 10,000 receipt messages from the Gmail simulator with Gmail's
//! per-user quota (15,000 units a sliding minute) enforced by the simulator,
//! and prints messages per second against the quota's ceiling.
//!
//! `cargo bench -p gmail-receipts --bench gmail_sync` (about 3.5 minutes:
//! the quota, not the code, sets the pace). `GMAIL_BENCH_SPEEDUP=10` raises
//! the quota tenfold on both sides for a quicker look; the ratio is what
//! matters.
//!
//! `GMAIL_BENCH_NAIVE=1` then runs the same sync with pacing switched off
//! (the client believes the quota is a thousand times larger) for twice as
//! long, for comparison.
//!
//! The ceiling: `messages.get` costs 5 units, so 15,000 units a minute is
//! 50 messages a second, less what listing costs. Goal: at least 90% of it
//! with no failed request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use gmail_receipts::google::{Gmail, SyncItem, SyncOptions, UserTokens, quota};
use gmail_receipts::testkit::{GmailSimulator, SimConfig};
use spend_http::CachedTokenSource;

/// 27,778 generated messages hold exactly 10,000 receipt-like ones (9 in 25).
const MAILBOX: usize = 27_778;
const GOAL: f64 = 0.90;

/// What one sync did.
struct Outcome {
    messages: u64,
    bytes: u64,
    skipped: u64,
    secs: f64,
    error: Option<String>,
}

/// Syncs until `Done`, an error, or `deadline` seconds.
async fn sync(gmail: &Gmail, deadline: f64) -> Outcome {
    let started = Instant::now();
    let mut stream = gmail.sync(SyncOptions::default(), None);
    let mut outcome = Outcome {
        messages: 0,
        bytes: 0,
        skipped: 0,
        secs: 0.0,
        error: None,
    };
    let mut last_report = Instant::now();
    let limit = Duration::try_from_secs_f64(deadline).unwrap_or(Duration::MAX);
    loop {
        let left = limit.saturating_sub(started.elapsed());
        let Ok(next) = tokio::time::timeout(left, stream.next()).await else {
            outcome.error = Some(format!("stopped after {deadline:.0} s"));
            break;
        };
        let Some(item) = next else { break };
        match item {
            Ok(SyncItem::Message(m)) => {
                outcome.messages += 1;
                outcome.bytes += m.raw.len() as u64;
                if last_report.elapsed().as_secs() >= 30 {
                    eprintln!(
                        "  ... {} messages after {:.0} s",
                        outcome.messages,
                        started.elapsed().as_secs_f64()
                    );
                    last_report = Instant::now();
                }
            }
            Ok(SyncItem::Skipped { .. }) => outcome.skipped += 1,
            Ok(SyncItem::Done { .. }) => break,
            Err(e) => {
                outcome.error = Some(e.to_string());
                break;
            }
        }
    }
    outcome.secs = started.elapsed().as_secs_f64();
    outcome
}

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
    let config = SimConfig::default()
        .messages(mailbox)
        .units_per_minute(units_per_minute);

    let sim = GmailSimulator::start(config.clone()).await;
    let gmail = sim.client().expect("the simulator's client builds");
    let outcome = sync(&gmail, f64::INFINITY).await;
    let stats = sim.stats();

    let Outcome {
        messages,
        bytes,
        skipped,
        secs,
        ..
    } = outcome;
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
    assert_eq!(outcome.error, None, "the sync runs to the end");
    assert_eq!(stats.failed, 0, "no request failed");
    assert_eq!(skipped, 0, "every listed message was fetched");

    if std::env::var("GMAIL_BENCH_NAIVE").as_deref() == Ok("1") {
        // The same client, told the quota is a thousand times larger: no pacing,
        // only retries after Gmail's 429s.
        let sim = GmailSimulator::start(config).await;
        let tokens = UserTokens::new(sim.oauth().expect("oauth"), sim.refresh_token());
        let naive = Gmail::builder(Arc::new(CachedTokenSource::new(tokens)))
            .base_url(sim.url())
            .quota(units_per_minute.saturating_mul(1000), 250)
            .build()
            .expect("the naive client builds");
        // Given twice the paced run's time: a client without pacing waits out
        // Gmail's answers and gives messages up after its retries.
        let outcome = sync(&naive, secs * 2.0).await;
        let stats = sim.stats();
        println!(
            "without pacing: {} messages fetched, {} skipped after retries, in {:.1} s ({:.2} messages/s); \
             429 answers {}, API calls {}{}",
            outcome.messages,
            outcome.skipped,
            outcome.secs,
            outcome.messages as f64 / outcome.secs,
            stats.rate_limited,
            stats.calls,
            outcome
                .error
                .map(|e| format!("; the sync stopped: {e}"))
                .unwrap_or_default()
        );
    }
}
