//! Enrichment: a category, a merchant's name and essential-or-not for every
//! transaction, decided by the cheapest stage that can, in this order:
//!
//! 1. **The person**: an edit made with [`set_by_person`] is never overwritten.
//! 2. **The person's rules** ([`Rule`](crate::model::Rule), kept in the store,
//!    first fit wins): description, merchant, amount range, account and
//!    direction decide category, merchant, essential and tags.
//! 3. **Matches**: a charge matched (automatically or by the person) to a
//!    receipt or order takes that merchant (the shop behind a PayPal charge)
//!    and, when the shipped table knows it, its category.
//! 4. **The shipped merchant table** ([`known_merchant`]) on the descriptor's
//!    normalised merchant ([`merchant_name`]).
//! 5. **An LLM** (any `llm-enrich` provider) for the rest only, with what
//!    matching brought (order items, receipt lines) as context. Its answers
//!    are cached in the store under a key that holds everything that changes
//!    the answer (description, direction, exact amount and currency, the
//!    context's hash, prompt version, provider and model), and the budget
//!    holds across the whole run.
//!
//! Every enrichment records its source and confidence. Running again with
//! nothing new writes nothing and asks the LLM nothing.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use spend_core::enrich::{EnrichOptions, enrich_user, parse_rule};
//! use spend_core::model::{Money, Transaction};
//! use spend_core::store::{Batch, SqliteStore, Store};
//! let store = SqliteStore::in_memory().await?;
//! let me = store.user(store.ensure_user("me").await?);
//! let day = time::macros::date!(2026 - 03 - 02);
//! me.write(Batch::default().transactions(vec![
//!     Transaction::new("truelayer", "acc-1", "t1", day, Money::parse("-950.00", "GBP")?, "SO J SMITH RENT"),
//!     Transaction::new("truelayer", "acc-1", "t2", day, Money::parse("-34.50", "GBP")?, "TESCO STORES 2041"),
//!     Transaction::new("truelayer", "acc-1", "t3", day, Money::parse("-12.00", "GBP")?, "SQ *CORNER CAFE"),
//! ])).await?;
//! me.replace_rules(&[parse_rule("rent", "description~RENT", "category=Bills essential=yes")?]).await?;
//! let report = enrich_user(me.as_ref(), &EnrichOptions::new(), |_| {}).await?;
//! assert_eq!((report.by_rule, report.by_shipped_table, report.undecided), (1, 1, 1));
//! # Ok(()) }
//! ```

mod known;
mod merchant;
mod person;
mod provider;
mod rules;
mod run;

pub use known::{KnownMerchant, known_merchant};
pub use merchant::merchant_name;
pub use person::{PersonalEdit, find_transaction, set_by_person};
pub use provider::LlmSettings;
pub use rules::{RulePlaced, fits, parse_rule, put_rule};
pub use run::{
    EnrichEstimate, EnrichFailure, EnrichOptions, EnrichProgress, EnrichReport, LlmEstimate,
    enrich_user, estimate_user,
};

use crate::model::TransactionRef;
use crate::store::StoreError;

/// Why enrichment stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnrichError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The LLM provider failed in a way that stops the run (authentication,
    /// quota, rate limits past the retry policy); its words are kept.
    #[error(transparent)]
    Llm(#[from] llm_enrich::Error),
    /// A rule cannot be read.
    #[error("rule {rule:?}: {detail}")]
    Rule {
        /// The rule's name.
        rule: String,
        /// What is wrong.
        detail: String,
    },
    /// The `[llm]` settings cannot be used.
    #[error("llm settings: {0}")]
    Settings(String),
    /// No such transaction.
    #[error("no transaction {}/{}/{}", .0.source, .0.account_id, .0.id)]
    NoTransaction(TransactionRef),
    /// No transaction has this id.
    #[error("no transaction with id {0:?}")]
    NoTransactionWithId(String),
    /// Transactions of several accounts have this id.
    #[error("{accounts} accounts have a transaction {id:?}: name the account")]
    AmbiguousTransaction {
        /// The id.
        id: String,
        /// How many accounts have it.
        accounts: usize,
    },
}
