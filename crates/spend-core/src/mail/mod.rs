//! Mail kept raw: every imported email is stored compressed and
//! content-addressed in the blob store, its receipt and PDFs beside it, so
//! [`MailArchive::reparse`] can run newer parsers without fetching again.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), spend_core::mail::ArchiveError> {
//! use std::sync::Arc;
//! use gmail_receipts::MailMessage;
//! use spend_core::mail::MailArchive;
//! use spend_core::store::{SqliteStore, Store};
//!
//! let store = SqliteStore::in_memory().await?;
//! let alex = store.user(store.ensure_user("alex").await?);
//! let archive = MailArchive::new(alex.clone(), Arc::new(blob_store::MemoryStore::new()));
//! let raw = b"Message-ID: <1@shop.example>\r\nFrom: orders@shop.example\r\nSubject: Your receipt\r\n\r\nTotal: \xc2\xa312.50\r\n";
//! let kept = archive.keep("mbox:/tmp/export.mbox", &MailMessage::new("export.mbox#0", raw.to_vec())).await?;
//! assert_eq!(kept.email.message_id, "1@shop.example");
//! assert_eq!(archive.raw(&kept.email).await?, raw.to_vec(), "kept whole");
//! let again = archive.reparse().await?;
//! assert_eq!(again.emails, 1);
//! # Ok(()) }
//! ```

mod archive;
mod convert;

pub use archive::{ArchiveError, ArchiveStats, Kept, MailArchive, Reparsed, trust_of};
