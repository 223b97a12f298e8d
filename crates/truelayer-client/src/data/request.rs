//! [`DataRequest`]: one Data API GET, with its optional parameters.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use spend_http::Operation;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::DataClient;
use crate::models::{AsyncResponse, Results, Transaction};
use crate::{Error, Result};

/// A bound of a transactions window: a date (`YYYY-MM-DD`) or an instant (RFC 3339).
#[derive(Debug, Clone)]
pub struct WindowBound(String);

impl From<Date> for WindowBound {
    fn from(date: Date) -> Self {
        WindowBound(date.to_string())
    }
}

impl From<OffsetDateTime> for WindowBound {
    fn from(instant: OffsetDateTime) -> Self {
        WindowBound(
            instant
                .format(&Rfc3339)
                .unwrap_or_else(|_| instant.date().to_string()),
        )
    }
}

/// A Data API GET. Await it for the results, or use
/// [`send_async`](DataRequest::send_async) to have TrueLayer fetch in the background.
#[must_use = "a request does nothing until awaited"]
#[derive(Debug)]
pub struct DataRequest<T> {
    client: DataClient,
    operation: &'static str,
    url: url::Url,
    /// A path segment that names nothing, refused when the request is sent
    /// (a builder cannot fail, and awaiting it can).
    invalid_id: Option<String>,
    query: Vec<(&'static str, String)>,
    correlation_id: Option<String>,
    _results: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> DataRequest<T> {
    pub(crate) fn new(client: DataClient, operation: &'static str, segments: &[&str]) -> Self {
        let url = client.endpoint(segments);
        // `Url` turns an empty segment into `//` and drops `.` and `..`: the
        // request would reach another resource, or a list instead of one
        // item. The fixed segments never look like this; an id may.
        let invalid_id = segments
            .iter()
            .copied()
            .find(|s| matches!(*s, "" | "." | ".."))
            .map(str::to_owned);
        DataRequest {
            client,
            operation,
            url,
            invalid_id,
            query: Vec::new(),
            correlation_id: None,
            _results: PhantomData,
        }
    }

    /// Your id for this call (`X-Client-Correlation-Id`; a random UUID by default).
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    fn build(&self, extra: &[(&'static str, String)]) -> Result<reqwest::RequestBuilder> {
        if let Some(id) = &self.invalid_id {
            return Err(Error::InvalidId { id: id.clone() });
        }
        Ok(self
            .client
            .request(
                reqwest::Method::GET,
                self.url.clone(),
                self.correlation_id.clone(),
            )
            .query(&self.query)
            .query(extra))
    }

    /// Sends the request and returns the results.
    ///
    /// An id that names nothing (empty, `.` or `..`) fails with
    /// [`Error::InvalidId`] before anything is sent.
    pub async fn send(self) -> Result<Vec<T>> {
        let request = self.build(&[])?;
        let page: Results<T> = self
            .client
            .http
            .send_json(Operation::new(self.operation), request)
            .await?;
        Ok(page.results)
    }

    /// Asks TrueLayer to fetch in the background (`async=true`); it answers 202
    /// with a task id and POSTs to `webhook_uri` when done.
    pub async fn send_async(self, webhook_uri: Option<&str>) -> Result<AsyncResponse> {
        let mut extra = vec![("async", "true".to_owned())];
        if let Some(uri) = webhook_uri {
            extra.push(("webhook_uri", uri.to_owned()));
        }
        let request = self.build(&extra)?;
        Ok(self
            .client
            .http
            .send_json(Operation::new(self.operation), request)
            .await?)
    }
}

impl DataRequest<Transaction> {
    /// Transactions from this date or instant (inclusive).
    pub fn from(mut self, from: impl Into<WindowBound>) -> Self {
        self.query.push(("from", from.into().0));
        self
    }

    /// Transactions until this date or instant (inclusive).
    pub fn to(mut self, to: impl Into<WindowBound>) -> Self {
        self.query.push(("to", to.into().0));
        self
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for DataRequest<T> {
    type Output = Result<Vec<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Vec<T>>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
