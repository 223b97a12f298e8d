//! Lists accounts, cards, balances and the last 90 days of transactions.
//!
//! By default it runs against the in-process sandbox (`testkit`). To use
//! TrueLayer, set `TRUELAYER_CLIENT_ID`, `TRUELAYER_CLIENT_SECRET`,
//! `TRUELAYER_REFRESH_TOKEN` (and `TRUELAYER_ENV=live` for production):
//!
//! ```sh
//! cargo run -p truelayer-client --features testkit --example accounts
//! ```

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use anyhow::Context;
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};
use truelayer_client::models::Transaction;
use truelayer_client::testkit::Sandbox;
use truelayer_client::{AuthClient, ClientCredentials, DataClient, Environment, MemoryTokenStore};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let live = ClientCredentials::from_env().zip(std::env::var("TRUELAYER_REFRESH_TOKEN").ok());
    // Keep the sandbox alive for the whole run when it is used.
    let mut _sandbox = None;
    let (environment, credentials, refresh_token) = match live {
        Some((credentials, refresh)) => (
            Environment::from_env(),
            credentials,
            SecretString::from(refresh),
        ),
        None => {
            let sandbox = Sandbox::start().await;
            println!("No TRUELAYER_* credentials set: using the in-process sandbox.\n");
            let parts = (
                sandbox.environment(),
                sandbox.credentials(),
                sandbox.connect_user(),
            );
            _sandbox = Some(sandbox);
            parts
        }
    };
    let auth = AuthClient::new(environment.clone(), credentials)?;
    let store = Arc::new(MemoryTokenStore::new(Some(refresh_token)));
    // The person running this is present, so the unattended-call limit does not apply.
    let data = DataClient::for_user(environment, auth, store)?
        .user_present(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let since = OffsetDateTime::now_utc() - Duration::days(90);

    for account in data.accounts().list().await.context("listing accounts")? {
        // The spec leaves `account_id` optional: without one there is nothing to ask for.
        let Some(id) = account.account_id.clone() else {
            println!("Account {} has no id: skipped", account.display_name);
            continue;
        };
        let balance = data.accounts().balance(&id).await?;
        let current = balance
            .first()
            .map(|b| format!("{:.2}", b.current))
            .unwrap_or_default();
        println!(
            "Account {} ({}) balance {} {}",
            account.display_name, id, current, account.currency
        );
        let transactions = data.accounts().transactions(&id).from(since).await?;
        print_transactions(&transactions);
    }
    for card in data.cards().list().await.context("listing cards")? {
        let Some(id) = card.account_id.clone() else {
            println!("A card has no id: skipped");
            continue;
        };
        let balance = data.cards().balance(&id).await?;
        let owed = balance
            .first()
            .map(|b| format!("{:.2}", b.current))
            .unwrap_or_default();
        println!(
            "Card {} ({}) owed {owed}",
            card.display_name.unwrap_or_default(),
            id
        );
        let transactions = data.cards().transactions(&id).from(since).await?;
        print_transactions(&transactions);
    }
    Ok(())
}

fn print_transactions(transactions: &[Transaction]) {
    println!(
        "  {} transactions in the last 90 days; the latest:",
        transactions.len()
    );
    let mut latest: Vec<_> = transactions.iter().collect();
    latest.sort_by(|a, b| b.timestamp.cmp(&a.timestamp));
    for t in latest.iter().take(5) {
        let date = t
            .timestamp
            .date()
            .map(|d| d.to_string())
            .unwrap_or_else(|| t.timestamp.to_string());
        println!(
            "  {date}  {:>10.2} {}  {}",
            t.amount, t.currency, t.description
        );
    }
    println!();
}
