//! Receipts from mailboxes.
//!
//! Every source yields the same [`MailMessage`]: [`sources::Mbox`] (Google
//! Takeout and other exports, read as a stream with bounded memory),
//! [`sources::Maildir`] and [`sources::EmlDir`]. An [`Importer`] runs them
//! through the `receipt-parsers` pipeline and keeps [`ImportStats`]: messages
//! seen, receipts by method and vendor, rejected by reason, errors by stage,
//! bytes and messages per second.
//!
//! The Gmail API, IMAP and the PDF stage join these sources in later releases.
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
