//! Settled and pending transactions of accounts and cards.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::{Currency, Timestamp, amount, open_enum};

open_enum! {
    /// Money in or money out.
    TransactionType {
        /// Money out.
        Debit = "DEBIT",
        /// Money in.
        Credit = "CREDIT",
    }
}

open_enum! {
    /// The bank's category of a transaction.
    TransactionCategory {
        /// Cash at an ATM.
        Atm = "ATM",
        /// A bill payment.
        BillPayment = "BILL_PAYMENT",
        /// Cash over the counter.
        Cash = "CASH",
        /// Cashback with a purchase.
        Cashback = "CASHBACK",
        /// A cheque.
        Cheque = "CHEQUE",
        /// A correction.
        Correction = "CORRECTION",
        /// Money in.
        Credit = "CREDIT",
        /// A direct debit.
        DirectDebit = "DIRECT_DEBIT",
        /// A dividend.
        Dividend = "DIVIDEND",
        /// A fee or charge.
        FeeCharge = "FEE_CHARGE",
        /// Interest.
        Interest = "INTEREST",
        /// Anything else.
        Other = "OTHER",
        /// A card purchase.
        Purchase = "PURCHASE",
        /// A standing order.
        StandingOrder = "STANDING_ORDER",
        /// A transfer.
        Transfer = "TRANSFER",
        /// Money out, uncategorised.
        Debit = "DEBIT",
        /// Unknown to the bank.
        Unknown = "UNKNOWN",
    }
}

/// A balance after a transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningBalance {
    /// The balance.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Its currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

/// A transaction of an account or card.
///
/// `amount` is negative for money out on accounts; card transactions are
/// reported by most providers as positive debits: use `transaction_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// TrueLayer's id in this response; it may change between requests.
    pub transaction_id: String,
    /// TrueLayer's stable id: use it as the natural key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalised_provider_transaction_id: Option<String>,
    /// The bank's own id (format varies by bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_transaction_id: Option<String>,
    /// When the transaction was posted.
    pub timestamp: Timestamp,
    /// The bank's description.
    pub description: String,
    /// The amount, exact.
    #[serde(with = "amount")]
    pub amount: Decimal,
    /// The amount's currency.
    pub currency: Currency,
    /// Debit or credit.
    pub transaction_type: TransactionType,
    /// The bank's category.
    pub transaction_category: TransactionCategory,
    /// TrueLayer's classification and sub-classification (`["Shopping", "Groceries"]`).
    #[serde(default)]
    pub transaction_classification: Vec<String>,
    /// The merchant TrueLayer found in the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_name: Option<String>,
    /// The balance after this transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_balance: Option<RunningBalance>,
    /// Provider-specific fields (`provider_category`, `cardNumber`, `location`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, serde_json::Value>,
}

impl Transaction {
    /// A provider-specific `meta` field as text.
    ///
    /// ```
    /// # let t: truelayer_client::models::Transaction = serde_json::from_str(r#"{"transaction_id":"1","timestamp":"2018-01-16T00:00:00+00:00","description":"SAINSBURYS","amount":24.25,"currency":"GBP","transaction_type":"DEBIT","transaction_category":"PURCHASE","meta":{"location":"INTERNET"}}"#).unwrap();
    /// assert_eq!(t.meta_str("location"), Some("INTERNET"));
    /// ```
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(|v| v.as_str())
    }
}
