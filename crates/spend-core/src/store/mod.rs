//! Storage: object-safe async traits, and SQLite and Postgres behind them.
//!
//! A [`Store`] holds every user's data; [`Store::user`] hands out a
//! [`UserStore`] scoped to one user. No method of a [`UserStore`] takes a
//! user id, so one user's handle can never read or change another's rows.
//! Writes go through [`UserStore::write`]: a [`Batch`] of records of any kind
//! (and, optionally, a checkpoint) is upserted by natural key in one database
//! transaction, so storing the same data twice changes nothing and a changed
//! record updates in place.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), spend_core::store::StoreError> {
//! use spend_core::model::{Money, Transaction};
//! use spend_core::store::{Batch, SqliteStore, Store, TransactionQuery};
//!
//! let store = SqliteStore::in_memory().await?;
//! let alex = store.user(store.ensure_user("alex").await?);
//! let tx = Transaction::new("truelayer", "acc-1", "tx-1",
//!     time::macros::date!(2026 - 03 - 02), Money::parse("-12.50", "GBP").unwrap(), "TESCO STORES 3011");
//! let first = alex.write(Batch::default().transactions(vec![tx.clone()])).await?;
//! assert_eq!(first.transactions.inserted, 1);
//! let again = alex.write(Batch::default().transactions(vec![tx])).await?;
//! assert_eq!(again.transactions.unchanged, 1, "the same data twice changes nothing");
//! let page = alex.transactions(&TransactionQuery::default().text("tesco")).await?;
//! assert_eq!(page.items.len(), 1);
//! # Ok(()) }
//! ```

mod batch;
mod counts;
mod error;
mod query;
mod rate_state;
pub(crate) mod sql;

pub use batch::{Batch, Upserted, Written};
pub use counts::Counts;
pub use error::StoreError;
pub use query::{Grouping, OrderQuery, Page, SpendQuery, SpendRow, TransactionQuery};
pub use rate_state::StoreRateState;
#[cfg(feature = "postgres")]
pub use sql::postgres::PostgresStore;
pub(crate) use sql::rows::{format_date, parse_date};
#[cfg(feature = "sqlite")]
pub use sql::sqlite::SqliteStore;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use time::Date;

use crate::model::{
    Account, ApplePurchase, Checkpoint, Connection, Document, Email, Enrichment, Mandate, Match,
    Order, Receipt, Rule, SyncRun, Transaction, TransactionRef, UserId,
};

/// The result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A secret as stored: Fernet ciphertext and its version (for compare-and-swap).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSecret {
    /// The Fernet token.
    pub ciphertext: String,
    /// Bumped by every write; a write names the version it replaces.
    pub version: i64,
}

impl std::fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSecret")
            .field("ciphertext", &"[encrypted]")
            .field("version", &self.version)
            .finish()
    }
}

/// Re-encrypts one secret's ciphertext (used by [`Store::rewrite_secrets`]).
pub type Reencrypt<'a> = &'a (dyn Fn(&str) -> Result<String, crate::vault::VaultError> + Sync);

/// Every user's data. Cheap to share (`Arc<dyn Store>`).
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres` (or a third party's name).
    fn backend(&self) -> &'static str;

    /// The id of the user called `name`, created if new.
    fn ensure_user(&self, name: &str) -> BoxFuture<'_, Result<UserId>>;

    /// Every user: id and name.
    fn users(&self) -> BoxFuture<'_, Result<Vec<(UserId, String)>>>;

    /// A handle on one user's data.
    fn user(&self, id: UserId) -> Arc<dyn UserStore>;

    /// The rate-limit bucket states saved under `scope` (a provider):
    /// `(operation, key, full again at, ms since the epoch)`.
    fn rate_states<'a>(
        &'a self,
        scope: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(String, String, i64)>>>;

    /// Saves bucket states under `scope`; where a bucket is saved already,
    /// the later "full again" time (the more drained bucket) is kept.
    fn put_rate_states<'a>(
        &'a self,
        scope: &'a str,
        states: &'a [(String, String, i64)],
    ) -> BoxFuture<'a, Result<()>>;

    /// Takes `cost_ms` from a shared rate-limit bucket in one atomic step:
    /// its "full again" time becomes `max(it, now_ms) + cost_ms` (a missing
    /// bucket counts as full), and the new time is returned. Every process
    /// of a deployment takes from the same row, so together they keep to
    /// one plan. A store without shared buckets says so, and callers pace
    /// by their own.
    fn reserve_rate<'a>(
        &'a self,
        scope: &'a str,
        operation: &'a str,
        key: &'a str,
        now_ms: i64,
        cost_ms: i64,
    ) -> BoxFuture<'a, Result<i64>> {
        let _ = (scope, operation, key, now_ms, cost_ms);
        Box::pin(async {
            Err(StoreError::Config(
                "this store keeps no shared rate limits".into(),
            ))
        })
    }

    /// Re-encrypts every stored secret of every user with `reencrypt`, in one
    /// transaction: all are rewritten or none. Versions stay (the secrets'
    /// values do not change); a secret written meanwhile is re-encrypted as
    /// written, never replaced by the value read before. Returns how many.
    fn rewrite_secrets<'a>(&'a self, reencrypt: Reencrypt<'a>) -> BoxFuture<'a, Result<u64>>;

    /// The database this store keeps durable jobs in (spend's SQL stores:
    /// their own pool); none for a store that keeps no jobs.
    fn job_db(&self) -> Option<crate::jobs::JobDb> {
        None
    }
}

/// One user's data. Every read and write is confined to that user.
pub trait UserStore: Send + Sync {
    /// The user this handle is for.
    fn user_id(&self) -> UserId;

    /// Upserts everything in `batch` (and its checkpoint) in one transaction.
    fn write(&self, batch: Batch) -> BoxFuture<'_, Result<Written>>;

    /// Accounts and cards.
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>>>;

    /// One transaction by its key.
    fn transaction<'a>(
        &'a self,
        key: &'a TransactionRef,
    ) -> BoxFuture<'a, Result<Option<Transaction>>>;

    /// Transactions, newest first, filtered, one page at a time.
    fn transactions<'a>(
        &'a self,
        query: &'a TransactionQuery,
    ) -> BoxFuture<'a, Result<Page<Transaction>>>;

    /// Every transaction, newest first (all pages of [`UserStore::transactions`]).
    fn all_transactions(&self) -> BoxFuture<'_, Result<Vec<Transaction>>> {
        Box::pin(async move {
            let mut all = Vec::new();
            let mut cursor = None;
            loop {
                let page = self
                    .transactions(&TransactionQuery::default().limit(10_000).after(cursor))
                    .await?;
                all.extend(page.items);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => return Ok(all),
                }
            }
        })
    }

    /// Money out to any of `merchants` (as [`Grouping::Merchant`] names them)
    /// between `from` and `to`, oldest first, each with its merchant's name.
    fn payments_to<'a>(
        &'a self,
        merchants: &'a [String],
        from: Date,
        to: Date,
    ) -> BoxFuture<'a, Result<Vec<(String, Transaction)>>>;

    /// Removes transactions by key (a pending one that settled under a new id);
    /// returns how many were removed.
    fn remove_transactions<'a>(&'a self, keys: &'a [TransactionRef]) -> BoxFuture<'a, Result<u64>>;

    /// Spending summed in SQL, grouped as the query asks.
    fn spend<'a>(&'a self, query: &'a SpendQuery) -> BoxFuture<'a, Result<Vec<SpendRow>>>;

    /// Orders, newest first.
    fn orders<'a>(&'a self, query: &'a OrderQuery) -> BoxFuture<'a, Result<Vec<Order>>>;

    /// Apple purchases, newest first.
    fn apple_purchases(&self) -> BoxFuture<'_, Result<Vec<ApplePurchase>>>;

    /// Standing orders and direct debits, by account.
    fn mandates(&self) -> BoxFuture<'_, Result<Vec<Mandate>>>;

    /// One email by its key.
    fn email<'a>(
        &'a self,
        mailbox: &'a str,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Email>>>;

    /// Emails in key order, after `after` (a `(mailbox, message_id)` cursor), at most `limit`.
    fn emails<'a>(
        &'a self,
        after: Option<(&'a str, &'a str)>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<Email>>>;

    /// Receipts, newest first; `kind` filters (`receipt`, `refund`, ...).
    fn receipts<'a>(&'a self, kind: Option<&'a str>) -> BoxFuture<'a, Result<Vec<Receipt>>>;

    /// Documents, of one email when `email` is given.
    fn documents<'a>(
        &'a self,
        email: Option<(&'a str, &'a str)>,
    ) -> BoxFuture<'a, Result<Vec<Document>>>;

    /// Matches.
    fn matches(&self) -> BoxFuture<'_, Result<Vec<Match>>>;

    /// Enrichments.
    fn enrichments(&self) -> BoxFuture<'_, Result<Vec<Enrichment>>>;

    /// The person's categorisation rules, in the order they apply.
    fn rules(&self) -> BoxFuture<'_, Result<Vec<Rule>>>;

    /// Replaces every rule with `rules` (in this order), in one transaction.
    fn replace_rules<'a>(&'a self, rules: &'a [Rule]) -> BoxFuture<'a, Result<()>>;

    /// Every cached LLM answer, as `(cache key, answer JSON)`.
    fn llm_answers(&self) -> BoxFuture<'_, Result<Vec<(String, String)>>>;

    /// Caches LLM answers `(cache key, answer JSON)`; a key already cached keeps its first answer.
    fn put_llm_answers<'a>(&'a self, answers: &'a [(String, String)])
    -> BoxFuture<'a, Result<u64>>;

    /// Creates or updates a connection (by provider and name).
    fn put_connection<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>>;

    /// Every connection.
    fn connections(&self) -> BoxFuture<'_, Result<Vec<Connection>>>;

    /// A connection's secret called `key` (`refresh_token`, `password`).
    fn secret<'a>(
        &'a self,
        provider: &'a str,
        name: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredSecret>>>;

    /// Writes a secret if its stored version is still `expected` (`None`:
    /// it must not exist yet). Returns the new version, or
    /// [`StoreError::Conflict`] when another writer got there first. The
    /// connection must exist.
    fn put_secret<'a>(
        &'a self,
        provider: &'a str,
        name: &'a str,
        key: &'a str,
        ciphertext: &'a str,
        expected: Option<i64>,
    ) -> BoxFuture<'a, Result<i64>>;

    /// Takes one use of the daily allowance `key` on `day` if fewer than
    /// `limit` were taken; returns the uses taken so far (this one included),
    /// or `None` when the allowance is spent. Atomic across processes.
    fn take_allowance<'a>(
        &'a self,
        key: &'a str,
        day: time::Date,
        limit: i64,
    ) -> BoxFuture<'a, Result<Option<i64>>>;

    /// A source's checkpoint.
    fn checkpoint<'a>(&'a self, source: &'a str) -> BoxFuture<'a, Result<Option<Checkpoint>>>;

    /// Records a sync run; returns its id.
    fn record_sync_run<'a>(&'a self, run: &'a SyncRun) -> BoxFuture<'a, Result<i64>>;

    /// The latest sync runs, newest first.
    fn sync_runs(&self, limit: u32) -> BoxFuture<'_, Result<Vec<SyncRun>>>;

    /// How many rows of each kind the user has.
    fn counts(&self) -> BoxFuture<'_, Result<Counts>>;

    /// The emails with this Message-ID (written with or without its angle
    /// brackets), in any mailbox.
    fn emails_with_message_id<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Email>>>;
}

/// Opens the store a URL names: `sqlite://PATH` (created if missing),
/// `sqlite::memory:`, or `postgres://...`. Migrations run on open.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    #[cfg(feature = "sqlite")]
    if let Some(path) = url.strip_prefix("sqlite://").filter(|p| !p.contains('?')) {
        return Ok(Arc::new(SqliteStore::open(path).await.map_err(
            |e| match e {
                StoreError::Database(e) => {
                    StoreError::Config(format!("cannot open the SQLite store {path}: {e}"))
                }
                other => other,
            },
        )?));
    }
    #[cfg(feature = "sqlite")]
    if url.starts_with("sqlite:") {
        return Ok(Arc::new(SqliteStore::connect(url).await?));
    }
    #[cfg(feature = "postgres")]
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return Ok(Arc::new(PostgresStore::connect(url).await?));
    }
    Err(StoreError::Config(format!(
        "unsupported store URL {url:?}: expected sqlite://PATH or postgres://... (with the matching feature)"
    )))
}

/// The embedded default store: a SQLite file `spend.db` in the platform's
/// data directory (`~/.local/share/spend` on Linux), created if missing.
#[cfg(feature = "sqlite")]
pub async fn open_default() -> Result<SqliteStore> {
    SqliteStore::open(crate::paths::data_dir()?.join("spend.db")).await
}
