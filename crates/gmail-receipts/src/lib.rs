//! Receipts from email: the Gmail API, IMAP and mailbox exports, through the
//! `receipt-parsers` pipeline with a PDF stage.
//!
//! Every source yields the same [`MailMessage`]:
//!
//! | source | where | feature |
//! |---|---|---|
//! | Gmail API: full sync over a receipt query, incremental from a history id, fallback when the history expired | [`google::Gmail::sync`] | `api` (default) |
//! | IMAP over TLS with an app password, read-only, UID checkpoints | [`sources::imap`] | `imap` |
//! | mbox (Google Takeout; streamed, bounded memory) | [`sources::Mbox`] | |
//! | Maildir | [`sources::Maildir`] | |
//! | a folder of `.eml` files | [`sources::EmlDir`] | |
//!
//! An [`Importer`] runs messages through the pipeline, reads PDF attachments
//! when the email alone has no total (an invoice whose amount is only in the
//! PDF), hands back the PDF bytes for a blob store, and keeps
//! [`ImportStats`]: messages seen, receipts by method and vendor, rejected by
//! reason, errors by stage, bytes and messages per second.
//!
//! The `testkit` feature adds a Gmail API and Google OAuth simulator
//! ([`testkit::GmailSimulator`]) that enforces the per-user quota.
//!
//! ```
//! use gmail_receipts::{Importer, sources::Mbox};
//!
//! let mbox = b"From a@b Mon Jan  1 00:00:00 2024\nFrom: Shop <orders@shop.example>\nSubject: Your order confirmation\n\nOrder #A-1\nOrder total: \xc2\xa35.00\n";
//! let mut importer = Importer::default();
//! for message in Mbox::new(&mbox[..]) {
//!     importer.import(&message.unwrap());
//! }
//! assert_eq!(importer.stats().receipts, 1);
//! ```
#![deny(missing_docs)]

#[cfg(feature = "api")]
pub mod google;
mod import;
mod message;
mod pdf;
pub mod sources;
mod summary;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use import::{ImportStats, Imported, Importer};
pub use message::{MailMessage, SourceError};
pub use pdf::{PdfAttachment, PdfError, PdfLimits, pdf_attachments, pdf_text};
