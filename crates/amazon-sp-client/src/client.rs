//! [`SpApiClient`]: the selling partner's client, its builder, and the request
//! paths every API module shares (plain, restricted with an RDT, with a body).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use spend_http::{CachedTokenSource, HttpClient, Operation, RateLimiter, RetryPolicy, TokenSource};
use tokio::time::Instant;
use url::Url;

use crate::error::token_rejected;
use crate::lwa::{LwaClient, SellerTokens};
use crate::tokens::{RestrictedResource, Tokens};
use crate::{Endpoint, Result, business::Business, orders_2026::Orders, orders_v0::OrdersV0};

/// The header SP-API reads the access token (or an RDT) from.
pub const ACCESS_TOKEN_HEADER: &str = "x-amz-access-token";

/// An RDT this close to its stated expiry is not sent: it could expire on the way.
const RDT_MARGIN: Duration = Duration::from_secs(60);

pub(crate) struct Inner {
    /// Rate limits, retries, timeouts and traces. The token header is set per
    /// request by [`SpApiClient::send_authorised`], not by an auth layer: only
    /// the body of Amazon's 403 tells an expired token from a permission
    /// denial, and an auth layer decides on the status alone.
    pub http: HttpClient,
    /// The seller's LWA access tokens.
    tokens: Arc<dyn TokenSource>,
    pub base: Url,
    pub business_base: Url,
    pub seller: String,
    pub limiter: Arc<RateLimiter>,
    rdts: RdtCache,
}

/// Restricted data tokens, by what they grant (generic path and data elements).
struct RdtCache {
    tokens: Mutex<HashMap<String, (SecretString, Instant)>>,
    /// One `createRestrictedDataToken` at a time, so that calls needing the
    /// same token at once (three addresses fetched together) share one.
    creating: tokio::sync::Mutex<()>,
}

impl RdtCache {
    fn new() -> Self {
        RdtCache {
            tokens: Mutex::new(HashMap::new()),
            creating: tokio::sync::Mutex::new(()),
        }
    }

    fn get(&self, key: &str) -> Option<SecretString> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now() + RDT_MARGIN)
            .map(|(token, _)| token.clone())
    }

    fn put(&self, key: &str, token: SecretString, expires: Instant) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned(), (token, expires));
    }

    /// Drops `rejected`, unless another call has already replaced it.
    fn forget(&self, key: &str, rejected: &SecretString) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens
            .get(key)
            .is_some_and(|(token, _)| token.expose_secret() == rejected.expose_secret())
        {
            tokens.remove(key);
        }
    }
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

    /// Sends with the seller's access token. When Amazon says the token
    /// expired or is invalid (a 401, or a 403 whose errors say so), the token
    /// is refreshed once and the request replayed once. Any other refusal, a
    /// permission denial included, comes back as it is: a new token would not
    /// change Amazon's answer and costs an LWA grant.
    pub(crate) async fn send_authorised(
        &self,
        op: Operation,
        request: RequestBuilder,
    ) -> Result<reqwest::Response> {
        let tokens = &self.inner.tokens;
        // Taken before the token is set, so the replay carries only the new one.
        let replay = if tokens.can_refresh() {
            request.try_clone()
        } else {
            None
        };
        let token = tokens.token().await?;
        let error = match self
            .inner
            .http
            .send(op.clone(), authorised(request, &token)?)
            .await
        {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        let Some(replay) = replay.filter(|_| token_rejected(&error)) else {
            return Err(error.into());
        };
        tracing::debug!(
            operation = op.name(),
            "access token rejected: refreshing it and replaying once"
        );
        tokens.invalidate(&token);
        let fresh = tokens.token().await?;
        Ok(self
            .inner
            .http
            .send(op, authorised(replay, &fresh)?)
            .await?)
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
        decode(self.send_authorised(self.op(op), request).await?).await
    }

    /// A GET of restricted data at `path`, sent with an RDT for `generic`
    /// (the path with `{orderId}` in place of the order, so that one token
    /// serves every order) and `data_elements`, obtained or reused.
    ///
    /// An RDT Amazon refuses (401 or 403) is dropped from the cache whatever
    /// the reason, so no later call sends it again. When Amazon says it
    /// expired or is invalid, a new one is obtained and the request replayed
    /// once; a permission denial is returned as it is.
    pub(crate) async fn get_restricted<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &str,
        query: &[(&str, String)],
        generic: &str,
        data_elements: &[&str],
    ) -> Result<T> {
        let key = format!("{generic}|{}", data_elements.join(","));
        let request = || {
            self.inner
                .http
                .get(self.url(&self.inner.base, path))
                .query(query)
        };
        let rdt = self.rdt(&key, generic, data_elements).await?;
        let error = match self
            .inner
            .http
            .send(self.op(op), authorised(request(), &rdt)?)
            .await
        {
            Ok(response) => return decode(response).await,
            Err(error) => error,
        };
        let refused = error
            .status()
            .is_some_and(|s| s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN);
        if !refused {
            return Err(error.into());
        }
        self.inner.rdts.forget(&key, &rdt);
        if !token_rejected(&error) {
            return Err(error.into());
        }
        tracing::debug!(
            operation = op,
            "restricted data token rejected: obtaining another and replaying once"
        );
        let fresh = self.rdt(&key, generic, data_elements).await?;
        let response = self
            .inner
            .http
            .send(self.op(op), authorised(request(), &fresh)?)
            .await?;
        decode(response).await
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
        self.send_authorised(self.op(op), request).await?;
        Ok(())
    }

    /// The cached RDT for `key`, or a new one for `generic` and `data_elements`.
    async fn rdt(&self, key: &str, generic: &str, data_elements: &[&str]) -> Result<SecretString> {
        let cache = &self.inner.rdts;
        if let Some(token) = cache.get(key) {
            return Ok(token);
        }
        let _creating = cache.creating.lock().await;
        // A call that held the lock before us may have created it already.
        if let Some(token) = cache.get(key) {
            return Ok(token);
        }
        let resource = RestrictedResource {
            method: "GET".into(),
            path: generic.to_owned(),
            data_elements: (!data_elements.is_empty())
                .then(|| data_elements.iter().map(|s| (*s).to_owned()).collect()),
        };
        let answer = self
            .tokens()
            .create_restricted_data_token(&[resource], None)
            .await?;
        let expires = Instant::now() + Duration::from_secs(answer.expires_in);
        cache.put(key, answer.restricted_data_token.clone(), expires);
        Ok(answer.restricted_data_token)
    }
}

/// `request` carrying `token` (an access token or an RDT) in
/// [`ACCESS_TOKEN_HEADER`], the value marked sensitive so that `Debug` of the
/// request, and of anything that holds it, shows `Sensitive` instead.
pub(crate) fn authorised(request: RequestBuilder, token: &SecretString) -> Result<RequestBuilder> {
    let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
        spend_http::Error::InvalidRequest("the token is not a valid header value".into())
    })?;
    value.set_sensitive(true);
    Ok(request.header(ACCESS_TOKEN_HEADER, value))
}

/// Decodes a JSON success body.
async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let bytes = response
        .bytes()
        .await
        .map_err(spend_http::Error::Transport)?;
    Ok(spend_http::decode_json(&bytes)?)
}

/// Decodes an answer that carries a credential (an LWA grant, an RDT). When it
/// does not decode, the error keeps serde's reason but not the body: the body
/// is the credential.
pub(crate) async fn decode_credential<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T> {
    let bytes = response
        .bytes()
        .await
        .map_err(spend_http::Error::Transport)?;
    serde_json::from_slice(&bytes).map_err(|source| {
        spend_http::Error::Decode {
            source,
            body: "<withheld: the answer carries a credential>".to_owned(),
        }
        .into()
    })
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
        let http = HttpClient::builder()
            .reqwest_client(reqwest)
            .rate_limiter(Arc::clone(&limiter))
            .retry(retry)
            .timeout(Some(self.timeout))
            .build()?;
        Ok(SpApiClient {
            inner: Arc::new(Inner {
                http,
                tokens,
                base: self.endpoint.sp_api_url(),
                business_base: self.endpoint.business_url(),
                seller: self.seller,
                limiter,
                rdts: RdtCache::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_request_does_not_show_its_token() {
        let rdt = SecretString::from("Atz.sprdt|IwEBIEXAMPLE-RDT".to_owned());
        let http = reqwest::Client::new();
        let request = http.get(
            "https://sellingpartnerapi-eu.amazon.com/orders/v0/orders/203-1234567-1234567/address",
        );
        let request = authorised(request, &rdt).unwrap();
        let shown = format!("{request:?}");
        assert!(!shown.contains("IwEBIEXAMPLE-RDT"), "{shown}");
        let built = request.build().unwrap();
        let shown = format!("{built:?}");
        assert!(!shown.contains("IwEBIEXAMPLE-RDT"), "{shown}");
        assert!(
            shown.contains("x-amz-access-token"),
            "the header is there: {shown}"
        );
        let value = &built.headers()[ACCESS_TOKEN_HEADER];
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Atz.sprdt|IwEBIEXAMPLE-RDT");
    }
}
