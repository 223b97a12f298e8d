//! Money as SP-API sends it: an exact decimal amount with its currency.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount in Orders v0 (`{"CurrencyCode": "GBP", "Amount": "12.99"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Money {
    /// ISO 4217 currency.
    #[serde(default)]
    pub currency_code: String,
    /// The amount, exact.
    pub amount: Decimal,
}

/// An amount in Orders 2026-01-01 and the Amazon Business API
/// (`{"amount": "12.99", "currencyCode": "GBP"}`; Amazon Business sends the amount as a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    /// The amount, exact (a JSON number is read through its shortest decimal text).
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency_code: String,
}
