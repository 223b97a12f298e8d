//! The request type that flows through the stack: a `reqwest::Request` plus
//! what the layers need to know about it.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;

/// Names an API operation so layers can treat it on its own: the rate limiter
/// keeps one bucket per operation (and per `key`), traces carry the name, and
/// the retry layer asks whether it is safe to send twice.
///
/// ```
/// use spend_http::Operation;
///
/// let op = Operation::new("getOrders").key("seller-A1B2C3").idempotent(true);
/// assert_eq!(op.name(), "getOrders");
/// assert_eq!(op.rate_key(), "seller-A1B2C3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    name: Cow<'static, str>,
    key: Option<Arc<str>>,
    idempotent: Option<bool>,
    bucket: Option<Cow<'static, str>>,
    cost: u32,
}

impl Operation {
    /// An operation called `name` (use the provider's operation id).
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Operation {
            name: name.into(),
            key: None,
            idempotent: None,
            bucket: None,
            cost: 1,
        }
    }

    /// Draws from a bucket shared with other operations instead of the
    /// operation's own (Gmail's per-user quota is one bucket for every method).
    ///
    /// ```
    /// use spend_http::Operation;
    /// let op = Operation::new("messages.get").bucket("gmail").cost(5);
    /// assert_eq!((op.bucket_name(), op.units()), ("gmail", 5));
    /// assert_eq!(Operation::new("getOrders").bucket_name(), "getOrders");
    /// ```
    pub fn bucket(mut self, bucket: impl Into<Cow<'static, str>>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// How many tokens one call takes from its bucket (default 1; Gmail's
    /// methods cost 1 to 100 quota units).
    pub fn cost(mut self, units: u32) -> Self {
        self.cost = units;
        self
    }

    /// The bucket this operation draws from: [`bucket`](Self::bucket) or its name.
    pub fn bucket_name(&self) -> &str {
        self.bucket.as_deref().unwrap_or(&self.name)
    }

    /// Tokens one call takes.
    pub fn units(&self) -> u32 {
        self.cost
    }

    /// Whose bucket this call draws from (a selling partner, a user, an account).
    pub fn key(mut self, key: impl AsRef<str>) -> Self {
        self.key = Some(Arc::from(key.as_ref()));
        self
    }

    /// Overrides the method's idempotency: set `true` only for a POST the
    /// provider documents as safe to repeat.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// The operation's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rate-limit key, `""` when none was given.
    pub fn rate_key(&self) -> &str {
        self.key.as_deref().unwrap_or("")
    }

    /// Whether this operation is safe to send more than once with `method`.
    pub fn is_idempotent(&self, method: &Method) -> bool {
        self.idempotent.unwrap_or({
            matches!(
                *method,
                Method::GET
                    | Method::HEAD
                    | Method::OPTIONS
                    | Method::PUT
                    | Method::DELETE
                    | Method::TRACE
            )
        })
    }
}

/// What the layers measured while one logical request went through them.
#[derive(Debug, Default)]
pub struct RequestStats {
    attempts: AtomicU32,
    throttled: AtomicU32,
    limiter_wait_micros: AtomicU64,
}

impl RequestStats {
    /// How many times the request went out on the wire (retries and auth replays included).
    pub fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// How many of the attempts the provider answered 429 Too Many Requests.
    pub fn throttled(&self) -> u32 {
        self.throttled.load(Ordering::Relaxed)
    }

    pub(crate) fn add_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Total time spent waiting in rate limiters.
    pub fn limiter_wait(&self) -> Duration {
        Duration::from_micros(self.limiter_wait_micros.load(Ordering::Relaxed))
    }

    pub(crate) fn add_attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_limiter_wait(&self, waited: Duration) {
        let micros = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
        self.limiter_wait_micros
            .fetch_add(micros, Ordering::Relaxed);
    }
}

/// A request on its way through the stack.
#[derive(Debug)]
pub struct Request {
    http: reqwest::Request,
    operation: Operation,
    stats: Arc<RequestStats>,
}

impl Request {
    /// Wraps a built `reqwest::Request` for `operation`.
    pub fn new(operation: Operation, http: reqwest::Request) -> Self {
        Request {
            http,
            operation,
            stats: Arc::default(),
        }
    }

    /// The HTTP request.
    pub fn http(&self) -> &reqwest::Request {
        &self.http
    }

    /// The HTTP request, mutably (layers set headers here).
    pub fn http_mut(&mut self) -> &mut reqwest::Request {
        &mut self.http
    }

    /// The operation this request performs.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// Counters shared by every copy of this request.
    pub fn stats(&self) -> &Arc<RequestStats> {
        &self.stats
    }

    /// Whether the retry layer may send this request again.
    pub fn is_idempotent(&self) -> bool {
        self.operation.is_idempotent(self.http.method())
    }

    /// A copy for a replay; `None` when the body is a stream.
    pub fn try_clone(&self) -> Option<Request> {
        Some(Request {
            http: self.http.try_clone()?,
            operation: self.operation.clone(),
            stats: Arc::clone(&self.stats),
        })
    }

    /// Unwraps the HTTP request.
    pub fn into_http(self) -> reqwest::Request {
        self.http
    }
}
