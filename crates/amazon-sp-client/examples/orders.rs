//! Pulls the last 30 days of orders with their items.
//!
//! By default from the in-process simulator. With `LWA_CLIENT_ID`,
//! `LWA_CLIENT_SECRET`, `SP_API_REFRESH_TOKEN` (and optionally
//! `SP_API_SELLER_ID`, `SP_API_REGION=na|eu|fe`, `SP_API_SANDBOX=true`,
//! `SP_API_MARKETPLACE=A1F83G8C2ARO7P`) it calls Amazon:
//!
//! ```sh
//! cargo run -p amazon-sp-client --features testkit --example orders
//! ```

use amazon_sp_client::testkit::{SimulatorConfig, SpApiSimulator};
use amazon_sp_client::{Endpoint, LwaCredentials, Marketplace, SpApiClient};
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let live = LwaCredentials::from_env().zip(std::env::var("SP_API_REFRESH_TOKEN").ok());
    let mut _sim = None;
    let (client, marketplace) = match live {
        Some((credentials, refresh)) => {
            let seller = std::env::var("SP_API_SELLER_ID").unwrap_or_else(|_| "default".into());
            let marketplace =
                std::env::var("SP_API_MARKETPLACE").unwrap_or_else(|_| Marketplace::UK.into());
            let client = SpApiClient::builder(Endpoint::from_env())
                .seller(seller, credentials, refresh.into())
                .build()?;
            (client, marketplace)
        }
        None => {
            println!("No LWA credentials in the environment: using the in-process simulator.\n");
            let sim = SpApiSimulator::start(SimulatorConfig {
                orders: 12,
                ..Default::default()
            })
            .await;
            let client = sim.client()?;
            let marketplace = sim.marketplace().to_owned();
            _sim = Some(sim);
            (client, marketplace)
        }
    };

    let since = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let mut orders = client
        .orders_v0()
        .get_orders([marketplace])
        .created_after(since)
        .stream();
    let mut count = 0;
    while let Some(order) = orders.try_next().await? {
        count += 1;
        let total = order
            .order_total
            .as_ref()
            .map(|t| format!("{} {}", t.amount, t.currency_code))
            .unwrap_or_default();
        println!(
            "{}  {}  {:<10} {total}",
            &order.purchase_date[..10],
            order.amazon_order_id,
            order.order_status
        );
        let items: Vec<_> = client
            .orders_v0()
            .get_order_items(&order.amazon_order_id)
            .stream()
            .try_collect()
            .await?;
        for item in items {
            let price = item
                .item_price
                .map(|p| format!("{} {}", p.amount, p.currency_code))
                .unwrap_or_default();
            println!(
                "    {} x {}  {}  {price}",
                item.quantity_ordered,
                item.asin,
                item.title.unwrap_or_default()
            );
        }
    }
    println!("\n{count} orders in the last 30 days");
    Ok(())
}
