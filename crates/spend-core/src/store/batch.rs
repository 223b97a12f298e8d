//! A batch of records written in one transaction, and what the write did.

use serde::Serialize;

use crate::model::{
    Account, ApplePurchase, Checkpoint, Document, Email, Enrichment, Mandate, Match, MatchTarget,
    Order, Receipt, Transaction, TransactionRef,
};

/// Records of any kind to upsert together, and optionally the checkpoint
/// that says they are in: both land in one transaction or neither does.
///
/// ```
/// use spend_core::model::{Account, AccountKind, Currency};
/// use spend_core::store::Batch;
/// let batch = Batch::default().accounts(vec![Account::new("truelayer", "acc-1", AccountKind::Bank, Currency::GBP)]);
/// assert!(!batch.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Accounts and cards.
    pub accounts: Vec<Account>,
    /// Transactions.
    pub transactions: Vec<Transaction>,
    /// Standing orders and direct debits.
    pub mandates: Vec<Mandate>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Apple purchases.
    pub apple_purchases: Vec<ApplePurchase>,
    /// Emails.
    pub emails: Vec<Email>,
    /// Receipts.
    pub receipts: Vec<Receipt>,
    /// Documents.
    pub documents: Vec<Document>,
    /// Matches.
    pub matches: Vec<Match>,
    /// Enrichments.
    pub enrichments: Vec<Enrichment>,
    /// Transactions to remove (a pending one that settled under a new id).
    pub removed: Vec<TransactionRef>,
    /// Matches to remove, by `(transaction, target)` (a suggestion the
    /// matcher no longer makes).
    pub unmatched: Vec<(TransactionRef, MatchTarget)>,
    /// The checkpoint to store with them.
    pub checkpoint: Option<Checkpoint>,
}

macro_rules! setters {
    ($($field:ident: $ty:ty),+ $(,)?) => {
        impl Batch {
            $(
                #[doc = concat!("Adds ", stringify!($field), ".")]
                pub fn $field(mut self, items: Vec<$ty>) -> Self {
                    self.$field.extend(items);
                    self
                }
            )+
        }
    };
}
setters!(accounts: Account, transactions: Transaction, mandates: Mandate, orders: Order, apple_purchases: ApplePurchase,
    emails: Email, receipts: Receipt, documents: Document, matches: Match, enrichments: Enrichment);

impl Batch {
    /// Removes these transactions in the same transaction as the writes.
    pub fn remove(mut self, keys: Vec<TransactionRef>) -> Self {
        self.removed.extend(keys);
        self
    }

    /// Removes these matches in the same transaction as the writes.
    pub fn unmatch(mut self, pairs: Vec<(TransactionRef, MatchTarget)>) -> Self {
        self.unmatched.extend(pairs);
        self
    }

    /// Sets the checkpoint written with the records.
    pub fn checkpoint(mut self, checkpoint: Checkpoint) -> Self {
        self.checkpoint = Some(checkpoint);
        self
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.transactions.is_empty()
            && self.mandates.is_empty()
            && self.orders.is_empty()
            && self.apple_purchases.is_empty()
            && self.emails.is_empty()
            && self.receipts.is_empty()
            && self.documents.is_empty()
            && self.matches.is_empty()
            && self.enrichments.is_empty()
            && self.removed.is_empty()
            && self.unmatched.is_empty()
            && self.checkpoint.is_none()
    }
}

/// What an upsert of one kind did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Upserted {
    /// New rows.
    pub inserted: u64,
    /// Rows whose content changed.
    pub updated: u64,
    /// Rows already stored as given.
    pub unchanged: u64,
}

impl Upserted {
    /// Rows written (inserted or updated).
    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }
}

/// What a [`Batch`] write did, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Accounts.
    pub accounts: Upserted,
    /// Transactions.
    pub transactions: Upserted,
    /// Standing orders and direct debits.
    pub mandates: Upserted,
    /// Orders.
    pub orders: Upserted,
    /// Apple purchases.
    pub apple_purchases: Upserted,
    /// Emails.
    pub emails: Upserted,
    /// Receipts.
    pub receipts: Upserted,
    /// Documents.
    pub documents: Upserted,
    /// Matches.
    pub matches: Upserted,
    /// Enrichments.
    pub enrichments: Upserted,
    /// Transactions removed.
    pub removed: u64,
    /// Matches removed.
    pub unmatched: u64,
}
