//! One person's spend, opened from settings: the store, their handle, the
//! vault, the blob store and the mail archive, and the sources built from
//! their connections. Front ends (the CLI, the MCP server) call this.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use blob_store::BlobStore;
use gmail_receipts::google::{Gmail, GoogleOAuth, SyncOptions};
use serde::Deserialize;
use truelayer_client::spend_http::CachedTokenSource;
use truelayer_client::{AuthClient, ClientCredentials, DataClient, Environment};

use crate::mail::MailArchive;
use crate::model::{Connection, ConnectionStatus};
use crate::sources::{GmailSource, SourceError, SpApiSource, TrueLayerSource};
use crate::store::{Store, StoreError, UserStore};
use crate::sync::SyncEngine;
use crate::vault::{Keyring, Vault, VaultError, VaultRefresh, VaultTokenStore};

mod blobs;
mod import;
mod providers;
mod refresh;

pub use blobs::open_blobs;
pub use import::FileImport;
pub use providers::ProviderApps;
pub(crate) use refresh::selected;
pub use refresh::{NotRun, RefreshOptions, Refreshed, SourcePlan, SourceSync};

/// What can go wrong opening spend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The settings file is unreadable.
    #[error("settings file {path}: {detail}")]
    Settings {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A source could not be built.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// An environment variable holds something unusable.
    #[error("{variable}: {detail}")]
    Environment {
        /// The variable.
        variable: String,
        /// What is wrong.
        detail: String,
    },
    /// Categorisation failed.
    #[error(transparent)]
    Enrich(#[from] crate::enrich::EnrichError),
}

/// Where spend keeps things: `spend.toml` in the platform's config folder
/// (`~/.config/spend/spend.toml` on Linux), overridden by `SPEND_STORE`,
/// `SPEND_BLOBS` and `SPEND_USER`; with neither, the embedded default (a
/// SQLite file and a blob folder in the data folder, user `me`).
///
/// ```toml
/// store = "postgres://spend@db.internal/spend"   # or "sqlite:///home/alex/spend.db"
/// blobs = "/srv/spend/blobs"
/// user = "alex"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The store URL.
    pub store: String,
    /// The blob folder.
    pub blobs: PathBuf,
    /// The user.
    pub user: String,
    /// The LLM for enrichment (`[llm]`, or `SPEND_LLM_PROVIDER`), if any.
    pub llm: Option<crate::enrich::LlmSettings>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    store: Option<String>,
    blobs: Option<PathBuf>,
    user: Option<String>,
    llm: Option<crate::enrich::LlmSettings>,
}

impl Settings {
    /// The settings file's path: `SPEND_CONFIG`, else `spend.toml` in the config folder.
    pub fn path() -> Option<PathBuf> {
        std::env::var_os("SPEND_CONFIG")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                directories::ProjectDirs::from("", "", "spend")
                    .map(|d| d.config_dir().join("spend.toml"))
            })
    }

    /// Reads the settings file (if any) and the environment.
    pub fn load() -> Result<Settings, AppError> {
        let file = match Settings::path() {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(&path).map_err(|e| AppError::Settings {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?;
                toml::from_str::<SettingsFile>(&text).map_err(|e| AppError::Settings {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?
            }
            _ => SettingsFile::default(),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let data = crate::paths::data_dir()?;
        Ok(Settings {
            store: env("SPEND_STORE")
                .or(file.store)
                .unwrap_or_else(|| format!("sqlite://{}", data.join("spend.db").display())),
            blobs: env("SPEND_BLOBS")
                .map(PathBuf::from)
                .or(file.blobs)
                .unwrap_or_else(|| data.join("blobs")),
            user: env("SPEND_USER")
                .or(file.user)
                .unwrap_or_else(|| "me".into()),
            llm: env("SPEND_LLM_PROVIDER")
                .map(|p| crate::enrich::LlmSettings::named(&p))
                .or(file.llm),
        })
    }
}

/// How to reach TrueLayer: its environment and the app's credentials.
#[derive(Clone)]
pub struct TrueLayerApp {
    /// Sandbox, live, or a simulator.
    pub environment: Environment,
    /// The app's client id and secret.
    pub credentials: ClientCredentials,
}

/// How to reach Google: the OAuth client, and the Gmail API root when it is
/// not Google's (a simulator).
#[derive(Clone)]
pub struct GoogleApp {
    /// The OAuth client.
    pub oauth: GoogleOAuth,
    /// The API root, for a simulator.
    pub base_url: Option<String>,
    /// Pace each account below Gmail's per-user quota (15,000 units a
    /// minute), leaving room for the person's other Gmail apps.
    pub units_per_minute: Option<u32>,
}

/// How to reach Amazon's Selling Partner API: the endpoint, the LWA client
/// (the app's credentials) and the marketplace.
#[derive(Clone)]
pub struct AmazonApp {
    /// The regional endpoint (or a simulator's).
    pub endpoint: amazon_sp_client::Endpoint,
    /// Login with Amazon.
    pub lwa: amazon_sp_client::LwaClient,
    /// The marketplace id.
    pub marketplace: String,
    /// A limiter of your own (default: Amazon's usage plans, their bucket
    /// state shared through the store).
    pub rate_limiter: Option<Arc<truelayer_client::spend_http::RateLimiter>>,
    /// Amazon's usage plans sped up by this factor (1 against Amazon; a
    /// simulator's speed-up against one).
    pub plan_scale: f64,
}

/// An IMAP mailbox's settings, kept (not secret) with its connection.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct ImapMailboxSettings {
    /// The server.
    pub host: String,
    /// Its implicit-TLS port (993).
    pub port: u16,
    /// The user name.
    pub user: String,
    /// The mailbox (`INBOX`, `[Gmail]/All Mail`).
    pub mailbox: String,
    /// CA certificates to trust instead of the platform's (a self-hosted server).
    pub ca_pem: Option<String>,
}

/// Options of one sync.
#[derive(Debug, Clone, Default)]
pub struct SyncSettings {
    /// Fetch from this day.
    pub since: Option<time::Date>,
    /// The person is present (TrueLayer's `X-PSU-IP`: no unattended limit).
    pub present: Option<IpAddr>,
}

/// One person's spend.
#[derive(Clone)]
pub struct Spend {
    /// Every user's data.
    pub store: Arc<dyn Store>,
    /// This person's.
    pub user: Arc<dyn UserStore>,
    /// Their secrets.
    pub vault: Vault,
    /// Receipt files and raw mail.
    pub blobs: Arc<dyn BlobStore>,
    /// Their mail, kept raw.
    pub archive: Arc<MailArchive>,
}

impl std::fmt::Debug for Spend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spend")
            .field("backend", &self.store.backend())
            .field("user", &self.user.user_id())
            .finish()
    }
}

impl Spend {
    /// Opens the store, the user, the vault (keys from `SPEND_FERNET_KEYS` or
    /// the key file) and the blob folder that `settings` name.
    pub async fn open(settings: &Settings) -> Result<Spend, AppError> {
        let store = crate::store::open(&settings.store).await?;
        let keys = Keyring::load_default()?;
        let blobs = open_blobs(&settings.blobs).await?;
        Spend::with(store, &settings.user, keys, blobs).await
    }

    /// The same from parts.
    pub async fn with(
        store: Arc<dyn Store>,
        user: &str,
        keys: Keyring,
        blobs: Arc<dyn BlobStore>,
    ) -> Result<Spend, AppError> {
        let user = store.user(store.ensure_user(user).await?);
        let archive = Arc::new(MailArchive::new(user.clone(), blobs.clone()));
        Ok(Spend {
            store,
            user,
            vault: Vault::new(keys),
            blobs,
            archive,
        })
    }

    /// The sync engine for this person.
    pub fn engine(&self) -> SyncEngine {
        SyncEngine::new(self.user.clone())
    }

    /// Records a connection and its refresh token (encrypted).
    pub async fn connect(
        &self,
        provider: &str,
        name: &str,
        refresh_token: &secrecy::SecretString,
    ) -> Result<(), AppError> {
        self.user
            .put_connection(&Connection::new(provider, name))
            .await?;
        self.vault
            .put(
                self.user.as_ref(),
                provider,
                name,
                "refresh_token",
                refresh_token,
            )
            .await?;
        Ok(())
    }

    /// Marks a connection as needing the person's consent again.
    pub async fn needs_reauthorisation(&self, provider: &str, name: &str) -> Result<(), AppError> {
        let mut connection = self
            .user
            .connections()
            .await?
            .into_iter()
            .find(|c| c.provider == provider && c.name == name)
            .unwrap_or_else(|| Connection::new(provider, name));
        connection.status = ConnectionStatus::NeedsReauthorisation;
        Ok(self.user.put_connection(&connection).await?)
    }

    /// A TrueLayer source for the connection `name`.
    pub fn truelayer_source(
        &self,
        app: &TrueLayerApp,
        name: &str,
        options: &SyncSettings,
    ) -> Result<TrueLayerSource, AppError> {
        let auth = AuthClient::new(app.environment.clone(), app.credentials.clone())
            .map_err(SourceError::from)?;
        let tokens = Arc::new(VaultTokenStore::new(self.vault.slot(
            self.user.clone(),
            "truelayer",
            name,
            "refresh_token",
        )));
        let mut data = DataClient::for_user(app.environment.clone(), auth, tokens)
            .map_err(SourceError::from)?;
        if let Some(ip) = options.present {
            data = data.user_present(ip);
        }
        Ok(TrueLayerSource::builder(name, data)
            .since(options.since)
            .present(options.present.is_some())
            .build())
    }

    /// An SP-API client for the connection `(provider, name)`: LWA tokens
    /// from its refresh token in the vault, and the usage plans' bucket state
    /// shared through the store (unless the app brings its own limiter).
    async fn amazon_client(
        &self,
        app: &AmazonApp,
        provider: &str,
        name: &str,
    ) -> Result<amazon_sp_client::SpApiClient, AppError> {
        let refresh = VaultRefresh::new(
            app.lwa.clone(),
            self.vault
                .slot(self.user.clone(), provider, name, "refresh_token"),
        );
        let limiter = match &app.rate_limiter {
            Some(limiter) => limiter.clone(),
            None => {
                let state =
                    crate::store::StoreRateState::open(self.store.clone(), provider).await?;
                Arc::new(amazon_sp_client::plans::limiter(app.plan_scale).with_shared(state))
            }
        };
        Ok(amazon_sp_client::SpApiClient::builder(app.endpoint.clone())
            .token_source(name, Arc::new(CachedTokenSource::new(refresh)))
            .rate_limiter(limiter)
            .build()
            .map_err(SourceError::Amazon)?)
    }

    /// An SP-API orders source for the seller `seller`.
    pub async fn sp_api_source(
        &self,
        app: &AmazonApp,
        seller: &str,
    ) -> Result<SpApiSource, AppError> {
        let client = self.amazon_client(app, "sp-api", seller).await?;
        Ok(SpApiSource::new(seller, &app.marketplace, client))
    }

    /// An Amazon Business source for the account `account` in `region` (`UK`, `US`, ...).
    pub async fn amazon_business_source(
        &self,
        app: &AmazonApp,
        account: &str,
        region: &str,
    ) -> Result<crate::sources::AmazonBusinessSource, AppError> {
        let client = self.amazon_client(app, "amazon-business", account).await?;
        Ok(crate::sources::AmazonBusinessSource::new(
            account, region, client,
        ))
    }

    /// Records an IMAP mailbox: its settings in the connection (not secret),
    /// its app password in the vault. Returns the connection's name
    /// (`user@host/mailbox`).
    #[cfg(feature = "imap")]
    pub async fn connect_imap(
        &self,
        mailbox: &ImapMailboxSettings,
        password: &secrecy::SecretString,
    ) -> Result<String, AppError> {
        let name = format!("{}@{}/{}", mailbox.user, mailbox.host, mailbox.mailbox);
        let mut connection = Connection::new("imap", &name);
        connection.settings = serde_json::to_value(mailbox).unwrap_or_default();
        self.user.put_connection(&connection).await?;
        self.vault
            .put(self.user.as_ref(), "imap", &name, "password", password)
            .await?;
        Ok(name)
    }

    /// An IMAP source for the stored connection `connection`.
    #[cfg(feature = "imap")]
    pub async fn imap_source(
        &self,
        connection: &Connection,
        options: &SyncSettings,
    ) -> Result<crate::sources::ImapSource, AppError> {
        let settings: ImapMailboxSettings = serde_json::from_value(connection.settings.clone())
            .map_err(|e| {
                AppError::Source(SourceError::Invalid(format!(
                    "imap connection {:?} has unreadable settings: {e}",
                    connection.name
                )))
            })?;
        let password = self
            .vault
            .get(self.user.as_ref(), "imap", &connection.name, "password")
            .await?
            .ok_or_else(|| {
                VaultError::Missing(format!(
                    "the password of imap connection {:?}",
                    connection.name
                ))
            })?;
        let mut config = gmail_receipts::sources::imap::ImapConfig::new(
            &settings.host,
            &settings.user,
            secrecy::ExposeSecret::expose_secret(&password),
        )
        .port(settings.port)
        .mailbox(&settings.mailbox);
        if let Some(pem) = &settings.ca_pem {
            config = config.root_certificates_pem(pem.as_bytes().to_vec());
        }
        if let Some(since) = options.since {
            config = config.since(since);
        }
        Ok(crate::sources::ImapSource::new(
            &connection.name,
            config,
            self.archive.clone(),
        ))
    }

    /// Connects an Amazon selling partner or Amazon Business account
    /// (`provider` is `sp-api` or `amazon-business`) with the refresh token
    /// Seller Central gives a self-authorised app: the token is tried with
    /// Login with Amazon first, and stored in the vault only if it works.
    pub async fn connect_amazon(
        &self,
        app: &AmazonApp,
        provider: &str,
        name: &str,
        refresh_token: &secrecy::SecretString,
    ) -> Result<(), AppError> {
        app.lwa.refresh(refresh_token).await.map_err(|e| match e {
            amazon_sp_client::Error::ReauthorisationNeeded { .. } => {
                AppError::Source(SourceError::NeedsReauthorisation {
                    provider: provider.to_owned(),
                    name: name.to_owned(),
                    detail: format!("Login with Amazon refused the refresh token: {e}"),
                })
            }
            other => AppError::Source(SourceError::Amazon(other)),
        })?;
        self.connect(provider, name, refresh_token).await
    }

    /// Connects a bank through TrueLayer's consent on a loopback redirect
    /// (PKCE and `state` checked): `open` is given the page to show the
    /// person; the refresh token goes into the vault as the connection `name`.
    pub async fn connect_truelayer(
        &self,
        app: &TrueLayerApp,
        name: &str,
        timeout: std::time::Duration,
        open: impl FnOnce(&url::Url),
    ) -> Result<(), AppError> {
        use spend_http::loopback::{Callback, LoopbackRedirect};
        let consent = |detail: String| {
            AppError::Source(SourceError::NeedsReauthorisation {
                provider: "truelayer".into(),
                name: name.to_owned(),
                detail,
            })
        };
        let redirect = LoopbackRedirect::bind(
            &url::Url::parse("http://127.0.0.1:0/callback").unwrap_or_else(|_| unreachable!()),
        )
        .await
        .map_err(|e| consent(e.to_string()))?;
        let auth = AuthClient::new(app.environment.clone(), app.credentials.clone())
            .map_err(SourceError::from)?;
        let request = auth.authorization_url(redirect.uri().to_string()).build();
        open(&request.url);
        let (browser, callback) = redirect
            .wait(timeout)
            .await
            .map_err(|e| consent(e.to_string()))?;
        let (code, state) = match callback {
            Callback::Code { code, state } => (code, state),
            Callback::Declined { error } => {
                browser.answer(false).await;
                return Err(consent(format!("consent declined: {error}")));
            }
        };
        let verifier = match request.verify_callback(&state) {
            Ok(v) => v,
            Err(e) => {
                browser.answer(false).await;
                return Err(SourceError::from(e).into());
            }
        };
        let tokens = auth
            .exchange_code(&code, redirect.uri().as_str(), verifier)
            .await;
        browser.answer(tokens.is_ok()).await;
        let refresh = tokens
            .map_err(SourceError::from)?
            .refresh_token
            .ok_or_else(|| {
                consent("TrueLayer gave no refresh token (the offline_access scope)".into())
            })?;
        self.connect("truelayer", name, &refresh).await
    }

    /// Connects a Gmail account through Google's consent page on a loopback
    /// redirect (PKCE and `state` checked by the OAuth client): `open` is
    /// given the page to show the person; the refresh token goes into the
    /// vault under the account's address, which is returned.
    pub async fn connect_gmail(
        &self,
        app: &GoogleApp,
        timeout: std::time::Duration,
        open: impl FnOnce(&url::Url),
    ) -> Result<String, AppError> {
        let gmail_error =
            |e: gmail_receipts::google::GmailError| AppError::Source(SourceError::Gmail(e));
        let tokens = app
            .oauth
            .authorize_on_loopback(timeout, open)
            .await
            .map_err(|e| gmail_error(e.into()))?;
        let refresh = tokens.refresh_token.clone().ok_or_else(|| {
            AppError::Source(SourceError::Invalid(
                "Google gave no refresh token (offline access was not granted); connect again"
                    .into(),
            ))
        })?;
        let access = truelayer_client::spend_http::StaticToken::new(
            secrecy::ExposeSecret::expose_secret(&tokens.access_token),
        );
        let mut builder = Gmail::builder(Arc::new(access));
        if let Some(base) = &app.base_url {
            builder = builder.base_url(base.clone());
        }
        if let Some(units) = app.units_per_minute {
            builder = builder.quota(units, 250.min(units / 4).max(5));
        }
        let profile = builder
            .build()
            .map_err(gmail_error)?
            .profile()
            .await
            .map_err(gmail_error)?;
        self.connect("gmail", &profile.email_address, &refresh)
            .await?;
        Ok(profile.email_address)
    }

    /// A Gmail source for the account `address`. Its quota pacing (Gmail's
    /// per-user units a minute) is shared through the store, so two
    /// processes syncing one account never start with two full buckets.
    pub async fn gmail_source(
        &self,
        app: &GoogleApp,
        address: &str,
        options: &SyncSettings,
    ) -> Result<GmailSource, AppError> {
        let refresh = VaultRefresh::new(
            app.oauth.clone(),
            self.vault
                .slot(self.user.clone(), "gmail", address, "refresh_token"),
        );
        let state =
            crate::store::StoreRateState::open(self.store.clone(), &format!("gmail:{address}"))
                .await?;
        let limiter = spend_http::RateLimiter::new().with_shared(state);
        let mut builder = Gmail::builder(Arc::new(CachedTokenSource::new(refresh)))
            .rate_limiter(Arc::new(limiter));
        if let Some(base) = &app.base_url {
            builder = builder.base_url(base.clone());
        }
        if let Some(units) = app.units_per_minute {
            builder = builder.quota(units, 250.min(units / 4).max(5));
        }
        let gmail = builder.build().map_err(SourceError::from)?;
        let mut sync = SyncOptions::default();
        if let Some(since) = options.since {
            sync = sync.after(since.midnight().assume_utc().unix_timestamp());
        }
        Ok(GmailSource::new(address, gmail, self.archive.clone(), sync))
    }
}
