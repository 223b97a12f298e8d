//! The sync engine: runs a [`Source`] page by page, writing each page and its
//! checkpoint in one transaction (a crash repeats a page, never skips one),
//! reporting progress, and recording every run's summary in the store.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use spend_core::sources::MailboxFiles;
//! use spend_core::mail::MailArchive;
//! use spend_core::store::{SqliteStore, Store};
//! use spend_core::sync::SyncEngine;
//!
//! let store = SqliteStore::in_memory().await?;
//! let alex = store.user(store.ensure_user("alex").await?);
//! let archive = Arc::new(MailArchive::new(alex.clone(), Arc::new(blob_store::MemoryStore::new())));
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../gmail-receipts/tests/fixtures");
//! let mut source = MailboxFiles::open(gmail_receipts::sources::SourceKind::Eml, &dir, archive)?;
//! let outcome = SyncEngine::new(alex.clone()).run(&mut source, &mut |_| {}).await?;
//! assert_eq!(outcome.written.emails.inserted, 2);
//! # Ok(()) }
//! ```

mod engine;

pub use crate::sources::{Page, Source, SourceError};
pub use engine::{Progress, SyncEngine, SyncError, SyncOutcome};
