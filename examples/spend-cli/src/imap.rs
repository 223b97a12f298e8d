//! `spend import imap HOST`: an IMAP mailbox read as a blocking iterator of
//! messages, so it runs through the same import loop as the files.

use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use gmail_receipts::sources::imap::{ImapCheckpoint, ImapConfig, ImapError, ImapItem, ImapMailbox};
use gmail_receipts::{MailMessage, SourceError};
use tokio::runtime::Runtime;

/// The environment variable the app password is read from (never an
/// argument: arguments show in `ps`).
pub const PASSWORD_VAR: &str = "SPEND_IMAP_PASSWORD";

/// The mailbox's messages, one at a time; a message that was skipped is a
/// [`SourceError`], an error that ends the run is kept in `fatal`.
pub struct ImapMessages<'a> {
    runtime: &'a Runtime,
    stream: Pin<Box<dyn Stream<Item = Result<ImapItem, ImapError>> + Send>>,
    /// What ended the run early, if anything did.
    pub fatal: Option<ImapError>,
    /// Where the next run would start, once the mailbox was read to the end.
    pub checkpoint: Option<ImapCheckpoint>,
}

impl<'a> ImapMessages<'a> {
    /// Connects and opens the mailbox.
    pub fn open(runtime: &'a Runtime, config: ImapConfig) -> Result<Self, ImapError> {
        let mailbox = runtime.block_on(ImapMailbox::connect(config))?;
        Ok(ImapMessages {
            runtime,
            stream: Box::pin(mailbox.messages(None)),
            fatal: None,
            checkpoint: None,
        })
    }
}

impl Iterator for ImapMessages<'_> {
    type Item = Result<MailMessage, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.runtime.block_on(self.stream.next())? {
                Ok(ImapItem::Message(message)) => return Some(Ok(message)),
                Ok(ImapItem::Skipped { uid, error }) => {
                    return Some(Err(match error {
                        ImapError::TooLarge { limit, .. } => SourceError::TooLarge {
                            id: format!("UID {uid}"),
                            limit: limit as usize,
                        },
                        other => SourceError::Io {
                            path: format!("UID {uid}"),
                            source: std::io::Error::other(other.to_string()),
                        },
                    }));
                }
                Ok(ImapItem::Done { checkpoint, .. }) => self.checkpoint = Some(checkpoint),
                Err(error) => {
                    self.fatal = Some(error);
                    return None;
                }
            }
        }
    }
}
