//! What Gmail and IMAP sources share: a stream of messages that ends with
//! the provider's checkpoint, turned into pages of kept mail. The checkpoint
//! is stored with the last page only, so a run cut short starts again from
//! the previous one (the repeat is harmless: every write is an upsert).

use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use gmail_receipts::MailMessage;

use super::{Page, SourceError, keep};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::Batch;

/// Messages a page.
const PAGE: usize = 100;

/// One item of a provider's message stream.
pub(crate) enum MailItem {
    /// A message.
    Message(MailMessage),
    /// A message the provider could not give, and why.
    Skipped(String),
    /// The end, with the provider's checkpoint.
    Done(serde_json::Value),
}

pub(crate) type MailItems = Pin<Box<dyn Stream<Item = Result<MailItem, SourceError>> + Send>>;

/// A run over one message stream.
pub(crate) struct MailRun {
    key: &'static str,
    items: Option<MailItems>,
    previous: serde_json::Value,
    fetched: u64,
    finished: bool,
}

impl MailRun {
    /// A run whose checkpoint is stored under `key` (`gmail`, `imap`).
    pub(crate) fn new(key: &'static str) -> Self {
        MailRun {
            key,
            items: None,
            previous: serde_json::Value::Null,
            fetched: 0,
            finished: false,
        }
    }

    /// The provider's checkpoint to start from, when the stream is still to
    /// be opened (`None` once it is open or done).
    pub(crate) fn resume_from(
        &mut self,
        checkpoint: Option<&Checkpoint>,
    ) -> Option<serde_json::Value> {
        if self.items.is_some() || self.finished {
            return None;
        }
        self.previous = checkpoint
            .map(|c| c.value[self.key].clone())
            .unwrap_or_default();
        Some(self.previous.clone())
    }

    /// Sets the opened stream.
    pub(crate) fn open(&mut self, items: MailItems) {
        self.items = Some(items);
    }

    /// The next page: up to 100 messages kept through `archive` as `mailbox`.
    pub(crate) async fn next_page(
        &mut self,
        archive: &MailArchive,
        mailbox: &str,
    ) -> Result<Option<Page>, SourceError> {
        if self.finished {
            return Ok(None);
        }
        let Some(items) = self.items.as_mut() else {
            return Ok(None);
        };
        let mut page = Page::default();
        let mut batch = Batch::default();
        let mut next = self.previous.clone();
        while batch.emails.len() < PAGE {
            match items.next().await {
                None => {
                    self.finished = true;
                    break;
                }
                Some(Err(e)) => return Err(e),
                Some(Ok(MailItem::Message(message))) => {
                    self.fetched += 1;
                    keep(archive, mailbox, &message, &mut batch, &mut page).await?;
                }
                Some(Ok(MailItem::Skipped(why))) => page.skipped.push(why),
                Some(Ok(MailItem::Done(checkpoint))) => {
                    next = checkpoint;
                    self.finished = true;
                    break;
                }
            }
        }
        page.batch = batch;
        page.checkpoint = serde_json::json!({ self.key: next });
        page.done = self.fetched;
        Ok(Some(page))
    }
}
