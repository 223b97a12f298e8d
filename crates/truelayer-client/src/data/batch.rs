//! `/batch`: many accounts and cards in one asynchronous call.

use reqwest::Method;
use spend_http::Operation;

use super::DataClient;
use crate::Result;
use crate::models::{AsyncResponse, BatchRequest, BatchResults};

/// The batch endpoints. Get it from [`DataClient::batch`].
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    pub(crate) client: &'a DataClient,
}

impl Batch<'_> {
    /// Starts collecting transactions (and optionally pending transactions and
    /// balances) of every account and card (`POST /batch/transactions`).
    pub async fn start(&self, request: &BatchRequest) -> Result<AsyncResponse> {
        let url = self.client.endpoint(&["batch", "transactions"]);
        let http = self.client.request(Method::POST, url, None).json(request);
        Ok(self
            .client
            .http
            .send_json(Operation::new("GetBatch"), http)
            .await?)
    }

    /// The results of the batch `task_id` (`GET /batch/results`).
    pub async fn results(&self, task_id: &str) -> Result<BatchResults> {
        let url = self.client.endpoint(&["batch", "results"]);
        let http = self
            .client
            .request(Method::GET, url, None)
            .query(&[("task_id", task_id)]);
        Ok(self
            .client
            .http
            .send_json(Operation::new("GetBatchResults"), http)
            .await?)
    }
}
