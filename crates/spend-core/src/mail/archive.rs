//! Keeping mail raw and parsing it again.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use blob_store::{BlobStore, Key, Metadata, put_content, receipt_key, sha256_hex};
use gmail_receipts::{Importer, MailMessage};
use receipt_parsers::Pipeline;
use serde::Serialize;

use super::convert;
use crate::model::{Document, Email, Receipt};
use crate::store::{Batch, StoreError, UserStore, Written};

/// What can go wrong keeping or re-reading mail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Blob(#[from] blob_store::Error),
    /// An email's raw message is not in the blob store.
    #[error("the raw message of {message_id} ({mailbox}) is missing from the blob store at {key}")]
    Missing {
        /// The mailbox.
        mailbox: String,
        /// The message id.
        message_id: String,
        /// Where it should be.
        key: String,
    },
    /// A stored raw message could not be decompressed.
    #[error("the raw message at {key} is corrupt: {source}")]
    Corrupt {
        /// Its blob key.
        key: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The receipt pipeline could not read the message at all.
    #[error("message {0} could not be parsed as an email")]
    Unparseable(String),
}

/// What [`MailArchive::keep`] stored for one message.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The email row.
    pub email: Email,
    /// What the pipeline read from it.
    pub receipt: Receipt,
    /// Its PDF attachments.
    pub documents: Vec<Document>,
    /// Whether the raw bytes were new to the blob store.
    pub raw_uploaded: bool,
    /// What the store write did.
    pub written: Written,
}

/// What [`MailArchive::reparse`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reparsed {
    /// Emails read back from the blob store and parsed again.
    pub emails: u64,
    /// Receipts whose content changed.
    pub updated: u64,
    /// Receipts the current pipeline reads the same.
    pub unchanged: u64,
    /// Emails that could not be parsed (counted, skipped).
    pub failed: u64,
}

/// What an archive has done since it was made: the receipt pipeline's
/// statistics and what went into the blob store.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArchiveStats {
    /// Messages, receipts, kinds, methods, vendors, rejections, errors.
    #[serde(flatten)]
    pub import: gmail_receipts::ImportStats,
    /// PDFs new to the blob store.
    pub pdfs_stored: u64,
    /// PDFs whose bytes were stored already.
    pub pdfs_already_stored: u64,
}

/// One user's mail: kept raw in a blob store, parsed into the store.
pub struct MailArchive {
    user: Arc<dyn UserStore>,
    blobs: Arc<dyn BlobStore>,
    importer: Mutex<Importer>,
    pdfs_stored: AtomicU64,
    pdfs_already: AtomicU64,
}

impl std::fmt::Debug for MailArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailArchive")
            .field("user", &self.user.user_id())
            .finish_non_exhaustive()
    }
}

const RAW_PREFIX: &str = "mail";
const DOCUMENT_PREFIX: &str = "documents";
const PAGE: u32 = 200;

/// Whose `Authentication-Results` count for mail of `mailbox`: Gmail's own
/// (`mx.google.com`) for a Gmail mailbox; for IMAP servers and files, the
/// topmost header, which the person's receiving server wrote last.
///
/// ```
/// use receipt_parsers::auth::Trust;
/// assert_eq!(spend_core::mail::trust_of("gmail:alex@example.com"), Trust::authserv_ids(["mx.google.com"]));
/// assert_eq!(spend_core::mail::trust_of("mbox:export.mbox"), Trust::Topmost);
/// ```
pub fn trust_of(mailbox: &str) -> receipt_parsers::auth::Trust {
    use receipt_parsers::auth::Trust;
    if mailbox.starts_with("gmail:") || mailbox == "gmail" {
        Trust::authserv_ids(["mx.google.com"])
    } else {
        Trust::Topmost
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    encoder.write_all(bytes).ok();
    encoder.finish().unwrap_or_default()
}

impl MailArchive {
    /// An archive for `user` with its blobs in `blobs`, parsing with the default pipeline.
    pub fn new(user: Arc<dyn UserStore>, blobs: Arc<dyn BlobStore>) -> Self {
        MailArchive::with_pipeline(user, blobs, Pipeline::default())
    }

    /// The same, parsing with `pipeline`.
    pub fn with_pipeline(
        user: Arc<dyn UserStore>,
        blobs: Arc<dyn BlobStore>,
        pipeline: Pipeline,
    ) -> Self {
        MailArchive {
            user,
            blobs,
            importer: Mutex::new(Importer::new(pipeline)),
            pdfs_stored: AtomicU64::new(0),
            pdfs_already: AtomicU64::new(0),
        }
    }

    /// What this archive has done so far.
    pub fn stats(&self) -> ArchiveStats {
        ArchiveStats {
            import: self
                .importer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .stats(),
            pdfs_stored: self.pdfs_stored.load(Ordering::Relaxed),
            pdfs_already_stored: self.pdfs_already.load(Ordering::Relaxed),
        }
    }

    /// Counts a message a source could not yield (in the statistics).
    pub fn source_error(&self, error: &gmail_receipts::SourceError) {
        self.importer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .source_error(error);
    }

    /// Parses a message of `mailbox`, trusting only the verdicts of that
    /// mailbox's receiving server.
    fn parse(&self, mailbox: &str, message: &MailMessage) -> Option<gmail_receipts::Imported> {
        let mut importer = self.importer.lock().unwrap_or_else(|e| e.into_inner());
        importer.set_trust(trust_of(mailbox));
        importer.import(message)
    }

    /// Keeps `message` from `mailbox`: its raw bytes (compressed,
    /// content-addressed), the email row, what the pipeline reads from it,
    /// and its PDFs (each stored once by content), in one store transaction.
    pub async fn keep(&self, mailbox: &str, message: &MailMessage) -> Result<Kept, ArchiveError> {
        let mut kept = self.prepare(mailbox, message).await?;
        kept.written = self
            .user
            .write(
                Batch::default()
                    .emails(vec![kept.email.clone()])
                    .receipts(vec![kept.receipt.clone()])
                    .documents(kept.documents.clone()),
            )
            .await?;
        Ok(kept)
    }

    /// Stores `message`'s bytes and PDFs in the blob store and returns the
    /// rows to write, without writing them: a sync engine writes the rows of a
    /// page with its checkpoint in one transaction. (`written` is empty.)
    pub async fn prepare(
        &self,
        mailbox: &str,
        message: &MailMessage,
    ) -> Result<Kept, ArchiveError> {
        let imported = self
            .parse(mailbox, message)
            .ok_or_else(|| ArchiveError::Unparseable(message.id.clone()))?;
        let parsed = &imported.parsed;
        let message_id = parsed
            .message_id
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| format!("{mailbox}#{}", message.id));
        let raw = put_content(
            self.blobs.as_ref(),
            RAW_PREFIX,
            ".eml.gz",
            gzip(&message.raw),
            Metadata {
                content_type: "application/gzip".into(),
                message_id: Some(message_id.clone()),
                ..Metadata::default()
            },
        )
        .await?;
        let date = convert::email_date(message.internal_date, parsed);
        let email = Email {
            mailbox: mailbox.to_owned(),
            message_id: message_id.clone(),
            source_id: message.id.clone(),
            from: parsed.from.clone(),
            subject: parsed.subject.clone(),
            date,
            raw_key: raw.key.to_string(),
            raw_size: message.raw.len() as i64,
            raw_sha256: sha256_hex(&message.raw),
            labels: message.labels.clone(),
        };
        let day = date
            .map(|d| d.date())
            .unwrap_or(time::macros::date!(1970 - 01 - 01));
        let mut documents = Vec::with_capacity(imported.pdfs.len());
        for (part, pdf) in imported.pdfs.iter().enumerate() {
            let filename = pdf.filename.clone();
            let shown = filename
                .clone()
                .unwrap_or_else(|| format!("attachment-{part}.pdf"));
            let mut metadata =
                Metadata::for_bytes(&pdf.bytes, "application/pdf").message_id(&message_id);
            metadata.original_filename = filename.clone();
            let stored = put_content(
                self.blobs.as_ref(),
                DOCUMENT_PREFIX,
                ".pdf",
                pdf.bytes.clone(),
                metadata,
            )
            .await?;
            let counter = if stored.uploaded {
                &self.pdfs_stored
            } else {
                &self.pdfs_already
            };
            counter.fetch_add(1, Ordering::Relaxed);
            documents.push(Document {
                mailbox: mailbox.to_owned(),
                message_id: message_id.clone(),
                part: part as i64,
                filename,
                content_type: "application/pdf".into(),
                size: pdf.bytes.len() as i64,
                sha256: sha256_hex(&pdf.bytes),
                blob_key: stored.key.to_string(),
                name: receipt_key(day, &message_id, &shown).to_string(),
            });
        }
        let receipt = convert::receipt(mailbox, &message_id, parsed);
        Ok(Kept {
            email,
            receipt,
            documents,
            raw_uploaded: raw.uploaded,
            written: Written::default(),
        })
    }

    /// The raw bytes of a kept email.
    pub async fn raw(&self, email: &Email) -> Result<Vec<u8>, ArchiveError> {
        let key = Key::new(email.raw_key.clone())?;
        let blob = self
            .blobs
            .get(&key)
            .await?
            .ok_or_else(|| ArchiveError::Missing {
                mailbox: email.mailbox.clone(),
                message_id: email.message_id.clone(),
                key: email.raw_key.clone(),
            })?;
        let mut raw = Vec::with_capacity(email.raw_size.max(0) as usize);
        flate2::read::GzDecoder::new(blob.bytes.as_slice())
            .read_to_end(&mut raw)
            .map_err(|source| ArchiveError::Corrupt {
                key: email.raw_key.clone(),
                source,
            })?;
        Ok(raw)
    }

    /// Runs the current pipeline over every kept email (read back from the
    /// blob store, never fetched again) and updates the receipts in place.
    /// An email that cannot be read back is an error; one the pipeline cannot
    /// parse is counted under `failed` and skipped.
    pub async fn reparse(&self) -> Result<Reparsed, ArchiveError> {
        let mut out = Reparsed::default();
        let mut after: Option<(String, String)> = None;
        loop {
            let page = self
                .user
                .emails(after.as_ref().map(|(m, i)| (m.as_str(), i.as_str())), PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.mailbox.clone(), last.message_id.clone()));
            let mut receipts = Vec::with_capacity(page.len());
            for email in &page {
                out.emails += 1;
                let raw = self.raw(email).await?;
                let mut message = MailMessage::new(email.source_id.clone(), raw);
                message.labels = email.labels.clone();
                match self.parse(&email.mailbox, &message) {
                    Some(imported) => receipts.push(convert::receipt(
                        &email.mailbox,
                        &email.message_id,
                        &imported.parsed,
                    )),
                    None => out.failed += 1,
                }
            }
            let written = self.user.write(Batch::default().receipts(receipts)).await?;
            out.updated += written.receipts.updated + written.receipts.inserted;
            out.unchanged += written.receipts.unchanged;
        }
        Ok(out)
    }
}
