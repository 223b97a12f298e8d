//! Receipt sync against the simulator: full, incremental, the expired-history
//! fallback, and the messages flowing on into the receipt pipeline.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt;
use gmail_receipts::google::{Checkpoint, GmailError, SyncItem, SyncMode, SyncOptions};
use gmail_receipts::testkit::{GmailSimulator, SimConfig, SimMessage};
use gmail_receipts::{Importer, MailMessage};

/// What one sync produced.
#[derive(Debug)]
struct Outcome {
    messages: Vec<MailMessage>,
    skipped: usize,
    checkpoint: Checkpoint,
    mode: SyncMode,
    fetched: u64,
}

async fn run(
    gmail: &gmail_receipts::google::Gmail,
    options: SyncOptions,
    from: Option<Checkpoint>,
) -> Result<Outcome, GmailError> {
    let mut stream = gmail.sync(options, from);
    let mut messages = Vec::new();
    let mut skipped = 0;
    while let Some(item) = stream.next().await {
        match item? {
            SyncItem::Message(m) => messages.push(m),
            SyncItem::Skipped { .. } => skipped += 1,
            SyncItem::Done {
                checkpoint,
                mode,
                fetched,
            } => {
                assert!(stream.next().await.is_none(), "Done is the last item");
                return Ok(Outcome {
                    messages,
                    skipped,
                    checkpoint,
                    mode,
                    fetched,
                });
            }
        }
    }
    panic!("the stream ended without Done");
}

/// The generated mailbox's receipts: everything but the newsletter and the
/// personal mail.
fn receipts(messages: &[SimMessage]) -> BTreeSet<String> {
    messages
        .iter()
        .filter(|m| m.from_domain != "family.example" && !m.from_domain.contains("garden-weekly"))
        .map(|m| m.id.clone())
        .collect()
}

fn ids(messages: &[MailMessage]) -> BTreeSet<String> {
    messages.iter().map(|m| m.id.clone()).collect()
}

#[tokio::test]
async fn a_full_sync_fetches_exactly_the_receipt_like_mail() {
    let sim = GmailSimulator::start(SimConfig::default().messages(300)).await;
    let gmail = sim.client().unwrap();
    let history_before = gmail.profile().await.unwrap().history_id;

    let outcome = run(&gmail, SyncOptions::default(), None).await.unwrap();
    assert_eq!(outcome.mode, SyncMode::Full);
    assert_eq!(outcome.skipped, 0);
    let expected = receipts(&sim.messages());
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(ids(&outcome.messages), expected);
    assert_eq!(outcome.messages.len(), expected.len(), "each message once");
    assert_eq!(outcome.fetched, expected.len() as u64);
    assert_eq!(outcome.checkpoint.history_id, history_before);
    let newest = sim
        .messages()
        .iter()
        .filter(|m| expected.contains(&m.id))
        .map(|m| m.internal_date)
        .max();
    assert_eq!(outcome.checkpoint.last_internal_date, newest);

    // The query carried the registry's vendor domains and the subject words.
    let query = sim.queries().pop().unwrap();
    assert!(
        query.contains("amazon.co.uk") && query.contains("receipt"),
        "{query}"
    );
    // Every fetch went through the batch endpoint, 50 at a time.
    let stats = sim.stats();
    assert_eq!(stats.batches as usize, expected.len().div_ceil(50));
    assert_eq!(stats.rate_limited, 0);
}

#[tokio::test]
async fn date_bounds_are_sent_as_epoch_seconds() {
    let sim = GmailSimulator::start(SimConfig::default().messages(200)).await;
    let gmail = sim.client().unwrap();
    let mailbox = sim.messages();
    let middle_ms = mailbox[100].internal_date;
    let after = middle_ms / 1000;

    let outcome = run(&gmail, SyncOptions::default().after(after), None)
        .await
        .unwrap();
    let query = sim.queries().pop().unwrap();
    assert!(query.ends_with(&format!(" after:{after}")), "{query}");
    let expected: BTreeSet<String> = receipts(&mailbox)
        .into_iter()
        .filter(|id| {
            mailbox
                .iter()
                .any(|m| &m.id == id && m.internal_date >= after * 1000)
        })
        .collect();
    assert_eq!(ids(&outcome.messages), expected);
}

#[tokio::test]
async fn incremental_syncs_fetch_only_new_mail() {
    let sim = GmailSimulator::start(SimConfig::default().messages(50)).await;
    let gmail = sim.client().unwrap();
    let first = run(&gmail, SyncOptions::default(), None).await.unwrap();

    let delivered: BTreeSet<String> = sim.deliver(4).into_iter().collect();
    let second = run(&gmail, SyncOptions::default(), Some(first.checkpoint))
        .await
        .unwrap();
    assert_eq!(second.mode, SyncMode::Incremental);
    assert_eq!(ids(&second.messages), delivered);
    assert!(second.checkpoint.history_id > first.checkpoint.history_id);
    assert!(second.checkpoint.last_internal_date > first.checkpoint.last_internal_date);

    let third = run(&gmail, SyncOptions::default(), Some(second.checkpoint))
        .await
        .unwrap();
    assert_eq!(third.mode, SyncMode::Incremental);
    assert!(third.messages.is_empty());
    assert_eq!(third.checkpoint, second.checkpoint);
}

#[tokio::test]
async fn an_expired_history_falls_back_to_a_full_sync_from_the_last_date() {
    let sim = GmailSimulator::start(SimConfig::default().messages(80)).await;
    let gmail = sim.client().unwrap();
    let first = run(&gmail, SyncOptions::default(), None).await.unwrap();
    let last_ms = first.checkpoint.last_internal_date.unwrap();

    let delivered = sim.deliver(6);
    sim.expire_history();
    let second = run(&gmail, SyncOptions::default(), Some(first.checkpoint))
        .await
        .unwrap();
    assert_eq!(second.mode, SyncMode::FullAfterExpiredHistory);
    let query = sim.queries().pop().unwrap();
    assert!(
        query.ends_with(&format!(" after:{}", last_ms / 1000)),
        "{query}"
    );

    // Only the new receipt-like mail, plus the newest known message at the
    // boundary second (an id already stored: idempotent storage absorbs it).
    let mailbox = sim.messages();
    let new_receipts: BTreeSet<String> = receipts(&mailbox)
        .into_iter()
        .filter(|id| delivered.contains(id))
        .collect();
    assert!(!new_receipts.is_empty());
    let got = ids(&second.messages);
    assert!(
        new_receipts.is_subset(&got),
        "{got:?} lacks some of {new_receipts:?}"
    );
    for id in got.difference(&new_receipts) {
        let m = mailbox.iter().find(|m| &m.id == id).unwrap();
        assert!(
            m.internal_date / 1000 >= last_ms / 1000,
            "{id} is older than the bound"
        );
    }
    assert!(second.checkpoint.history_id > first.checkpoint.history_id);

    // And the sync after that is incremental again.
    let third = run(&gmail, SyncOptions::default(), Some(second.checkpoint))
        .await
        .unwrap();
    assert_eq!(third.mode, SyncMode::Incremental);
    assert!(third.messages.is_empty());
}

#[tokio::test]
async fn synced_mail_runs_through_the_receipt_pipeline() {
    let sim = GmailSimulator::start(SimConfig::default().messages(100)).await;
    let gmail = sim.client().unwrap();
    let outcome = run(&gmail, SyncOptions::default(), None).await.unwrap();

    let mut importer = Importer::default();
    for message in &outcome.messages {
        importer.import(message).unwrap();
    }
    let stats = importer.stats();
    assert_eq!(stats.messages, outcome.messages.len() as u64);
    let invoices = sim
        .messages()
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .count() as u64;
    assert_eq!(invoices, 4);
    assert_eq!(stats.pdfs, invoices);
    assert_eq!(stats.by_method.get("pdf"), Some(&invoices), "{stats:?}");
    assert!(stats.receipts >= stats.messages * 9 / 10, "{stats:?}");
    assert!(stats.errors.is_empty(), "{stats:?}");
}

#[tokio::test]
async fn an_error_ends_the_stream_without_a_checkpoint() {
    let sim = GmailSimulator::start(SimConfig::default().messages(10)).await;
    sim.revoke_refresh_tokens();
    let gmail = sim.client().unwrap();
    let items: Vec<_> = gmail.sync(SyncOptions::default(), None).collect().await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(
            &items[0],
            Err(GmailError::Auth(
                gmail_receipts::google::OAuthError::InvalidGrant { .. }
            ))
        ),
        "{items:?}"
    );
}

#[tokio::test]
async fn dropping_the_stream_stops_the_sync() {
    let sim = GmailSimulator::start(SimConfig::default().messages(600)).await;
    let gmail = sim.client().unwrap();
    let mut stream = gmail.sync(SyncOptions::default().buffer(1).batch_size(10), None);
    let first = stream.next().await.unwrap().unwrap();
    assert!(matches!(first, SyncItem::Message(_)));
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stats = sim.stats();
    assert!(stats.batches <= 2, "{stats:?}");
}
