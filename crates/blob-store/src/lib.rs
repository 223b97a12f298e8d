//! One small async trait for receipt files, several backends.
//!
//! - [`BlobStore`]: put, get, head, delete, list by prefix, and a presigned
//!   URL where the backend has one. Every object carries [`Metadata`]
//!   (content type, SHA-256, original file name, message id, merchant).
//! - [`LocalStore`] (the embedded default: atomic writes, safe names),
//!   [`MemoryStore`], and `S3Store` (feature `s3`: AWS S3, MinIO and other
//!   S3-compatible servers, path-style addressing, explicit or chain credentials).
//! - [`receipt_key`]: `{year}/{month}/{day}/{message_id}/{filename}` with both
//!   parts sanitised; [`put_dedup`] uploads the same bytes once under a key;
//!   [`put_content`] stores bytes under their hash ([`content_key`]), so the
//!   same bytes are stored once whoever refers to them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), blob_store::Error> {
//! use blob_store::{BlobStore, MemoryStore, Metadata, put_dedup, receipt_key};
//!
//! let store = MemoryStore::new();
//! let date = time::macros::date!(2024 - 03 - 12);
//! let key = receipt_key(date, "<0102018e@amazonses.com>", "Invoice 205-1234567.pdf");
//! assert_eq!(key.as_str(), "2024/03/12/0102018e_amazonses.com/Invoice_205-1234567.pdf");
//! let meta = Metadata::for_bytes(b"%PDF-1.4", "application/pdf").filename("Invoice 205-1234567.pdf");
//! assert!(put_dedup(&store, &key, b"%PDF-1.4".to_vec(), meta.clone()).await?.uploaded);
//! assert!(!put_dedup(&store, &key, b"%PDF-1.4".to_vec(), meta).await?.uploaded, "same bytes: not uploaded again");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod key;
mod local;
mod memory;
mod meta;
#[cfg(feature = "s3")]
mod s3;

pub use key::{Key, receipt_key, sanitise};
pub use local::LocalStore;
pub use memory::MemoryStore;
pub use meta::{Metadata, sha256_hex};
#[cfg(feature = "s3")]
pub use s3::{S3Config, S3Store};

use std::time::Duration;

use futures_util::future::BoxFuture;

/// What can go wrong storing blobs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key that would escape the store or is empty.
    #[error("invalid key {0:?}")]
    InvalidKey(String),
    /// The filesystem failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Stored metadata could not be read.
    #[error("corrupt metadata for {key}: {detail}")]
    Metadata {
        /// The key.
        key: String,
        /// What was wrong.
        detail: String,
    },
    /// The S3 server answered with an error.
    #[error("S3 {operation} failed: {detail}")]
    S3 {
        /// The operation (`PutObject`, ...).
        operation: &'static str,
        /// The service's message.
        detail: String,
    },
}

/// A stored object's key, size and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: Key,
    /// Size in bytes.
    pub size: u64,
    /// Its metadata.
    pub metadata: Metadata,
}

/// An object's bytes and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The metadata.
    pub metadata: Metadata,
}

/// Where receipt files are kept.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing what was there.
    fn put<'a>(
        &'a self,
        key: &'a Key,
        bytes: Vec<u8>,
        metadata: Metadata,
    ) -> BoxFuture<'a, Result<(), Error>>;
    /// The object under `key`, if any.
    fn get<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<Blob>, Error>>;
    /// The object's size and metadata, without its bytes.
    fn head<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<ObjectInfo>, Error>>;
    /// Deletes the object; deleting a missing one is not an error.
    fn delete<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<(), Error>>;
    /// Every object whose key starts with `prefix`, sorted by key.
    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<ObjectInfo>, Error>>;
    /// A URL that grants read access for `expires`, where the backend has them.
    fn presigned_url<'a>(
        &'a self,
        _key: &'a Key,
        _expires: Duration,
    ) -> BoxFuture<'a, Result<Option<url::Url>, Error>> {
        Box::pin(async { Ok(None) })
    }
}

/// What [`put_dedup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// The key.
    pub key: Key,
    /// False when the same bytes were already stored there.
    pub uploaded: bool,
}

/// Stores `bytes` under `key` unless an object with the same SHA-256 is already there.
pub async fn put_dedup(
    store: &dyn BlobStore,
    key: &Key,
    bytes: Vec<u8>,
    metadata: Metadata,
) -> Result<PutOutcome, Error> {
    let hash = sha256_hex(&bytes);
    if let Some(existing) = store.head(key).await?
        && existing.metadata.content_hash == hash
    {
        return Ok(PutOutcome {
            key: key.clone(),
            uploaded: false,
        });
    }
    let metadata = Metadata {
        content_hash: hash,
        ..metadata
    };
    store.put(key, bytes, metadata).await?;
    Ok(PutOutcome {
        key: key.clone(),
        uploaded: true,
    })
}

/// The content-addressed key of bytes whose SHA-256 is `sha256` (lower-case
/// hex): `{prefix}/sha256/{h[0..2]}/{h[2..4]}/{h}{extension}`. The same bytes
/// always get the same key, whoever stores them under whatever name.
///
/// ```
/// let hash = blob_store::sha256_hex(b"%PDF-1.4");
/// let key = blob_store::content_key("documents", &hash, ".pdf").unwrap();
/// assert!(key.as_str().starts_with(&format!("documents/sha256/{}/{}/", &hash[..2], &hash[2..4])));
/// ```
pub fn content_key(prefix: &str, sha256: &str, extension: &str) -> Result<Key, Error> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidKey(sha256.to_owned()));
    }
    let sha256 = sha256.to_ascii_lowercase();
    let extension: String = extension
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    Key::new(format!(
        "{prefix}/sha256/{}/{}/{sha256}{extension}",
        &sha256[..2],
        &sha256[2..4],
    ))
}

/// Stores `bytes` under their content key (see [`content_key`]) unless they
/// are already there: two mails carrying the same PDF, or two same-named
/// attachments of one mail, never overwrite each other and identical bytes
/// are stored once. `metadata.content_hash` is set from the bytes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), blob_store::Error> {
/// use blob_store::{MemoryStore, Metadata, put_content};
/// let store = MemoryStore::new();
/// let meta = Metadata::for_bytes(b"%PDF-1.4 a", "application/pdf").filename("invoice.pdf");
/// let a = put_content(&store, "documents", ".pdf", b"%PDF-1.4 a".to_vec(), meta.clone()).await?;
/// let b = put_content(&store, "documents", ".pdf", b"%PDF-1.4 b".to_vec(), meta.clone()).await?;
/// assert_ne!(a.key, b.key, "same name, different bytes: both kept");
/// let again = put_content(&store, "documents", ".pdf", b"%PDF-1.4 a".to_vec(), meta).await?;
/// assert_eq!((again.key, again.uploaded), (a.key, false), "same bytes: stored once");
/// # Ok(()) }
/// ```
pub async fn put_content(
    store: &dyn BlobStore,
    prefix: &str,
    extension: &str,
    bytes: Vec<u8>,
    metadata: Metadata,
) -> Result<PutOutcome, Error> {
    let hash = sha256_hex(&bytes);
    let key = content_key(prefix, &hash, extension)?;
    if store.head(&key).await?.is_some() {
        return Ok(PutOutcome {
            key,
            uploaded: false,
        });
    }
    let metadata = Metadata {
        content_hash: hash,
        ..metadata
    };
    store.put(&key, bytes, metadata).await?;
    Ok(PutOutcome {
        key,
        uploaded: true,
    })
}

/// The listing of backends whose enumeration yields bare keys: sorted, each
/// with its metadata, skipping keys deleted between the enumeration and the head.
async fn head_sorted<S: BlobStore + ?Sized>(
    store: &S,
    mut keys: Vec<String>,
) -> Result<Vec<ObjectInfo>, Error> {
    keys.sort();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let key = Key::new(key)?;
        if let Some(info) = store.head(&key).await? {
            out.push(info);
        }
    }
    Ok(out)
}
