//! Accounts and their balances.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::{Currency, Timestamp, amount, open_enum};

open_enum! {
    /// Personal or business, current or savings.
    AccountType {
        /// A personal current account.
        Transaction = "TRANSACTION",
        /// A personal savings account.
        Savings = "SAVINGS",
        /// A business current account.
        BusinessTransaction = "BUSINESS_TRANSACTION",
        /// A business savings account.
        BusinessSavings = "BUSINESS_SAVINGS",
    }
}

/// A bank account (`GET /accounts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// When TrueLayer last refreshed this data.
    pub update_timestamp: Timestamp,
    /// TrueLayer's id for the account. The spec leaves it optional; without
    /// it the account cannot be asked about (skip it: an empty id is refused
    /// with [`Error::InvalidId`](crate::Error::InvalidId)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Personal/business, current/savings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// The account's name as the bank shows it.
    pub display_name: String,
    /// The account's currency.
    pub currency: Currency,
    /// Numbers identifying the account.
    pub account_number: AccountNumber,
    /// The bank.
    pub provider: ProviderRef,
}

/// Sort code and number, IBAN, BIC, routing number or BSB, as the country uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountNumber {
    /// Account number (UK, AU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Sort code (UK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_code: Option<String>,
    /// BIC, or `NOT_SUPPORTED_BY_GEO` / `NOT_SUPPORTED_BY_PROVIDER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swift_bic: Option<String>,
    /// IBAN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// Routing transit number (US).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_number: Option<String>,
    /// Bank State Branch number (AU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsb: Option<String>,
}

/// The provider an account or card belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderRef {
    /// TrueLayer's provider id (`ob-lloyds`, `mock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Deprecated by TrueLayer: use the providers endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Deprecated by TrueLayer: use the providers endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// An account's balance (`GET /accounts/{id}/balance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountBalance {
    /// The balance's currency.
    pub currency: Currency,
    /// Funds available, pending transactions and overdraft included.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub available: Option<Decimal>,
    /// Funds in the account, pending transactions excluded.
    #[serde(with = "amount")]
    pub current: Decimal,
    /// The arranged overdraft limit.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub overdraft: Option<Decimal>,
    /// When TrueLayer last refreshed this data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_timestamp: Option<Timestamp>,
}
