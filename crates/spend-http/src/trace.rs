//! The tracing layer: one span per logical request with operation, status,
//! attempts and time spent in rate limiters; secrets redacted.

use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};
use tracing::{Instrument, field};

use crate::{Error, Request, redact};

/// Wraps each request in a `http` span. See [`TraceService`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer;

impl<S> Layer<S> for TraceLayer {
    type Service = TraceService<S>;

    fn layer(&self, inner: S) -> TraceService<S> {
        TraceService { inner }
    }
}

/// Records, per request: `operation`, `method`, `url` (secret query values
/// redacted), `status`, `attempts`, `limiter_wait_ms` and `elapsed_ms`. At
/// TRACE level it also logs request and response headers, with every
/// credential-bearing header replaced by `<redacted>`. Bodies are never logged.
#[derive(Debug, Clone)]
pub struct TraceService<S> {
    inner: S,
}

impl<S> Service<Request> for TraceService<S>
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
        let span = tracing::debug_span!(
            "http",
            operation = request.operation().name(),
            method = %request.http().method(),
            url = %redact::url(request.http().url()),
            status = field::Empty,
            attempts = field::Empty,
            limiter_wait_ms = field::Empty,
            elapsed_ms = field::Empty,
        );
        let stats = std::sync::Arc::clone(request.stats());
        let fut = async move {
            tracing::trace!(headers = ?redact::Headers(request.http().headers()), "request");
            let started = Instant::now();
            let outcome = inner.oneshot(request).await;
            let span = tracing::Span::current();
            crate::call_stats::record(&stats);
            span.record("attempts", stats.attempts());
            span.record("limiter_wait_ms", stats.limiter_wait().as_millis() as u64);
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            match &outcome {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    tracing::trace!(headers = ?redact::Headers(response.headers()), "response");
                    tracing::debug!("done");
                }
                Err(error) => {
                    if let Some(status) = error.status() {
                        span.record("status", status.as_u16());
                    }
                    // Not the error's Display: an error answer's body may
                    // quote what the request sent (a key, a token).
                    tracing::debug!(error = %summary(error), "failed");
                }
            }
            outcome
        };
        Box::pin(fut.instrument(span))
    }
}

/// What the trace says of a failure: its kind and status, never a body.
fn summary(error: &Error) -> String {
    match error {
        Error::Api(api) => match &api.request_id {
            Some(id) => format!("HTTP {} (request id {id})", api.status),
            None => format!("HTTP {}", api.status),
        },
        Error::RetriesExhausted { attempts, last, .. } => {
            format!("gave up after {attempts} attempts: {}", summary(last))
        }
        Error::Decode { source, .. } => format!("could not decode the response body: {source}"),
        other => other.to_string(),
    }
}
