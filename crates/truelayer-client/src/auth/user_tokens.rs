//! A user's access tokens, refreshed from a stored, rotating refresh token.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use spend_http::{AccessToken, BoxError, Refresh};

use super::{AuthClient, TokenStore};
use crate::Error;

/// Refreshes one user's access token with the refresh token in a
/// [`TokenStore`], saving each rotated refresh token before the new access
/// token is handed out. Wrap it in a [`spend_http::CachedTokenSource`] (as
/// [`DataClient::for_user`](crate::DataClient::for_user) does) for caching and
/// single-flight refresh.
pub struct UserTokens {
    auth: AuthClient,
    store: Arc<dyn TokenStore>,
}

impl UserTokens {
    /// Tokens for the connection whose refresh token is in `store`.
    pub fn new(auth: AuthClient, store: Arc<dyn TokenStore>) -> Self {
        UserTokens { auth, store }
    }
}

/// How long a refresh that was refused `invalid_grant` waits, in turn, for
/// another process that used the same refresh token to store the rotated one.
const ROTATION_WAITS: [Duration; 4] = [
    Duration::from_millis(0),
    Duration::from_millis(50),
    Duration::from_millis(200),
    Duration::from_millis(750),
];

impl UserTokens {
    async fn load(&self) -> Result<SecretString, BoxError> {
        self.store
            .load()
            .await
            .map_err(|e| Box::new(Error::TokenStore(e)) as BoxError)?
            .ok_or_else(|| Box::new(Error::NotAuthorised) as BoxError)
    }
}

impl Refresh for UserTokens {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let mut current = self.load().await?;
            let mut rotations = 0;
            let tokens = 'refresh: loop {
                match self.auth.refresh(&current).await {
                    Ok(tokens) => break tokens,
                    // TrueLayer answers `invalid_grant` for a refresh token that was
                    // already used. When another process sharing the store used it,
                    // the store holds (or is about to hold) the rotated token:
                    // refresh with that instead of giving up on the connection.
                    Err(e @ Error::ReauthorisationNeeded { .. }) if rotations < 3 => {
                        rotations += 1;
                        for wait in ROTATION_WAITS {
                            tokio::time::sleep(wait).await;
                            let stored = self.load().await?;
                            if stored.expose_secret() != current.expose_secret() {
                                current = stored;
                                continue 'refresh;
                            }
                        }
                        return Err(Box::new(e) as BoxError);
                    }
                    Err(e) => return Err(Box::new(e) as BoxError),
                }
            };
            if let Some(rotated) = tokens.refresh_token {
                self.store
                    .save(rotated)
                    .await
                    .map_err(|e| Box::new(Error::TokenStore(e)) as BoxError)?;
            }
            Ok(AccessToken {
                secret: tokens.access_token,
                expires_in: Some(Duration::from_secs(tokens.expires_in)),
            })
        })
    }
}
