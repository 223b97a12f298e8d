//! Syncs receipt-like mail from Gmail, runs it through the receipt pipeline
//! (with the PDF stage) and prints the summary and the checkpoint to keep.
//!
//! By default against the in-process simulator. With `GOOGLE_CLIENT_ID`,
//! `GOOGLE_CLIENT_SECRET` and `GOOGLE_REFRESH_TOKEN` (a grant of the
//! `gmail.readonly` scope) it reads your mailbox; `GMAIL_CHECKPOINT` (the
//! JSON this prints) makes it incremental, `GMAIL_AFTER` (epoch seconds)
//! bounds a full sync.
//!
//! ```sh
//! cargo run -p gmail-receipts --features testkit --example gmail_sync
//! ```

use std::sync::Arc;

use futures_util::StreamExt;
use gmail_receipts::Importer;
use gmail_receipts::google::{Checkpoint, Gmail, GoogleOAuth, SyncItem, SyncOptions, UserTokens};
use gmail_receipts::testkit::{GmailSimulator, SimConfig};
use spend_http::CachedTokenSource;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut _sim = None;
    let gmail = match (env("GOOGLE_CLIENT_ID"), env("GOOGLE_REFRESH_TOKEN")) {
        (Some(client_id), Some(refresh)) => {
            let mut oauth = GoogleOAuth::builder(client_id, "http://127.0.0.1:8765/");
            if let Some(secret) = env("GOOGLE_CLIENT_SECRET") {
                oauth = oauth.client_secret(secret);
            }
            let tokens = UserTokens::new(oauth.build()?, refresh.into());
            Gmail::builder(Arc::new(CachedTokenSource::new(tokens))).build()?
        }
        _ => {
            println!("No Google credentials in the environment: using the in-process simulator.\n");
            let sim = GmailSimulator::start(SimConfig::default().messages(500)).await;
            let gmail = sim.client()?;
            _sim = Some(sim);
            gmail
        }
    };

    let checkpoint: Option<Checkpoint> = env("GMAIL_CHECKPOINT")
        .map(|json| serde_json::from_str(&json))
        .transpose()?;
    let mut options = SyncOptions::default();
    if let Some(after) = env("GMAIL_AFTER") {
        options = options.after(after.parse()?);
    }

    let profile = gmail.profile().await?;
    println!(
        "{}: {} messages in the mailbox",
        profile.email_address, profile.messages_total
    );
    let mut importer = Importer::default();
    let mut sync = gmail.sync(options, checkpoint);
    while let Some(item) = sync.next().await {
        match item? {
            SyncItem::Message(message) => {
                importer.import(&message);
                let seen = importer.stats().messages;
                if seen % 100 == 0 {
                    eprintln!("  {seen} messages...");
                }
            }
            SyncItem::Skipped { id, error } => eprintln!("skipped {id}: {error}"),
            SyncItem::Done {
                checkpoint,
                mode,
                fetched,
            } => {
                println!("{mode:?} sync: {fetched} messages fetched\n");
                print!("{}", importer.stats());
                println!(
                    "\nnext time: GMAIL_CHECKPOINT='{}'",
                    serde_json::to_string(&checkpoint)?
                );
            }
        }
    }
    Ok(())
}
