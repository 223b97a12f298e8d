//! `spend connect`: record a provider connection, its secret in the vault.

use std::path::PathBuf;

use anyhow::Context;
use spend_core::app::ImapMailboxSettings;

use crate::import::PASSWORD_VAR;

/// Arguments of `spend connect`.
#[derive(clap::Subcommand)]
pub enum Args {
    /// An Amazon seller (SP-API) with the refresh token Seller Central gives
    /// your self-authorised app, from SPEND_AMAZON_REFRESH_TOKEN (LWA_CLIENT_ID
    /// and LWA_CLIENT_SECRET of the app).
    Amazon {
        /// The selling partner id.
        #[arg(long)]
        seller: String,
    },
    /// An Amazon Business account, likewise (SPEND_AMAZON_REFRESH_TOKEN).
    AmazonBusiness {
        /// A name for the account.
        #[arg(long, default_value = "business")]
        name: String,
    },
    /// A bank or card through TrueLayer's consent on a loopback redirect
    /// (TRUELAYER_CLIENT_ID and TRUELAYER_CLIENT_SECRET of your app; TRUELAYER_ENV=live for live).
    Truelayer {
        /// The connection's name.
        #[arg(long, default_value = "bank")]
        name: String,
        /// How long to wait for the consent, in seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// A Gmail account: Google's consent page on a loopback redirect
    /// (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET of your OAuth client).
    Gmail {
        /// How long to wait for the consent, in seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// An IMAP mailbox (read-only, TLS); the app password comes from SPEND_IMAP_PASSWORD.
    Imap {
        /// The server's host name.
        host: String,
        /// The user name.
        #[arg(long)]
        user: String,
        /// The mailbox to read (all of Gmail is `[Gmail]/All Mail`).
        #[arg(long, default_value = "INBOX")]
        mailbox: String,
        /// The port (implicit TLS).
        #[arg(long, default_value_t = 993)]
        port: u16,
        /// Trust exactly the CA certificates in this PEM file (a self-hosted server).
        #[arg(long, value_name = "PEM")]
        ca: Option<PathBuf>,
    },
}

/// Runs `spend connect`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let spend = crate::store_app::open().await?;
        match args {
            Args::Amazon { seller } => connect_amazon(&spend, "sp-api", &seller).await?,
            Args::AmazonBusiness { name } => connect_amazon(&spend, "amazon-business", &name).await?,
            Args::Truelayer { name, timeout } => {
                let app = spend_core::app::ProviderApps::from_env()?
                    .truelayer
                    .context("spend connect truelayer needs TRUELAYER_CLIENT_ID and TRUELAYER_CLIENT_SECRET of your app")?;
                spend
                    .connect_truelayer(&app, &name, std::time::Duration::from_secs(timeout), |url| {
                        eprintln!("Open this page to connect your bank (read-only):\n{url}");
                    })
                    .await?;
                eprintln!("connected truelayer:{name}; `spend sync truelayer --present` reads it");
            }
            Args::Gmail { timeout } => {
                let apps = spend_core::app::ProviderApps::from_env()?;
                let app = apps
                    .google
                    .context("spend connect gmail needs GOOGLE_CLIENT_ID (and GOOGLE_CLIENT_SECRET) of your OAuth client")?;
                let address = spend
                    .connect_gmail(&app, std::time::Duration::from_secs(timeout), |url| {
                        eprintln!("Open this page to let spend read your Gmail (read-only):\n{url}");
                    })
                    .await?;
                eprintln!("connected gmail:{address}; `spend sync gmail` reads it");
            }
            Args::Imap {
                host,
                user,
                mailbox,
                port,
                ca,
            } => {
                let password = std::env::var(PASSWORD_VAR)
                    .ok()
                    .filter(|p| !p.is_empty())
                    .with_context(|| {
                        format!("spend connect imap reads the app password from {PASSWORD_VAR}")
                    })?;
                let ca_pem = ca
                    .map(|path| {
                        std::fs::read_to_string(&path)
                            .with_context(|| format!("cannot read {}", path.display()))
                    })
                    .transpose()?;
                let settings = ImapMailboxSettings {
                    host,
                    port,
                    user,
                    mailbox,
                    ca_pem,
                };
                let name = spend.connect_imap(&settings, &password.into()).await?;
                eprintln!("connected imap:{name}; `spend sync imap` reads it");
            }
        }
        Ok(())
    })
}

/// The environment variable the Amazon refresh token is read from (never an
/// argument: arguments show in `ps`).
const AMAZON_TOKEN_VAR: &str = "SPEND_AMAZON_REFRESH_TOKEN";

async fn connect_amazon(
    spend: &spend_core::app::Spend,
    provider: &str,
    name: &str,
) -> anyhow::Result<()> {
    let app = spend_core::app::ProviderApps::from_env()?
        .amazon
        .context("spend connect amazon needs LWA_CLIENT_ID and LWA_CLIENT_SECRET of your app")?;
    let token = std::env::var(AMAZON_TOKEN_VAR)
        .ok()
        .filter(|t| !t.is_empty())
        .with_context(|| {
            format!(
                "spend connect amazon reads the refresh token (Atzr|...) from {AMAZON_TOKEN_VAR}"
            )
        })?;
    spend
        .connect_amazon(&app, provider, name, &token.into())
        .await?;
    eprintln!("connected {provider}:{name}; `spend sync {provider}` reads it");
    Ok(())
}
