//! A user's access tokens, refreshed from a stored, rotating refresh token.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
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

impl Refresh for UserTokens {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let current = self
                .store
                .load()
                .await
                .map_err(|e| Box::new(Error::TokenStore(e)) as BoxError)?
                .ok_or_else(|| Box::new(Error::NotAuthorised) as BoxError)?;
            let tokens = self
                .auth
                .refresh(&current)
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
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
