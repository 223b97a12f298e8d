//! The Gmail client: one HTTP stack (quota pacing, retries, token refresh)
//! shared by every resource.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use spend_http::{AuthScheme, HttpClient, Operation, RateLimiter, RetryPolicy, TokenSource};
use url::Url;

use super::error::{GmailError, is_rate_limited};
use super::quota;

/// The Gmail API client for one user.
///
/// ```no_run
/// # async fn run() -> Result<(), gmail_receipts::google::GmailError> {
/// use std::sync::Arc;
/// use gmail_receipts::google::{Gmail, GoogleOAuth, UserTokens};
/// use spend_http::CachedTokenSource;
///
/// let oauth = GoogleOAuth::builder("1234.apps.googleusercontent.com", "http://127.0.0.1:8765/").build()?;
/// let tokens = CachedTokenSource::new(UserTokens::new(oauth, "1//refresh-token".to_string().into()));
/// let gmail = Gmail::builder(Arc::new(tokens)).build()?;
/// let profile = gmail.profile().await?;
/// println!("{} has {} messages", profile.email_address, profile.messages_total);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Gmail {
    pub(crate) http: HttpClient,
    pub(crate) base: Url,
    pub(crate) user: String,
}

/// Builds a [`Gmail`] client.
pub struct GmailBuilder {
    tokens: Arc<dyn TokenSource>,
    base: String,
    user: String,
    units_per_minute: u32,
    burst: u32,
    retry: RetryPolicy,
    limiter: Option<Arc<RateLimiter>>,
}

impl std::fmt::Debug for GmailBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailBuilder")
            .field("base", &self.base)
            .field("user", &self.user)
            .field("units_per_minute", &self.units_per_minute)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl GmailBuilder {
    /// Another API root (a simulator); default `https://gmail.googleapis.com/`.
    pub fn base_url(mut self, base: impl Into<String>) -> Self {
        self.base = base.into();
        self
    }

    /// The mailbox: `me` (the default) or the user's address.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// The per-user quota to pace by (default 15,000 units a minute) and the
    /// burst allowed on top (default 250 units, at most half the quota).
    pub fn quota(mut self, units_per_minute: u32, burst: u32) -> Self {
        self.units_per_minute = units_per_minute;
        self.burst = burst;
        self
    }

    /// Shares a limiter with other clients of the same user (several
    /// processes can persist it with [`spend_http::FileRateStateStore`]).
    /// The limiter's `gmail.user-quota` plan is set by [`quota`](Self::quota).
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// How transient failures and rate limits are retried (default: 6
    /// attempts in 5 minutes; 429 and 403 `rateLimitExceeded` /
    /// `userRateLimitExceeded` are always treated as retryable).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Gmail, GmailError> {
        let mut base = Url::parse(&self.base)
            .map_err(|e| GmailError::Config(format!("base URL {}: {e}", self.base)))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let limiter = self.limiter.unwrap_or_default();
        limiter.set_plan(
            quota::BUCKET,
            quota::plan(self.units_per_minute, self.burst),
        );
        let http = HttpClient::builder()
            .auth(self.tokens, AuthScheme::Bearer)
            .rate_limiter(limiter)
            .retry(
                self.retry
                    .retry_when(|status, body| is_rate_limited(status.as_u16(), body)),
            )
            .build()
            .map_err(GmailError::Http)?;
        Ok(Gmail {
            http,
            base,
            user: self.user,
        })
    }
}

impl Gmail {
    /// Starts a client whose requests carry tokens from `tokens`.
    pub fn builder(tokens: Arc<dyn TokenSource>) -> GmailBuilder {
        GmailBuilder {
            tokens,
            base: "https://gmail.googleapis.com/".into(),
            user: "me".into(),
            units_per_minute: quota::USER_UNITS_PER_MINUTE,
            burst: 250,
            retry: RetryPolicy::default()
                .max_attempts(6)
                .budget(std::time::Duration::from_secs(300)),
            limiter: None,
        }
    }

    /// `gmail/v1/users/{user}/{path}`.
    pub(crate) fn user_url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}gmail/v1/users/{}/{}",
            self.base.path(),
            urlencode(&self.user),
            path
        ));
        url
    }

    /// The operation for `method`: the shared per-user bucket at the method's cost.
    pub(crate) fn operation(&self, method: &'static str) -> Operation {
        Operation::new(method)
            .bucket(quota::BUCKET)
            .cost(quota::units(method))
            .key(&self.user)
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        method: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, GmailError> {
        let response = self
            .http
            .send(self.operation(method), request)
            .await
            .map_err(|e| GmailError::from_http(method, e))?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GmailError::Http(spend_http::Error::transport(e)))?;
        serde_json::from_slice(&bytes).map_err(|e| GmailError::decode(method, e))
    }

    /// `users.getProfile`: the address, totals and the current history id.
    pub async fn profile(&self) -> Result<super::Profile, GmailError> {
        let request = self.http.get(self.user_url("profile"));
        self.get_json("users.getProfile", request).await
    }
}

/// Percent-encodes a path segment.
pub(crate) fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
