//! `/accounts`: current and savings accounts.

use super::{DataClient, DataRequest};
use crate::models::{Account, AccountBalance, DirectDebit, StandingOrder, Transaction};

/// The account endpoints. Get it from [`DataClient::accounts`].
///
/// An `account_id` that names nothing (empty, `.` or `..`) fails with
/// [`Error::InvalidId`](crate::Error::InvalidId) when the request is sent,
/// before anything goes out. [`Account::account_id`](crate::models::Account::account_id)
/// and [`Card::account_id`](crate::models::Card::account_id)
/// are optional: handle a missing one (skip the account) rather than pass `""`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) client: &'a DataClient,
}

impl Accounts<'_> {
    /// All accounts (`GET /accounts`).
    pub fn list(&self) -> DataRequest<Account> {
        DataRequest::new(self.client.clone(), "GetAccounts", &["accounts"])
    }

    /// One account (`GET /accounts/{account_id}`).
    pub fn get(&self, account_id: &str) -> DataRequest<Account> {
        DataRequest::new(self.client.clone(), "GetAccount", &["accounts", account_id])
    }

    /// Its balance (`GET /accounts/{account_id}/balance`).
    pub fn balance(&self, account_id: &str) -> DataRequest<AccountBalance> {
        DataRequest::new(
            self.client.clone(),
            "GetAccountBalance",
            &["accounts", account_id, "balance"],
        )
    }

    /// Settled transactions (`GET /accounts/{account_id}/transactions`);
    /// narrow with [`from`](DataRequest::from) and [`to`](DataRequest::to).
    pub fn transactions(&self, account_id: &str) -> DataRequest<Transaction> {
        DataRequest::new(
            self.client.clone(),
            "GetAccountTransactions",
            &["accounts", account_id, "transactions"],
        )
    }

    /// Pending transactions (`GET /accounts/{account_id}/transactions/pending`).
    /// A pending transaction settles later under a new `transaction_id`.
    pub fn pending_transactions(&self, account_id: &str) -> DataRequest<Transaction> {
        DataRequest::new(
            self.client.clone(),
            "GetAccountPendingTransactions",
            &["accounts", account_id, "transactions", "pending"],
        )
    }

    /// Standing orders (`GET /accounts/{account_id}/standing_orders`).
    pub fn standing_orders(&self, account_id: &str) -> DataRequest<StandingOrder> {
        DataRequest::new(
            self.client.clone(),
            "GetAccountStandingOrders",
            &["accounts", account_id, "standing_orders"],
        )
    }

    /// Direct debits (`GET /accounts/{account_id}/direct_debits`).
    pub fn direct_debits(&self, account_id: &str) -> DataRequest<DirectDebit> {
        DataRequest::new(
            self.client.clone(),
            "GetAccountDirectDebits",
            &["accounts", account_id, "direct_debits"],
        )
    }
}
