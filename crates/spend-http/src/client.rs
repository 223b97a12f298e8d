//! [`HttpClient`]: the assembled stack, and its builder.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{IntoUrl, Method};
use serde::de::DeserializeOwned;
use tower::util::BoxCloneSyncService;
use tower::{ServiceBuilder, ServiceExt};

use crate::{
    ApiError, AuthLayer, AuthScheme, Error, Operation, RateLimitLayer, RateLimiter, Request,
    RetryLayer, RetryPolicy, TimeoutLayer, TokenSource, TraceLayer, Transport,
};

type Stack = BoxCloneSyncService<Request, reqwest::Response, Error>;

/// A client with the full stack: trace -> retry -> auth -> rate limit -> timeout -> reqwest.
///
/// Cheap to clone; clones share the connection pool, token cache and buckets.
///
/// ```no_run
/// # async fn run() -> Result<(), spend_http::Error> {
/// use std::sync::Arc;
/// use spend_http::{AuthScheme, HttpClient, Operation, RateLimiter, RatePlan, StaticToken};
///
/// let limiter = Arc::new(RateLimiter::new().with_plan("me", RatePlan::new(5.0, 10)));
/// let client = HttpClient::builder()
///     .user_agent("my-app/1.0")
///     .auth(Arc::new(StaticToken::new("token")), AuthScheme::Bearer)
///     .rate_limiter(limiter)
///     .build()?;
/// let me: serde_json::Value = client
///     .send_json(Operation::new("me"), client.get("https://api.example.com/me"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    reqwest: reqwest::Client,
    stack: Stack,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Starts a builder with the defaults: retry on, 30 s timeout, no auth, no limits.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// Starts a request (finish it with [`send`](HttpClient::send)).
    pub fn request(&self, method: Method, url: impl IntoUrl) -> reqwest::RequestBuilder {
        self.reqwest.request(method, url)
    }

    /// Starts a GET.
    pub fn get(&self, url: impl IntoUrl) -> reqwest::RequestBuilder {
        self.reqwest.get(url)
    }

    /// Starts a POST.
    pub fn post(&self, url: impl IntoUrl) -> reqwest::RequestBuilder {
        self.reqwest.post(url)
    }

    /// Starts a DELETE.
    pub fn delete(&self, url: impl IntoUrl) -> reqwest::RequestBuilder {
        self.reqwest.delete(url)
    }

    /// Sends through the stack and returns the raw response, any status.
    pub async fn execute(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Error> {
        let request = request
            .build()
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.stack
            .clone()
            .oneshot(Request::new(operation, request))
            .await
    }

    /// Sends through the stack; a non-success status becomes [`Error::Api`].
    pub async fn send(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Error> {
        let response = self.execute(operation, request).await?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(Error::Api(Box::new(
                ApiError::from_response(response).await,
            )))
        }
    }

    /// Sends and decodes a JSON success body into `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let response = self.send(operation, request).await?;
        let bytes = response.bytes().await.map_err(Error::transport)?;
        decode_json(&bytes)
    }
}

/// Decodes `bytes` as JSON, keeping the start of the body (secrets
/// redacted) in the error.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|source| Error::decode(source, bytes))
}

/// Builds an [`HttpClient`].
#[derive(Default)]
pub struct HttpClientBuilder {
    reqwest: Option<reqwest::Client>,
    user_agent: Option<String>,
    timeout: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    auth: Option<AuthLayer>,
    limiter: Option<Arc<RateLimiter>>,
}

impl HttpClientBuilder {
    /// Uses your own `reqwest::Client` (proxies, roots, pool settings).
    /// [`user_agent`](Self::user_agent) is then ignored: set it on your client.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest = Some(client);
        self
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The per-attempt timeout (default 30 s); `None` for no timeout.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Authenticates every request with tokens from `source`.
    pub fn auth(mut self, source: Arc<dyn TokenSource>, scheme: AuthScheme) -> Self {
        self.auth = Some(AuthLayer::new(source, scheme));
        self
    }

    /// Authenticates with an [`AuthLayer`] you configured (e.g. [`AuthLayer::rejected_with`]).
    pub fn auth_layer(mut self, layer: AuthLayer) -> Self {
        self.auth = Some(layer);
        self
    }

    /// Limits requests with `limiter`.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Assembles the stack.
    pub fn build(self) -> Result<HttpClient, Error> {
        let reqwest = match self.reqwest {
            Some(client) => client,
            None => reqwest::Client::builder()
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    concat!("spend-http/", env!("CARGO_PKG_VERSION")).to_owned()
                }))
                .build()
                .map_err(|e| Error::InvalidRequest(e.to_string()))?,
        };
        let timeout = self
            .timeout
            .unwrap_or(Some(Duration::from_secs(30)))
            .map(TimeoutLayer::new);
        let service = ServiceBuilder::new()
            .layer(TraceLayer)
            .layer(RetryLayer::new(self.retry.unwrap_or_default()))
            .option_layer(self.auth)
            .option_layer(self.limiter.map(RateLimitLayer::new))
            .option_layer(timeout)
            .service(Transport::new(reqwest.clone()));
        Ok(HttpClient {
            reqwest,
            stack: BoxCloneSyncService::new(service),
        })
    }
}

/// Makes `AuthScheme` usable without importing the module path.
impl From<reqwest::header::HeaderName> for AuthScheme {
    fn from(name: reqwest::header::HeaderName) -> Self {
        AuthScheme::Header(name)
    }
}
