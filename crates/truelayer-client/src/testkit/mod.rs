//! An in-process TrueLayer sandbox (feature `testkit`) for your own tests.
//!
//! It serves the auth server and the Data API on a loopback port, with
//! generated accounts, a credit card, balances, settled and pending
//! transactions, standing orders and direct debits, and behaves as TrueLayer
//! does where clients usually go wrong: access tokens expire (401
//! `invalid_token`), refresh tokens rotate (a used one answers `invalid_grant`),
//! pending transactions settle under new ids, and without `X-PSU-IP` each
//! endpoint answers 4 calls a day and then 429 `provider_request_limit_exceeded`,
//! and extending a connection rotates its refresh token (the old one answers
//! `invalid_grant`) without needing an access token. Any error or delay can
//! be injected.
//!
//! ```
//! # #[tokio::main] async fn main() -> truelayer_client::Result<()> {
//! use std::sync::Arc;
//! use truelayer_client::testkit::Sandbox;
//! use truelayer_client::{AuthClient, DataClient, MemoryTokenStore};
//!
//! let sandbox = Sandbox::start().await;
//! let auth = AuthClient::new(sandbox.environment(), sandbox.credentials())?;
//! let store = Arc::new(MemoryTokenStore::new(Some(sandbox.connect_user())));
//! let data = DataClient::for_user(sandbox.environment(), auth, store)?;
//! let accounts = data.accounts().list().await?;
//! assert_eq!(accounts.len(), 2);
//! # Ok(()) }
//! ```

mod bank;
mod routes;
mod state;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use spend_http::testkit::LoopbackServer;
use url::Url;

pub use bank::{SandboxAccount, SandboxTransaction};

use crate::{ClientCredentials, Environment};
use state::{Delay, Injection, State};

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Lifetime of issued access tokens (default one hour, as TrueLayer).
    pub access_token_ttl: Duration,
    /// Calls a day per endpoint without `X-PSU-IP` (default 4, as TrueLayer).
    pub unattended_limit: u32,
    /// Days of transaction history to generate (default 120).
    pub history_days: u32,
    /// Seed of the generated data.
    pub seed: u64,
    /// Behave as a card-only provider: account endpoints answer 501 `endpoint_not_supported`.
    pub card_only: bool,
    /// The person's own transactions: when set, they replace the generated
    /// card purchases and pending transactions (salary, rent, the direct
    /// debit, standing orders and balances stay).
    pub script: Option<Vec<SandboxTransaction>>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            access_token_ttl: Duration::from_secs(3600),
            unattended_limit: 4,
            history_days: 120,
            seed: 7,
            card_only: false,
            script: None,
        }
    }
}

/// A running sandbox. It stops when dropped.
pub struct Sandbox {
    state: Arc<State>,
    server: LoopbackServer,
}

impl Sandbox {
    /// The client id the sandbox accepts.
    pub const CLIENT_ID: &'static str = "sandbox-spend-4f2a";
    /// The client secret the sandbox accepts.
    pub const CLIENT_SECRET: &'static str = "sandbox-secret-1d9c7e";

    /// Starts a sandbox with the default configuration.
    ///
    /// # Panics
    /// If no loopback port can be bound (the machine has no network stack).
    pub async fn start() -> Sandbox {
        Sandbox::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox configured by `config`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start_with(config: SandboxConfig) -> Sandbox {
        let state = Arc::new(State::new(config));
        let server = LoopbackServer::start(routes::router(Arc::clone(&state))).await;
        state.set_base(server.url());
        Sandbox { state, server }
    }

    /// The environment to give clients: this sandbox's auth server and Data API.
    pub fn environment(&self) -> Environment {
        let base = format!("{}/", self.server.url());
        Environment::Custom {
            auth: Url::parse(&base).expect("a socket address makes a URL"),
            data: Url::parse(&format!("{base}data/v1/")).expect("a socket address makes a URL"),
        }
    }

    /// The client credentials the sandbox accepts.
    pub fn credentials(&self) -> ClientCredentials {
        ClientCredentials::new(Sandbox::CLIENT_ID, Sandbox::CLIENT_SECRET)
    }

    /// A user who has just connected their bank: returns a valid refresh token
    /// (what the code exchange would have stored).
    pub fn connect_user(&self) -> SecretString {
        self.state.issue_refresh_token()
    }

    /// An authorisation code, as the redirect would bring back; pass the PKCE
    /// challenge that was in the authorisation URL, if any.
    pub fn authorization_code(&self, code_challenge: Option<&str>) -> String {
        self.state.issue_code(code_challenge)
    }

    /// Makes every access token issued so far expire now.
    pub fn expire_access_tokens(&self) {
        self.state.expire_access_tokens();
    }

    /// Revokes consent: every refresh token answers `invalid_grant` from now on.
    pub fn revoke_consent(&self) {
        self.state.revoke_consent();
    }

    /// Settles every pending transaction under a new id; returns how many settled.
    pub fn settle_pending(&self) -> usize {
        self.state.settle_pending()
    }

    /// From now on `rate` of the Data API calls fail with 429 or 503 (at most
    /// twice in a row for one path), as in a provider's bad hour.
    pub fn storm(&self, rate: f64) {
        self.state.lock().storm = Arc::new(spend_http::testkit::Storm::new(rate, 2));
    }

    /// Calls the storm failed so far.
    pub fn storm_faults(&self) -> u64 {
        self.state.lock().storm.faults()
    }

    /// Answers the next `times` requests whose path starts with `path_prefix`
    /// with `status` and the JSON `body`.
    pub fn inject_error(
        &self,
        path_prefix: &str,
        status: u16,
        body: serde_json::Value,
        times: u32,
    ) {
        self.state.inject(Injection {
            path_prefix: path_prefix.into(),
            status,
            body,
            remaining: times,
        });
    }

    /// Holds the next `times` requests whose path starts with `path_prefix`
    /// for `by` before answering them (a slow bank, for timeouts). A held
    /// request counts in [`requests_to`](Sandbox::requests_to) when it arrives.
    pub fn delay(&self, path_prefix: &str, by: Duration, times: u32) {
        self.state.delay(Delay {
            path_prefix: path_prefix.into(),
            by,
            remaining: times,
        });
    }

    /// How many requests reached `path` (exact path, e.g. `/data/v1/accounts`).
    pub fn requests_to(&self, path: &str) -> usize {
        self.state.requests_to(path)
    }

    /// How many token grants of `grant_type` were answered with success.
    pub fn grants(&self, grant_type: &str) -> usize {
        self.state.grants(grant_type)
    }
}
