//! The limiter against the simulator's server-side buckets, at 100x time scale.
//!
//! Fetches 100 pages of orders (5 per page) and the items of all 500 orders,
//! once with this crate's client (per-operation buckets, items fetched as
//! pages arrive) and once the naive way (one request every 6 s, i.e. every
//! 60 ms at 100x, retrying 429s), and prints requests, 429s and wall time
//! against the minimum the usage plans allow.
//!
//! `cargo bench -p amazon-sp-client --bench rate_limits` (about two minutes).

use std::time::{Duration, Instant};

use amazon_sp_client::plans::USAGE_PLANS;
use amazon_sp_client::testkit::{SimulatorConfig, SpApiSimulator};
use futures_util::TryStreamExt;
use secrecy::ExposeSecret;
use serde_json::Value;

const SCALE: f64 = 100.0;
const ORDERS: usize = 500;
const PAGE: usize = 5;

fn plan(op: &str) -> (f64, u32) {
    USAGE_PLANS
        .iter()
        .find(|p| p.0 == op)
        .map(|p| (p.1 * SCALE, p.2))
        .unwrap()
}

/// The least time `n` calls can take from a full bucket.
fn minimum(op: &str, n: usize) -> f64 {
    let (rate, burst) = plan(op);
    (n.saturating_sub(burst as usize)) as f64 / rate
}

fn config() -> SimulatorConfig {
    SimulatorConfig {
        orders: ORDERS,
        page_size: PAGE,
        time_scale: SCALE,
        ..Default::default()
    }
}

struct Run {
    requests: u64,
    throttled: u64,
    wall: Duration,
}

async fn with_client() -> Run {
    let sim = SpApiSimulator::start(config()).await;
    let client = sim.client().unwrap();
    let started = Instant::now();
    let mut orders = client
        .orders_v0()
        .get_orders([sim.marketplace()])
        .max_results_per_page(PAGE as u32)
        .stream();
    let mut items = tokio::task::JoinSet::new();
    while let Some(order) = orders.try_next().await.unwrap() {
        let client = client.clone();
        items.spawn(async move {
            client
                .orders_v0()
                .get_order_items(&order.amazon_order_id)
                .stream()
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
                .len()
        });
    }
    let mut count = 0;
    while let Some(n) = items.join_next().await {
        count += n.unwrap();
    }
    assert!(count >= ORDERS);
    Run {
        requests: sim.requests() - sim.requests_for("lwa.token"),
        throttled: sim.throttled(),
        wall: started.elapsed(),
    }
}

async fn naive() -> Run {
    let sim = SpApiSimulator::start(config()).await;
    let token = sim
        .lwa()
        .unwrap()
        .refresh(&SpApiSimulator::REFRESH_TOKEN.to_string().into())
        .await
        .unwrap()
        .access_token;
    let http = reqwest::Client::new();
    let base = sim.url();
    let gap = Duration::from_secs_f64(6.0 / SCALE);
    let get = |url: String| {
        let http = http.clone();
        let token = token.expose_secret().to_owned();
        async move {
            loop {
                let response = http
                    .get(&url)
                    .header("x-amz-access-token", &token)
                    .send()
                    .await
                    .unwrap();
                tokio::time::sleep(gap).await;
                if response.status() != 429 {
                    return response.json::<Value>().await.unwrap();
                }
            }
        }
    };
    let started = Instant::now();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!(
            "{base}orders/v0/orders?MarketplaceIds={}&MaxResultsPerPage={PAGE}",
            sim.marketplace()
        );
        if let Some(token) = &next {
            url.push_str(&format!("&NextToken={token}"));
        }
        let page = get(url).await;
        pages += 1;
        for order in page["payload"]["Orders"].as_array().unwrap() {
            get(format!(
                "{base}orders/v0/orders/{}/orderItems",
                order["AmazonOrderId"].as_str().unwrap()
            ))
            .await;
        }
        next = page["payload"]["NextToken"].as_str().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(pages, ORDERS / PAGE);
    Run {
        requests: sim.requests() - sim.requests_for("lwa.token"),
        throttled: sim.throttled(),
        wall: started.elapsed(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let pages = ORDERS / PAGE;
    let theoretical = minimum("getOrders", pages).max(minimum("getOrderItems", ORDERS));
    println!("SP-API rate limits at {SCALE}x: {pages} pages of orders + items of {ORDERS} orders");
    println!(
        "  theoretical minimum (usage plans): {theoretical:.2} s, {} requests",
        pages + ORDERS
    );
    for (name, run) in [
        ("spend client", with_client().await),
        ("naive 1 req/6 s", naive().await),
    ] {
        println!(
            "  {name:<16}: {:>4} requests, {:>4} x 429, wall {:>6.2} s ({:+.1}% over the minimum)",
            run.requests,
            run.throttled,
            run.wall.as_secs_f64(),
            (run.wall.as_secs_f64() / theoretical - 1.0) * 100.0
        );
    }
}
