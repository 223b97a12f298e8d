//! mbox files, Maildir folders and folders of `.eml` files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use gmail_receipts::sources::{Messages, SourceKind};

use super::{Page, Source, SourceError, keep};
use crate::mail::MailArchive;
use crate::model::Checkpoint;
use crate::store::{Batch, UserStore};

/// Messages per page.
const PAGE: usize = 200;

/// A mailbox export read front to back; the checkpoint is how many messages
/// are stored, so an interrupted import resumes after the last stored page.
/// Every message is kept raw through the [`MailArchive`].
pub struct MailboxFiles {
    id: String,
    messages: Messages,
    archive: Arc<MailArchive>,
    position: u64,
    started: bool,
    finished: bool,
    page: usize,
}

impl std::fmt::Debug for MailboxFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxFiles")
            .field("id", &self.id)
            .field("position", &self.position)
            .finish()
    }
}

impl MailboxFiles {
    /// Opens `path` as a mailbox of `kind`; its id (and mailbox name) is
    /// `KIND:ABSOLUTE-PATH`.
    pub fn open(
        kind: SourceKind,
        path: &Path,
        archive: Arc<MailArchive>,
    ) -> Result<Self, SourceError> {
        let (id, messages) = Self::read(kind, path)?;
        Ok(Self::with_messages(id, messages, archive))
    }

    /// The id (`KIND:ABSOLUTE-PATH`) and messages of the mailbox at `path`.
    fn read(kind: SourceKind, path: &Path) -> Result<(String, Messages), SourceError> {
        let (id, absolute) =
            Self::id_of(kind, path).map_err(|source| gmail_receipts::SourceError::Io {
                path: path.display().to_string(),
                source,
            })?;
        Ok((id, kind.open(&absolute)?))
    }

    /// The id a mailbox of `kind` at `path` is filed under
    /// (`KIND:ABSOLUTE-PATH`), and that absolute path.
    pub(crate) fn id_of(kind: SourceKind, path: &Path) -> std::io::Result<(String, PathBuf)> {
        let absolute = std::fs::canonicalize(path)?;
        let name = match kind {
            SourceKind::Mbox => "mbox",
            SourceKind::Maildir => "maildir",
            SourceKind::Eml => "eml",
        };
        Ok((format!("{name}:{}", absolute.display()), absolute))
    }

    fn with_messages(id: String, messages: Messages, archive: Arc<MailArchive>) -> Self {
        MailboxFiles {
            id,
            messages,
            archive,
            position: 0,
            started: false,
            finished: false,
            page: PAGE,
        }
    }

    /// Packs the mailbox folder at `path` into one bundle (its messages
    /// with their ids and flags, in order, and the reasons of those that
    /// could not be read); its id too.
    pub(crate) fn pack(kind: SourceKind, path: &Path) -> Result<(String, Vec<u8>), SourceError> {
        let (id, messages) = Self::read(kind, path)?;
        Ok((id, super::mail_bundle::pack(messages)))
    }

    /// The mailbox of a bundle [`pack`](Self::pack) made, filed under the
    /// id it had there: its emails are the same rows a direct import of the
    /// folder stores.
    pub(crate) fn from_bundle(id: String, bundle: Vec<u8>, archive: Arc<MailArchive>) -> Self {
        let messages = super::mail_bundle::unpack(bundle, id.clone());
        Self::with_messages(id, messages, archive)
    }

    /// Files the mailbox under `id` (and as its mailbox name) instead of
    /// its path here: a worker reading a copy of someone's export keeps the
    /// name the export had where it was queued, so its emails are the same
    /// rows as a direct import's.
    pub fn named(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Messages per page (default 200).
    pub fn page_size(mut self, messages: usize) -> Self {
        self.page = messages.max(1);
        self
    }
}

impl Source for MailboxFiles {
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
            if !self.started {
                self.started = true;
                // Resuming an interrupted import: the messages before the stored
                // position are in the store already. A completed import is read
                // again whole (the file may have been replaced; upserts make the
                // repeat harmless), never skipped by position.
                let interrupted =
                    checkpoint.is_some_and(|c| c.value["complete"] == serde_json::json!(false));
                let stored = checkpoint
                    .filter(|_| interrupted)
                    .and_then(|c| c.value["position"].as_u64())
                    .unwrap_or(0);
                for _ in 0..stored {
                    if self.messages.next().is_none() {
                        break;
                    }
                    self.position += 1;
                }
            }
            let mut batch = Batch::default();
            let mut page = Page::default();
            let mut read = 0;
            while read < self.page {
                let Some(item) = self.messages.next() else {
                    break;
                };
                read += 1;
                self.position += 1;
                let message = match item {
                    Ok(m) => m,
                    Err(e) => {
                        self.archive.source_error(&e);
                        page.skipped.push(e.to_string());
                        continue;
                    }
                };
                keep(&self.archive, &self.id, &message, &mut batch, &mut page).await?;
            }
            let complete = read < self.page;
            self.finished = complete;
            page.batch = batch;
            page.checkpoint =
                serde_json::json!({ "position": self.position, "complete": complete });
            page.done = self.position;
            Ok(Some(page))
        })
    }
}
