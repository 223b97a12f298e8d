//! The demo: the providers' simulators started in-process (TrueLayer's
//! sandbox and a Gmail account), connected like real ones, so the whole
//! product runs without credentials.

mod letters;
mod person;
mod truth;

use std::sync::Arc;

pub use person::Person;
pub use truth::{Case, GroundTruth, TruthLink};

use crate::app::{AmazonApp, AppError, GoogleApp, Spend, TrueLayerApp};

/// The demo Gmail address.
pub const GMAIL_ADDRESS: &str = "alex@example.org";
/// The demo TrueLayer connection's name.
pub const TRUELAYER_CONNECTION: &str = "demo-bank";

/// The demo seller on Amazon.
pub const SELLER: &str = amazon_sp_client::testkit::SpApiSimulator::SELLER_ID;

/// The running simulators.
pub struct Demo {
    truelayer: truelayer_client::testkit::Sandbox,
    gmail: gmail_receipts::testkit::GmailSimulator,
    amazon: amazon_sp_client::testkit::SpApiSimulator,
    amazon_time_scale: f64,
    gmail_units_per_minute: u32,
    llm: llm_enrich::testkit::Simulator,
    truth: GroundTruth,
}

/// How much history the demo person has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoSize {
    /// Days of bank history.
    pub bank_days: u32,
    /// Messages in the mailbox (receipts among them).
    pub emails: usize,
    /// Amazon orders.
    pub orders: usize,
    /// Bank and card transactions (about: the charges of orders and
    /// receipts, then everyday purchases up to this).
    pub transactions: usize,
    /// Gmail's per-user quota (units a minute; Google's is 15,000).
    pub gmail_units_per_minute: u32,
    /// Amazon's usage plans sped up by this factor (1: Amazon's pace).
    pub amazon_time_scale: f64,
}

impl Default for DemoSize {
    /// The demo: four months of bank history, 300 messages, 60 orders, 600
    /// transactions, Google's quota, Amazon's plans at 100x (so the demo
    /// takes seconds).
    fn default() -> Self {
        DemoSize {
            bank_days: 120,
            emails: 300,
            orders: 60,
            transactions: 600,
            gmail_units_per_minute: 15_000,
            amazon_time_scale: 100.0,
        }
    }
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo").finish_non_exhaustive()
    }
}

impl Demo {
    /// Starts the simulators on loopback ports, at the demo's size.
    pub async fn start() -> Demo {
        Demo::start_with(DemoSize::default()).await
    }

    /// Starts the simulators with the person's history at `size`.
    pub async fn start_with(size: DemoSize) -> Demo {
        let today = time::OffsetDateTime::now_utc().date();
        Demo::start_person(Person::generate(&size, 7, today), size).await
    }

    /// Starts the simulators showing `person` (history of `size.bank_days`;
    /// its quota and time scale from `size`).
    pub async fn start_person(person: Person, size: DemoSize) -> Demo {
        Demo {
            truelayer: truelayer_client::testkit::Sandbox::start_with(
                truelayer_client::testkit::SandboxConfig {
                    history_days: size.bank_days,
                    script: Some(person.bank),
                    ..truelayer_client::testkit::SandboxConfig::default()
                },
            )
            .await,
            gmail: gmail_receipts::testkit::GmailSimulator::start(
                gmail_receipts::testkit::SimConfig::default()
                    .mailbox(person.mail)
                    .units_per_minute(size.gmail_units_per_minute),
            )
            .await,
            amazon: amazon_sp_client::testkit::SpApiSimulator::start(
                amazon_sp_client::testkit::SimulatorConfig {
                    time_scale: size.amazon_time_scale,
                    page_size: 20,
                    script: Some(person.orders),
                    ..amazon_sp_client::testkit::SimulatorConfig::default()
                },
            )
            .await,
            amazon_time_scale: size.amazon_time_scale,
            gmail_units_per_minute: size.gmail_units_per_minute,
            llm: llm_enrich::testkit::Simulator::start(llm_enrich::ProviderKind::Anthropic).await,
            truth: person.truth,
        }
    }

    /// The simulated LLM (Anthropic's Messages API, answering as a model
    /// would from the transactions' words), for enrichment without a key.
    pub fn llm(&self) -> std::sync::Arc<dyn llm_enrich::Provider> {
        self.llm.provider()
    }

    /// Which transaction paid for which order or receipt.
    pub fn truth(&self) -> &GroundTruth {
        &self.truth
    }

    /// From now on `rate` of every simulator's API calls fail with 429 or
    /// 5xx (at most twice in a row for one path).
    pub fn storm(&self, rate: f64) {
        self.truelayer.storm(rate);
        self.gmail.storm(rate);
        self.amazon.storm(rate);
    }

    /// Calls the storms failed so far: TrueLayer, Gmail, Amazon.
    pub fn storm_faults(&self) -> (u64, u64, u64) {
        (
            self.truelayer.storm_faults(),
            self.gmail.storm_faults(),
            self.amazon.storm_faults(),
        )
    }

    /// TrueLayer's side.
    pub fn truelayer(&self) -> TrueLayerApp {
        TrueLayerApp {
            environment: self.truelayer.environment(),
            credentials: self.truelayer.credentials(),
        }
    }

    /// Google's side.
    pub fn google(&self) -> Result<GoogleApp, AppError> {
        Ok(GoogleApp {
            oauth: self
                .gmail
                .oauth()
                .map_err(|e| AppError::Source(crate::sources::SourceError::Gmail(e.into())))?,
            base_url: Some(self.gmail.url()),
            units_per_minute: Some(self.gmail_units_per_minute),
        })
    }

    /// Amazon's side.
    pub fn amazon(&self) -> Result<AmazonApp, AppError> {
        Ok(AmazonApp {
            endpoint: self.amazon.endpoint(),
            lwa: self
                .amazon
                .lwa()
                .map_err(|e| AppError::Source(crate::sources::SourceError::Amazon(e)))?,
            marketplace: self.amazon.marketplace().to_owned(),
            rate_limiter: Some(Arc::new(amazon_sp_client::plans::limiter(
                self.amazon_time_scale,
            ))),
            plan_scale: self.amazon_time_scale,
        })
    }

    /// The environment that points [`ProviderApps::from_env`](crate::app::ProviderApps::from_env)
    /// (and so `spend worker` and `spend sync` in other processes) at these
    /// simulators: every provider's credentials and URLs.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let (auth, data) = match self.truelayer.environment() {
            truelayer_client::Environment::Custom { auth, data } => {
                (auth.to_string(), data.to_string())
            }
            _ => unreachable!("the sandbox is a custom environment"),
        };
        let google = self.gmail.url();
        let google = google.trim_end_matches('/');
        let amazon = self.amazon.url();
        vec![
            (
                "TRUELAYER_CLIENT_ID",
                truelayer_client::testkit::Sandbox::CLIENT_ID.into(),
            ),
            (
                "TRUELAYER_CLIENT_SECRET",
                truelayer_client::testkit::Sandbox::CLIENT_SECRET.into(),
            ),
            ("SPEND_TRUELAYER_AUTH_URL", auth),
            ("SPEND_TRUELAYER_DATA_URL", data),
            (
                "GOOGLE_CLIENT_ID",
                gmail_receipts::testkit::GmailSimulator::CLIENT_ID.into(),
            ),
            (
                "GOOGLE_CLIENT_SECRET",
                gmail_receipts::testkit::GmailSimulator::CLIENT_SECRET.into(),
            ),
            (
                "SPEND_GOOGLE_AUTH_URL",
                format!("{google}/o/oauth2/v2/auth"),
            ),
            ("SPEND_GOOGLE_TOKEN_URL", format!("{google}/token")),
            ("SPEND_GOOGLE_REVOKE_URL", format!("{google}/revoke")),
            ("SPEND_GMAIL_API_URL", format!("{google}/")),
            (
                "SPEND_GMAIL_UNITS_PER_MINUTE",
                self.gmail_units_per_minute.to_string(),
            ),
            (
                "LWA_CLIENT_ID",
                amazon_sp_client::testkit::SpApiSimulator::CLIENT_ID.into(),
            ),
            (
                "LWA_CLIENT_SECRET",
                amazon_sp_client::testkit::SpApiSimulator::CLIENT_SECRET.into(),
            ),
            ("SPEND_SP_API_URL", amazon.to_string()),
            (
                "SPEND_SP_API_PLAN_SCALE",
                self.amazon_time_scale.to_string(),
            ),
            (
                "SPEND_LWA_TOKEN_URL",
                amazon
                    .join("auth/o2/token")
                    .expect("a path joins")
                    .to_string(),
            ),
        ]
    }

    /// Requests the simulators refused for their limits (429): Amazon's
    /// usage plans, then Gmail's per-user quota.
    pub fn throttled(&self) -> (u64, u64) {
        (self.amazon.throttled(), self.gmail.stats().rate_limited)
    }

    /// Gmail quota units charged so far.
    pub fn gmail_units(&self) -> u64 {
        self.gmail.stats().units
    }

    /// Requests made of Amazon's `operation` so far.
    pub fn amazon_requests(&self, operation: &str) -> u64 {
        self.amazon.requests_for(operation)
    }

    /// The simulated bank (to slow it down, or revoke a consent).
    pub fn bank(&self) -> &truelayer_client::testkit::Sandbox {
        &self.truelayer
    }

    /// The three simulated providers' apps, as
    /// [`ProviderApps::from_env`](crate::app::ProviderApps::from_env) gives
    /// real ones.
    pub fn apps(&self) -> Result<crate::app::ProviderApps, AppError> {
        Ok(crate::app::ProviderApps {
            truelayer: Some(self.truelayer()),
            google: Some(self.google()?),
            amazon: Some(self.amazon()?),
            amazon_business_region: "UK".into(),
        })
    }

    /// The demo's three sources (bank, mailbox, Amazon), ready for the sync
    /// engine, once [`connect`](Self::connect) has stored their consents.
    ///
    /// ```no_run
    /// # async fn run(spend: spend_core::app::Spend) -> Result<(), Box<dyn std::error::Error>> {
    /// use spend_core::demo::Demo;
    /// let demo = Demo::start().await;
    /// demo.connect(&spend).await?;
    /// for mut source in demo.sources(&spend, &Default::default()).await? {
    ///     spend.engine().run(source.as_mut(), &mut |_| {}).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn sources(
        &self,
        spend: &Spend,
        options: &crate::app::SyncSettings,
    ) -> Result<Vec<Box<dyn crate::sources::Source>>, AppError> {
        Ok(vec![
            Box::new(spend.truelayer_source(&self.truelayer(), TRUELAYER_CONNECTION, options)?),
            Box::new(
                spend
                    .gmail_source(&self.google()?, GMAIL_ADDRESS, options)
                    .await?,
            ),
            Box::new(spend.sp_api_source(&self.amazon()?, SELLER).await?),
        ])
    }

    /// Connects `spend` to the simulators (a consent each), as `spend connect` would.
    pub async fn connect(&self, spend: &Spend) -> Result<(), AppError> {
        spend
            .connect(
                "truelayer",
                TRUELAYER_CONNECTION,
                &self.truelayer.connect_user(),
            )
            .await?;
        spend
            .connect("gmail", GMAIL_ADDRESS, &self.gmail.refresh_token())
            .await?;
        let amazon = secrecy::SecretString::from(
            amazon_sp_client::testkit::SpApiSimulator::REFRESH_TOKEN.to_owned(),
        );
        spend.connect("sp-api", SELLER, &amazon).await?;
        Ok(())
    }
}
