//! Object metadata.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, lower-case hex.
///
/// ```
/// assert_eq!(&blob_store::sha256_hex(b"")[..8], "e3b0c442");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What is known about a stored file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// MIME type (`application/pdf`).
    pub content_type: String,
    /// SHA-256 of the bytes, lower-case hex.
    pub content_hash: String,
    /// The file's original name, as the sender wrote it (any characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_filename: Option<String>,
    /// The RFC Message-ID of the email it came with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The merchant it is from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
}

impl Metadata {
    /// Metadata for `bytes` of `content_type`, with their hash.
    pub fn for_bytes(bytes: &[u8], content_type: &str) -> Self {
        Metadata {
            content_type: content_type.to_owned(),
            content_hash: sha256_hex(bytes),
            ..Metadata::default()
        }
    }

    /// Sets the original file name.
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.original_filename = Some(name.into());
        self
    }

    /// Sets the message id.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Sets the merchant.
    pub fn merchant(mut self, merchant: impl Into<String>) -> Self {
        self.merchant = Some(merchant.into());
        self
    }
}
