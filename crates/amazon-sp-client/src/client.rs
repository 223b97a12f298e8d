//! [`SpApiClient`]: the selling partner's client, its builder, and the request
//! paths every API module shares (plain, restricted with an RDT, with a body).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use spend_http::{
    AuthLayer, AuthScheme, CachedTokenSource, HttpClient, Operation, RateLimiter, RetryPolicy,
    TokenSource,
};
use tokio::time::Instant;
use url::Url;

use crate::lwa::{LwaClient, SellerTokens};
use crate::tokens::{RestrictedResource, Tokens};
use crate::{Endpoint, Result, business::Business, orders_2026::Orders, orders_v0::OrdersV0};

/// The header SP-API reads the access token (or an RDT) from.
pub const ACCESS_TOKEN_HEADER: &str = "x-amz-access-token";

pub(crate) struct Inner {
    /// Requests with the seller's LWA access token.
    pub http: HttpClient,
    /// Requests that carry their own token (an RDT); same pool, same buckets.
    pub plain: HttpClient,
    pub base: Url,
    pub business_base: Url,
    pub seller: String,
    pub limiter: Arc<RateLimiter>,
    rdt_cache: Mutex<HashMap<String, (SecretString, Instant)>>,
}

/// A client of the SP-API (and the Amazon Business API) for one selling partner.
///
/// Cheap to clone. Every request waits for its operation's bucket (seeded
/// from Amazon's usage plans, keyed by the selling partner, re-tuned from
/// `x-amzn-RateLimit-Limit`, drained on a 429), so a well-configured client
/// does not receive 429s; if Amazon's bucket was drained by another client, a
/// 429 is retried with backoff.
///
/// ```no_run
/// # async fn run() -> amazon_sp_client::Result<()> {
/// use amazon_sp_client::{Endpoint, LwaCredentials, Marketplace, Region, SpApiClient};
/// use futures_util::TryStreamExt;
///
/// let client = SpApiClient::builder(Endpoint::Production(Region::Europe))
///     .seller("A2SELLERID", LwaCredentials::from_env().unwrap(), "Atzr|refresh-token".to_string().into())
///     .build()?;
/// let since = time::OffsetDateTime::now_utc() - time::Duration::days(30);
/// let orders: Vec<_> = client
///     .orders_v0()
///     .get_orders([Marketplace::UK])
///     .created_after(since)
///     .stream()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SpApiClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SpApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpApiClient")
            .field("base", &self.inner.base.as_str())
            .field("seller", &self.inner.seller)
            .finish()
    }
}

/// Builds an [`SpApiClient`].
pub struct SpApiClientBuilder {
    endpoint: Endpoint,
    seller: String,
    tokens: Option<Arc<dyn TokenSource>>,
    /// Credentials given to `seller`, turned into an LWA client by `build`.
    pending: Option<(crate::LwaCredentials, SecretString)>,
    limiter: Option<Arc<RateLimiter>>,
    retry: Option<RetryPolicy>,
    timeout: Duration,
}

impl SpApiClient {
    /// Starts a builder for `endpoint`.
    pub fn builder(endpoint: Endpoint) -> SpApiClientBuilder {
        SpApiClientBuilder {
            endpoint,
            seller: String::new(),
            tokens: None,
            pending: None,
            limiter: None,
            retry: None,
            timeout: Duration::from_secs(60),
        }
    }

    /// Orders API v0.
    pub fn orders_v0(&self) -> OrdersV0<'_> {
        OrdersV0 { client: self }
    }

    /// Orders API v2026-01-01 (the successor of v0).
    pub fn orders(&self) -> Orders<'_> {
        Orders { client: self }
    }

    /// Tokens API (restricted data tokens).
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens { client: self }
    }

    /// The Amazon Business Reporting API, on the same LWA authorisation.
    pub fn business(&self) -> Business<'_> {
        Business { client: self }
    }

    /// The shared rate limiter (to persist, inspect or share with another client).
    pub fn rate_limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    pub(crate) fn url(&self, base: &Url, path: &str) -> Url {
        base.join(path.trim_start_matches('/'))
            .expect("an API path joins the base URL")
    }

    pub(crate) fn op(&self, name: &'static str) -> Operation {
        Operation::new(name).key(&self.inner.seller)
    }

    /// A GET with the seller's access token.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        op: &'static str,
        base: &Url,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let request = self.inner.http.get(self.url(base, path)).query(query);
        Ok(self.inner.http.send_json(self.op(op), request).await?)
    }

    /// A GET of restricted data: obtains (or reuses) an RDT for the path and
    /// sends it instead of the access token.
    pub(crate) async fn get_restricted<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &str,
        query: &[(&str, String)],
        data_elements: &[&str],
    ) -> Result<T> {
        let rdt = self.rdt(path, data_elements).await?;
        let request = self
            .inner
            .plain
            .get(self.url(&self.inner.base, path))
            .query(query)
            .header(ACCESS_TOKEN_HEADER, rdt.expose_secret());
        Ok(self.inner.plain.send_json(self.op(op), request).await?)
    }

    /// A request with a JSON body; `Ok(())` for Amazon's 204 answers.
    pub(crate) async fn send_body<B: Serialize + ?Sized>(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<()> {
        let request = self
            .inner
            .http
            .request(method, self.url(&self.inner.base, path))
            .json(body);
        self.inner.http.send(self.op(op), request).await?;
        Ok(())
    }

    async fn rdt(&self, path: &str, data_elements: &[&str]) -> Result<SecretString> {
        let key = format!("{path}|{}", data_elements.join(","));
        {
            let cache = self
                .inner
                .rdt_cache
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some((token, expires)) = cache.get(&key)
                && *expires > Instant::now() + Duration::from_secs(60)
            {
                return Ok(token.clone());
            }
        }
        let resource = RestrictedResource {
            method: "GET".into(),
            path: path.to_owned(),
            data_elements: (!data_elements.is_empty())
                .then(|| data_elements.iter().map(|s| (*s).to_owned()).collect()),
        };
        let answer = self
            .tokens()
            .create_restricted_data_token(&[resource], None)
            .await?;
        let expires = Instant::now() + Duration::from_secs(answer.expires_in);
        let token = answer.restricted_data_token;
        self.inner
            .rdt_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (token.clone(), expires));
        Ok(token)
    }
}

impl SpApiClientBuilder {
    /// The selling partner: their id (the key of their rate-limit buckets),
    /// your LWA credentials and their refresh token.
    pub fn seller(
        self,
        seller_id: impl Into<String>,
        credentials: crate::LwaCredentials,
        refresh_token: SecretString,
    ) -> Self {
        let mut builder = self;
        builder.seller = seller_id.into();
        builder.pending = Some((credentials, refresh_token));
        builder.tokens = None;
        builder
    }

    /// As [`seller`](Self::seller), with your own [`LwaClient`] (another token endpoint).
    pub fn seller_with_lwa(
        mut self,
        seller_id: impl Into<String>,
        lwa: LwaClient,
        refresh_token: SecretString,
    ) -> Self {
        self.seller = seller_id.into();
        self.pending = None;
        self.tokens = Some(Arc::new(CachedTokenSource::new(SellerTokens::new(
            lwa,
            refresh_token,
        ))));
        self
    }

    /// Access tokens from your own source (a grantless source, a shared cache).
    pub fn token_source(
        mut self,
        seller_id: impl Into<String>,
        tokens: Arc<dyn TokenSource>,
    ) -> Self {
        self.seller = seller_id.into();
        self.pending = None;
        self.tokens = Some(tokens);
        self
    }

    /// A shared or persisted limiter (default: Amazon's usage plans, in memory).
    /// Build one with [`plans::limiter`](crate::plans::limiter) and
    /// `with_store` to keep bucket state across processes.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// The retry policy for 429s, 5xx and timeouts.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The per-attempt timeout (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client. Without `.seller(...)` or `.token_source(...)` there
    /// is nobody to act for: that is an [`Error::Http`](crate::Error::Http) invalid request.
    pub fn build(self) -> Result<SpApiClient> {
        let tokens: Arc<dyn TokenSource> = match (self.tokens, self.pending) {
            (Some(tokens), _) => tokens,
            (None, Some((credentials, refresh_token))) => Arc::new(CachedTokenSource::new(
                SellerTokens::new(LwaClient::new(credentials)?, refresh_token),
            )),
            (None, None) => {
                return Err(spend_http::Error::InvalidRequest(
                    "SpApiClientBuilder needs .seller(...) or .token_source(...)".into(),
                )
                .into());
            }
        };
        let limiter = self
            .limiter
            .unwrap_or_else(|| Arc::new(crate::plans::limiter(1.0)));
        let retry = self.retry.unwrap_or_else(|| {
            RetryPolicy::default()
                .max_attempts(6)
                .budget(Duration::from_secs(600))
        });
        let reqwest = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .build()
            .map_err(|e| spend_http::Error::InvalidRequest(e.to_string()))?;
        let stack = |auth: Option<Arc<dyn TokenSource>>| {
            let mut builder = HttpClient::builder()
                .reqwest_client(reqwest.clone())
                .rate_limiter(Arc::clone(&limiter))
                .retry(retry.clone())
                .timeout(Some(self.timeout));
            if let Some(tokens) = auth {
                let scheme = AuthScheme::Header(reqwest::header::HeaderName::from_static(
                    ACCESS_TOKEN_HEADER,
                ));
                // SP-API rejects an expired access token with 403, not 401.
                let layer = AuthLayer::new(tokens, scheme)
                    .rejected_with(&[StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN]);
                builder = builder.auth_layer(layer);
            }
            builder.build()
        };
        Ok(SpApiClient {
            inner: Arc::new(Inner {
                http: stack(Some(tokens))?,
                plain: stack(None)?,
                base: self.endpoint.sp_api_url(),
                business_base: self.endpoint.business_url(),
                seller: self.seller,
                limiter,
                rdt_cache: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Formats a list parameter the way SP-API reads it (comma-separated).
pub(crate) fn csv<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(",")
}

/// A date-time query parameter: an instant (formatted RFC 3339 in UTC) or the
/// raw text Amazon's sandbox expects (`TEST_CASE_200`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateParam(pub(crate) String);

impl From<time::OffsetDateTime> for DateParam {
    fn from(t: time::OffsetDateTime) -> Self {
        let utc = t
            .to_offset(time::UtcOffset::UTC)
            .replace_nanosecond(0)
            .unwrap_or(t);
        DateParam(
            utc.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        )
    }
}

impl From<&str> for DateParam {
    fn from(raw: &str) -> Self {
        DateParam(raw.to_owned())
    }
}
