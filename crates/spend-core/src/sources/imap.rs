//! An IMAP mailbox (read-only, over TLS), resumed from its stored
//! `(UIDVALIDITY, last UID)` checkpoint.

use std::pin::Pin;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt};
use gmail_receipts::sources::imap::{ImapCheckpoint, ImapConfig, ImapError, ImapItem, ImapMailbox};

use super::{Page, Source, SourceError, keep};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::{Batch, UserStore};

const PAGE: usize = 100;

type Items = Pin<Box<dyn Stream<Item = Result<ImapItem, ImapError>> + Send>>;

/// One IMAP mailbox as a source. The first run reads everything (since the
/// configured date); later runs read the UIDs after the stored checkpoint (a
/// changed UIDVALIDITY reads everything again). The checkpoint is stored
/// with the last page, so a run cut short starts again from the previous one.
pub struct ImapSource {
    id: String,
    config: Option<ImapConfig>,
    archive: Arc<MailArchive>,
    items: Option<Items>,
    previous: serde_json::Value,
    fetched: u64,
    finished: bool,
}

impl std::fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSource")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ImapSource {
    /// The mailbox `config` names (its id: `imap:USER@HOST/MAILBOX`).
    pub fn new(id: &str, config: ImapConfig, archive: Arc<MailArchive>) -> Self {
        ImapSource {
            id: format!("imap:{id}"),
            config: Some(config),
            archive,
            items: None,
            previous: serde_json::Value::Null,
            fetched: 0,
            finished: false,
        }
    }
}

impl Source for ImapSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn next_page<'a>(
        &'a mut self,
        _user: &'a dyn UserStore,
        checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>> {
        Box::pin(async move {
            if self.finished {
                return Ok(None);
            }
            if self.items.is_none() {
                self.previous = checkpoint
                    .map(|c| c.value["imap"].clone())
                    .unwrap_or_default();
                let from: Option<ImapCheckpoint> =
                    serde_json::from_value(self.previous.clone()).ok();
                let config = self
                    .config
                    .take()
                    .ok_or_else(|| SourceError::Invalid("IMAP source reused".into()))?;
                let mailbox = ImapMailbox::connect(config)
                    .await
                    .map_err(SourceError::Imap)?;
                self.items = Some(Box::pin(mailbox.messages(from)));
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
                    Some(Err(e)) => return Err(SourceError::Imap(e)),
                    Some(Ok(ImapItem::Message(message))) => {
                        self.fetched += 1;
                        keep(&self.archive, &self.id, &message, &mut batch, &mut page).await?;
                    }
                    Some(Ok(ImapItem::Skipped { uid, error })) => {
                        page.skipped.push(format!("UID {uid}: {error}"))
                    }
                    Some(Ok(ImapItem::Done { checkpoint, .. })) => {
                        next = serde_json::to_value(checkpoint).unwrap_or_default();
                        self.finished = true;
                        break;
                    }
                }
            }
            page.batch = batch;
            page.checkpoint = serde_json::json!({ "imap": next });
            page.done = self.fetched;
            Ok(Some(page))
        })
    }
}
