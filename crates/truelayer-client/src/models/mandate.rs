//! Standing orders and direct debits.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::{Currency, MandateStatus, Timestamp, amount};

/// A standing order (`GET /accounts/{id}/standing_orders`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandingOrder {
    /// The schedule (`EvryDay`, `IntrvlMnthDay:01:26`, `QtrDay`, ...).
    pub frequency: String,
    /// Active or inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MandateStatus>,
    /// When the data was requested.
    pub timestamp: Timestamp,
    /// The payments' currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Provider-specific fields (`provider_account_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
    /// The next payment's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_payment_date: Option<Timestamp>,
    /// The next payment's amount.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_payment_amount: Option<Decimal>,
    /// The first payment's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_payment_date: Option<Timestamp>,
    /// The first payment's amount.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_payment_amount: Option<Decimal>,
    /// The final payment's date (`9999-12-31` for open-ended orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_payment_date: Option<Timestamp>,
    /// The final payment's amount.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub final_payment_amount: Option<Decimal>,
    /// Who is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// The payment reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A direct debit mandate (`GET /accounts/{id}/direct_debits`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectDebit {
    /// TrueLayer's id in this response; it may change between requests.
    pub direct_debit_id: String,
    /// When the data was requested.
    pub timestamp: Timestamp,
    /// Who collects (often a brand the user knows: their energy supplier).
    pub name: String,
    /// Active or inactive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MandateStatus>,
    /// The latest payment's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_payment_timestamp: Option<Timestamp>,
    /// The latest payment's amount.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub previous_payment_amount: Option<Decimal>,
    /// The payments' currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Mandate reference and provider ids.
    pub meta: DirectDebitMeta,
}

/// The identifiers of a direct debit mandate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectDebitMeta {
    /// The mandate reference.
    pub provider_mandate_identification: String,
    /// The bank's account id.
    pub provider_account_id: String,
    /// The bank's mandate id, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_direct_debit_id: Option<String>,
}
