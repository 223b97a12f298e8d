//! `/cards`: credit, charge and debit card accounts.

use super::{DataClient, DataRequest};
use crate::models::{Card, CardBalance, Transaction};

/// The card endpoints. Get it from [`DataClient::cards`].
///
/// An `account_id` that names nothing (empty, `.` or `..`) fails with
/// [`Error::InvalidId`](crate::Error::InvalidId) when the request is sent,
/// before anything goes out. [`Account::account_id`](crate::models::Account::account_id)
/// and [`Card::account_id`](crate::models::Card::account_id)
/// are optional: handle a missing one (skip the account) rather than pass `""`.
#[derive(Debug, Clone, Copy)]
pub struct Cards<'a> {
    pub(crate) client: &'a DataClient,
}

impl Cards<'_> {
    /// All cards (`GET /cards`).
    pub fn list(&self) -> DataRequest<Card> {
        DataRequest::new(self.client.clone(), "GetCards", &["cards"])
    }

    /// One card (`GET /cards/{account_id}`).
    pub fn get(&self, account_id: &str) -> DataRequest<Card> {
        DataRequest::new(self.client.clone(), "GetCard", &["cards", account_id])
    }

    /// Its balance (`GET /cards/{account_id}/balance`).
    pub fn balance(&self, account_id: &str) -> DataRequest<CardBalance> {
        DataRequest::new(
            self.client.clone(),
            "GetCardBalance",
            &["cards", account_id, "balance"],
        )
    }

    /// Settled transactions (`GET /cards/{account_id}/transactions`).
    pub fn transactions(&self, account_id: &str) -> DataRequest<Transaction> {
        DataRequest::new(
            self.client.clone(),
            "GetCardTransactions",
            &["cards", account_id, "transactions"],
        )
    }

    /// Pending transactions (`GET /cards/{account_id}/transactions/pending`).
    pub fn pending_transactions(&self, account_id: &str) -> DataRequest<Transaction> {
        DataRequest::new(
            self.client.clone(),
            "GetCardPendingTransactions",
            &["cards", account_id, "transactions", "pending"],
        )
    }
}
