//! IMAP over TLS with an app password (feature `imap`), for mailboxes that
//! cannot or will not grant API access.
//!
//! The mailbox is opened read-only (`EXAMINE`, `BODY.PEEK[]`): reading
//! receipts never marks mail as read. A [`ImapCheckpoint`] (the mailbox's
//! `UIDVALIDITY` and the last UID seen) makes the next run fetch only new
//! mail; when the server renumbers the mailbox (a new `UIDVALIDITY`) the run
//! starts over, as RFC 3501 requires.
//!
//! ```no_run
//! # async fn run() -> Result<(), gmail_receipts::sources::imap::ImapError> {
//! use futures_util::StreamExt;
//! use gmail_receipts::sources::imap::{ImapConfig, ImapItem, ImapMailbox};
//!
//! let config = ImapConfig::new("imap.gmail.com", "alex@example.org", "abcd efgh ijkl mnop")
//!     .mailbox("[Gmail]/All Mail");
//! let mailbox = ImapMailbox::connect(config).await?;
//! let mut messages = Box::pin(mailbox.messages(None));
//! while let Some(item) = messages.next().await {
//!     match item? {
//!         ImapItem::Message(m) => println!("{} ({} bytes)", m.id, m.raw.len()),
//!         ImapItem::Skipped { uid, error } => eprintln!("skipped UID {uid}: {error}"),
//!         ImapItem::Done { checkpoint, .. } => println!("next run from UID {}", checkpoint.last_uid),
//!     }
//! }
//! # Ok(()) }
//! ```

mod config;
mod error;
mod mailbox;
mod tls;
mod uid_set;

pub use config::ImapConfig;
pub use error::ImapError;
pub use mailbox::{ImapCheckpoint, ImapItem, ImapMailbox, ImapMode};
