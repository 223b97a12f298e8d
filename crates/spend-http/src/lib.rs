//! The HTTP stack every spend client shares.
//!
//! `reqwest::Client` is already a [`tower::Service`]; this crate adds the
//! layers a provider client needs and assembles them in [`HttpClient`]:
//!
//! | layer | what it does |
//! |---|---|
//! | [`TraceLayer`] | one span per request (operation, status, attempts, limiter wait); secrets redacted |
//! | [`RetryLayer`] | 429/5xx/timeouts retried with exponential backoff and full jitter, `Retry-After` honoured (seconds or HTTP-date), a total time budget, never a non-idempotent request |
//! | [`AuthLayer`] | the provider's token header; on 401 one single-flight refresh and one replay |
//! | [`RateLimitLayer`] | per-operation, per-key GCRA buckets (governor), re-tuned from `x-amzn-RateLimit-Limit`, drained on 429, persistable |
//! | [`TimeoutLayer`] | a per-attempt timeout |
//!
//! Errors are one enum, [`Error`]; a provider's answer is kept whole in [`ApiError`].
//!
//! ```no_run
//! # async fn run() -> Result<(), spend_http::Error> {
//! use std::sync::Arc;
//! use spend_http::{AuthScheme, HttpClient, Operation, RetryPolicy, StaticToken};
//!
//! let client = HttpClient::builder()
//!     .auth(Arc::new(StaticToken::new("token")), AuthScheme::Bearer)
//!     .retry(RetryPolicy::default().max_attempts(4))
//!     .build()?;
//! let response = client
//!     .send(Operation::new("GetAccounts"), client.get("https://api.truelayer-sandbox.com/data/v1/accounts"))
//!     .await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod auth;
mod call_stats;
mod client;
mod error;
#[cfg(feature = "loopback")]
pub mod loopback;
pub mod rate_limit;
pub mod redact;
mod request;
mod retry;
pub mod retry_after;
#[cfg(feature = "testkit")]
pub mod testkit;
mod timeout;
mod token;
mod trace;
mod transport;

pub use auth::{AuthLayer, AuthScheme, AuthService};
pub use call_stats::{CallStats, CallSummary};
pub use client::{HttpClient, HttpClientBuilder, decode_json};
pub use error::{ApiError, BoxError, Error, MAX_ERROR_BODY, is_retryable_status};
pub use rate_limit::{
    BucketState, FileRateStateStore, RateLimitLayer, RateLimiter, RatePlan, RateStateStore,
    SharedBuckets,
};
pub use request::{Operation, Request, RequestStats};
pub use retry::{RetryLayer, RetryPolicy, RetryService};
pub use timeout::{TimeoutLayer, TimeoutService};
pub use token::{AccessToken, CachedTokenSource, Refresh, StaticToken, TokenSource};
pub use trace::{TraceLayer, TraceService};
pub use transport::Transport;

pub use reqwest;
pub use secrecy;
