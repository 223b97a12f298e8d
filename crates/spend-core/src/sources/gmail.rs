//! Gmail through the API: a full sync first, then incremental from the
//! stored history id (an expired one falls back to a full sync from the last
//! message date, which the client handles).

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use gmail_receipts::google::{
    Checkpoint as GmailCheckpoint, Gmail, SyncItem, SyncOptions, SyncStream,
};

use super::{Page, Source, SourceError, keep};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::{Batch, UserStore};

const PAGE: usize = 100;

/// One Gmail account as a source. Pages of messages are stored as they
/// arrive; Gmail's checkpoint (history id) is stored with the last page
/// only, so a sync cut short runs again from the previous checkpoint (the
/// repeat is harmless: every write is an upsert).
pub struct GmailSource {
    id: String,
    gmail: Gmail,
    archive: Arc<MailArchive>,
    options: SyncOptions,
    stream: Option<SyncStream>,
    previous: serde_json::Value,
    fetched: u64,
    finished: bool,
}

impl std::fmt::Debug for GmailSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSource")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl GmailSource {
    /// The Gmail account `address`, read through `gmail` (built with a
    /// vault-backed token source), mail kept through `archive`.
    pub fn new(
        address: &str,
        gmail: Gmail,
        archive: Arc<MailArchive>,
        options: SyncOptions,
    ) -> Self {
        GmailSource {
            id: format!("gmail:{address}"),
            gmail,
            archive,
            options,
            stream: None,
            previous: serde_json::Value::Null,
            fetched: 0,
            finished: false,
        }
    }
}

impl Source for GmailSource {
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
            if self.stream.is_none() {
                self.previous = checkpoint
                    .map(|c| c.value["gmail"].clone())
                    .unwrap_or_default();
                let from: Option<GmailCheckpoint> =
                    serde_json::from_value(self.previous.clone()).ok();
                self.stream = Some(self.gmail.sync(self.options.clone(), from));
            }
            let Some(stream) = self.stream.as_mut() else {
                return Ok(None);
            };
            let mut page = Page::default();
            let mut batch = Batch::default();
            let mut next = self.previous.clone();
            while batch.emails.len() < PAGE {
                match stream.next().await {
                    None => {
                        self.finished = true;
                        break;
                    }
                    Some(Err(e)) => return Err(SourceError::Gmail(e)),
                    Some(Ok(SyncItem::Message(message))) => {
                        self.fetched += 1;
                        keep(&self.archive, &self.id, &message, &mut batch, &mut page).await?;
                    }
                    Some(Ok(SyncItem::Skipped { id, error })) => {
                        page.skipped.push(format!("{id}: {error}"))
                    }
                    Some(Ok(SyncItem::Done { checkpoint, .. })) => {
                        next = serde_json::to_value(checkpoint).unwrap_or_default();
                        self.finished = true;
                        break;
                    }
                }
            }
            page.batch = batch;
            page.checkpoint = serde_json::json!({ "gmail": next });
            page.done = self.fetched;
            Ok(Some(page))
        })
    }
}
