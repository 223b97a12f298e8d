//! Receipt sync: a full sync over a receipt query, then incremental syncs
//! from the history id, falling back to a full sync from the last known date
//! when Gmail has forgotten that history.

use std::collections::HashSet;

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{Stream, StreamExt};
use receipt_parsers::vendors::Registry;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{Gmail, GmailError};
use crate::MailMessage;

/// Subject words of receipts, refunds and invoices in the languages the
/// parsers read.
const SUBJECTS: &[&str] = &[
    "receipt",
    "invoice",
    "\"order confirmation\"",
    "\"your order\"",
    "\"order confirmed\"",
    "\"payment received\"",
    "\"payment confirmation\"",
    "\"thank you for your order\"",
    "\"thanks for your order\"",
    "\"booking confirmation\"",
    "purchase",
    "refund",
    "rechnung",
    "bestellung",
    "facture",
    "commande",
    "pedido",
    "ordine",
];

/// The Gmail query a receipt sync runs: receipt-like subjects or a known
/// vendor's domain (from `registry`), between optional bounds given as epoch
/// seconds. Gmail reads `after:YYYY/MM/DD` in Pacific time; epoch seconds
/// are exact.
///
/// ```
/// use gmail_receipts::google::receipt_query;
/// let q = receipt_query(&receipt_parsers::vendors::Registry::default(), Some(1_704_067_200), None);
/// assert!(q.starts_with("{subject:(receipt OR invoice"));
/// assert!(q.contains("amazon.co.uk"));
/// assert!(q.ends_with(" after:1704067200"));
/// ```
pub fn receipt_query(registry: &Registry, after: Option<i64>, before: Option<i64>) -> String {
    let mut domains: Vec<&str> = registry
        .vendors()
        .iter()
        .filter(|v| !v.platform)
        .flat_map(|v| v.domains.iter().copied())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    let mut q = format!(
        "{{subject:({}) from:({})}}",
        SUBJECTS.join(" OR "),
        domains.join(" OR ")
    );
    if let Some(after) = after {
        q.push_str(&format!(" after:{after}"));
    }
    if let Some(before) = before {
        q.push_str(&format!(" before:{before}"));
    }
    q
}

/// Where the next sync starts: store it once the messages of this sync are
/// persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The mailbox's history id when this sync began.
    pub history_id: u64,
    /// The newest message date seen (ms since the epoch): a full sync after
    /// an expired history id starts from here.
    pub last_internal_date: Option<i64>,
}

/// How a sync ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// Every message the query matches.
    Full,
    /// Messages added since the checkpoint's history id.
    Incremental,
    /// The checkpoint's history had expired: a full sync from its last date.
    FullAfterExpiredHistory,
}

/// What a sync stream yields.
#[derive(Debug)]
pub enum SyncItem {
    /// A fetched message.
    Message(MailMessage),
    /// A message that could not be fetched (deleted since it was listed, say).
    Skipped {
        /// Its id.
        id: String,
        /// Why.
        error: GmailError,
    },
    /// The end: the checkpoint to store after persisting the messages.
    Done {
        /// The next sync's start.
        checkpoint: Checkpoint,
        /// How this sync ran.
        mode: SyncMode,
        /// Messages fetched.
        fetched: u64,
    },
}

/// What to sync.
///
/// ```
/// use gmail_receipts::google::SyncOptions;
/// let options = SyncOptions::default().after(1_704_067_200).batch_size(50);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct SyncOptions {
    query: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    batch_size: usize,
    buffer: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            query: None,
            after: None,
            before: None,
            batch_size: 50,
            buffer: 200,
        }
    }
}

impl SyncOptions {
    /// Your own query instead of [`receipt_query`] (bounds are still appended).
    pub fn query(mut self, q: impl Into<String>) -> Self {
        self.query = Some(q.into());
        self
    }

    /// Only messages after this instant (epoch seconds).
    pub fn after(mut self, epoch_seconds: i64) -> Self {
        self.after = Some(epoch_seconds);
        self
    }

    /// Only messages before this instant (epoch seconds).
    pub fn before(mut self, epoch_seconds: i64) -> Self {
        self.before = Some(epoch_seconds);
        self
    }

    /// Messages per batch request (default 50, Gmail's advice; at most 100).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.clamp(1, super::MAX_BATCH);
        self
    }

    /// Messages fetched ahead of the consumer (default 200): bounds memory.
    pub fn buffer(mut self, n: usize) -> Self {
        self.buffer = n.max(1);
        self
    }

    fn full_query(&self, after: Option<i64>) -> String {
        let after = match (self.after, after) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        match &self.query {
            None => receipt_query(&Registry::default(), after, self.before),
            Some(q) => {
                let mut q = q.clone();
                if let Some(after) = after {
                    q.push_str(&format!(" after:{after}"));
                }
                if let Some(before) = self.before {
                    q.push_str(&format!(" before:{before}"));
                }
                q
            }
        }
    }
}

type Sender = mpsc::Sender<Result<SyncItem, GmailError>>;

struct Run {
    gmail: Gmail,
    options: SyncOptions,
    tx: Sender,
    fetched: u64,
    newest: Option<i64>,
}

impl Run {
    /// Fetches `ids` in batches and sends them on; false when the consumer left.
    async fn fetch(&mut self, ids: &[String]) -> Result<bool, GmailError> {
        for group in ids.chunks(self.options.batch_size) {
            let results = self
                .gmail
                .batch_get_raw(group, self.options.batch_size)
                .await?;
            for (id, result) in group.iter().zip(results) {
                let item = match result {
                    Ok(message) => {
                        self.fetched += 1;
                        self.newest = self.newest.max(message.internal_date);
                        SyncItem::Message(message)
                    }
                    Err(error) => SyncItem::Skipped {
                        id: id.clone(),
                        error,
                    },
                };
                if self.tx.send(Ok(item)).await.is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    async fn full(&mut self, after_ms: Option<i64>) -> Result<Option<u64>, GmailError> {
        // The history id is read first: mail arriving during the listing is
        // caught by the next incremental sync rather than lost.
        let history_id = self.gmail.profile().await?.history_id;
        let query = self.options.full_query(after_ms.map(|ms| ms / 1000));
        tracing::info!(%query, "full Gmail sync");
        let gmail = self.gmail.clone();
        let mut ids = Box::pin(gmail.list_messages().q(query).stream());
        let mut group = Vec::with_capacity(self.options.batch_size);
        while let Some(item) = ids.next().await {
            group.push(item?.id);
            if group.len() == self.options.batch_size {
                if !self.fetch(&group).await? {
                    return Ok(None);
                }
                group.clear();
            }
        }
        if !self.fetch(&group).await? {
            return Ok(None);
        }
        Ok(Some(history_id))
    }

    async fn incremental(&mut self, from: u64) -> Result<Option<u64>, GmailError> {
        let gmail = self.gmail.clone();
        let mut pages = Box::pin(gmail.list_history(from).stream());
        let mut seen = HashSet::new();
        let mut latest = from;
        while let Some(page) = pages.next().await {
            let page = page?;
            latest = latest.max(page.history_id);
            let ids: Vec<String> = page
                .history
                .into_iter()
                .flat_map(|h| h.messages_added)
                .map(|added| added.message.id)
                .filter(|id| seen.insert(id.clone()))
                .collect();
            if !self.fetch(&ids).await? {
                return Ok(None);
            }
        }
        Ok(Some(latest))
    }

    async fn run(mut self, from: Option<Checkpoint>) {
        let outcome = match from {
            None => self.full(None).await.map(|h| (h, SyncMode::Full)),
            Some(checkpoint) => match self.incremental(checkpoint.history_id).await {
                Ok(h) => Ok((h, SyncMode::Incremental)),
                Err(GmailError::HistoryExpired { .. }) => {
                    self.newest = checkpoint.last_internal_date;
                    tracing::warn!(
                        history_id = checkpoint.history_id,
                        "history expired; full sync from the last known date"
                    );
                    self.full(checkpoint.last_internal_date)
                        .await
                        .map(|h| (h, SyncMode::FullAfterExpiredHistory))
                }
                Err(e) => Err(e),
            },
        };
        let item = match outcome {
            Ok((Some(history_id), mode)) => Ok(SyncItem::Done {
                checkpoint: Checkpoint {
                    history_id,
                    last_internal_date: self.newest.max(from.and_then(|c| c.last_internal_date)),
                },
                mode,
                fetched: self.fetched,
            }),
            Ok((None, _)) => return,
            Err(e) => Err(e),
        };
        let _ = self.tx.send(item).await;
    }
}

impl Gmail {
    /// Syncs receipts-like mail: a full sync when `from` is `None`, otherwise
    /// the messages added since `from` (or, when Gmail no longer has that
    /// history, a full sync from `from`'s last date).
    ///
    /// Messages are fetched ahead of the consumer on a spawned task, at most
    /// `buffer` at a time; the stream ends with [`SyncItem::Done`] carrying
    /// the checkpoint to store once the messages are persisted, or with the
    /// error that stopped it. Dropping the stream stops the sync.
    ///
    /// ```no_run
    /// # async fn run(gmail: gmail_receipts::google::Gmail) -> Result<(), gmail_receipts::google::GmailError> {
    /// use futures_util::StreamExt;
    /// use gmail_receipts::google::{SyncItem, SyncOptions};
    ///
    /// let mut sync = gmail.sync(SyncOptions::default(), None);
    /// while let Some(item) = sync.next().await {
    ///     match item? {
    ///         SyncItem::Message(m) => println!("{} ({} bytes)", m.id, m.raw.len()),
    ///         SyncItem::Skipped { id, error } => eprintln!("skipped {id}: {error}"),
    ///         SyncItem::Done { checkpoint, .. } => println!("next time from {}", checkpoint.history_id),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn sync(&self, options: SyncOptions, from: Option<Checkpoint>) -> SyncStream {
        let (tx, rx) = mpsc::channel(options.buffer);
        let run = Run {
            gmail: self.clone(),
            options,
            tx,
            fetched: 0,
            newest: None,
        };
        // The caller's call statistics (a sync run's) follow the work.
        tokio::spawn(spend_http::CallStats::carry(run.run(from)));
        SyncStream { rx }
    }
}

/// The stream [`Gmail::sync`] returns: fetched messages, then
/// [`SyncItem::Done`] or the error that stopped the sync. Dropping it stops
/// the sync.
#[derive(Debug)]
#[must_use = "a sync does nothing useful unless its stream is read"]
pub struct SyncStream {
    rx: mpsc::Receiver<Result<SyncItem, GmailError>>,
}

impl Stream for SyncStream {
    type Item = Result<SyncItem, GmailError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
