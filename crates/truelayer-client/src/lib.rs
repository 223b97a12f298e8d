//! A typed client for TrueLayer's Data API v1 and auth server.
//!
//! - [`AuthClient`]: the user's authorisation URL (PKCE S256, `state`),
//!   code exchange, refresh, client credentials, auth and re-auth links,
//!   providers, credential deletion, debug ids.
//! - [`DataClient`]: `/me`, `/info`, [accounts](DataClient::accounts) (balance,
//!   settled and pending transactions, standing orders, direct debits),
//!   [cards](DataClient::cards), [batch](DataClient::batch) and
//!   [connection extension](DataClient::connections), every operation of the spec.
//! - [`models`]: exact amounts, timestamps with offsets, enums that keep unknown values.
//! - [`Error`]: typed; `invalid_grant` is [`Error::ReauthorisationNeeded`],
//!   `endpoint_not_supported` is [`Error::NotSupportedByProvider`], the
//!   unattended-access limit is [`Error::UnattendedLimitReached`] (final for
//!   the day, never retried).
//! - `testkit` (feature): an in-process TrueLayer sandbox for your tests.
//!
//! Requests go through [`spend_http`]: retries with backoff honouring
//! `Retry-After`, single-flight token refresh with one replay on 401, redacted traces.
//! Refresh tokens rotate; [`UserTokens`] saves each new one to your
//! [`TokenStore`] before the access token it came with is used, and so does
//! [extending the connection](Connections::extend).
//!
//! ```no_run
//! # async fn run() -> truelayer_client::Result<()> {
//! use std::sync::Arc;
//! use truelayer_client::{AuthClient, ClientCredentials, DataClient, Environment, MemoryTokenStore};
//!
//! let credentials = ClientCredentials::from_env().expect("TRUELAYER_CLIENT_ID and _SECRET");
//! let auth = AuthClient::new(Environment::Sandbox, credentials)?;
//! let store = Arc::new(MemoryTokenStore::new(Some("refresh-token".to_string().into())));
//! let data = DataClient::for_user(Environment::Sandbox, auth, store)?;
//! let accounts = data.accounts().list().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod auth;
mod data;
mod environment;
mod error;
pub mod models;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use auth::{
    AuthClient, AuthorizationRequest, AuthorizationUrlBuilder, ClientCredentials, MemoryTokenStore,
    ProvidersQuery, ResponseMode, TokenStore, UserTokens,
};
pub use data::{
    Accounts, Batch, Cards, Connections, DataClient, DataClientBuilder, DataRequest, WindowBound,
};
pub use environment::Environment;
pub use error::{Error, Result};

pub use spend_http;

/// The `User-Agent` this crate sends.
pub const USER_AGENT: &str = concat!("truelayer-client/", env!("CARGO_PKG_VERSION"), " (spend)");
