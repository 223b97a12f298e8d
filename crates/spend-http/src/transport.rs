//! The innermost service: `reqwest::Client` speaking our request and error types.

use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use crate::{Error, Request};

/// Sends a [`Request`] with a `reqwest::Client`. Every stack ends in one of these.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    /// A transport over `client` (reuse one client: it owns the connection pool).
    pub fn new(client: reqwest::Client) -> Self {
        Transport { client }
    }
}

impl tower::Service<Request> for Transport {
    type Response = reqwest::Response;
    type Error = Error;
    type Future = BoxFuture<'static, Result<reqwest::Response, Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let client = self.client.clone();
        request.stats().add_attempt();
        let stats = std::sync::Arc::clone(request.stats());
        let timeout = request.http().timeout().copied();
        Box::pin(async move {
            let response =
                client
                    .execute(request.into_http())
                    .await
                    .map_err(|e| match timeout {
                        Some(limit) if e.is_timeout() => Error::Timeout(limit),
                        _ => Error::transport(e),
                    })?;
            if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                stats.add_throttled();
            }
            Ok(response)
        })
    }
}
