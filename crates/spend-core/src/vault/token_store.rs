//! One stored secret with compare-and-swap writes, and the TrueLayer
//! `TokenStore` built on it.

use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use secrecy::SecretString;

use super::{Vault, VaultError};
use crate::store::UserStore;

/// One connection's secret (a refresh token), read and written with
/// compare-and-swap: [`save`](SecretSlot::save) succeeds only if the stored
/// version is still the one [`load`](SecretSlot::load) saw, so two processes
/// refreshing one connection can never overwrite each other's newer token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use secrecy::{ExposeSecret, SecretString};
/// use spend_core::model::Connection;
/// use spend_core::store::{SqliteStore, Store};
/// use spend_core::vault::{Keyring, Vault};
///
/// let store = SqliteStore::in_memory().await?;
/// let alex = store.user(store.ensure_user("alex").await?);
/// alex.put_connection(&Connection::new("truelayer", "main")).await?;
/// let vault = Vault::new(Keyring::generate());
/// let mine = vault.slot(alex.clone(), "truelayer", "main", "refresh_token");
/// let theirs = vault.slot(alex.clone(), "truelayer", "main", "refresh_token");
/// mine.save(&SecretString::from("r1")).await?;
/// assert_eq!(theirs.load().await?.unwrap().expose_secret(), "r1");
/// mine.load().await?;
/// theirs.save(&SecretString::from("r2")).await?;
/// assert!(mine.save(&SecretString::from("r2-stale")).await.is_err(), "mine is out of date");
/// assert_eq!(mine.load().await?.unwrap().expose_secret(), "r2");
/// # Ok(()) }
/// ```
pub struct SecretSlot {
    vault: Vault,
    user: Arc<dyn UserStore>,
    provider: String,
    name: String,
    key: String,
    seen: Mutex<Option<i64>>,
}

impl std::fmt::Debug for SecretSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretSlot")
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl SecretSlot {
    pub(crate) fn new(
        vault: Vault,
        user: Arc<dyn UserStore>,
        provider: &str,
        name: &str,
        key: &str,
    ) -> Self {
        SecretSlot {
            vault,
            user,
            provider: provider.to_owned(),
            name: name.to_owned(),
            key: key.to_owned(),
            seen: Mutex::new(None),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Option<i64>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The secret now, remembering its version for the next [`save`](Self::save).
    pub async fn load(&self) -> Result<Option<SecretString>, VaultError> {
        let stored = self
            .user
            .secret(&self.provider, &self.name, &self.key)
            .await?;
        *self.seen() = stored.as_ref().map(|s| s.version);
        stored
            .map(|s| self.vault.keyring().decrypt(&s.ciphertext))
            .transpose()
    }

    /// Writes `secret` if nobody has written since the last load (or, before
    /// any load, if nothing is stored yet); a
    /// [`StoreError::Conflict`](crate::store::StoreError::Conflict) otherwise.
    pub async fn save(&self, secret: &SecretString) -> Result<(), VaultError> {
        let expected = *self.seen();
        let ciphertext = self.vault.keyring().encrypt(secret);
        let version = self
            .user
            .put_secret(&self.provider, &self.name, &self.key, &ciphertext, expected)
            .await?;
        *self.seen() = Some(version);
        Ok(())
    }
}

/// A [`truelayer_client::TokenStore`] backed by the vault: the rotated
/// refresh token is encrypted and saved (compare-and-swap) before the new
/// access token is used.
///
/// ```no_run
/// # async fn run(vault: spend_core::vault::Vault, user: std::sync::Arc<dyn spend_core::store::UserStore>,
/// #   auth: truelayer_client::AuthClient) -> truelayer_client::Result<()> {
/// use std::sync::Arc;
/// use spend_core::vault::VaultTokenStore;
/// let tokens = Arc::new(VaultTokenStore::new(vault.slot(user, "truelayer", "main", "refresh_token")));
/// let data = truelayer_client::DataClient::for_user(truelayer_client::Environment::Sandbox, auth, tokens)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct VaultTokenStore {
    slot: SecretSlot,
}

impl VaultTokenStore {
    /// A token store over `slot`.
    pub fn new(slot: SecretSlot) -> Self {
        VaultTokenStore { slot }
    }
}

impl truelayer_client::TokenStore for VaultTokenStore {
    fn load(
        &self,
    ) -> BoxFuture<'_, Result<Option<SecretString>, truelayer_client::spend_http::BoxError>> {
        Box::pin(async move {
            self.slot
                .load()
                .await
                .map_err(|e| Box::new(e) as truelayer_client::spend_http::BoxError)
        })
    }

    fn save(
        &self,
        refresh_token: SecretString,
    ) -> BoxFuture<'_, Result<(), truelayer_client::spend_http::BoxError>> {
        Box::pin(async move {
            self.slot
                .save(&refresh_token)
                .await
                .map_err(|e| Box::new(e) as truelayer_client::spend_http::BoxError)
        })
    }
}
