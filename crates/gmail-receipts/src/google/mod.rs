//! Gmail through its API (feature `api`, on by default): Google OAuth for
//! installed apps, a quota-aware client for the methods a receipt sync needs,
//! and the sync itself.
//!
//! | Gmail method | here | quota units |
//! |---|---|---|
//! | `users.getProfile` | [`Gmail::profile`] | 1 |
//! | `users.messages.list` | [`Gmail::list_messages`] (a stream over pages) | 5 |
//! | `users.messages.get` | [`Gmail::get_message`], [`Gmail::get_raw`] | 5 |
//! | `users.messages.attachments.get` | [`Gmail::get_attachment`] | 5 |
//! | `users.history.list` | [`Gmail::list_history`] (a stream over pages) | 2 |
//! | batch (`/batch/gmail/v1`) | [`Gmail::batch_get_raw`] | 5 per message |
//!
//! Every call draws its units from one per-user bucket paced below Gmail's
//! 15,000 units a minute; 429s and 403 `rateLimitExceeded` /
//! `userRateLimitExceeded` are retried after `Retry-After` or a jittered
//! backoff.

mod batch;
mod client;
mod error;
mod history;
mod loopback;
mod messages;
pub(crate) mod multipart;
mod oauth;
mod paging;
pub mod quota;
mod sync;
mod types;

pub use batch::MAX_BATCH;
pub use client::{Gmail, GmailBuilder};
pub use error::GmailError;
pub use history::ListHistory;
pub use messages::{Format, ListMessages, MAX_PAGE};
pub use oauth::{
    AuthorizationRequest, GMAIL_READONLY, GoogleEndpoints, GoogleOAuth, GoogleOAuthBuilder,
    GoogleTokens, OAuthError, PkceVerifier, UserTokens,
};
pub use sync::{Checkpoint, SyncItem, SyncMode, SyncOptions, SyncStream, receipt_query};
pub use types::{
    History, ListHistoryResponse, ListMessagesResponse, Message, MessageAdded, MessagePart,
    MessagePartBody, MessageRef, Profile,
};
