//! The Gmail API's resources, as its reference names them.

use base64::Engine;
use serde::{Deserialize, Deserializer};

use crate::MailMessage;

/// Gmail sends 64-bit numbers (history ids, dates) as strings.
fn u64_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

fn opt_u64_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

fn opt_i64_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// `users.getProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The mailbox's address.
    pub email_address: String,
    /// Messages in the mailbox.
    #[serde(default)]
    pub messages_total: u64,
    /// Threads in the mailbox.
    #[serde(default)]
    pub threads_total: u64,
    /// The mailbox's current history id: the start of the next incremental sync.
    #[serde(deserialize_with = "u64_string")]
    pub history_id: u64,
}

/// A message as `messages.list` and `history.list` name it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    /// The message id.
    pub id: String,
    /// Its thread.
    #[serde(default)]
    pub thread_id: Option<String>,
}

/// One page of `messages.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMessagesResponse {
    /// The page's messages (absent when there are none).
    #[serde(default)]
    pub messages: Vec<MessageRef>,
    /// The next page, if any.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Gmail's estimate of the total.
    #[serde(default)]
    pub result_size_estimate: Option<u64>,
}

/// The body of a part, or an attachment from `messages.attachments.get`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePartBody {
    /// Set when the data must be fetched with `messages.attachments.get`.
    #[serde(default)]
    pub attachment_id: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// The data, base64url.
    #[serde(default)]
    pub data: Option<String>,
}

impl MessagePartBody {
    /// The decoded data.
    pub fn bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        decode(self.data.as_deref().unwrap_or(""))
    }
}

/// A MIME part of a message fetched with `format=full`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePart {
    /// Its position (`0`, `1.2`).
    #[serde(default)]
    pub part_id: String,
    /// Its MIME type.
    #[serde(default)]
    pub mime_type: String,
    /// Its file name, for attachments.
    #[serde(default)]
    pub filename: String,
    /// Its body.
    #[serde(default)]
    pub body: MessagePartBody,
    /// Child parts.
    #[serde(default)]
    pub parts: Vec<MessagePart>,
}

impl MessagePart {
    /// This part and every part below it, depth first.
    pub fn walk(&self) -> Vec<&MessagePart> {
        let mut out = vec![self];
        for part in &self.parts {
            out.extend(part.walk());
        }
        out
    }
}

/// `messages.get`: the raw RFC 5322 bytes with `format=raw`, the MIME tree with `format=full`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message id.
    pub id: String,
    /// Its thread.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// Its labels.
    #[serde(default)]
    pub label_ids: Vec<String>,
    /// The history id of its last change.
    #[serde(default, deserialize_with = "opt_u64_string")]
    pub history_id: Option<u64>,
    /// When Gmail received it, milliseconds since the epoch.
    #[serde(default, deserialize_with = "opt_i64_string")]
    pub internal_date: Option<i64>,
    /// Estimated size in bytes.
    #[serde(default)]
    pub size_estimate: Option<u64>,
    /// The whole message, base64url (`format=raw`).
    #[serde(default)]
    pub raw: Option<String>,
    /// The MIME tree (`format=full`).
    #[serde(default)]
    pub payload: Option<MessagePart>,
}

impl Message {
    /// The message as every source yields it; `raw` must have been requested.
    pub fn into_mail(self) -> Result<MailMessage, base64::DecodeError> {
        let raw = decode(self.raw.as_deref().unwrap_or(""))?;
        Ok(MailMessage {
            id: self.id,
            thread_id: self.thread_id,
            history_id: self.history_id,
            internal_date: self.internal_date,
            labels: self.label_ids,
            raw,
        })
    }
}

/// One change in `history.list`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// The change's history id.
    #[serde(deserialize_with = "u64_string")]
    pub id: u64,
    /// Messages added by this change.
    #[serde(default)]
    pub messages_added: Vec<MessageAdded>,
}

/// A `messagesAdded` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageAdded {
    /// The message.
    pub message: MessageRef,
}

/// One page of `history.list`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListHistoryResponse {
    /// Changes on this page.
    #[serde(default)]
    pub history: Vec<History>,
    /// The next page, if any.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// The mailbox's current history id.
    #[serde(deserialize_with = "u64_string")]
    pub history_id: u64,
}

/// base64url, with or without padding (Gmail sends both).
pub(crate) fn decode(data: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let trimmed = data.trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed)
}
