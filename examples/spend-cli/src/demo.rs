//! `spend demo`: the providers' simulators in-process, connected and synced
//! into the store like real ones, then a look at what the store holds.

use std::io::Write;

use spend_core::app::{RefreshOptions, Settings, Spend, SyncSettings};
use spend_core::demo::Demo;
use spend_core::store::{Grouping, SpendQuery};

use crate::{sync, table};

/// Arguments of `spend demo`.
#[derive(clap::Args)]
pub struct Args {
    /// The user the demo data belongs to (kept apart from your own).
    #[arg(long, default_value = "demo")]
    user: String,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `spend demo`.
pub fn run(args: Args) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut settings = Settings::load()?;
        settings.user = args.user.clone();
        let spend = Spend::open(&settings).await?;
        eprintln!(
            "spend demo: a simulated bank (TrueLayer), mailbox (Gmail) and Amazon seller (SP-API) for user {:?}, stored in {}",
            settings.user,
            crate::store_app::redact(&settings.store)
        );
        let demo = Demo::start().await;
        demo.connect(&spend).await?;
        // The LLM configured in spend.toml when there is one, else the simulator.
        let llm = match settings.llm.as_ref().map(|l| l.provider()) {
            Some(Ok(provider)) => provider,
            _ => demo.llm(),
        };
        let options = RefreshOptions {
            sync: SyncSettings {
                present: Some(std::net::IpAddr::from([127, 0, 0, 1])),
                ..SyncSettings::default()
            },
            enrich: spend_core::enrich::EnrichOptions::new().provider(llm),
            ..RefreshOptions::default()
        };
        let bars = crate::progress::Bars::new();
        let refreshed = spend
            .refresh(&demo.apps()?, &options, |id| bars.source(id))
            .await?;
        let ok = sync::summarise(&refreshed.syncs, &refreshed.not_run, args.json)?;
        let (matched, enriched) = (&refreshed.matched, &refreshed.enriched);
        if !args.json {
            holdings(&spend).await?;
            println!(
                "Matching tied {} charges to their orders and receipts automatically and suggested {} more (`spend matches`).",
                matched.automatic, matched.suggested
            );
            println!(
                "Categories: {} transactions by rules and the merchant table, {} by what matching found, {} by the LLM ({} requests).\n",
                enriched.by_rule + enriched.by_shipped_table,
                enriched.by_match,
                enriched.by_llm,
                enriched.llm_requests
            );
            categories(&spend).await?;
            println!(
                "Next: `spend report --html report.html`, `spend transactions --search amazon`, `spend matches --state suggested`, `spend rules add`, `spend receipts`."
            );
        }
        Ok(ok)
    })
}

/// Where the demo person's money went over the last four months.
async fn categories(spend: &Spend) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    let period = spend_core::analytics::Period::new(today - time::Duration::days(119), today);
    let report = spend_core::analytics::Report::build(
        spend.user.as_ref(),
        &spend_core::analytics::ReportOptions::new(period),
    )
    .await?;
    let currency = spend_core::model::Currency::new(&report.currency)?;
    let money = |minor: i64| spend_core::model::Money::new(minor, currency).to_string();
    let rows: Vec<Vec<String>> = report
        .categories
        .iter()
        .map(|c| vec![c.category.clone(), money(c.total)])
        .collect();
    let mut out = std::io::stdout().lock();
    table::print(
        &mut out,
        &["CATEGORY", "SPENT (4 MONTHS)"],
        &rows,
        &["SPENT (4 MONTHS)"],
    )?;
    writeln!(
        out,
        "income {}, spending {}\n",
        money(report.income),
        money(report.spending)
    )?;
    Ok(())
}

async fn holdings(spend: &Spend) -> anyhow::Result<()> {
    let user = &spend.user;
    let counts = user.counts().await?;
    let receipts = user.receipts(Some("receipt")).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\nThe store holds {} accounts and cards, {} transactions, {} standing orders and direct debits, {} orders, {} emails of which {} receipts.\n",
        counts.accounts,
        counts.transactions,
        counts.mandates,
        counts.orders,
        counts.emails,
        receipts.len()
    )?;
    let months = user
        .spend(&SpendQuery::by(&[Grouping::Month]).outgoing())
        .await?;
    let rows: Vec<Vec<String>> = months
        .iter()
        .rev()
        .take(4)
        .map(|r| {
            let currency = spend_core::model::Currency::new(&r.currency)
                .unwrap_or(spend_core::model::Currency::GBP);
            vec![
                r.keys[0].clone(),
                spend_core::model::Money::new(-r.total_minor, currency).to_string(),
                r.count.to_string(),
            ]
        })
        .collect();
    table::print(
        &mut out,
        &["MONTH", "SPENT", "TRANSACTIONS"],
        &rows,
        &["SPENT", "TRANSACTIONS"],
    )?;
    writeln!(out)?;
    Ok(())
}
