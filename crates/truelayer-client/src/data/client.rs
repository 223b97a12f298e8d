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
use crate::{Environment, Error, Result};

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
///     // TrueLayer's spec leaves `account_id` optional: an account without
///     // one cannot be asked about, so skip it.
///     let Some(id) = account.account_id.as_deref() else {
///         continue;
///     };
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
#[derive(Clone)]
pub struct DataClient {
    pub(crate) http: HttpClient,
    /// The same stack without the auth layer, for `/connections/extend`.
    pub(crate) unauthenticated: HttpClient,
    /// Whether the token source refreshes (a refresh rotates the refresh token).
    pub(crate) tokens_refresh: bool,
    /// Where rotated refresh tokens go, when the client knows.
    pub(crate) store: Option<Arc<dyn TokenStore>>,
    pub(crate) base: Url,
    pub(crate) psu_ip: Option<IpAddr>,
}

impl std::fmt::Debug for DataClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataClient")
            .field("base", &self.base)
            .field("psu_ip", &self.psu_ip)
            .field("token_store", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl DataClient {
    /// A client using access tokens from `tokens`.
    pub fn new(environment: Environment, tokens: Arc<dyn TokenSource>) -> Result<Self> {
        DataClient::builder(environment, tokens).build()
    }

    /// A client for the user whose refresh token is in `store`: access tokens
    /// are refreshed as needed (single flight) and each rotated refresh token,
    /// from a refresh or from [extending the connection](crate::Connections::extend),
    /// is saved to `store` before it is used.
    pub fn for_user(
        environment: Environment,
        auth: AuthClient,
        store: Arc<dyn TokenStore>,
    ) -> Result<Self> {
        let tokens = CachedTokenSource::new(UserTokens::new(auth, Arc::clone(&store)));
        DataClient::builder(environment, Arc::new(tokens))
            .token_store(store)
            .build()
    }

    /// Starts a builder for non-default retry, timeout or rate limits.
    pub fn builder(environment: Environment, tokens: Arc<dyn TokenSource>) -> DataClientBuilder {
        DataClientBuilder {
            environment,
            tokens,
            store: None,
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
    store: Option<Arc<dyn TokenStore>>,
    retry: Option<RetryPolicy>,
    timeout: Option<Duration>,
    limiter: Option<Arc<RateLimiter>>,
}

impl DataClientBuilder {
    /// The retry policy (default [`RetryPolicy::default`]).
    ///
    /// Whatever the policy, TrueLayer's unattended-access limit (429
    /// `provider_request_limit_exceeded`) is never retried: it is spent for
    /// the day and each retry would count against it. That replaces the
    /// policy's own [`final_when`](RetryPolicy::final_when).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Where the connection's refresh token is kept: [extending the
    /// connection](crate::Connections::extend) saves the rotated refresh
    /// token here before handing out the new tokens.
    /// [`DataClient::for_user`] sets it to the store its tokens come from.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
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
        // One connection pool for both stacks.
        let reqwest = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .build()
            .map_err(|e| Error::Http(spend_http::Error::transport(e)))?;
        let retry = self
            .retry
            .unwrap_or_default()
            .final_when(crate::error::is_unattended_limit);
        let stack = || {
            let http = HttpClient::builder()
                .reqwest_client(reqwest.clone())
                .timeout(self.timeout)
                .retry(retry.clone());
            match &self.limiter {
                Some(limiter) => http.rate_limiter(Arc::clone(limiter)),
                None => http,
            }
        };
        let tokens_refresh = self.tokens.can_refresh();
        Ok(DataClient {
            http: stack().auth(self.tokens, AuthScheme::Bearer).build()?,
            unauthenticated: stack().build()?,
            tokens_refresh,
            store: self.store,
            base: self.environment.data_url(),
            psu_ip: None,
        })
    }
}
