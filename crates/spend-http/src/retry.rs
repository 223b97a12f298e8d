//! The retry layer: exponential backoff with full jitter, `Retry-After`, and a
//! total time budget. Only idempotent requests are ever sent twice.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use futures_util::future::BoxFuture;
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use crate::error::is_retryable_status;
use crate::{ApiError, Error, Request};

/// When and how long to retry.
///
/// ```
/// use std::time::Duration;
/// use spend_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(8)
///     .budget(Duration::from_secs(120))
///     .delays(Duration::from_millis(200), Duration::from_secs(20));
/// assert_eq!(policy.get_max_attempts(), 8);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    budget: Duration,
    min_delay: Duration,
    max_delay: Duration,
    factor: f32,
    jitter: bool,
    retry_when: Option<RetryWhen>,
    final_when: Option<RetryWhen>,
}

/// A provider's own "slow down" answers that a status alone does not tell.
type RetryWhen = Arc<dyn Fn(reqwest::StatusCode, &[u8]) -> bool + Send + Sync>;

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("budget", &self.budget)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("factor", &self.factor)
            .field("jitter", &self.jitter)
            .field("retry_when", &self.retry_when.as_ref().map(|_| "fn"))
            .field("final_when", &self.final_when.as_ref().map(|_| "fn"))
            .finish()
    }
}

impl Default for RetryPolicy {
    /// 5 attempts within 60 s, delays from 500 ms doubling up to 30 s, full jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            budget: Duration::from_secs(60),
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            factor: 2.0,
            jitter: true,
            retry_when: None,
            final_when: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// The most attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest time from the first attempt to the start of the last one.
    /// A wait that would end past it is not started.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The first delay's ceiling and the cap of all ceilings.
    pub fn delays(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max.max(min);
        self
    }

    /// How much each ceiling grows over the previous one (default 2).
    pub fn factor(mut self, factor: f32) -> Self {
        self.factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Full jitter (each delay uniform in `[0, ceiling)`), on by default. Turn
    /// it off only in tests that need exact delays.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Also retries client errors (4xx) whose body `decide` says are
    /// retryable: Gmail answers a rate limit with 403 and a reason
    /// (`rateLimitExceeded`, `userRateLimitExceeded`) in the body. The body is
    /// read to decide and handed on intact when the answer is no.
    ///
    /// ```
    /// use spend_http::RetryPolicy;
    /// let policy = RetryPolicy::default().retry_when(|status, body| {
    ///     status.as_u16() == 403 && String::from_utf8_lossy(body).contains("RateLimitExceeded")
    /// });
    /// # let _ = policy;
    /// ```
    pub fn retry_when(
        mut self,
        decide: impl Fn(reqwest::StatusCode, &[u8]) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.retry_when = Some(Arc::new(decide));
        self
    }

    /// Never retries answers whose body `decide` says are final although
    /// their status is one that usually passes (a 429 or 503): TrueLayer's
    /// unattended-access allowance answers 429 and is spent for the day, so
    /// every retry would be refused too. The body is read to decide and
    /// handed on intact.
    ///
    /// ```
    /// use spend_http::RetryPolicy;
    /// let policy = RetryPolicy::default().final_when(|status, body| {
    ///     status.as_u16() == 429 && String::from_utf8_lossy(body).contains("unattended")
    /// });
    /// # let _ = policy;
    /// ```
    pub fn final_when(
        mut self,
        decide: impl Fn(reqwest::StatusCode, &[u8]) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.final_when = Some(Arc::new(decide));
        self
    }

    /// The configured attempt limit.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    fn ceilings(&self) -> impl Iterator<Item = Duration> + use<> {
        let max = self.max_delay;
        ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(self.factor)
            .without_max_times()
            .build()
            .chain(std::iter::repeat(max))
    }
}

/// Adds retries. See [`RetryService`].
#[derive(Debug, Clone, Default)]
pub struct RetryLayer {
    policy: RetryPolicy,
}

impl RetryLayer {
    /// Retries under `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        RetryLayer { policy }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;

    fn layer(&self, inner: S) -> RetryService<S> {
        RetryService {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// Retries what is safe to retry (429, 408, 5xx gateway/availability errors,
/// timeouts, connection failures) when the request is idempotent, waiting
/// `Retry-After` when the provider gives one (on a 429 without it, the
/// rate-limit reset headers), and otherwise an exponentially growing,
/// fully jittered delay otherwise. When attempts or budget run out after at
/// least one retry it returns [`Error::RetriesExhausted`] carrying the last
/// status and body; when no retry was made, the first attempt's own answer.
#[derive(Debug, Clone)]
pub struct RetryService<S> {
    inner: S,
    policy: RetryPolicy,
}

impl<S> Service<Request> for RetryService<S>
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
        let policy = self.policy.clone();
        Box::pin(run(inner, policy, request))
    }
}

async fn run<S>(
    inner: S,
    policy: RetryPolicy,
    mut request: Request,
) -> Result<reqwest::Response, Error>
where
    S: Service<Request, Response = reqwest::Response, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    let started = Instant::now();
    let mut ceilings = policy.ceilings();
    let mut attempt = 1;
    loop {
        let replay = if request.is_idempotent() {
            request.try_clone()
        } else {
            None
        };
        let mut outcome = inner.clone().oneshot(request).await;
        let (retryable, retry_after) = match &mut outcome {
            Ok(response) => {
                let headers = response.headers();
                let mut wait = crate::retry_after::parse(headers, SystemTime::now());
                if wait.is_none() && response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    wait = crate::retry_after::rate_limit_reset(headers);
                }
                let mut retryable = is_retryable_status(response.status());
                if let Some(decide) = policy.retry_when.as_ref().filter(|_| {
                    !retryable && response.status().is_client_error() && replay.is_some()
                }) {
                    let (status, body) = buffer(response).await;
                    retryable = decide(status, &body);
                } else if let Some(decide) = policy
                    .final_when
                    .as_ref()
                    .filter(|_| retryable && replay.is_some())
                {
                    let (status, body) = buffer(response).await;
                    retryable = !decide(status, &body);
                }
                (retryable, wait)
            }
            Err(error) => (error.is_transient(), None),
        };
        let Some(next) = replay.filter(|_| retryable) else {
            return outcome;
        };
        let ceiling = ceilings.next().unwrap_or(policy.max_delay);
        let delay = retry_after.unwrap_or_else(|| {
            if policy.jitter {
                ceiling.mul_f64(fastrand::f64())
            } else {
                ceiling
            }
        });
        let elapsed = started.elapsed();
        if attempt == 1 && (policy.max_attempts == 1 || elapsed + delay > policy.budget) {
            // Nothing was retried: the error is the first attempt's own
            // (a `Timeout` stays a `Timeout`), not "retries exhausted".
            return outcome;
        }
        if attempt >= policy.max_attempts || elapsed + delay > policy.budget {
            let last = match outcome {
                Ok(response) => Error::Api(Box::new(ApiError::from_response(response).await)),
                Err(error) => error,
            };
            return Err(Error::RetriesExhausted {
                attempts: attempt,
                elapsed,
                last: Box::new(last),
            });
        }
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
        tokio::time::sleep(delay).await;
        request = next;
        attempt += 1;
    }
}

/// Reads a response's body and puts an identical response back in its place.
async fn buffer(response: &mut reqwest::Response) -> (reqwest::StatusCode, Vec<u8>) {
    use reqwest::ResponseBuilderExt;
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let placeholder = http::Response::new(Vec::<u8>::new());
    let taken = std::mem::replace(response, reqwest::Response::from(placeholder));
    let status = taken.status();
    let body = match taken.bytes().await {
        Ok(bytes) => bytes.to_vec(),
        Err(e) => format!("(body unreadable: {e})").into_bytes(),
    };
    let rebuilt = builder
        .body(body.clone())
        .unwrap_or_else(|_| http::Response::new(body.clone()));
    *response = reqwest::Response::from(rebuilt);
    (status, body)
}
