//! An IMAP mailbox (read-only, over TLS), resumed from its stored
//! `(UIDVALIDITY, last UID)` checkpoint.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use gmail_receipts::sources::imap::{ImapCheckpoint, ImapConfig, ImapItem, ImapMailbox};

use super::mail_run::{MailItem, MailRun};
use super::{Page, Source, SourceError};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::UserStore;

/// One IMAP mailbox as a source. The first run reads everything (since the
/// configured date); later runs read the UIDs after the stored checkpoint (a
/// changed UIDVALIDITY reads everything again). The checkpoint is stored
/// with the last page, so a run cut short starts again from the previous one.
pub struct ImapSource {
    id: String,
    config: Option<ImapConfig>,
    archive: Arc<MailArchive>,
    run: MailRun,
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
            run: MailRun::new("imap"),
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
            if let Some(previous) = self.run.resume_from(checkpoint) {
                let from: Option<ImapCheckpoint> = serde_json::from_value(previous).ok();
                let config = self
                    .config
                    .take()
                    .ok_or_else(|| SourceError::Invalid("IMAP source reused".into()))?;
                let mailbox = ImapMailbox::connect(config)
                    .await
                    .map_err(SourceError::Imap)?;
                let items = mailbox.messages(from).map(|item| match item {
                    Ok(ImapItem::Message(message)) => Ok(MailItem::Message(message)),
                    Ok(ImapItem::Skipped { uid, error }) => {
                        Ok(MailItem::Skipped(format!("UID {uid}: {error}")))
                    }
                    Ok(ImapItem::Done { checkpoint, .. }) => Ok(MailItem::Done(
                        serde_json::to_value(checkpoint).unwrap_or_default(),
                    )),
                    Err(e) => Err(SourceError::Imap(e)),
                });
                self.run.open(Box::pin(items));
            }
            self.run.next_page(&self.archive, &self.id).await
        })
    }
}
