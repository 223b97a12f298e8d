//! Typed models of every request and response in TrueLayer's Data API v1 and
//! auth server specs.
//!
//! Amounts are exact [`rust_decimal::Decimal`]s, timestamps keep their text and
//! offset ([`Timestamp`]), and enums keep values they do not know (`Other`).

mod account;
mod auth;
mod batch;
mod card;
mod connection;
mod identity;
mod mandate;
mod transaction;
mod values;

pub use account::{Account, AccountBalance, AccountNumber, AccountType, ProviderRef};
pub use auth::{
    AuthLink, DebugId, DirectBankAuthLinkRequest, ErrorBody, Provider, ReauthLinkRequest, Scope,
    TokenResponse,
};
pub use batch::{
    AsyncResponse, BatchAccount, BatchCard, BatchData, BatchEntry, BatchRequest, BatchResults,
    BatchWindow,
};
pub use card::{Card, CardBalance};
pub use connection::{EndUser, ExtendConnectionRequest, ExtendResponse, Problem};
pub use identity::{Info, Me};
pub use mandate::{DirectDebit, DirectDebitMeta, StandingOrder};
pub use transaction::{RunningBalance, Transaction, TransactionCategory, TransactionType};
pub use values::{Currency, MandateStatus, ResponseStatus, Timestamp};

use serde::{Deserialize, Serialize};

/// The Data API's envelope: `{"results": [...], "status": "Succeeded"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results<T> {
    /// The items.
    pub results: Vec<T>,
    /// The status, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResponseStatus>,
}
