//! The IMAP source against a real IMAP server (Dovecot over TLS, started by
//! `.ci/run` through `.ci/imap-server.sh`, which sets `IMAP_TEST_*`).
//! Skipped without it, except under `CI=true`.
//!
//! Each test logs in as its own user, whose Maildir it fills directly
//! ([`TestImapServer`]).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use gmail_receipts::sources::imap::{
    ImapCheckpoint, ImapConfig, ImapError, ImapItem, ImapMailbox, ImapMode,
};
use gmail_receipts::testkit::TestImapServer;
use gmail_receipts::{Importer, MailMessage};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn fixtures() -> Vec<Vec<u8>> {
    [
        "tests/fixtures/pdf-invoice.eml",
        "../receipt-parsers/tests/fixtures/netflix-receipt.eml",
        "../receipt-parsers/tests/fixtures/spotify-marketing.eml",
        "../receipt-parsers/tests/fixtures/uber-trip.eml",
        "../receipt-parsers/tests/fixtures/apple-receipt.eml",
    ]
    .into_iter()
    .map(fixture)
    .collect()
}

/// The same message whatever line endings the server sends.
fn normalised(raw: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(raw)
        .replace("\r\n", "\n")
        .into_bytes()
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

struct Run {
    messages: Vec<MailMessage>,
    skipped: Vec<(u32, ImapError)>,
    checkpoint: ImapCheckpoint,
    mode: ImapMode,
    fetched: u64,
}

async fn read(config: ImapConfig, from: Option<ImapCheckpoint>) -> Run {
    let mailbox = ImapMailbox::connect(config).await.unwrap();
    let mut stream = Box::pin(mailbox.messages(from));
    let (mut messages, mut skipped) = (Vec::new(), Vec::new());
    while let Some(item) = stream.next().await {
        match item.unwrap() {
            ImapItem::Message(m) => messages.push(m),
            ImapItem::Skipped { uid, error } => skipped.push((uid, error)),
            ImapItem::Done {
                checkpoint,
                mode,
                fetched,
            } => {
                assert!(stream.next().await.is_none(), "Done is the last item");
                return Run {
                    messages,
                    skipped,
                    checkpoint,
                    mode,
                    fetched,
                };
            }
        }
    }
    panic!("the stream ended without Done");
}

#[tokio::test]
async fn reads_everything_read_only_then_only_new_mail() {
    let Some(server) = TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let mut account = server.account("incremental");
    let mail = fixtures();
    for (n, raw) in mail[..3].iter().enumerate() {
        account.deliver(raw, at(1_717_200_000 + n as u64 * 3600));
    }

    let first = read(account.config().batch(2), None).await;
    assert_eq!(first.mode, ImapMode::Full);
    assert_eq!(first.fetched, 3);
    assert!(first.skipped.is_empty());
    let got: BTreeSet<Vec<u8>> = first.messages.iter().map(|m| normalised(&m.raw)).collect();
    let sent: BTreeSet<Vec<u8>> = mail[..3].iter().map(|m| normalised(m)).collect();
    assert_eq!(got, sent);
    let dates: BTreeSet<i64> = first
        .messages
        .iter()
        .filter_map(|m| m.internal_date)
        .collect();
    let expected: BTreeSet<i64> = (0..3).map(|n| (1_717_200_000 + n * 3600) * 1000).collect();
    assert_eq!(dates, expected, "INTERNALDATE is the delivery time");
    assert_eq!(first.checkpoint.last_uid, 3);
    for m in &first.messages {
        assert!(
            m.id.starts_with(&format!("imap:INBOX:{}:", first.checkpoint.uid_validity)),
            "{}",
            m.id
        );
    }

    // Reading did not mark anything as read.
    let again = read(account.config(), None).await;
    assert_eq!(again.messages.len(), 3);
    assert!(
        again
            .messages
            .iter()
            .all(|m| !m.labels.iter().any(|l| l == "\\Seen")),
        "{:?}",
        again.messages.iter().map(|m| &m.labels).collect::<Vec<_>>()
    );

    for raw in &mail[3..] {
        account.deliver(raw, SystemTime::now());
    }
    let second = read(account.config(), Some(first.checkpoint)).await;
    assert_eq!(second.mode, ImapMode::Incremental);
    let got: BTreeSet<Vec<u8>> = second.messages.iter().map(|m| normalised(&m.raw)).collect();
    let sent: BTreeSet<Vec<u8>> = mail[3..].iter().map(|m| normalised(m)).collect();
    assert_eq!(got, sent);
    assert_eq!(second.checkpoint.last_uid, 5);

    let third = read(account.config(), Some(second.checkpoint)).await;
    assert_eq!(third.mode, ImapMode::Incremental);
    assert!(third.messages.is_empty());
    assert_eq!(third.checkpoint, second.checkpoint);

    // A renumbered mailbox is read again from the start.
    let stale = ImapCheckpoint {
        uid_validity: second.checkpoint.uid_validity.wrapping_add(1),
        last_uid: 5,
    };
    let fourth = read(account.config(), Some(stale)).await;
    assert_eq!(fourth.mode, ImapMode::FullAfterUidValidityChange);
    assert_eq!(fourth.messages.len(), 5);
}

#[tokio::test]
async fn since_and_the_size_cap_bound_what_is_fetched() {
    let Some(server) = TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let mut account = server.account("bounds");
    let mail = fixtures();
    account.deliver(&mail[0], at(1_672_574_400)); // 2023-01-01
    account.deliver(&mail[1], at(1_717_200_000)); // 2024-06-01
    account.deliver(&mail[2], at(1_717_286_400)); // 2024-06-02

    let since = read(
        account.config().since(time::macros::date!(2024 - 01 - 01)),
        None,
    )
    .await;
    let got: BTreeSet<Vec<u8>> = since.messages.iter().map(|m| normalised(&m.raw)).collect();
    assert_eq!(got, [normalised(&mail[1]), normalised(&mail[2])].into());

    // The PDF invoice is the largest of the three: over a cap between them it is skipped.
    let cap = (mail[1].len().max(mail[2].len()) + 512) as u32;
    assert!(mail[0].len() as u32 > cap);
    let capped = read(account.config().max_message_bytes(cap), None).await;
    assert_eq!(capped.messages.len(), 2);
    assert_eq!(capped.skipped.len(), 1);
    assert!(
        matches!(capped.skipped[0].1, ImapError::TooLarge { limit, .. } if limit == cap),
        "{:?}",
        capped.skipped[0].1
    );
    assert_eq!(
        capped.checkpoint.last_uid, 3,
        "a skipped UID is not read again"
    );
}

#[tokio::test]
async fn imported_mail_goes_through_the_receipt_pipeline() {
    let Some(server) = TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let mut account = server.account("pipeline");
    for raw in fixtures() {
        account.deliver(&raw, SystemTime::now());
    }
    let run = read(account.config(), None).await;
    let mut importer = Importer::default();
    for message in &run.messages {
        importer.import(message).unwrap();
    }
    let stats = importer.stats();
    assert_eq!(stats.messages, 5);
    assert_eq!(stats.receipts, 4, "{stats:?}");
    assert_eq!(stats.by_method.get("pdf"), Some(&1), "{stats:?}");
    assert_eq!(stats.by_kind.get("marketing"), Some(&1), "{stats:?}");
}

#[tokio::test]
async fn failures_are_typed_with_the_servers_words() {
    let Some(server) = TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let account = server.account("failures");

    let wrong = ImapConfig::new(&server.host, &account.user, "not-the-password")
        .port(server.port)
        .root_certificates_pem(std::fs::read(&server.ca_path).unwrap());
    let err = ImapMailbox::connect(wrong).await.unwrap_err();
    assert!(
        matches!(&err, ImapError::Login { message } if message.contains("Authentication failed")),
        "{err:?}"
    );
    assert!(err.to_string().contains("app password"), "{err}");

    // The system's roots do not know the test CA.
    let untrusted =
        ImapConfig::new(&server.host, &account.user, &server.password).port(server.port);
    let err = ImapMailbox::connect(untrusted).await.unwrap_err();
    assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");

    let err = ImapMailbox::connect(account.config().mailbox("Receipts/2019"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ImapError::Mailbox { name, .. } if name == "Receipts/2019"),
        "{err:?}"
    );

    let err = ImapMailbox::connect(account.config().root_certificates_pem("not a certificate"))
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");

    // Nothing listens on port 1.
    let err = ImapMailbox::connect(account.config().port(1))
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Connect { port: 1, .. }), "{err:?}");
}
