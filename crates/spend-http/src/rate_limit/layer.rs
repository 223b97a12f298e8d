//! The rate-limit layer: waits for a token before each attempt and feeds
//! every response back to the limiter.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use tower::{Layer, Service, ServiceExt};

use super::RateLimiter;
use crate::{Error, Request};

/// Puts a [`RateLimiter`] in front of a service.
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    limiter: Arc<RateLimiter>,
}

impl RateLimitLayer {
    /// A layer drawing from `limiter` (share one limiter between clients that
    /// share the provider's buckets).
    pub fn new(limiter: Arc<RateLimiter>) -> Self {
        RateLimitLayer { limiter }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimitService<S>;

    fn layer(&self, inner: S) -> RateLimitService<S> {
        RateLimitService {
            inner,
            limiter: Arc::clone(&self.limiter),
        }
    }
}

/// See [`RateLimitLayer`].
#[derive(Debug, Clone)]
pub struct RateLimitService<S> {
    inner: S,
    limiter: Arc<RateLimiter>,
}

impl<S> Service<Request> for RateLimitService<S>
where
    S: Service<Request, Response = reqwest::Response, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = reqwest::Response;
    type Error = Error;
    type Future = BoxFuture<'static, Result<reqwest::Response, Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let inner = self.inner.clone();
        let limiter = Arc::clone(&self.limiter);
        Box::pin(async move {
            let operation = request.operation().clone();
            let waited = limiter.acquire(&operation).await;
            request.stats().add_limiter_wait(waited);
            let response = inner.oneshot(request).await?;
            limiter.observe(&operation, response.status(), response.headers());
            Ok(response)
        })
    }
}
