//! Grouped sums against sums computed here from the stored transactions,
//! after every kind of write: the monthly sums a store may keep must follow
//! inserts, changes, removals and enrichment, and periods that cut months.

use std::collections::BTreeMap;

use time::Date;
use time::macros::date;

use super::fixtures;
use super::{CheckResult, ensure_eq};
use crate::model::{Currency, Enrichment, EnrichmentSource, Money, Transaction};
use crate::store::{Batch, Grouping, SpendQuery, SpendRow, Store, StoreError, UserStore};

fn e(err: StoreError) -> String {
    err.to_string()
}

/// 160 transactions over four months: four accounts, a dozen merchants
/// (some without one, so the description stands in), three categories and
/// none, two currencies, money out, in and zero.
fn history() -> Vec<Transaction> {
    (0..160u32)
        .map(|i| {
            let day = date!(2026 - 01 - 01) + time::Duration::days(i64::from(i * 113 % 118));
            let minor = match i % 9 {
                0 => 0,
                1 | 2 => i64::from(i) * 137 + 5,
                _ => -(i64::from(i * 7919 % 20_000) + 1),
            };
            let mut tx = fixtures::transaction(
                &format!("s{i}"),
                day,
                minor,
                &format!("SHOP {} LONDON", i % 12),
            );
            tx.account_id = ["acc-1", "acc-2", "card-1", "card-2"][(i % 4) as usize].into();
            if i % 3 != 0 {
                tx.merchant = Some(format!("Shop {}", i % 12));
            }
            tx.category = ["groceries", "transport", "bills", ""][(i % 4) as usize]
                .to_owned()
                .into();
            if tx.category.as_deref() == Some("") {
                tx.category = None;
            }
            if i % 10 == 0 {
                tx.amount = Money::new(minor, Currency::EUR);
            }
            tx
        })
        .collect()
}

fn key(tx: &Transaction, g: Grouping, enriched: &BTreeMap<String, String>) -> String {
    match g {
        Grouping::Month => tx.date.to_string()[..7].to_owned(),
        Grouping::Category => enriched
            .get(&tx.id)
            .cloned()
            .unwrap_or_else(|| tx.category.clone().unwrap_or_default()),
        Grouping::Merchant => tx
            .merchant
            .clone()
            .unwrap_or_else(|| tx.description.clone()),
        Grouping::Account => tx.account_id.clone(),
        Grouping::Essential => String::new(),
        Grouping::Direction => if tx.amount.minor() < 0 { "out" } else { "in" }.into(),
    }
}

/// The sums `q` should give, from the transactions themselves.
fn expected(
    txs: &[Transaction],
    q: &SpendQuery,
    enriched: &BTreeMap<String, String>,
) -> Vec<(Vec<String>, String, i64, i64)> {
    let mut sums: BTreeMap<(Vec<String>, String), (i64, i64)> = BTreeMap::new();
    for tx in txs {
        let minor = tx.amount.minor();
        if q.from.is_some_and(|d| tx.date < d)
            || q.to.is_some_and(|d| tx.date > d)
            || q.outgoing_only && minor >= 0
            || q.incoming_only && minor <= 0
        {
            continue;
        }
        let keys = q.group_by.iter().map(|g| key(tx, *g, enriched)).collect();
        let sum = sums
            .entry((keys, tx.amount.currency().code().to_owned()))
            .or_default();
        sum.0 += minor;
        sum.1 += 1;
    }
    sums.into_iter()
        .map(|((k, c), (t, n))| (k, c, t, n))
        .collect()
}

fn flat(rows: Vec<SpendRow>) -> Vec<(Vec<String>, String, i64, i64)> {
    rows.into_iter()
        .map(|r| (r.keys, r.currency, r.total_minor, r.count))
        .collect()
}

const GROUPINGS: &[&[Grouping]] = &[
    &[],
    &[Grouping::Month],
    &[Grouping::Category],
    &[Grouping::Merchant],
    &[Grouping::Account, Grouping::Direction],
    &[Grouping::Month, Grouping::Category],
    &[Grouping::Merchant, Grouping::Month],
    &[Grouping::Essential, Grouping::Category],
];

const PERIODS: &[(Option<Date>, Option<Date>)] = &[
    (None, None),
    (Some(date!(2026 - 01 - 01)), Some(date!(2026 - 02 - 28))),
    (Some(date!(2026 - 01 - 10)), Some(date!(2026 - 03 - 15))),
    (Some(date!(2026 - 02 - 03)), Some(date!(2026 - 02 - 20))),
    (Some(date!(2026 - 01 - 31)), Some(date!(2026 - 02 - 01))),
    (Some(date!(2026 - 02 - 14)), None),
    (None, Some(date!(2026 - 02 - 14))),
    (Some(date!(2026 - 03 - 01)), Some(date!(2026 - 02 - 01))),
];

/// Every grouping over every period, all money, out and in, against `expected`.
async fn compare(
    u: &dyn UserStore,
    txs: &[Transaction],
    enriched: &BTreeMap<String, String>,
    stage: &str,
) -> CheckResult {
    for groups in GROUPINGS {
        for (from, to) in PERIODS {
            for direction in 0..3 {
                let mut q = SpendQuery::by(groups);
                q.from = *from;
                q.to = *to;
                q = match direction {
                    1 => q.outgoing(),
                    2 => q.incoming(),
                    _ => q,
                };
                let got = flat(u.spend(&q).await.map_err(e)?);
                let mut want = expected(txs, &q, enriched);
                want.sort();
                let mut sorted = got.clone();
                sorted.sort();
                ensure_eq!(sorted, want, "{stage}: {q:?}");
            }
        }
    }
    Ok(())
}

pub(super) async fn monthly_sums_follow_every_write(
    store: &dyn Store,
    prefix: &str,
) -> CheckResult {
    let id = store
        .ensure_user(&format!("{prefix}-sums"))
        .await
        .map_err(e)?;
    let u = store.user(id);
    let mut txs = history();
    let mut enriched = BTreeMap::new();
    u.write(Batch::default().transactions(txs.clone()))
        .await
        .map_err(e)?;
    compare(u.as_ref(), &txs, &enriched, "after the first write").await?;

    // Amounts and months change, a new month arrives.
    for tx in txs.iter_mut().step_by(7) {
        tx.amount = Money::new(tx.amount.minor() - 1234, tx.amount.currency());
    }
    txs[3].date = date!(2026 - 04 - 02);
    let mut more: Vec<Transaction> = (0..10)
        .map(|i| {
            fixtures::transaction(
                &format!("n{i}"),
                date!(2026 - 05 - 01) + time::Duration::days(i),
                -100 * (i + 1),
                "NEW SHOP",
            )
        })
        .collect();
    u.write(Batch::default().transactions(txs.clone()))
        .await
        .map_err(e)?;
    u.write(Batch::default().transactions(more.clone()))
        .await
        .map_err(e)?;
    txs.append(&mut more);
    compare(u.as_ref(), &txs, &enriched, "after changes").await?;

    let gone: Vec<_> = txs.drain(..5).map(|t| t.key()).collect();
    u.remove_transactions(&gone).await.map_err(e)?;
    compare(u.as_ref(), &txs, &enriched, "after removals").await?;

    // Enrichment decides a category: the sums move with it.
    let tx = &txs[10];
    u.write(Batch::default().enrichments(vec![Enrichment {
        transaction: tx.key(),
        category: Some("electronics".into()),
        merchant: None,
        essential: None,
        source: EnrichmentSource::Llm,
        confidence: 0.9,
        tags: vec![],
    }]))
    .await
    .map_err(e)?;
    enriched.insert(tx.id.clone(), "electronics".to_owned());
    compare(u.as_ref(), &txs, &enriched, "after enrichment").await
}
