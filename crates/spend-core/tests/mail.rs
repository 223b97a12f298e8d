//! Mail kept raw (compressed, content-addressed) and parsed again in place;
//! attachments stored once by content. Fixtures: the receipt-parsers corpus
//! (anonymised real vendor mail) and gmail-receipts' PDF invoice mail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use blob_store::{BlobStore, Key, LocalStore};
use gmail_receipts::MailMessage;
use spend_core::mail::MailArchive;
use spend_core::store::{Batch, SqliteStore, Store};

fn crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-mail-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        "receipt-parsers/tests/fixtures",
        "receipt-parsers/tests/fixtures/vendors",
    ] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(crates().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        for p in paths {
            out.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            ));
        }
    }
    out
}

#[tokio::test]
async fn every_imported_email_is_kept_raw_and_reparsed_in_place() {
    let root = temp("reparse");
    let store = SqliteStore::open(root.join("spend.db")).await.unwrap();
    let alex = store.user(store.ensure_user("alex").await.unwrap());
    let blobs: Arc<dyn BlobStore> = Arc::new(LocalStore::new(root.join("blobs")));
    let archive = MailArchive::new(alex.clone(), blobs.clone());
    let mail = fixtures();
    assert!(mail.len() > 60, "the corpus: {}", mail.len());
    let mut compressed = 0u64;
    let mut raw_total = 0u64;
    for (name, raw) in &mail {
        let kept = archive
            .keep(
                "mbox:fixtures",
                &MailMessage::new(name.clone(), raw.clone()),
            )
            .await
            .unwrap();
        assert_eq!(
            &archive.raw(&kept.email).await.unwrap(),
            raw,
            "{name} kept byte for byte"
        );
        let head = blobs
            .head(&Key::new(kept.email.raw_key.clone()).unwrap())
            .await
            .unwrap()
            .unwrap();
        compressed += head.size;
        raw_total += raw.len() as u64;
    }
    assert!(
        compressed < raw_total,
        "kept compressed: {compressed} of {raw_total} bytes"
    );
    let emails = alex.emails(None, 1000).await.unwrap();
    assert_eq!(emails.len(), mail.len(), "one row per message");

    // Importing the same mail again changes nothing and uploads nothing.
    for (name, raw) in &mail {
        let again = archive
            .keep(
                "mbox:fixtures",
                &MailMessage::new(name.clone(), raw.clone()),
            )
            .await
            .unwrap();
        assert!(!again.raw_uploaded, "{name}: raw stored once");
        assert_eq!(
            again.written.emails.written() + again.written.receipts.written(),
            0,
            "{name}"
        );
    }

    // An older parser's results (no totals, no kinds) are brought up to date
    // by reparse, from the kept mail alone.
    let current = alex.receipts(None).await.unwrap();
    let stale: Vec<_> = current
        .iter()
        .cloned()
        .map(|mut r| {
            r.kind = "other".into();
            r.total = None;
            r.parsed = serde_json::json!({"parser": "old"});
            r
        })
        .collect();
    alex.write(Batch::default().receipts(stale)).await.unwrap();
    let reparsed = archive.reparse().await.unwrap();
    assert_eq!(reparsed.emails, mail.len() as u64);
    assert_eq!(
        reparsed.updated,
        mail.len() as u64,
        "every stale receipt updated"
    );
    assert_eq!(
        alex.receipts(None).await.unwrap(),
        current,
        "the current pipeline's results again"
    );
    let receipts = current
        .iter()
        .filter(|r| r.kind == "receipt" && r.total.is_some())
        .count();
    assert!(receipts > 40, "receipts with totals: {receipts}");
    let again = archive.reparse().await.unwrap();
    assert_eq!(
        (again.updated, again.unchanged),
        (0, mail.len() as u64),
        "a second reparse changes nothing"
    );
}

/// A multipart mail carrying `attachments` (file name, bytes).
fn mail_with(message_id: &str, attachments: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = format!(
        "From: Northwind Hosting Billing <billing@northwind-hosting.example>\r\nTo: Alex Example <alex@example.org>\r\n\
         Subject: Your Northwind Hosting invoice\r\nDate: Wed, 03 Apr 2024 09:15:00 +0000\r\nMessage-ID: {message_id}\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_inv\"\r\n\r\n\
         --=_inv\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour invoice is attached as a PDF.\r\n"
    );
    for (name, bytes) in attachments {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        m.push_str(&format!(
            "--=_inv\r\nContent-Type: application/pdf; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        ));
        for line in b64.as_bytes().chunks(76) {
            m.push_str(std::str::from_utf8(line).unwrap());
            m.push_str("\r\n");
        }
    }
    m.push_str("--=_inv--\r\n");
    m.into_bytes()
}

#[tokio::test]
async fn the_same_bytes_are_stored_once_and_same_names_never_overwrite() {
    let root = temp("dedup");
    let store = SqliteStore::in_memory().await.unwrap();
    let alex = store.user(store.ensure_user("alex").await.unwrap());
    let blobs: Arc<dyn BlobStore> = Arc::new(LocalStore::new(root.join("blobs")));
    let archive = MailArchive::new(alex.clone(), blobs.clone());
    let invoice =
        std::fs::read(crates().join("gmail-receipts/tests/fixtures/invoice.pdf")).unwrap();
    let mut other = invoice.clone();
    other.extend_from_slice(b"\n% a second invoice\n");

    let original =
        std::fs::read(crates().join("gmail-receipts/tests/fixtures/pdf-invoice.eml")).unwrap();
    archive
        .keep("imap:inbox", &MailMessage::new("1", original))
        .await
        .unwrap();
    archive
        .keep(
            "imap:inbox",
            &MailMessage::new(
                "2",
                mail_with(
                    "<resent@northwind-hosting.example>",
                    &[("invoice.pdf", &invoice)],
                ),
            ),
        )
        .await
        .unwrap();
    let twins = archive
        .keep(
            "imap:inbox",
            &MailMessage::new(
                "3",
                mail_with(
                    "<twins@northwind-hosting.example>",
                    &[("invoice.pdf", &invoice), ("invoice.pdf", &other)],
                ),
            ),
        )
        .await
        .unwrap();

    let documents = alex.documents(None).await.unwrap();
    assert_eq!(
        documents.len(),
        4,
        "a row for every attachment of every mail"
    );
    let distinct: BTreeSet<&str> = documents.iter().map(|d| d.blob_key.as_str()).collect();
    assert_eq!(distinct.len(), 2, "two distinct PDFs: {distinct:?}");
    assert_eq!(
        blobs.list("documents/").await.unwrap().len(),
        2,
        "each stored once"
    );
    // The two same-named attachments of one mail both survive, each with its own bytes.
    assert_eq!(twins.documents.len(), 2);
    assert_eq!(
        twins.documents[0].name, twins.documents[1].name,
        "the same layout name"
    );
    for (doc, bytes) in twins.documents.iter().zip([&invoice, &other]) {
        let blob = blobs
            .get(&Key::new(doc.blob_key.clone()).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&blob.bytes, bytes, "part {} kept its own bytes", doc.part);
    }
}
