//! Sources: each fetches one page at a time, normalised into the model, for
//! the [sync engine](crate::sync) to store with its checkpoint.

mod amazon_business;
pub mod files;
mod gmail;
#[cfg(feature = "imap")]
mod imap;
mod mail_bundle;
mod mail_run;
mod mailbox;
mod sp_api;
mod truelayer;

pub use amazon_business::AmazonBusinessSource;
pub use gmail::GmailSource;
#[cfg(feature = "imap")]
pub use imap::ImapSource;
pub use mailbox::MailboxFiles;
pub use sp_api::SpApiSource;
pub use truelayer::{TrueLayerSource, TrueLayerSourceBuilder};

use futures_util::future::BoxFuture;

use crate::model::Checkpoint;
use crate::store::{Batch, UserStore};

/// One page from a source: records to store, and the checkpoint that says
/// they are in (stored in the same transaction).
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The records (and removals).
    pub batch: Batch,
    /// Where the source will resume after this page (opaque to the engine).
    pub checkpoint: serde_json::Value,
    /// Units done so far in this run (messages, accounts, orders).
    pub done: u64,
    /// Units in all, when known.
    pub total: Option<u64>,
    /// Bytes read for this page.
    pub bytes: u64,
    /// Items skipped with an error, each with why (`path#3: too large`).
    pub skipped: Vec<String>,
}

/// Keeps one message through `archive` (raw bytes and PDFs into the blob
/// store) and adds its rows to `batch`; a message that is not an email is
/// skipped with a note on the page.
pub(crate) async fn keep(
    archive: &crate::mail::MailArchive,
    mailbox: &str,
    message: &gmail_receipts::MailMessage,
    batch: &mut Batch,
    page: &mut Page,
) -> Result<(), SourceError> {
    page.bytes += message.raw.len() as u64;
    match archive.prepare(mailbox, message).await {
        Ok(kept) => {
            batch.emails.push(kept.email);
            batch.receipts.push(kept.receipt);
            batch.documents.extend(kept.documents);
            Ok(())
        }
        Err(crate::mail::ArchiveError::Unparseable(id)) => {
            page.skipped.push(format!("{id}: not an email"));
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// What a source can fail with: the provider's own error inside.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// TrueLayer answered with an error.
    #[error(transparent)]
    TrueLayer(#[from] truelayer_client::Error),
    /// Amazon (SP-API or Login with Amazon) answered with an error.
    #[error(transparent)]
    Amazon(amazon_sp_client::Error),
    /// A daily allowance (TrueLayer's unattended calls) is spent; the sync
    /// stopped before calling.
    #[error("{source_id}: today's allowance of {limit} unattended syncs is spent; {hint}")]
    AllowanceSpent {
        /// The source.
        source_id: String,
        /// The allowance.
        limit: i64,
        /// What to do.
        hint: String,
    },
    /// The provider refused the stored grant: the person must connect again.
    #[error(
        "{provider} connection {name:?} needs to be authorised again (`spend connect {provider}`): {detail}"
    )]
    NeedsReauthorisation {
        /// The provider.
        provider: String,
        /// The connection.
        name: String,
        /// The provider's words.
        detail: String,
    },
    /// Gmail answered with an error.
    #[error(transparent)]
    Gmail(#[from] gmail_receipts::google::GmailError),
    /// The IMAP server answered with an error (its words inside).
    #[cfg(feature = "imap")]
    #[error(transparent)]
    Imap(gmail_receipts::sources::imap::ImapError),
    /// A mailbox could not be read.
    #[error(transparent)]
    Mailbox(#[from] gmail_receipts::SourceError),
    /// Mail could not be kept.
    #[error(transparent)]
    Archive(#[from] crate::mail::ArchiveError),
    /// The store failed while the source read from it.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The provider sent a value the model cannot hold.
    #[error("{0}")]
    Invalid(String),
}

/// A source of records: the engine calls [`next_page`](Source::next_page)
/// until it returns `None`.
pub trait Source: Send {
    /// The source's id: its checkpoint key (`truelayer:main`, `mbox:/path`).
    fn id(&self) -> &str;

    /// The next page, resuming from `checkpoint` (the one stored with the
    /// last page written, or `None` the first time). A source may read the
    /// user's store (to find pending rows it replaces, for example).
    fn next_page<'a>(
        &'a mut self,
        user: &'a dyn UserStore,
        checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>>;
}
