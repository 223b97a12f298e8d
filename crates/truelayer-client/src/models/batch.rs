//! Asynchronous requests and the batch endpoint.

use serde::{Deserialize, Serialize};

use super::values::{ResponseStatus, Timestamp};
use super::{AccountBalance, CardBalance, Transaction};

/// The answer to an `async=true` request or a batch start (HTTP 202).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AsyncResponse {
    /// Where the results will be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_uri: Option<String>,
    /// `Queued`, `Running`, `Succeeded` or `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResponseStatus>,
    /// The task's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
}

/// What to fetch in one batch (`POST /batch/transactions`).
///
/// ```
/// use truelayer_client::models::BatchRequest;
/// let request = BatchRequest { pending: Some(true), balance: Some(true), ..Default::default() };
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// Transactions from (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Transactions to (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Include pending transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
    /// Include balances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<bool>,
    /// Where TrueLayer should POST when done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_uri: Option<String>,
    /// Only these accounts and cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ids_whitelist: Option<Vec<String>>,
}

/// The outcome of a batch (`GET /batch/results`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchResults {
    /// The batch's state.
    pub status: ResponseStatus,
    /// The batch's id.
    pub task_id: String,
    /// The window that was requested.
    pub request: BatchWindow,
    /// Data per account and card.
    pub results: BatchData,
}

/// The window of a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchWindow {
    /// From.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// To.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
}

/// The data of a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchData {
    /// Per account.
    #[serde(default)]
    pub accounts: Vec<BatchAccount>,
    /// Per card.
    #[serde(default)]
    pub cards: Vec<BatchCard>,
}

/// One account's or card's part of a batch; `B` is its balance type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "B: Deserialize<'de>"))]
pub struct BatchEntry<B> {
    /// The account or card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Settled transactions.
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    /// Pending transactions.
    #[serde(default)]
    pub pending_transactions: Vec<Transaction>,
    /// The balance, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<B>,
}

/// One account's part of a batch.
pub type BatchAccount = BatchEntry<AccountBalance>;

/// One card's part of a batch.
pub type BatchCard = BatchEntry<CardBalance>;
