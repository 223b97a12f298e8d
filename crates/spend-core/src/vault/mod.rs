//! Secrets at rest: Fernet encryption, key rotation, and token stores for
//! the providers' refresh tokens.
//!
//! Every secret (refresh tokens, IMAP passwords, API keys) is stored as a
//! Fernet token, compatible with Python's `cryptography`. The newest key
//! encrypts; any key decrypts; [`rotate`] re-encrypts every stored secret
//! under the newest key in one transaction. There is no plaintext path.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use secrecy::{ExposeSecret, SecretString};
//! use spend_core::model::Connection;
//! use spend_core::store::{SqliteStore, Store};
//! use spend_core::vault::{Keyring, Vault};
//!
//! let store = SqliteStore::in_memory().await?;
//! let alex = store.user(store.ensure_user("alex").await?);
//! alex.put_connection(&Connection::new("imap", "alex@example.org")).await?;
//! let vault = Vault::new(Keyring::generate());
//! vault.put(alex.as_ref(), "imap", "alex@example.org", "password", &SecretString::from("app-password")).await?;
//! let back = vault.get(alex.as_ref(), "imap", "alex@example.org", "password").await?.unwrap();
//! assert_eq!(back.expose_secret(), "app-password");
//! # Ok(()) }
//! ```

mod keyring;
mod refresh;
mod token_store;

pub use keyring::{KEYS_ENV, Keyring};
pub use refresh::{Grant, RefreshGrant, VaultRefresh};
pub use token_store::{SecretSlot, VaultTokenStore};

use secrecy::SecretString;

use crate::store::{Store, StoreError, UserStore};

/// What can go wrong with secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No key was given.
    #[error("no Fernet key: set {KEYS_ENV} (comma-separated, newest first) or use a key file")]
    NoKeys,
    /// A key is not a Fernet key (32 bytes, URL-safe base64).
    #[error(
        "Fernet key #{index} is not valid (expected 32 bytes of URL-safe base64, as Fernet.generate_key() makes)"
    )]
    BadKey {
        /// Its position, from 1, newest first.
        index: usize,
    },
    /// The key file cannot be used.
    #[error("key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why, and how to fix it.
        reason: String,
    },
    /// No key decrypts the token (a wrong key, or a tampered token).
    #[error("cannot decrypt a stored secret: none of the keys matches, or the token was altered")]
    Decrypt,
    /// No secret is stored where one is needed (a connection never authorised).
    #[error("no stored secret: {0}")]
    Missing(String),
    /// A decrypted secret is not UTF-8.
    #[error("a stored secret is not UTF-8 text")]
    NotText,
    /// Storage failed.
    #[error("storing a secret failed: {0}")]
    Store(Box<StoreError>),
}

impl From<StoreError> for VaultError {
    fn from(e: StoreError) -> Self {
        VaultError::Store(Box::new(e))
    }
}

/// Encrypts secrets into a store and decrypts them out of it.
#[derive(Clone)]
pub struct Vault {
    keys: std::sync::Arc<Keyring>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Vault {
    /// A vault over `keys`.
    pub fn new(keys: Keyring) -> Self {
        Vault {
            keys: std::sync::Arc::new(keys),
        }
    }

    /// The keys.
    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Stores `secret` as the connection's `key`, replacing what was there.
    /// The connection must exist.
    pub async fn put(
        &self,
        user: &dyn UserStore,
        provider: &str,
        name: &str,
        key: &str,
        secret: &SecretString,
    ) -> Result<i64, VaultError> {
        let ciphertext = self.keys.encrypt(secret);
        let current = user.secret(provider, name, key).await?.map(|s| s.version);
        Ok(user
            .put_secret(provider, name, key, &ciphertext, current)
            .await?)
    }

    /// The connection's secret `key`, decrypted.
    pub async fn get(
        &self,
        user: &dyn UserStore,
        provider: &str,
        name: &str,
        key: &str,
    ) -> Result<Option<SecretString>, VaultError> {
        match user.secret(provider, name, key).await? {
            Some(stored) => Ok(Some(self.keys.decrypt(&stored.ciphertext)?)),
            None => Ok(None),
        }
    }

    /// A slot for one secret, with compare-and-swap writes (see [`SecretSlot`]).
    pub fn slot(
        &self,
        user: std::sync::Arc<dyn UserStore>,
        provider: &str,
        name: &str,
        key: &str,
    ) -> SecretSlot {
        SecretSlot::new(self.clone(), user, provider, name, key)
    }
}

/// Re-encrypts every secret of every user in `store` under the newest key of
/// `keys`, in one transaction; returns how many. Run it after putting a new
/// key first; then the old keys can be dropped.
pub async fn rotate(store: &dyn Store, keys: &Keyring) -> Result<u64, VaultError> {
    let reencrypt = |token: &str| keys.reencrypt(token);
    Ok(store.rewrite_secrets(&reencrypt).await?)
}
