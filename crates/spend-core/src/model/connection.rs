//! Connections to providers, sync checkpoints and sync runs.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::open_enum;

/// Whether a connection works.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    /// Usable.
    Active,
    /// The provider refused the stored grant: the person must consent again.
    NeedsReauthorisation,
    /// Disconnected by the person.
    Disconnected,
    /// A value this version does not know.
    Other(String),
}
open_enum!(ConnectionStatus { Active => "active", NeedsReauthorisation => "needs_reauthorisation", Disconnected => "disconnected" });

/// A connection to a provider (a TrueLayer consent, a Gmail account, an
/// SP-API seller). Natural key: `(provider, name)`. Its secrets are in the
/// vault, never here.
///
/// ```
/// use spend_core::model::{Connection, ConnectionStatus};
/// let c = Connection::new("gmail", "alex@example.org");
/// assert_eq!(c.status, ConnectionStatus::Active);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// `truelayer`, `gmail`, `imap`, `sp-api`, `amazon-business`.
    pub provider: String,
    /// Which one of the person's connections to that provider.
    pub name: String,
    /// Whether it works.
    pub status: ConnectionStatus,
    /// Settings that are not secret (host, seller id, scopes, expiry).
    pub settings: serde_json::Value,
}

impl Connection {
    /// An active connection with no settings.
    pub fn new(provider: &str, name: &str) -> Self {
        Connection {
            provider: provider.to_owned(),
            name: name.to_owned(),
            status: ConnectionStatus::Active,
            settings: serde_json::Value::Null,
        }
    }
}

/// Where a source's sync got to. Natural key: `source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The source (`truelayer:acc-1`, `gmail:alex@example.org`).
    pub source: String,
    /// The source's own position (a history id, `UIDVALIDITY:UID`, a date), opaque here.
    pub value: serde_json::Value,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What one sync of one source did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRun {
    /// The store's id for it (0 before it is recorded).
    pub id: i64,
    /// The source.
    pub source: String,
    /// When it began.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// `ok`, `failed`, `cancelled`.
    pub status: String,
    /// Calls, retries, 429s, time waiting in limiters, rows/s, bytes.
    pub summary: serde_json::Value,
}
