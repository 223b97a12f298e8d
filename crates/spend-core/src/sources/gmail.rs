//! Gmail through the API: a full sync first, then incremental from the
//! stored history id (an expired one falls back to a full sync from the last
//! message date, which the client handles).

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use gmail_receipts::google::{Checkpoint as GmailCheckpoint, Gmail, SyncItem, SyncOptions};

use super::mail_run::{MailItem, MailRun};
use super::{Page, Source, SourceError};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::UserStore;

/// One Gmail account as a source. Pages of messages are stored as they
/// arrive; Gmail's checkpoint (history id) is stored with the last page
/// only, so a sync cut short runs again from the previous checkpoint (the
/// repeat is harmless: every write is an upsert).
pub struct GmailSource {
    id: String,
    gmail: Gmail,
    archive: Arc<MailArchive>,
    options: SyncOptions,
    run: MailRun,
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
            run: MailRun::new("gmail"),
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
            if let Some(previous) = self.run.resume_from(checkpoint) {
                let from: Option<GmailCheckpoint> = serde_json::from_value(previous).ok();
                let items = self
                    .gmail
                    .sync(self.options.clone(), from)
                    .map(|item| match item {
                        Ok(SyncItem::Message(message)) => Ok(MailItem::Message(message)),
                        Ok(SyncItem::Skipped { id, error }) => {
                            Ok(MailItem::Skipped(format!("{id}: {error}")))
                        }
                        Ok(SyncItem::Done { checkpoint, .. }) => Ok(MailItem::Done(
                            serde_json::to_value(checkpoint).unwrap_or_default(),
                        )),
                        Err(e) => Err(SourceError::Gmail(e)),
                    });
                self.run.open(Box::pin(items));
            }
            self.run.next_page(&self.archive, &self.id).await
        })
    }
}
