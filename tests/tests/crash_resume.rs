//! Crash and resume: `spend demo` (simulated bank and mailbox synced into
//! the embedded store) is killed with SIGKILL at 20 random moments and run
//! again each time; afterwards the store holds exactly what an uninterrupted
//! run stores: no duplicates, nothing missing, checkpoints at the end.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spend_core::store::{SqliteStore, Store};

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn demo(data: &Path) -> Command {
    let mut c = spend_tests::spend(data);
    c.args(["demo", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Everything the demo user's store holds, by natural key, with the
/// number of rows each kind has (to see duplicates the keys would hide).
#[derive(PartialEq)]
struct Snapshot {
    accounts: BTreeSet<String>,
    transactions: BTreeSet<String>,
    transaction_rows: usize,
    mandates: BTreeSet<String>,
    emails: BTreeSet<String>,
    receipts: BTreeSet<String>,
    documents: BTreeSet<String>,
    orders: BTreeSet<String>,
    checkpoints: Vec<Option<serde_json::Value>>,
}

async fn snapshot(data: &Path) -> Snapshot {
    let store = SqliteStore::open(data.join("spend.db")).await.unwrap();
    let user = store.user(store.ensure_user("demo").await.unwrap());
    let transactions = spend_tests::transaction_keys(user.as_ref()).await;
    let rows = transactions.len();
    // Where each source ended: TrueLayer's day and Gmail's history id (its
    // newest message date comes from the simulator's clock, so it is left out).
    let mut checkpoints = Vec::new();
    for (source, key) in [
        ("truelayer:demo-bank", "synced_to"),
        ("gmail:alex@example.org", "gmail"),
    ] {
        let value = user
            .checkpoint(source)
            .await
            .unwrap()
            .map(|c| c.value[key].clone());
        checkpoints.push(value.map(|v| v.get("history_id").cloned().unwrap_or(v)));
    }
    Snapshot {
        accounts: user
            .accounts()
            .await
            .unwrap()
            .into_iter()
            .map(|a| format!("{}|{}", a.source, a.id))
            .collect(),
        transactions: transactions.into_iter().collect(),
        transaction_rows: rows,
        mandates: user
            .mandates()
            .await
            .unwrap()
            .into_iter()
            .map(|m| format!("{}|{}|{}|{}", m.account_id, m.id, m.kind, m.payee))
            .collect(),
        // By key: the simulated mailbox dates its mail from the clock, so the
        // same message generated in another run differs in its Date header.
        emails: user
            .emails(None, u32::MAX)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{}|{}", e.mailbox, e.message_id))
            .collect(),
        receipts: user
            .receipts(None)
            .await
            .unwrap()
            .into_iter()
            .map(|r| format!("{}|{}|{}|{:?}", r.mailbox, r.message_id, r.kind, r.total))
            .collect(),
        documents: user
            .documents(None)
            .await
            .unwrap()
            .into_iter()
            .map(|d| format!("{}|{}|{}|{}", d.mailbox, d.message_id, d.part, d.sha256))
            .collect(),
        orders: user
            .orders(&spend_core::store::OrderQuery::default())
            .await
            .unwrap()
            .into_iter()
            .map(|o| {
                format!(
                    "{}|{}|{:?}|{:?}|{}",
                    o.source,
                    o.id,
                    o.status,
                    o.total,
                    o.items.len()
                )
            })
            .collect(),
        checkpoints,
    }
}

#[test]
fn a_demo_sync_killed_20_times_ends_as_an_uninterrupted_one() {
    // Found (or built) before anything is timed.
    spend_tests::spend_binary();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let clean = data_dir("clean");
    let started = Instant::now();
    assert!(demo(&clean).status().unwrap().success());
    let full_run = started.elapsed();
    let expected = runtime.block_on(snapshot(&clean));
    assert!(
        expected.transactions.len() > 100
            && expected.emails.len() > 100
            && expected.orders.len() >= 60
    );
    assert!(expected.checkpoints.iter().all(Option::is_some));

    let crashed = data_dir("crashed");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash-resume seed {seed}, an uninterrupted run takes {full_run:?}");
    let mut kills = 0;
    for _ in 0..20 {
        // xorshift: a kill point anywhere from the start to the end of a run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Runs after a kill have less left to do, so the points lean early.
        let at = Duration::from_micros(seed % (full_run.as_micros() as u64 / 2 + 1));
        let mut child = demo(&crashed).spawn().unwrap();
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        demo(&crashed).status().unwrap().success(),
        "the run after the kills finishes"
    );
    let got = runtime.block_on(snapshot(&crashed));

    let missing = expected.transactions.difference(&got.transactions).count()
        + expected.emails.difference(&got.emails).count()
        + expected.receipts.difference(&got.receipts).count()
        + expected.documents.difference(&got.documents).count()
        + expected.accounts.difference(&got.accounts).count()
        + expected.orders.difference(&got.orders).count();
    let duplicates = (got.transaction_rows - got.transactions.len())
        + got.transactions.difference(&expected.transactions).count()
        + got.emails.difference(&expected.emails).count()
        + got.documents.difference(&expected.documents).count()
        + got.orders.difference(&expected.orders).count();
    println!("crash-resume: {kills} kills, {duplicates} duplicates, {missing} missing");
    assert_eq!((duplicates, missing), (0, 0));
    assert_eq!(
        got.checkpoints, expected.checkpoints,
        "checkpoints at the end"
    );
    assert_eq!(got.receipts.len(), expected.receipts.len());
    assert_eq!(got.accounts, expected.accounts);
    assert!(
        kills >= 10,
        "most runs were killed before they finished: {kills}"
    );
}
