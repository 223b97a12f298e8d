//! A statement's transactions that the store already holds from another
//! source for the same account (TrueLayer, or another file of a different
//! format): the same amount within a few days of each other, paired one to
//! one, so two equal coffees stay two and a file never doubles a bank feed.

use std::collections::HashMap;

use crate::model::Transaction;
use crate::sources::SourceError;
use crate::store::{Batch, TransactionQuery, UserStore};

/// How far apart the bank's day and the statement's day may be (a card
/// payment is dated when made in one and when settled in the other).
const DAYS_APART: i64 = 3;

/// Takes out of `batch` the transactions stored already from another
/// source on the same account; returns a line for each, naming the stored one.
pub(crate) async fn drop(
    user: &dyn UserStore,
    batch: &mut Batch,
) -> Result<Vec<String>, SourceError> {
    let mut accounts: Vec<&str> = batch
        .transactions
        .iter()
        .map(|t| t.account_id.as_str())
        .collect();
    accounts.sort();
    accounts.dedup();
    let mut stored: HashMap<(String, i64, String), Vec<Transaction>> = HashMap::new();
    for account in accounts {
        let days = batch
            .transactions
            .iter()
            .filter(|t| t.account_id == account)
            .map(|t| t.date);
        let (Some(from), Some(to)) = (days.clone().min(), days.max()) else {
            continue;
        };
        let sources: Vec<&str> = batch
            .transactions
            .iter()
            .map(|t| t.source.as_str())
            .collect();
        let mut cursor = None;
        loop {
            let page = user
                .transactions(
                    &TransactionQuery::default()
                        .account(account)
                        .between(
                            from - time::Duration::days(DAYS_APART),
                            to + time::Duration::days(DAYS_APART),
                        )
                        .limit(10_000)
                        .after(cursor),
                )
                .await?;
            for t in page
                .items
                .into_iter()
                .filter(|t| !sources.contains(&t.source.as_str()))
            {
                stored
                    .entry((
                        t.account_id.clone(),
                        t.amount.minor(),
                        t.amount.currency().code().to_owned(),
                    ))
                    .or_default()
                    .push(t);
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let mut notes = Vec::new();
    let mut order: Vec<usize> = (0..batch.transactions.len()).collect();
    order.sort_by_key(|i| batch.transactions[*i].date);
    let mut dropped = vec![false; batch.transactions.len()];
    for i in order {
        let t = &batch.transactions[i];
        let key = (
            t.account_id.clone(),
            t.amount.minor(),
            t.amount.currency().code().to_owned(),
        );
        let Some(candidates) = stored.get_mut(&key) else {
            continue;
        };
        let nearest = candidates
            .iter()
            .enumerate()
            .map(|(n, s)| (n, (s.date - t.date).whole_days().abs()))
            .filter(|(_, apart)| *apart <= DAYS_APART)
            .min_by_key(|(_, apart)| *apart);
        if let Some((n, _)) = nearest {
            let same = candidates.swap_remove(n);
            notes.push(format!(
                "{} {} {:?}: already stored from {} as {}",
                t.date, t.amount, t.description, same.source, same.id
            ));
            dropped[i] = true;
        }
    }
    let mut n = 0;
    batch.transactions.retain(|_| {
        let keep = !dropped[n];
        n += 1;
        keep
    });
    // The account is known already, under its own source.
    let known: Vec<String> = stored.keys().map(|(a, _, _)| a.clone()).collect();
    batch.accounts.retain(|a| !known.contains(&a.id));
    Ok(notes)
}
