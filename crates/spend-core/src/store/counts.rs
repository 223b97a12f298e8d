//! How much a person's store holds.

use serde::Serialize;

/// Rows of each kind one user has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Bank accounts and cards.
    pub accounts: u64,
    /// Transactions.
    pub transactions: u64,
    /// Standing orders and direct debits.
    pub mandates: u64,
    /// Orders (Amazon, email).
    pub orders: u64,
    /// Apple purchases.
    pub apple_purchases: u64,
    /// Emails kept.
    pub emails: u64,
    /// Receipts read from them.
    pub receipts: u64,
    /// Documents (PDFs).
    pub documents: u64,
    /// Matches, in every state.
    pub matches: u64,
    /// Enrichments.
    pub enrichments: u64,
}
