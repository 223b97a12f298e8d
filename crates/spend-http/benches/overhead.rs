//! Overhead of the spend-http stack over bare reqwest, on a loopback server.
//!
//! `cargo bench -p spend-http --bench overhead` prints requests per second for
//! both clients and the stack's added cost per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use spend_http::{AuthScheme, HttpClient, Operation, RateLimiter, RatePlan, StaticToken};

const REQUESTS: usize = 5_000;
const ROUNDS: usize = 3;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = Router::new().route(
        "/accounts",
        get(|| async { r#"{"results":[],"status":"Succeeded"}"# }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/accounts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let bare = reqwest::Client::new();
    let limiter =
        Arc::new(RateLimiter::new().with_plan("GetAccounts", RatePlan::new(1e9, 1_000_000)));
    let stack = HttpClient::builder()
        .auth(
            Arc::new(StaticToken::new("bench-token")),
            AuthScheme::Bearer,
        )
        .rate_limiter(limiter)
        .timeout(Some(Duration::from_secs(10)))
        .build()
        .unwrap();

    // Warm both connection pools.
    for _ in 0..200 {
        bare.get(&url).send().await.unwrap().bytes().await.unwrap();
        stack
            .send(Operation::new("GetAccounts"), stack.get(&url))
            .await
            .unwrap();
    }

    let mut bare_best = Duration::MAX;
    let mut stack_best = Duration::MAX;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..REQUESTS {
            bare.get(&url)
                .bearer_auth("bench-token")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
        bare_best = bare_best.min(t.elapsed());

        let t = Instant::now();
        for _ in 0..REQUESTS {
            let op = Operation::new("GetAccounts").key("user-1");
            stack
                .send(op, stack.get(&url))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
        stack_best = stack_best.min(t.elapsed());
    }

    let per = |d: Duration| d.as_secs_f64() * 1e6 / REQUESTS as f64;
    println!("spend-http overhead ({REQUESTS} sequential GETs on loopback, best of {ROUNDS})");
    println!(
        "  bare reqwest : {:8.1} req/s  {:7.1} us/req",
        REQUESTS as f64 / bare_best.as_secs_f64(),
        per(bare_best)
    );
    println!(
        "  spend-http   : {:8.1} req/s  {:7.1} us/req",
        REQUESTS as f64 / stack_best.as_secs_f64(),
        per(stack_best)
    );
    println!(
        "  overhead     : {:+7.1} us/req  (ratio {:.3})",
        per(stack_best) - per(bare_best),
        stack_best.as_secs_f64() / bare_best.as_secs_f64()
    );
}
