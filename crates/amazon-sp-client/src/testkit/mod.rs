//! An in-process Login with Amazon + SP-API + Amazon Business simulator
//! (feature `testkit`).
//!
//! It enforces Amazon's usage plans server-side with its own GCRA buckets
//! (429 with `x-amzn-RateLimit-Limit`, optionally sped up by a time scale),
//! paginates generated orders with items, expires access tokens (403 with
//! Amazon's words, as SP-API does), serves buyer info and addresses only to
//! restricted data tokens (generic `{orderId}` paths serve every order;
//! `getOrders`, `getOrder` and `getOrderItems` add personal data for an RDT
//! with data elements), answers with the [`Fault`]s a test injects
//! (permission denials, error pages, bodies that do not decode, slowness),
//! and serves the Amazon Business Reporting API from the same orders.
//!
//! ```
//! # #[tokio::main] async fn main() -> amazon_sp_client::Result<()> {
//! use amazon_sp_client::testkit::{SimulatorConfig, SpApiSimulator};
//! use futures_util::TryStreamExt;
//!
//! let sim = SpApiSimulator::start(SimulatorConfig { orders: 150, ..Default::default() }).await;
//! let client = sim.client()?;
//! let orders: Vec<_> = client.orders_v0().get_orders([sim.marketplace()]).stream().try_collect().await?;
//! assert_eq!(orders.len(), 150);
//! assert_eq!(sim.throttled(), 0);
//! # Ok(()) }
//! ```

mod buckets;
mod data;
mod routes;

pub use data::{ScriptedItem, ScriptedOrder};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use spend_http::RetryPolicy;
use spend_http::testkit::LoopbackServer;
use tokio::time::Instant;
use url::Url;

use crate::{Endpoint, LwaClient, LwaCredentials, Marketplace, Result, SpApiClient};

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Orders to generate.
    pub orders: usize,
    /// Over how many days they were placed.
    pub days: i64,
    /// Orders per `getOrders`/`searchOrders` page (Amazon: up to 100).
    pub page_size: usize,
    /// Items per `getOrderItems` page.
    pub items_page_size: usize,
    /// Usage plans' rates are multiplied by this (1.0: Amazon's speed).
    pub time_scale: f64,
    /// Lifetime of access tokens.
    pub access_token_ttl: Duration,
    /// Seed of the generated data.
    pub seed: u64,
    /// The person's own orders, in place of generated ones (`orders`,
    /// `days` and `seed` are then ignored).
    pub script: Option<Vec<ScriptedOrder>>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            orders: 25,
            days: 30,
            page_size: 100,
            items_page_size: 100,
            time_scale: 1.0,
            access_token_ttl: Duration::from_secs(3600),
            seed: 11,
            script: None,
        }
    }
}

/// A failure the simulator answers every call of one operation with, as
/// Amazon (or what stands in front of it) sometimes does. Set it with
/// [`SpApiSimulator::inject_fault`]; the operation names are those of
/// [`SpApiSimulator::requests_for`] (`lwa.token` included).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 403 `Unauthorized` "Access to requested resource is denied." with
    /// empty details: the token is good but the app lacks the role, or the
    /// seller did not grant it. Answered after the token is checked.
    AccessDenied,
    /// SP-API's error body with this status: `{"errors": [{"code", "message"}]}`.
    Error {
        /// The HTTP status.
        status: u16,
        /// Amazon's error code (`InvalidInput`, `InternalFailure`, ...).
        code: String,
        /// Amazon's message.
        message: String,
    },
    /// An HTML error page with this status, as a load balancer in front of
    /// the API answers, with its session cookie ([`SpApiSimulator::EDGE_COOKIE`]).
    EdgePage(u16),
    /// 200 with the usual answer but every JSON number turned into text
    /// (`"expires_in": "3600"`), as when a model changes under a client: the
    /// body holds what the answer holds (a token, an RDT) and does not decode.
    Undecodable,
    /// The usual answer, sent only after this long.
    Delay(Duration),
}

/// A restricted data token the simulator issued.
#[derive(Debug, Clone)]
pub(crate) struct RdtGrant {
    /// `(method, path, data elements)` it was created for.
    pub resources: Vec<(String, String, Vec<String>)>,
    pub expires: Instant,
}

pub(crate) struct Sim {
    pub config: SimulatorConfig,
    pub orders: Vec<data::SimOrder>,
    pub buckets: buckets::Buckets,
    pub access: Mutex<HashMap<String, Instant>>,
    pub rdts: Mutex<HashMap<String, RdtGrant>>,
    pub faults: Mutex<HashMap<String, Fault>>,
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub serial: AtomicU64,
    pub counts: Mutex<HashMap<String, u64>>,
    pub storm: Mutex<Arc<spend_http::testkit::Storm>>,
}

/// A running simulator. It stops when dropped.
pub struct SpApiSimulator {
    sim: Arc<Sim>,
    server: LoopbackServer,
}

impl SpApiSimulator {
    /// The LWA client id the simulator accepts.
    pub const CLIENT_ID: &'static str = "amzn1.application-oa2-client.simulator";
    /// The LWA client secret it accepts.
    pub const CLIENT_SECRET: &'static str = "simulator-secret";
    /// The seller's refresh token it accepts.
    pub const REFRESH_TOKEN: &'static str = "Atzr|simulator-refresh-token";
    /// The seller id.
    pub const SELLER_ID: &'static str = "A2SIMULATEDSELLER";
    /// The `Set-Cookie` a [`Fault::EdgePage`] carries.
    pub const EDGE_COOKIE: &'static str =
        "AWSALB=sim-edge-session-5f2c9a0e; Path=/; Secure; HttpOnly";

    /// Starts a simulator.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start(config: SimulatorConfig) -> SpApiSimulator {
        let sim = Arc::new(Sim {
            orders: match &config.script {
                Some(script) => script.iter().map(data::SimOrder::from).collect(),
                None => data::generate(config.orders, config.days, config.seed),
            },
            buckets: buckets::Buckets::new(config.time_scale),
            config,
            access: Mutex::new(HashMap::new()),
            rdts: Mutex::new(HashMap::new()),
            faults: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            serial: AtomicU64::new(0),
            counts: Mutex::new(HashMap::new()),
            storm: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(routes::handle)
            .with_state(Arc::clone(&sim));
        SpApiSimulator {
            sim,
            server: LoopbackServer::start(app).await,
        }
    }

    /// The simulator's base URL (SP-API, LWA and Amazon Business all live here).
    pub fn url(&self) -> Url {
        Url::parse(&format!("{}/", self.server.url())).expect("a socket address makes a URL")
    }

    /// The endpoint to give a client.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Custom(self.url())
    }

    /// The marketplace the generated orders are in (UK).
    pub fn marketplace(&self) -> &'static str {
        Marketplace::UK
    }

    /// An LWA client of the simulator's token endpoint.
    pub fn lwa(&self) -> Result<LwaClient> {
        let token_url = self.url().join("auth/o2/token").expect("a path joins");
        LwaClient::with_token_url(
            LwaCredentials::new(Self::CLIENT_ID, Self::CLIENT_SECRET),
            token_url,
        )
    }

    /// A client for the simulated seller, its limiter seeded with the usage
    /// plans at the simulator's time scale, quick retries.
    pub fn client(&self) -> Result<SpApiClient> {
        SpApiClient::builder(self.endpoint())
            .seller_with_lwa(
                Self::SELLER_ID,
                self.lwa()?,
                SecretString::from(Self::REFRESH_TOKEN.to_owned()),
            )
            .rate_limiter(Arc::new(crate::plans::limiter(self.sim.config.time_scale)))
            .retry(
                RetryPolicy::default()
                    .delays(Duration::from_millis(20), Duration::from_secs(2))
                    .max_attempts(8),
            )
            .build()
    }

    /// From now on `rate` of the API calls (not LWA's) fail with 429 or 503
    /// (at most twice in a row for one path), as in a bad hour at Amazon.
    pub fn storm(&self, rate: f64) {
        *self.sim.storm.lock().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(spend_http::testkit::Storm::new(rate, 2));
    }

    /// Calls the storm failed so far.
    pub fn storm_faults(&self) -> u64 {
        self.sim
            .storm
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults()
    }

    /// Requests received.
    pub fn requests(&self) -> u64 {
        self.sim.requests.load(Ordering::Relaxed)
    }

    /// Requests answered with 429.
    pub fn throttled(&self) -> u64 {
        self.sim.throttled.load(Ordering::Relaxed)
    }

    /// Requests received for one operation (`getOrders`, `getOrderItems`, `lwa.token`, ...).
    pub fn requests_for(&self, operation: &str) -> u64 {
        self.sim
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// From now on every call of `operation` fails with `fault` (until
    /// [`clear_fault`](Self::clear_fault)).
    pub fn inject_fault(&self, operation: &str, fault: Fault) {
        self.sim
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(operation.to_owned(), fault);
    }

    /// Calls of `operation` are answered normally again.
    pub fn clear_fault(&self, operation: &str) {
        self.sim
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(operation);
    }

    /// Makes every restricted data token issued so far expire now (Amazon
    /// then answers 403 "The access token you provided has expired.").
    pub fn expire_restricted_data_tokens(&self) {
        let now = Instant::now();
        self.sim
            .rdts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values_mut()
            .for_each(|g| g.expires = now);
    }

    /// Every access token and restricted data token issued so far, for
    /// tests that check none of them leaks into logs or errors.
    pub fn issued_tokens(&self) -> Vec<String> {
        let access = self.sim.access.lock().unwrap_or_else(|e| e.into_inner());
        let rdts = self.sim.rdts.lock().unwrap_or_else(|e| e.into_inner());
        access.keys().chain(rdts.keys()).cloned().collect()
    }

    /// Makes every access token issued so far expire now.
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        self.sim
            .access
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values_mut()
            .for_each(|t| *t = now);
    }

    /// The ids of the generated orders, oldest first.
    pub fn order_ids(&self) -> Vec<String> {
        self.sim.orders.iter().map(|o| o.id.clone()).collect()
    }
}
