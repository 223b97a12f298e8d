//! Emails, the receipts read from them, and documents (PDFs).

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::Money;

/// An email as imported. Natural key: `(mailbox, message_id)`.
///
/// The raw message is in the blob store under `raw_key` (compressed,
/// content-addressed), so it can be parsed again without fetching it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    /// The source mailbox (`gmail:alex@example.org`, `imap:host/user/INBOX`, `mbox:/path`).
    pub mailbox: String,
    /// The RFC Message-ID, or the source's own id when the message has none.
    pub message_id: String,
    /// The id within its source (Gmail id, IMAP UID, `path#3`).
    pub source_id: String,
    /// The From header.
    pub from: Option<String>,
    /// The Subject header.
    pub subject: Option<String>,
    /// The Date header, or when the provider received it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date: Option<OffsetDateTime>,
    /// The blob key of the compressed raw message.
    pub raw_key: String,
    /// Size of the raw message in bytes.
    pub raw_size: i64,
    /// SHA-256 of the raw message, lower-case hex.
    pub raw_sha256: String,
    /// Labels or flags from the source.
    pub labels: Vec<String>,
}

/// What the receipt pipeline read from one email. Natural key: the email's
/// `(mailbox, message_id)`; re-parsing updates it in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The email's mailbox.
    pub mailbox: String,
    /// The email's message id.
    pub message_id: String,
    /// The pipeline's kind (`receipt`, `refund`, `shipping`, `marketing`, ...).
    pub kind: String,
    /// The vendor parser that applied, if any.
    pub vendor: Option<String>,
    /// The merchant.
    pub merchant: Option<String>,
    /// The receipt's date.
    pub date: Option<Date>,
    /// The total.
    pub total: Option<Money>,
    /// Order ids found.
    pub order_ids: Vec<String>,
    /// The pipeline's whole result (fields with their stage and confidence).
    pub parsed: serde_json::Value,
}

/// A file that came with an email (a PDF invoice). Natural key:
/// `(mailbox, message_id, part)`. The bytes are stored once by content
/// (`blob_key`), however many emails carry them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The email's mailbox.
    pub mailbox: String,
    /// The email's message id.
    pub message_id: String,
    /// Which attachment of the email (0-based).
    pub part: i64,
    /// The file name the sender gave it.
    pub filename: Option<String>,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The content-addressed blob key.
    pub blob_key: String,
    /// The receipt layout name (`{year}/{month}/{day}/{message_id}/{filename}`)
    /// a person browses by; a name, never the identity.
    pub name: String,
}
