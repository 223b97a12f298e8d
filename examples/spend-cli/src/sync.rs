//! `spend sync`: every connected source into the store, with progress and a
//! summary; one source failing does not stop the others.

use std::io::Write;
use std::net::IpAddr;

use anyhow::Context;
use spend_core::app::{NotRun, ProviderApps, SourceSync, SyncSettings};

use crate::progress::Bars;
use crate::table;

/// Arguments of `spend sync`.
#[derive(clap::Args)]
pub struct Args {
    /// Only these sources: a provider (`truelayer`, `gmail`) or one connection (`gmail:alex@example.org`).
    sources: Vec<String>,
    /// Fetch from this day (YYYY-MM-DD) instead of from the last sync.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// You are here: TrueLayer's unattended allowance (4 calls a day) does not apply.
    #[arg(long)]
    present: bool,
    /// Your IP address for `--present` (TrueLayer's X-PSU-IP).
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    psu_ip: IpAddr,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Queue one job per connection for `spend worker` instead of syncing here.
    #[arg(long)]
    background: bool,
    /// With --background: wait for the jobs to end, and fail if one fails.
    #[arg(long, requires = "background")]
    wait: bool,
}

/// Prints the summary; returns whether every source succeeded.
pub fn summarise(synced: &[SourceSync], not_run: &[NotRun], json: bool) -> anyhow::Result<bool> {
    let ok = not_run.is_empty() && synced.iter().all(|s| s.result.is_ok());
    let mut out = std::io::stdout().lock();
    if json {
        let mut rows = serde_json::to_value(synced)?;
        if let Some(rows) = rows.as_array_mut() {
            rows.extend(not_run.iter().map(
                |n| serde_json::json!({"source": n.source, "status": "failed", "error": n.reason}),
            ));
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ok);
    }
    let mut rows = Vec::new();
    for s in synced {
        match &s.result {
            Ok(o) => {
                let w = &o.written;
                let kinds = [
                    w.accounts,
                    w.transactions,
                    w.orders,
                    w.emails,
                    w.receipts,
                    w.documents,
                ];
                let sum =
                    |f: fn(&spend_core::store::Upserted) -> u64| kinds.iter().map(f).sum::<u64>();
                rows.push(vec![
                    s.source.clone(),
                    "ok".into(),
                    o.pages.to_string(),
                    sum(|u| u.inserted).to_string(),
                    sum(|u| u.updated).to_string(),
                    sum(|u| u.unchanged).to_string(),
                    w.removed.to_string(),
                    o.skipped.len().to_string(),
                    o.calls.requests.to_string(),
                    o.calls.retries.to_string(),
                    o.calls.throttled.to_string(),
                    format!("{:.1}", o.elapsed.as_secs_f64()),
                ]);
            }
            Err(e) => {
                rows.push(status_only(&s.source, "failed"));
                eprintln!("error: {e}");
            }
        }
    }
    for n in not_run {
        rows.push(status_only(&n.source, "not run"));
        eprintln!("error: {}: {}", n.source, n.reason);
    }
    table::print(&mut out, &HEADERS, &rows, &HEADERS[2..])?;
    Ok(ok)
}

/// The summary's columns (all but the first two right-aligned).
const HEADERS: [&str; 12] = [
    "SOURCE",
    "STATUS",
    "PAGES",
    "NEW",
    "UPDATED",
    "UNCHANGED",
    "REMOVED",
    "SKIPPED",
    "CALLS",
    "RETRIES",
    "429S",
    "SECONDS",
];

/// A summary row with only the source and its status.
fn status_only(source: &str, status: &str) -> Vec<String> {
    let mut row = vec![String::new(); HEADERS.len()];
    row[0] = source.to_owned();
    row[1] = status.to_owned();
    row
}

/// Parses a YYYY-MM-DD date.
pub fn parse_day(text: &str, flag: &str) -> anyhow::Result<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .with_context(|| format!("{flag} {text:?} is not a YYYY-MM-DD date"))
}

/// Runs `spend sync`.
pub fn run(args: Args) -> anyhow::Result<bool> {
    if args.background {
        anyhow::ensure!(
            args.since.is_none() && !args.present,
            "--background syncs from the last checkpoint, unattended: drop --since and --present"
        );
        return crate::jobs::background_sync(&args.sources, args.wait, args.json);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let spend = crate::store_app::open().await?;
        let options = SyncSettings {
            since: args
                .since
                .as_deref()
                .map(|s| parse_day(s, "--since"))
                .transpose()?,
            present: args.present.then_some(args.psu_ip),
        };
        let apps = ProviderApps::from_env()?;
        let plan = spend.sources(&apps, &args.sources, &options).await?;
        if plan.sources.is_empty() && plan.not_run.is_empty() {
            eprintln!("No connections: `spend demo` shows the whole thing on simulated providers.");
            return Ok(true);
        }
        let bars = Bars::new();
        let synced = spend.sync_sources(plan.sources, |id| bars.source(id)).await;
        summarise(&synced, &plan.not_run, args.json)
    })
}
