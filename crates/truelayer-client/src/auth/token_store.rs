//! Where the user's refresh token lives between runs.

use std::sync::Mutex;

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use spend_http::BoxError;

/// Keeps one connection's refresh token.
///
/// TrueLayer rotates refresh tokens: each refresh (and each extension of the
/// connection) returns a new one and the old one stops working.
/// [`UserTokens`](crate::UserTokens) and
/// [`Connections::extend`](crate::Connections::extend) call
/// [`save`](TokenStore::save) with the new token *before* the new access token
/// is used, so a crash can never lose the only valid refresh token. A failed
/// save fails the refresh or the extension.
pub trait TokenStore: Send + Sync + 'static {
    /// The current refresh token, `None` when the user has not authorised yet.
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>, BoxError>>;
    /// Replaces the refresh token (durably, before returning).
    fn save(&self, refresh_token: SecretString) -> BoxFuture<'_, Result<(), BoxError>>;
}

/// A [`TokenStore`] in memory (tests, short-lived tools).
///
/// ```
/// use truelayer_client::MemoryTokenStore;
/// let store = MemoryTokenStore::new(Some("refresh-token".to_string().into()));
/// ```
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    token: Mutex<Option<SecretString>>,
}

impl MemoryTokenStore {
    /// A store holding `token`.
    pub fn new(token: Option<SecretString>) -> Self {
        MemoryTokenStore {
            token: Mutex::new(token),
        }
    }

    /// The token held now.
    pub fn current(&self) -> Option<SecretString> {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>, BoxError>> {
        let token = self.current();
        Box::pin(async move { Ok(token) })
    }

    fn save(&self, refresh_token: SecretString) -> BoxFuture<'_, Result<(), BoxError>> {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(refresh_token);
        Box::pin(async { Ok(()) })
    }
}
