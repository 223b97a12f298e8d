//! The demo person is one coherent life: every charge the ground truth
//! names is in the bank, every order and receipt it names is stored, and
//! their amounts agree as each case says they should.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::synced;
use spend_core::app::Spend;
use spend_core::demo::{Case, Demo};
use spend_core::model::{MatchTarget, Transaction, TransactionRef};
use spend_core::store::{OrderQuery, TransactionQuery};

async fn transactions(spend: &Spend) -> HashMap<TransactionRef, Transaction> {
    let mut all = HashMap::new();
    let mut cursor = None;
    loop {
        let page = spend
            .user
            .transactions(&TransactionQuery::default().limit(1000).after(cursor))
            .await
            .unwrap();
        for t in page.items {
            all.insert(
                TransactionRef {
                    source: t.source.clone(),
                    account_id: t.account_id.clone(),
                    id: t.id.clone(),
                },
                t,
            );
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_person_is_one_coherent_life() {
    let demo = Demo::start().await;
    let spend = synced(&demo).await;
    let truth = demo.truth();
    let stored = transactions(&spend).await;
    let orders: HashMap<String, _> = spend
        .user
        .orders(&OrderQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let receipts: HashMap<String, _> = spend
        .user
        .receipts(None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.message_id.clone(), r))
        .collect();

    // What each charge adds up to per target, to compare with the target's total.
    let mut charged: BTreeMap<MatchTarget, i64> = BTreeMap::new();
    let mut problems = Vec::new();
    for link in &truth.links {
        let Some(tx) = stored.get(&link.transaction) else {
            problems.push(format!("transaction {:?} not stored", link.transaction));
            continue;
        };
        match &link.target {
            MatchTarget::Order { id, .. } => {
                let Some(order) = orders.get(id) else {
                    problems.push(format!("order {id} not stored"));
                    continue;
                };
                let total = order.total.map(|t| t.minor()).unwrap_or_default();
                match link.case {
                    Case::Refund => {
                        if tx.amount.minor() <= 0 || tx.amount.minor() > total {
                            problems.push(format!("refund {} of order {id} ({total})", tx.amount));
                        }
                    }
                    Case::AmazonCombined => {
                        // One charge for several orders: counted once per target below.
                        *charged.entry(link.target.clone()).or_default() += 0;
                    }
                    _ => *charged.entry(link.target.clone()).or_default() -= tx.amount.minor(),
                }
            }
            MatchTarget::Receipt { message_id, .. } => {
                let Some(receipt) = receipts.get(message_id) else {
                    problems.push(format!("receipt {message_id} not stored"));
                    continue;
                };
                if receipt.kind != "receipt" {
                    problems.push(format!("{message_id} read as {:?}", receipt.kind));
                }
                let Some(total) = receipt.total else {
                    problems.push(format!("{message_id} has no total"));
                    continue;
                };
                let paid = -tx.amount.minor();
                let agrees = match link.case {
                    Case::Tip => paid > total.minor() && total.currency() == tx.amount.currency(),
                    Case::Fx => total.currency().code() == "USD" && paid > 0,
                    _ => paid == total.minor() && total.currency() == tx.amount.currency(),
                };
                if !agrees {
                    problems.push(format!(
                        "{message_id} ({}): receipt {total} vs charge {}",
                        link.case.as_str(),
                        tx.amount
                    ));
                }
            }
            MatchTarget::Apple { .. } => problems.push("no Apple purchases in the demo".into()),
        }
    }
    for (target, pence) in &charged {
        if let MatchTarget::Order { id, .. } = target {
            let total = orders[id].total.map(|t| t.minor()).unwrap_or_default();
            let combined = truth
                .links
                .iter()
                .any(|l| &l.target == target && l.case == Case::AmazonCombined);
            if !combined && *pence != total {
                problems.push(format!("order {id}: charges {pence} vs total {total}"));
            }
        }
    }
    for message_id in &truth.uncharged_receipts {
        if !receipts.contains_key(message_id) {
            problems.push(format!("uncharged receipt {message_id} not stored"));
        }
    }
    let cases: Vec<String> = truth
        .cases()
        .iter()
        .map(|(case, n)| format!("{} {n}", case.as_str()))
        .collect();
    println!(
        "demo person: {} true pairs ({}), {} charges with no receipt, {} receipts with no charge; {} transactions, {} orders, {} receipts stored; {} problems",
        truth.links.len(),
        cases.join(", "),
        truth.unexplained_charges,
        truth.uncharged_receipts.len(),
        stored.len(),
        orders.len(),
        receipts.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{problems:#?}");
    // Gmail's quota pacing was saved in the store for the next process.
    let mut gmail_buckets = Vec::new();
    for _ in 0..50 {
        gmail_buckets = spend
            .store
            .rate_states("gmail:alex@example.org")
            .await
            .unwrap();
        if !gmail_buckets.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        gmail_buckets
            .iter()
            .any(|(operation, _, _)| operation == "gmail.user-quota"),
        "{gmail_buckets:?}"
    );
    let mandates = spend.user.mandates().await.unwrap();
    let kinds: Vec<&str> = mandates.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["direct_debit", "standing_order"], "{mandates:#?}");
    assert_eq!(mandates[1].payee, "LANDLORD");
    assert_eq!(mandates[1].next_amount.map(|m| m.minor()), Some(120_000));
    for case in [
        Case::Amazon,
        Case::AmazonSplit,
        Case::AmazonCombined,
        Case::Refund,
        Case::Receipt,
        Case::Subscription,
        Case::Fx,
        Case::Tip,
        Case::SameAmount,
    ] {
        assert!(
            truth.cases().contains_key(&case),
            "the demo has no {} case",
            case.as_str()
        );
    }
}
