//! spend-core: one person's spending data in one model, behind traits that
//! any app can plug its own storage or front end into.
//!
//! - [`model`]: exact [`Money`](model::Money), accounts, transactions,
//!   orders, Apple purchases, emails, receipts, documents, matches,
//!   enrichments, connections, checkpoints, sync runs; natural keys throughout.
//! - [`store`]: the object-safe [`Store`](store::Store) and per-user
//!   [`UserStore`](store::UserStore) traits, with SQLite (feature `sqlite`,
//!   the embedded default) and Postgres (feature `postgres`) backends on
//!   native sqlx pools, batched idempotent upserts, keyset pagination and
//!   sums in SQL.
//! - [`vault`]: Fernet encryption of every secret at rest (compatible with
//!   Python's `cryptography`), key rotation, compare-and-swap token stores.
//! - [`mail`]: every imported email kept raw (compressed, content-addressed
//!   in a blob store) so it can be parsed again.
//! - `testkit` (feature): the storage conformance suite any backend can run.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), spend_core::store::StoreError> {
//! use spend_core::model::{Money, Transaction};
//! use spend_core::store::{Batch, Grouping, SpendQuery, SqliteStore, Store};
//!
//! let store = SqliteStore::in_memory().await?;
//! let alex = store.user(store.ensure_user("alex").await?);
//! let day = time::macros::date!(2026 - 03 - 02);
//! alex.write(Batch::default().transactions(vec![
//!     Transaction::new("truelayer", "acc-1", "t1", day, Money::parse("-12.50", "GBP").unwrap(), "TESCO").category("groceries"),
//!     Transaction::new("truelayer", "acc-1", "t2", day, Money::parse("-7.50", "GBP").unwrap(), "TESCO").category("groceries"),
//! ])).await?;
//! let by_month = alex.spend(&SpendQuery::by(&[Grouping::Month, Grouping::Category])).await?;
//! assert_eq!(by_month[0].keys, ["2026-03", "groceries"]);
//! assert_eq!(by_month[0].total_minor, -2000);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod analytics;
pub mod app;
#[cfg(feature = "demo")]
pub mod demo;
pub mod enrich;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod model;
pub mod paths;
pub mod sources;
pub mod store;
pub mod sync;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod vault;
