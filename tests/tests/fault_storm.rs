//! A fault storm: every simulator failing 30% of its calls with 429 or 5xx.
//! The sync finishes with the same rows as on a calm day; only the retries differ.

use std::collections::BTreeSet;
use std::sync::Arc;

use spend_core::app::{Spend, SyncSettings};
use spend_core::demo::Demo;
use spend_core::store::{OrderQuery, SqliteStore};
use spend_core::vault::Keyring;

async fn sync_demo(demo: &Demo) -> (Spend, Vec<String>, u64) {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let spend = Spend::with(
        store,
        "demo",
        Keyring::generate(),
        Arc::new(blob_store::MemoryStore::new()),
    )
    .await
    .unwrap();
    demo.connect(&spend).await.unwrap();
    let options = SyncSettings {
        present: Some(std::net::IpAddr::from([127, 0, 0, 1])),
        ..SyncSettings::default()
    };
    let mut sources = demo.sources(&spend, &options).await.unwrap();
    let mut failures = Vec::new();
    let mut retries = 0;
    for source in &mut sources {
        match spend.engine().run(source.as_mut(), &mut |_| {}).await {
            Ok(outcome) => retries += outcome.calls.retries,
            Err(e) => failures.push(e.to_string()),
        }
    }
    (spend, failures, retries)
}

async fn keys(spend: &Spend) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>, usize) {
    let user = &spend.user;
    let transactions: BTreeSet<String> = spend_tests::transaction_keys(user.as_ref())
        .await
        .into_iter()
        .collect();
    let emails = user
        .emails(None, u32::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.message_id)
        .collect();
    let orders = user
        .orders(&OrderQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|o| format!("{}|{:?}|{}", o.id, o.total, o.items.len()))
        .collect();
    let receipts = user.receipts(Some("receipt")).await.unwrap().len();
    (transactions, emails, orders, receipts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_30_percent_faults_changes_nothing_but_the_retries() {
    let calm = Demo::start().await;
    let (calm_spend, failures, calm_retries) = sync_demo(&calm).await;
    assert!(failures.is_empty(), "{failures:?}");
    let expected = keys(&calm_spend).await;

    let stormy = Demo::start().await;
    stormy.storm(0.3);
    let (stormy_spend, failures, retries) = sync_demo(&stormy).await;
    assert!(
        failures.is_empty(),
        "every source finishes through the storm: {failures:?}"
    );
    let got = keys(&stormy_spend).await;
    let (truelayer, gmail, amazon) = stormy.storm_faults();
    println!(
        "fault storm (30% of calls 429/5xx): {} retries (TrueLayer {truelayer}, Gmail {gmail}, Amazon {amazon}); {} transactions, {} emails, {} orders, {} receipts: the same as a calm sync",
        truelayer + gmail + amazon,
        got.0.len(),
        got.1.len(),
        got.2.len(),
        got.3
    );
    assert!(
        truelayer > 0 && gmail > 0 && amazon > 0,
        "the storm struck every provider"
    );
    // The runs' own summaries count the retries their clients made (Gmail
    // sends failed messages again in new batch requests, not as retries).
    assert_eq!(calm_retries, 0);
    assert!(
        retries >= truelayer + amazon,
        "{retries} retries recorded for {} faults",
        truelayer + amazon
    );
    assert!(got.0 == expected.0, "transactions differ");
    assert!(
        got.1 == expected.1,
        "emails differ: {} calm, {} in the storm",
        expected.1.len(),
        got.1.len()
    );
    assert!(got.2 == expected.2, "orders differ");
    assert_eq!(got.3, expected.3, "receipts");
}
