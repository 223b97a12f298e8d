//! An in-process Gmail API and Google OAuth simulator (feature `testkit`).
//!
//! It serves, on a loopback port, the consent redirect (PKCE S256 checked),
//! the token endpoint (codes, refreshes, `invalid_grant` for revoked tokens),
//! revocation, `users.getProfile`, `messages.list` (the search syntax a
//! receipt sync uses: `subject:(...)`, `from:(...)`, `after:`/`before:`),
//! `messages.get` (raw and full), `attachments.get`, `history.list` (404 for
//! an expired start id) and the batch endpoint, over a generated mailbox.
//! Every call is charged against Gmail's per-user quota in a sliding minute
//! and refused with 429 when over it; faults can be injected.
//!
//! ```
//! # #[tokio::main] async fn main() -> Result<(), gmail_receipts::google::GmailError> {
//! use gmail_receipts::testkit::{GmailSimulator, SimConfig};
//!
//! let sim = GmailSimulator::start(SimConfig::default().messages(50)).await;
//! let gmail = sim.client()?;
//! let profile = gmail.profile().await?;
//! assert_eq!(profile.messages_total, 50);
//! # Ok(()) }
//! ```

#[cfg(feature = "imap")]
mod imap_server;
mod mailbox;
mod routes;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use spend_http::CachedTokenSource;
use spend_http::testkit::LoopbackServer;

#[cfg(feature = "imap")]
pub use imap_server::{TestImapAccount, TestImapServer};
pub use mailbox::{SimMail, SimMessage, pdf};
pub use state::{Fault, SimStats};

use crate::google::{Gmail, GmailError, GoogleEndpoints, GoogleOAuth, OAuthError, UserTokens};
use routes::Shared;
use state::State;

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    messages: usize,
    seed: u64,
    units_per_minute: u32,
    token_ttl: Duration,
    mailbox: Option<Vec<SimMail>>,
}

impl Default for SimConfig {
    /// 1,000 messages, Gmail's 15,000 units per user per minute, one-hour tokens.
    fn default() -> Self {
        SimConfig {
            messages: 1000,
            seed: 7,
            units_per_minute: crate::google::quota::USER_UNITS_PER_MINUTE,
            token_ttl: Duration::from_secs(3600),
            mailbox: None,
        }
    }
}

impl SimConfig {
    /// Messages in the generated mailbox.
    pub fn messages(mut self, count: usize) -> Self {
        self.messages = count;
        self
    }

    /// Seed of the generated mailbox.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The per-user quota enforced (units per sliding minute).
    pub fn units_per_minute(mut self, units: u32) -> Self {
        self.units_per_minute = units;
        self
    }

    /// Lifetime of access tokens.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Serves these messages (sorted by date) in place of a generated mailbox.
    pub fn mailbox(mut self, mut mail: Vec<SimMail>) -> Self {
        mail.sort_by_key(|m| m.internal_date);
        self.mailbox = Some(mail);
        self
    }
}

/// The running simulator; stops when dropped.
pub struct GmailSimulator {
    server: LoopbackServer,
    state: Shared,
    refresh_token: String,
    units_per_minute: u32,
}

impl std::fmt::Debug for GmailSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSimulator")
            .field("url", &self.server.url())
            .field("units_per_minute", &self.units_per_minute)
            .finish_non_exhaustive()
    }
}

const CLIENT_ID: &str = "sim-client.apps.googleusercontent.com";
const REDIRECT: &str = "http://127.0.0.1:8765/";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl GmailSimulator {
    /// The OAuth client id the simulator accepts.
    pub const CLIENT_ID: &'static str = CLIENT_ID;
    /// That client's secret.
    pub const CLIENT_SECRET: &'static str = "sim-secret";

    /// Generates the mailbox and starts serving it. One user has already
    /// granted access: see [`refresh_token`](Self::refresh_token).
    pub async fn start(config: SimConfig) -> Self {
        let messages = match config.mailbox {
            Some(mail) => mail
                .into_iter()
                .enumerate()
                .map(|(n, m)| m.into_message(n))
                .collect(),
            None => mailbox::generate(config.messages, config.seed, now_ms()),
        };
        let mut state = State::new(messages, config.units_per_minute, config.token_ttl);
        let refresh_token = "1//sim-granted-user".to_owned();
        state.refresh_tokens.push(refresh_token.clone());
        let state = Arc::new(Mutex::new(state));
        let server = LoopbackServer::start(routes::router(Arc::clone(&state))).await;
        GmailSimulator {
            server,
            state,
            refresh_token,
            units_per_minute: config.units_per_minute,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API root, for [`GmailBuilder::base_url`](crate::google::GmailBuilder::base_url).
    pub fn url(&self) -> String {
        format!("{}/", self.server.url())
    }

    /// The OAuth endpoints, for [`GoogleOAuthBuilder::endpoints`](crate::google::GoogleOAuthBuilder::endpoints).
    pub fn oauth_endpoints(&self) -> GoogleEndpoints {
        let base = self.server.url();
        GoogleEndpoints::at(
            &format!("{base}/o/oauth2/v2/auth"),
            &format!("{base}/token"),
            &format!("{base}/revoke"),
        )
        .expect("loopback URLs are valid")
    }

    /// An OAuth client registered with the simulator (redirect `http://127.0.0.1:8765/`).
    pub fn oauth(&self) -> Result<GoogleOAuth, OAuthError> {
        GoogleOAuth::builder(CLIENT_ID, REDIRECT)
            .client_secret(Self::CLIENT_SECRET)
            .endpoints(self.oauth_endpoints())
            .build()
    }

    /// The refresh token of the user who already granted access.
    pub fn refresh_token(&self) -> SecretString {
        SecretString::from(self.refresh_token.clone())
    }

    /// A Gmail client for that user, paced by the simulator's quota.
    pub fn client(&self) -> Result<Gmail, GmailError> {
        let tokens = UserTokens::new(self.oauth()?, self.refresh_token());
        Gmail::builder(Arc::new(CachedTokenSource::new(tokens)))
            .base_url(self.url())
            .quota(
                self.units_per_minute,
                250.min(self.units_per_minute / 4).max(5),
            )
            .build()
    }

    /// From now on `rate` of the API calls fail with 429 or 500 (at most
    /// twice in a row for one path), as in a bad hour at Google.
    pub fn storm(&self, rate: f64) {
        self.lock().storm = Arc::new(spend_http::testkit::Storm::new(rate, 2));
    }

    /// Calls the storm failed so far.
    pub fn storm_faults(&self) -> u64 {
        self.lock().storm.faults()
    }

    /// Answers the next `times` calls with `fault`.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.lock().faults.extend(std::iter::repeat_n(fault, times));
    }

    /// Forgets all history so far: `history.list` from any earlier id answers 404.
    pub fn expire_history(&self) {
        let mut state = self.lock();
        state.history_floor = state.history_id;
    }

    /// From now on the consent page sends the browser back with
    /// `error=access_denied`, as when the user clicks Cancel.
    pub fn decline_consent(&self) {
        self.lock().decline_consent = true;
    }

    /// Revokes every refresh token (as Google does to Testing apps after 7 days).
    pub fn revoke_refresh_tokens(&self) {
        self.lock().refresh_tokens.clear();
    }

    /// Delivers `count` new messages now (dated after every message already
    /// there, a second apart); returns their ids.
    pub fn deliver(&self, count: usize) -> Vec<String> {
        let mut state = self.lock();
        let seed = state.history_id;
        let mut fresh = mailbox::generate(count, seed, now_ms());
        // New mail arrives after everything already in the mailbox.
        let mut arrived = state
            .messages
            .iter()
            .map(|m| m.internal_date)
            .max()
            .unwrap_or(0)
            .max(now_ms());
        let mut ids = Vec::new();
        for message in &mut fresh {
            arrived += 1000;
            message.internal_date = arrived;
            state.history_id += 1;
            message.history_id = state.history_id;
            message.id = format!("19{:014x}", state.history_id);
            message.thread_id = message.id.clone();
            ids.push(message.id.clone());
            let index = state.messages.len();
            state.by_id.insert(message.id.clone(), index);
            state.messages.push(message.clone());
        }
        state.history_id += 1;
        ids
    }

    /// What was served so far.
    pub fn stats(&self) -> SimStats {
        self.lock().stats.clone()
    }

    /// Every `q` sent to `messages.list`.
    pub fn queries(&self) -> Vec<String> {
        self.lock().queries.clone()
    }

    /// The mailbox.
    pub fn messages(&self) -> Vec<SimMessage> {
        self.lock().messages.clone()
    }
}
