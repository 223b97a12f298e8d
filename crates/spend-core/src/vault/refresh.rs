//! Access tokens for Google and Login with Amazon, refreshed from a refresh
//! token kept in the vault.

use std::time::Duration;

use amazon_sp_client::LwaClient;
use futures_util::future::BoxFuture;
use gmail_receipts::google::GoogleOAuth;
use secrecy::SecretString;
use truelayer_client::spend_http::{AccessToken, BoxError, Refresh};

use super::{SecretSlot, VaultError};

/// What a provider's refresh grant returns.
#[derive(Debug)]
pub struct Grant {
    /// The new access token.
    pub access: AccessToken,
    /// A new refresh token, when the provider rotated it.
    pub rotated: Option<SecretString>,
}

/// A provider's OAuth refresh grant.
pub trait RefreshGrant: Send + Sync + 'static {
    /// Exchanges `refresh_token` for an access token (and maybe a new refresh token).
    fn grant<'a>(
        &'a self,
        refresh_token: &'a SecretString,
    ) -> BoxFuture<'a, Result<Grant, BoxError>>;
}

impl RefreshGrant for GoogleOAuth {
    fn grant<'a>(
        &'a self,
        refresh_token: &'a SecretString,
    ) -> BoxFuture<'a, Result<Grant, BoxError>> {
        Box::pin(async move {
            let tokens = self.refresh(refresh_token).await?;
            Ok(Grant {
                access: AccessToken {
                    secret: tokens.access_token,
                    expires_in: tokens.expires_in,
                },
                rotated: tokens.refresh_token,
            })
        })
    }
}

impl RefreshGrant for LwaClient {
    fn grant<'a>(
        &'a self,
        refresh_token: &'a SecretString,
    ) -> BoxFuture<'a, Result<Grant, BoxError>> {
        Box::pin(async move {
            let tokens = self.refresh(refresh_token).await?;
            Ok(Grant {
                access: AccessToken {
                    secret: tokens.access_token,
                    expires_in: Some(Duration::from_secs(tokens.expires_in)),
                },
                rotated: tokens.refresh_token,
            })
        })
    }
}

/// A [`Refresh`] (wrap it in a `CachedTokenSource`) whose refresh token lives
/// in the vault: read from it on every refresh, and a rotated one saved
/// (compare-and-swap) before the new access token is handed out. Works for
/// Google ([`GoogleOAuth`]) and Login with Amazon ([`LwaClient`]).
///
/// ```no_run
/// # fn run(vault: spend_core::vault::Vault, user: std::sync::Arc<dyn spend_core::store::UserStore>,
/// #   oauth: gmail_receipts::google::GoogleOAuth) {
/// use spend_core::vault::VaultRefresh;
/// use truelayer_client::spend_http::CachedTokenSource;
/// let tokens = CachedTokenSource::new(VaultRefresh::new(oauth, vault.slot(user, "gmail", "alex@example.org", "refresh_token")));
/// # }
/// ```
pub struct VaultRefresh<G> {
    grant: G,
    slot: SecretSlot,
}

impl<G: RefreshGrant> VaultRefresh<G> {
    /// Refreshes with `grant`, the refresh token in `slot`.
    pub fn new(grant: G, slot: SecretSlot) -> Self {
        VaultRefresh { grant, slot }
    }
}

impl<G: RefreshGrant> Refresh for VaultRefresh<G> {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let current = self.slot.load().await?.ok_or_else(|| {
                Box::new(VaultError::Missing(format!("{:?}", self.slot))) as BoxError
            })?;
            let grant = self.grant.grant(&current).await?;
            if let Some(rotated) = grant.rotated {
                self.slot.save(&rotated).await?;
            }
            Ok(grant.access)
        })
    }
}
