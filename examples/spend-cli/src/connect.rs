//! `spend connect`: record a provider connection, its secret in the vault.

use std::path::PathBuf;

use anyhow::Context;
use spend_core::app::ImapMailboxSettings;

use crate::import::PASSWORD_VAR;

/// Arguments of `spend connect`.
#[derive(clap::Subcommand)]
pub enum Args {
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
