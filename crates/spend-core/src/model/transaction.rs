//! Bank and card transactions.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::{Money, open_enum};

/// Whether the bank has settled a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// Authorised, not settled yet.
    Pending,
    /// Settled.
    Booked,
    /// A value this version does not know.
    Other(String),
}
open_enum!(TransactionStatus { Pending => "pending", Booked => "booked" });

/// The natural key of a transaction: `(source, account, id)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TransactionRef {
    /// Where it came from (`truelayer`).
    pub source: String,
    /// The provider's account id.
    pub account_id: String,
    /// The transaction's id within the account: TrueLayer's
    /// `normalised_provider_transaction_id`, or a fingerprint when it has none.
    pub id: String,
}

/// One bank or card transaction. Natural key: [`TransactionRef`].
///
/// Amounts are signed as the bank shows them: money out is negative.
///
/// ```
/// use spend_core::model::{Money, Transaction, TransactionStatus};
/// let tx = Transaction::new("truelayer", "acc-1", "tx-1",
///     time::macros::date!(2026 - 03 - 02), Money::parse("-12.50", "GBP")?, "TESCO STORES 3011")
///     .status(TransactionStatus::Pending);
/// assert_eq!(tx.amount.minor(), -1250);
/// # Ok::<(), spend_core::model::MoneyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Where it came from (`truelayer`, `bank-file`).
    pub source: String,
    /// The provider's account id.
    pub account_id: String,
    /// The id within the account (see [`TransactionRef::id`]).
    pub id: String,
    /// Pending or booked.
    pub status: TransactionStatus,
    /// The day the bank dates it.
    pub date: Date,
    /// The instant, when the provider gives one.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub timestamp: Option<OffsetDateTime>,
    /// The signed amount (negative: money out).
    pub amount: Money,
    /// The bank's description.
    pub description: String,
    /// The merchant, as the bank or enrichment names it.
    pub merchant: Option<String>,
    /// The category (the bank's, or enrichment's once it ran).
    pub category: Option<String>,
    /// The provider's own transaction id, when it differs from `id`.
    pub provider_id: Option<String>,
    /// The balance after this transaction.
    pub running_balance: Option<Money>,
    /// The provider's payload, kept whole.
    pub raw: Option<serde_json::Value>,
}

impl Transaction {
    /// A booked transaction with the fields every source has.
    pub fn new(
        source: &str,
        account_id: &str,
        id: &str,
        date: Date,
        amount: Money,
        description: &str,
    ) -> Self {
        Transaction {
            source: source.to_owned(),
            account_id: account_id.to_owned(),
            id: id.to_owned(),
            status: TransactionStatus::Booked,
            date,
            timestamp: None,
            amount,
            description: description.to_owned(),
            merchant: None,
            category: None,
            provider_id: None,
            running_balance: None,
            raw: None,
        }
    }

    /// Sets the status.
    pub fn status(mut self, status: TransactionStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets the merchant.
    pub fn merchant(mut self, merchant: &str) -> Self {
        self.merchant = Some(merchant.to_owned());
        self
    }

    /// Sets the category.
    pub fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self
    }

    /// Its natural key.
    pub fn key(&self) -> TransactionRef {
        TransactionRef {
            source: self.source.clone(),
            account_id: self.account_id.clone(),
            id: self.id.clone(),
        }
    }
}
