//! The sandbox's mutable state: tokens, counters, injected errors, the bank.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use secrecy::SecretString;
use tokio::time::Instant;

use super::SandboxConfig;
use super::bank::Bank;

pub(crate) struct Injection {
    pub path_prefix: String,
    pub status: u16,
    pub body: serde_json::Value,
    pub remaining: u32,
}

pub(crate) struct Delay {
    pub path_prefix: String,
    pub by: std::time::Duration,
    pub remaining: u32,
}

pub(crate) struct Inner {
    pub storm: std::sync::Arc<spend_http::testkit::Storm>,
    pub access: HashMap<String, Instant>,
    pub refresh: HashSet<String>,
    pub codes: HashMap<String, Option<String>>,
    pub unattended: HashMap<String, u32>,
    /// The consent (one person's connection) each token belongs to: the
    /// unattended allowance is counted per consent, as TrueLayer counts it
    /// per user.
    pub consent_of: HashMap<String, String>,
    pub injections: Vec<Injection>,
    pub delays: Vec<Delay>,
    pub requests: HashMap<String, usize>,
    pub grants: HashMap<String, usize>,
    pub tasks: HashSet<String>,
    pub bank: Bank,
    serial: u64,
}

impl Inner {
    pub fn token(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!(
            "{prefix}-{:08x}-{}",
            self.serial,
            uuid::Uuid::new_v4().simple()
        )
    }
}

pub(crate) struct State {
    pub config: SandboxConfig,
    base: std::sync::OnceLock<String>,
    inner: Mutex<Inner>,
}

impl State {
    pub fn new(config: SandboxConfig) -> State {
        let bank = Bank::generate(
            config.seed,
            config.history_days,
            time::OffsetDateTime::now_utc(),
            config.script.as_deref(),
        );
        State {
            config,
            base: std::sync::OnceLock::new(),
            inner: Mutex::new(Inner {
                storm: std::sync::Arc::default(),
                access: HashMap::new(),
                refresh: HashSet::new(),
                codes: HashMap::new(),
                unattended: HashMap::new(),
                consent_of: HashMap::new(),
                injections: Vec::new(),
                delays: Vec::new(),
                requests: HashMap::new(),
                grants: HashMap::new(),
                tasks: HashSet::new(),
                bank,
                serial: 0,
            }),
        }
    }

    /// The server's URL, set once it is bound (links in answers point at it).
    pub fn set_base(&self, url: String) {
        let _ = self.base.set(url);
    }

    pub fn base(&self) -> &str {
        self.base
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1")
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn issue_refresh_token(&self) -> SecretString {
        let mut inner = self.lock();
        let token = inner.token("rt");
        inner.refresh.insert(token.clone());
        inner.consent_of.insert(token.clone(), token.clone());
        SecretString::from(token)
    }

    pub fn issue_code(&self, challenge: Option<&str>) -> String {
        let mut inner = self.lock();
        let code = inner.token("code");
        inner
            .codes
            .insert(code.clone(), challenge.map(str::to_owned));
        code
    }

    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        self.lock().access.values_mut().for_each(|at| *at = now);
    }

    pub fn revoke_consent(&self) {
        let mut inner = self.lock();
        inner.refresh.clear();
        inner.access.clear();
    }

    pub fn settle_pending(&self) -> usize {
        self.lock().bank.settle_pending()
    }

    pub fn inject(&self, injection: Injection) {
        self.lock().injections.push(injection);
    }

    pub fn delay(&self, delay: Delay) {
        self.lock().delays.push(delay);
    }

    pub fn requests_to(&self, path: &str) -> usize {
        self.lock().requests.get(path).copied().unwrap_or(0)
    }

    pub fn grants(&self, grant_type: &str) -> usize {
        self.lock().grants.get(grant_type).copied().unwrap_or(0)
    }
}
