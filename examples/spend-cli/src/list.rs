//! `spend transactions`, `spend receipts`, `spend orders`: what the store
//! holds, as a table or JSON.

use std::io::Write;

use spend_core::model::Money;
use spend_core::store::{OrderQuery, TransactionQuery};

use crate::sync::parse_day;
use crate::table;

/// Arguments of `spend transactions`.
#[derive(clap::Args)]
pub struct TransactionArgs {
    /// Description or merchant contains this (any case).
    #[arg(long)]
    search: Option<String>,
    /// One account's (its provider id).
    #[arg(long)]
    account: Option<String>,
    /// On or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// On or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// In this category.
    #[arg(long)]
    category: Option<String>,
    /// At most this many (newest first).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

/// Arguments of `spend receipts` and `spend orders`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Receipts: only this kind (receipt, refund, shipping, marketing, ...);
    /// default `receipt`. Orders: only this source.
    #[arg(long)]
    kind: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn money(m: Option<Money>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// Runs `spend transactions`.
pub fn transactions(args: TransactionArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let mut query = TransactionQuery::default().limit(args.limit.max(1));
        query.text = args.search;
        query.account = args.account;
        query.category = args.category;
        query.from = args
            .from
            .as_deref()
            .map(|d| parse_day(d, "--from"))
            .transpose()?;
        query.to = args
            .to
            .as_deref()
            .map(|d| parse_day(d, "--to"))
            .transpose()?;
        let page = spend.user.transactions(&query).await?;
        let paid_for = spend_core::matching::paid_for(spend.user.as_ref()).await?;
        // What enrichment decided, over the bank's own category and merchant.
        let enriched: std::collections::HashMap<_, _> = spend
            .user
            .enrichments()
            .await?
            .into_iter()
            .map(|e| (e.transaction.clone(), e))
            .collect();
        let mut items = page.items;
        for t in &mut items {
            if let Some(e) = enriched.get(&t.key()) {
                t.category = e.category.clone().or(t.category.take());
                t.merchant = e.merchant.clone().or(t.merchant.take());
            }
        }
        let mut out = std::io::stdout().lock();
        if args.json {
            for t in &items {
                let mut v = serde_json::to_value(t)?;
                v["paid_for"] =
                    serde_json::json!(paid_for.get(&t.key()).cloned().unwrap_or_default());
                if let Some(e) = enriched.get(&t.key()) {
                    v["essential"] = serde_json::json!(e.essential);
                    v["categorised_by"] = serde_json::json!(e.source.as_str());
                    v["tags"] = serde_json::json!(e.tags);
                }
                writeln!(out, "{v}")?;
            }
            return Ok(());
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|t| {
                vec![
                    t.date.to_string(),
                    t.amount.to_string(),
                    t.description.clone(),
                    t.merchant.clone().unwrap_or_default(),
                    t.category.clone().unwrap_or_default(),
                    t.status.to_string(),
                    paid_for
                        .get(&t.key())
                        .map(|labels| labels.join("; "))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        table::print(
            &mut out,
            &[
                "DATE",
                "AMOUNT",
                "DESCRIPTION",
                "MERCHANT",
                "CATEGORY",
                "STATUS",
                "FOR",
            ],
            &rows,
            &["AMOUNT"],
        )?;
        Ok(())
    })
}

/// Runs `spend receipts`.
pub fn receipts(args: ListArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let kind = args.kind.unwrap_or_else(|| "receipt".into());
        let found = spend.user.receipts(Some(&kind)).await?;
        let mut out = std::io::stdout().lock();
        if args.json {
            for r in found.iter().take(args.limit) {
                writeln!(out, "{}", serde_json::to_string(r)?)?;
            }
            return Ok(());
        }
        let rows: Vec<Vec<String>> = found
            .iter()
            .take(args.limit)
            .map(|r| {
                vec![
                    r.date.map(|d| d.to_string()).unwrap_or_default(),
                    r.merchant.clone().unwrap_or_default(),
                    money(r.total),
                    r.order_ids.join(" "),
                    r.vendor.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table::print(
            &mut out,
            &["DATE", "MERCHANT", "TOTAL", "ORDER", "VENDOR"],
            &rows,
            &["TOTAL"],
        )?;
        Ok(())
    })
}

/// Runs `spend orders`.
pub fn orders(args: ListArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let query = OrderQuery {
            source: args.kind,
            limit: u32::try_from(args.limit).unwrap_or(u32::MAX),
            ..OrderQuery::default()
        };
        let found = spend.user.orders(&query).await?;
        let mut out = std::io::stdout().lock();
        if args.json {
            for o in &found {
                writeln!(out, "{}", serde_json::to_string(o)?)?;
            }
            return Ok(());
        }
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|o| {
                vec![
                    o.ordered_on.to_string(),
                    o.id.clone(),
                    o.merchant.clone(),
                    money(o.total),
                    o.items.len().to_string(),
                    o.status.clone().unwrap_or_default(),
                    o.source.clone(),
                ]
            })
            .collect();
        table::print(
            &mut out,
            &[
                "DATE", "ORDER", "MERCHANT", "TOTAL", "ITEMS", "STATUS", "SOURCE",
            ],
            &rows,
            &["TOTAL", "ITEMS"],
        )?;
        Ok(())
    })
}

/// Runs `spend reparse`.
pub fn reparse(json: bool) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let done = spend.archive.reparse().await?;
        let mut out = std::io::stdout().lock();
        if json {
            writeln!(out, "{}", serde_json::to_string(&done)?)?;
        } else {
            writeln!(
                out,
                "{} emails parsed again from the stored mail: {} receipts changed, {} the same, {} unreadable",
                done.emails, done.updated, done.unchanged, done.failed
            )?;
        }
        Ok(())
    })
}

/// Runs `spend connections`.
pub fn connections(json: bool) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let found = spend.user.connections().await?;
        let mut out = std::io::stdout().lock();
        if json {
            writeln!(out, "{}", serde_json::to_string_pretty(&found)?)?;
            return Ok(());
        }
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|c| vec![c.provider.clone(), c.name.clone(), c.status.to_string()])
            .collect();
        table::print(&mut out, &["PROVIDER", "NAME", "STATUS"], &rows, &[])?;
        Ok(())
    })
}
