//! Matches between transactions and what explains them.

use serde::{Deserialize, Serialize};

use super::{TransactionRef, open_enum};

/// Where a match stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MatchState {
    /// Proposed; waits for the person.
    Suggested,
    /// Made by the matcher with no close rival.
    Automatic,
    /// The person confirmed it.
    Confirmed,
    /// The person declined it; never proposed again.
    Declined,
    /// A value this version does not know.
    Other(String),
}
open_enum!(MatchState { Suggested => "suggested", Automatic => "automatic", Confirmed => "confirmed", Declined => "declined" });

/// What a transaction is matched to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchTarget {
    /// An order, by `(source, id)`.
    Order {
        /// The order's source.
        source: String,
        /// The order id.
        id: String,
    },
    /// A receipt, by its email's `(mailbox, message_id)`.
    Receipt {
        /// The mailbox.
        mailbox: String,
        /// The message id.
        message_id: String,
    },
    /// An Apple purchase, by order id.
    Apple {
        /// Apple's order id.
        order_id: String,
    },
}

impl MatchTarget {
    /// The target as one stable string (its kind and key), for storage.
    pub fn key(&self) -> String {
        match self {
            MatchTarget::Order { source, id } => format!("order\u{1f}{source}\u{1f}{id}"),
            MatchTarget::Receipt {
                mailbox,
                message_id,
            } => format!("receipt\u{1f}{mailbox}\u{1f}{message_id}"),
            MatchTarget::Apple { order_id } => format!("apple\u{1f}{order_id}"),
        }
    }
}

/// A transaction tied to what explains it. Natural key: `(transaction, target)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The bank or card transaction.
    pub transaction: TransactionRef,
    /// The order, receipt or purchase.
    pub target: MatchTarget,
    /// Where it stands.
    pub state: MatchState,
    /// The overall score, 0 to 1.
    pub score: f64,
    /// Each part's score and why (amount, date, merchant, reference, currency).
    pub explanation: serde_json::Value,
}
