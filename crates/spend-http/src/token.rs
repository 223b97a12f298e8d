//! Where access tokens come from: the [`TokenSource`] trait, a fixed token,
//! and a cache with single-flight refresh around any [`Refresh`] implementation.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::{BoxError, Error};

/// Hands out access tokens to the auth layer.
///
/// Implementations must make [`invalidate`](TokenSource::invalidate) cheap and
/// idempotent: after a 401 every in-flight request invalidates the token it used.
pub trait TokenSource: Send + Sync + 'static {
    /// A token that is believed valid now (cached or freshly obtained).
    fn token(&self) -> BoxFuture<'_, Result<SecretString, Error>>;

    /// The provider rejected `rejected`; the next [`token`](TokenSource::token)
    /// must not return it again.
    fn invalidate(&self, rejected: &SecretString);

    /// Whether a new token can be obtained after a 401. When it cannot (a fixed
    /// API key), the auth layer returns the 401 instead of replaying in vain.
    fn can_refresh(&self) -> bool {
        true
    }
}

/// A token that never changes (an API key, a token you manage yourself).
///
/// ```
/// use spend_http::StaticToken;
/// let source = StaticToken::new("sk-test-123");
/// ```
#[derive(Debug, Clone)]
pub struct StaticToken(SecretString);

impl StaticToken {
    /// Wraps `token`.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(SecretString::from(token.into()))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<SecretString, Error>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn invalidate(&self, _rejected: &SecretString) {}

    fn can_refresh(&self) -> bool {
        false
    }
}

/// A freshly obtained access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token itself.
    pub secret: SecretString,
    /// How long the provider says it is valid, from now.
    pub expires_in: Option<Duration>,
}

/// Obtains a new access token (an OAuth refresh, a client-credentials grant).
pub trait Refresh: Send + Sync + 'static {
    /// Asks the provider for a new token.
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>>;
}

struct Cached {
    secret: SecretString,
    expires_at: Option<Instant>,
}

/// Caches the token a [`Refresh`] returns and refreshes it before expiry.
///
/// Refreshes are single flight: when many requests find the token missing or
/// expired at once, one of them refreshes and the others wait for its result.
///
/// ```
/// use spend_http::{AccessToken, BoxError, CachedTokenSource, Refresh};
/// use futures_util::future::BoxFuture;
///
/// struct Fixed;
/// impl Refresh for Fixed {
///     fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
///         Box::pin(async { Ok(AccessToken { secret: "t".to_string().into(), expires_in: None }) })
///     }
/// }
/// let source = CachedTokenSource::new(Fixed);
/// assert_eq!(source.refresh_count(), 0);
/// ```
pub struct CachedTokenSource<R> {
    refresher: R,
    cached: Mutex<Option<Cached>>,
    refreshing: tokio::sync::Mutex<()>,
    margin: Duration,
    refreshes: AtomicU64,
}

impl<R: Refresh> CachedTokenSource<R> {
    /// A cache around `refresher`, refreshing 60 seconds before expiry.
    pub fn new(refresher: R) -> Self {
        CachedTokenSource {
            refresher,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            margin: Duration::from_secs(60),
            refreshes: AtomicU64::new(0),
        }
    }

    /// Refresh this long before the token's stated expiry.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Seeds the cache with a token you already hold.
    pub fn with_token(self, token: AccessToken) -> Self {
        self.store(token);
        self
    }

    /// How many refreshes have been made.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// The refresher this cache wraps.
    pub fn refresher(&self) -> &R {
        &self.refresher
    }

    fn current(&self) -> Option<SecretString> {
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        let c = cached.as_ref()?;
        match c.expires_at {
            Some(at) if Instant::now() + self.margin >= at => None,
            _ => Some(c.secret.clone()),
        }
    }

    fn store(&self, token: AccessToken) {
        let expires_at = token.expires_in.map(|d| Instant::now() + d);
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            secret: token.secret,
            expires_at,
        });
    }
}

impl<R: Refresh> TokenSource for CachedTokenSource<R> {
    fn token(&self) -> BoxFuture<'_, Result<SecretString, Error>> {
        Box::pin(async move {
            if let Some(token) = self.current() {
                return Ok(token);
            }
            let _flight = self.refreshing.lock().await;
            // Whoever held the lock before us may have refreshed already.
            if let Some(token) = self.current() {
                return Ok(token);
            }
            self.refreshes.fetch_add(1, Ordering::Relaxed);
            let fresh = self.refresher.refresh().await.map_err(Error::Auth)?;
            let secret = fresh.secret.clone();
            self.store(fresh);
            tracing::debug!("access token refreshed");
            Ok(secret)
        })
    }

    fn invalidate(&self, rejected: &SecretString) {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if cached
            .as_ref()
            .is_some_and(|c| c.secret.expose_secret() == rejected.expose_secret())
        {
            *cached = None;
        }
    }
}
