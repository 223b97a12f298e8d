//! Cards and their balances.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::values::{Currency, Timestamp, amount};

/// A credit, charge or debit card account (`GET /cards`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// TrueLayer's id for the card account. The spec leaves it optional;
    /// without it the card cannot be asked about (skip it: an empty id is
    /// refused with [`Error::InvalidId`](crate::Error::InvalidId)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// `VISA`, `MASTERCARD`, `AMEX`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_network: Option<String>,
    /// `CREDIT`, `CHARGE`, `DEBIT`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
    /// The card's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The card's name as the bank shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The last digits of the card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_card_number: Option<String>,
    /// The cardholder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_on_card: Option<String>,
    /// Valid from (`YYYY-MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Valid to (`YYYY-MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// When TrueLayer last refreshed this data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_timestamp: Option<Timestamp>,
    /// The bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<super::ProviderRef>,
}

/// A card's balance (`GET /cards/{id}/balance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardBalance {
    /// Credit available.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub available: Option<Decimal>,
    /// The balance's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The amount owed now.
    #[serde(with = "amount")]
    pub current: Decimal,
    /// The credit limit.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub credit_limit: Option<Decimal>,
    /// The last statement's balance.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_statement_balance: Option<Decimal>,
    /// The last statement's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_statement_date: Option<Timestamp>,
    /// The minimum payment due.
    #[serde(
        default,
        with = "amount::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_due: Option<Decimal>,
    /// When the payment is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date: Option<Timestamp>,
    /// When TrueLayer last refreshed this data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_timestamp: Option<Timestamp>,
}
