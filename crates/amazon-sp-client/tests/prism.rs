//! Every read operation of Orders v0 and v2026-01-01 through the client
//! against Prism mocking Amazon's models (`prism mock --errors`): Prism
//! rejects any request that breaks the model, and the client must read
//! every answer. `.ci/run` starts Prism (v0 merged with the Tokens API, so
//! restricted operations can obtain their RDT) and sets
//! `PRISM_SP_API_V0_URL` and `PRISM_SP_API_2026_URL`; without them the test
//! is skipped, except under `CI=true`, where it fails.

use std::sync::Arc;

use amazon_sp_client::orders_2026::IncludedData;
use amazon_sp_client::{Endpoint, Error, Marketplace, SpApiClient};
use serde_json::Value;
use spend_http::{RetryPolicy, StaticToken};

fn url(var: &str) -> Option<url::Url> {
    match std::env::var(var) {
        Ok(url) => Some(url::Url::parse(&url).expect("a URL")),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but {var} is not set: .ci/run must start Prism")
        }
        Err(_) => None,
    }
}

fn client(base: url::Url) -> SpApiClient {
    SpApiClient::builder(Endpoint::Custom(base))
        .token_source("A2PRISM", Arc::new(StaticToken::new("Atza|prism")))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Prism answers 500 VIOLATIONS when the model's own example breaks the
/// model's schema; request violations would be 422, so the request was valid.
fn only_example_violations(error: &Error) -> bool {
    let Error::Http(e) = error else { return false };
    let Some(api) = e.api() else { return false };
    let body: Value = serde_json::from_str(&api.body).unwrap_or_default();
    let violations = body["validation"].as_array().cloned().unwrap_or_default();
    api.status == 500
        && !violations.is_empty()
        && violations.iter().all(|v| v["location"][0] == "response")
}

fn check<T>(name: &str, outcome: Result<T, Error>, checked: &mut Vec<String>) -> Option<T> {
    checked.push(name.to_owned());
    match outcome {
        Ok(value) => Some(value),
        Err(e) if only_example_violations(&e) => {
            eprintln!("{name}: request valid; the model's example breaks its own schema");
            None
        }
        Err(e) => panic!("{name} failed against Prism: {e:?}"),
    }
}

#[tokio::test]
async fn every_read_operation_against_prism() {
    let (Some(v0_url), Some(v2026_url)) =
        (url("PRISM_SP_API_V0_URL"), url("PRISM_SP_API_2026_URL"))
    else {
        eprintln!("skipped: PRISM_SP_API_V0_URL / PRISM_SP_API_2026_URL not set (run .ci/run)");
        return;
    };
    let mut checked = Vec::new();
    let v0 = client(v0_url);
    let id = "902-3159896-1390916";
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let page = check(
        "getOrders",
        v0.orders_v0()
            .get_orders([Marketplace::US])
            .created_after(since)
            .send()
            .await,
        &mut checked,
    )
    .unwrap();
    assert!(!page.orders.is_empty());
    check(
        "getOrders+RDT",
        v0.orders_v0()
            .get_orders([Marketplace::US])
            .created_after(since)
            .with_personal_data()
            .send()
            .await,
        &mut checked,
    );
    check("getOrder", v0.orders_v0().get_order(id).await, &mut checked);
    check(
        "getOrderItems",
        v0.orders_v0().get_order_items(id).send().await,
        &mut checked,
    );
    let buyer = check(
        "getOrderBuyerInfo",
        v0.orders_v0().get_order_buyer_info(id).await,
        &mut checked,
    )
    .unwrap();
    assert!(buyer.buyer.buyer_email.is_some());
    check(
        "getOrderAddress",
        v0.orders_v0().get_order_address(id).await,
        &mut checked,
    );
    check(
        "getOrderItemsBuyerInfo",
        v0.orders_v0().get_order_items_buyer_info(id, None).await,
        &mut checked,
    );
    check(
        "getOrderRegulatedInfo",
        v0.orders_v0().get_order_regulated_info(id).await,
        &mut checked,
    );

    let v2026 = client(v2026_url);
    let found = check(
        "searchOrders",
        v2026
            .orders()
            .search_orders()
            .created_after(since)
            .marketplace_ids(&[Marketplace::US])
            .included_data(&[IncludedData::Proceeds])
            .send()
            .await,
        &mut checked,
    )
    .unwrap();
    assert!(!found.orders.is_empty());
    check(
        "getOrder (2026-01-01)",
        v2026
            .orders()
            .get_order(id, &[IncludedData::Buyer, IncludedData::Proceeds])
            .await,
        &mut checked,
    );
    println!(
        "prism sp-api: {} read operations called: {}",
        checked.len(),
        checked.join(", ")
    );
    assert_eq!(checked.len(), 10);
}
