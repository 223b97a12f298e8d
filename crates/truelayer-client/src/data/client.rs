//! [`DataClient`]: the Data API client and its builder.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use spend_http::{
    AuthScheme, CachedTokenSource, HttpClient, RateLimiter, RetryPolicy, TokenSource,
};
use url::Url;

use super::{Accounts, Batch, Cards, Connections, DataRequest};
use crate::auth::{AuthClient, TokenStore, UserTokens};
use crate::models::{Info, Me};
use crate::{Environment, Result};

/// The header TrueLayer reads the end user's IP from.
const PSU_IP: &str = "X-PSU-IP";
/// The header carrying our id for the call, echoed in TrueLayer's logs.
const CORRELATION_ID: &str = "X-Client-Correlation-Id";

/// A client of the Data API for one user's connection.
///
/// ```no_run
/// # async fn run() -> truelayer_client::Result<()> {
/// use std::sync::Arc;
/// use truelayer_client::{AuthClient, ClientCredentials, DataClient, Environment, MemoryTokenStore};
///
/// let auth = AuthClient::new(Environment::Sandbox, ClientCredentials::new("sandbox-abc", "secret"))?;
/// let store = Arc::new(MemoryTokenStore::new(Some("the-user's-refresh-token".to_string().into())));
/// let data = DataClient::for_user(Environment::Sandbox, auth, store)?;
///
/// for account in data.accounts().list().await? {
///     let id = account.account_id.as_deref().unwrap_or_default();
///     let balance = data.accounts().balance(id).await?;
///     let last_month = data
///         .accounts()
///         .transactions(id)
///         .from(time::OffsetDateTime::now_utc() - time::Duration::days(30))
///         .await?;
///     println!("{}: {} transactions", account.display_name, last_month.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DataClient {
    pub(crate) http: HttpClient,
    pub(crate) base: Url,
    pub(crate) psu_ip: Option<IpAddr>,
}

impl DataClient {
    /// A client using access tokens from `tokens`.
    pub fn new(environment: Environment, tokens: Arc<dyn TokenSource>) -> Result<Self> {
        DataClient::builder(environment, tokens).build()
    }

    /// A client for the user whose refresh token is in `store`: access tokens
    /// are refreshed as needed (single flight) and each rotated refresh token is
    /// saved to `store` before it is used.
    pub fn for_user(
        environment: Environment,
        auth: AuthClient,
        store: Arc<dyn TokenStore>,
    ) -> Result<Self> {
        let tokens = CachedTokenSource::new(UserTokens::new(auth, store));
        DataClient::new(environment, Arc::new(tokens))
    }

    /// Starts a builder for non-default retry, timeout or rate limits.
    pub fn builder(environment: Environment, tokens: Arc<dyn TokenSource>) -> DataClientBuilder {
        DataClientBuilder {
            environment,
            tokens,
            retry: None,
            timeout: Some(Duration::from_secs(60)),
            limiter: None,
        }
    }

    /// A copy of this client for requests made while the user is present:
    /// sends `X-PSU-IP`, which lifts TrueLayer's limit of 4 unattended calls a day.
    pub fn user_present(&self, user_ip: IpAddr) -> Self {
        DataClient {
            psu_ip: Some(user_ip),
            ..self.clone()
        }
    }

    /// The connection's metadata (`GET /me`).
    pub fn me(&self) -> DataRequest<Me> {
        DataRequest::new(self.clone(), "GetMe", &["me"])
    }

    /// The account holder's details (`GET /info`).
    pub fn info(&self) -> DataRequest<Info> {
        DataRequest::new(self.clone(), "GetInfo", &["info"])
    }

    /// Accounts, balances, transactions, standing orders and direct debits.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { client: self }
    }

    /// Cards, their balances and transactions.
    pub fn cards(&self) -> Cards<'_> {
        Cards { client: self }
    }

    /// Many accounts and cards in one asynchronous call.
    pub fn batch(&self) -> Batch<'_> {
        Batch { client: self }
    }

    /// Extending a connection's consent.
    pub fn connections(&self) -> Connections<'_> {
        Connections { client: self }
    }

    /// A request carrying the correlation id and, when the user is present, `X-PSU-IP`.
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        url: Url,
        correlation_id: Option<String>,
    ) -> reqwest::RequestBuilder {
        let correlation = correlation_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let mut request = self
            .http
            .request(method, url)
            .header(CORRELATION_ID, correlation);
        if let Some(ip) = self.psu_ip {
            request = request.header(PSU_IP, ip.to_string());
        }
        request
    }

    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .extend(segments);
        url
    }
}

/// Builds a [`DataClient`].
pub struct DataClientBuilder {
    environment: Environment,
    tokens: Arc<dyn TokenSource>,
    retry: Option<RetryPolicy>,
    timeout: Option<Duration>,
    limiter: Option<Arc<RateLimiter>>,
}

impl DataClientBuilder {
    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The per-attempt timeout (default 60 s: some banks are slow).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Client-side rate limits, keyed by the operation ids of the spec (`GetAccounts`, ...).
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<DataClient> {
        let mut http = HttpClient::builder()
            .user_agent(crate::USER_AGENT)
            .auth(self.tokens, AuthScheme::Bearer)
            .timeout(self.timeout)
            .retry(self.retry.unwrap_or_default());
        if let Some(limiter) = self.limiter {
            http = http.rate_limiter(limiter);
        }
        Ok(DataClient {
            http: http.build()?,
            base: self.environment.data_url(),
            psu_ip: None,
        })
    }
}
