//! The client against the simulator: orders, items, restricted data, the
//! 2026-01-01 API, Amazon Business reports, tokens and rate limits.

use std::sync::Arc;
use std::time::Duration;

use amazon_sp_client::orders_2026::{FulfillmentStatus, IncludedData};
use amazon_sp_client::orders_v0::OrderStatus;
use amazon_sp_client::testkit::{Fault, SimulatorConfig, SpApiSimulator};
use amazon_sp_client::{Error, SpApiClient};
use futures_util::TryStreamExt;
use secrecy::SecretString;

async fn sim(config: SimulatorConfig) -> (SpApiSimulator, SpApiClient) {
    let sim = SpApiSimulator::start(config).await;
    let client = sim.client().unwrap();
    (sim, client)
}

#[tokio::test]
async fn orders_and_items_page_through_every_result() {
    let (sim, client) = sim(SimulatorConfig {
        orders: 230,
        page_size: 100,
        items_page_size: 1,
        ..Default::default()
    })
    .await;
    let orders: Vec<_> = client
        .orders_v0()
        .get_orders([sim.marketplace()])
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orders.len(), 230);
    assert_eq!(
        sim.requests_for("getOrders"),
        3,
        "three pages of at most 100"
    );
    let ids: Vec<_> = orders.iter().map(|o| o.amazon_order_id.clone()).collect();
    assert_eq!(ids, sim.order_ids(), "no order lost or repeated");

    let first = &orders[0];
    let items: Vec<_> = client
        .orders_v0()
        .get_order_items(&first.amazon_order_id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!items.is_empty());
    assert_eq!(
        sim.requests_for("getOrderItems") as usize,
        items.len(),
        "one item a page here"
    );
    let total: rust_decimal::Decimal = items
        .iter()
        .map(|i| i.item_price.as_ref().unwrap().amount)
        .sum();
    assert_eq!(
        first.order_total.as_ref().unwrap().amount,
        total,
        "exact money"
    );
    assert_eq!(first.order_total.as_ref().unwrap().currency_code, "GBP");
    assert_eq!(first.order_status, OrderStatus::Shipped);

    let one = client
        .orders_v0()
        .get_order(&first.amazon_order_id)
        .await
        .unwrap();
    assert_eq!(one.amazon_order_id, first.amazon_order_id);
    let missing = client
        .orders_v0()
        .get_order("000-0000000-0000000")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, Error::Api { status, ref errors, .. } if status == 404 && errors[0].code == "NotFound"),
        "{missing:?}"
    );
    assert_eq!(sim.throttled(), 0);
}

#[tokio::test]
async fn created_after_filters() {
    let (sim, client) = sim(SimulatorConfig {
        orders: 30,
        days: 30,
        ..Default::default()
    })
    .await;
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(10);
    let recent: Vec<_> = client
        .orders_v0()
        .get_orders([sim.marketplace()])
        .created_after(since)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!recent.is_empty() && recent.len() < 30, "{}", recent.len());
}

#[tokio::test]
async fn restricted_data_is_fetched_with_a_restricted_data_token() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    let id = &sim.order_ids()[0];
    let buyer = client.orders_v0().get_order_buyer_info(id).await.unwrap();
    assert_eq!(buyer.buyer.buyer_name.as_deref(), Some("A. Buyer"));
    let address = client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(
        address.shipping_address.unwrap().city.as_deref(),
        Some("London")
    );
    let gifts = client
        .orders_v0()
        .get_order_items_buyer_info(id, None)
        .await
        .unwrap();
    assert!(!gifts.order_items.is_empty());
    assert_eq!(
        sim.requests_for("createRestrictedDataToken"),
        3,
        "one RDT per restricted path"
    );
    // The RDT is cached for its path.
    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 3);
}

#[tokio::test]
async fn the_2026_api_searches_and_gets_orders() {
    let (sim, client) = sim(SimulatorConfig {
        orders: 120,
        ..Default::default()
    })
    .await;
    let orders: Vec<_> = client
        .orders()
        .search_orders()
        .marketplace_ids(&[sim.marketplace()])
        .included_data(&[IncludedData::Proceeds, IncludedData::Fulfillment])
        .max_results_per_page(50)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orders.len(), 120);
    assert_eq!(sim.requests_for("searchOrders"), 3);
    assert_eq!(
        orders[0].fulfillment.as_ref().unwrap().fulfillment_status,
        Some(FulfillmentStatus::Shipped)
    );
    let order = client
        .orders()
        .get_order(&orders[0].order_id, &[IncludedData::Proceeds])
        .await
        .unwrap();
    assert_eq!(
        order.proceeds.unwrap().grand_total.unwrap().currency_code,
        "GBP"
    );
    assert!(
        order.order_items[0]
            .product
            .price
            .as_ref()
            .unwrap()
            .unit_price
            .is_some()
    );
}

#[tokio::test]
async fn amazon_business_reports() {
    let (sim, client) = sim(SimulatorConfig {
        orders: 150,
        ..Default::default()
    })
    .await;
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(60);
    let end = time::OffsetDateTime::now_utc();
    let orders: Vec<_> = client
        .business()
        .order_reports(start, end)
        .region("UK")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orders.len(), 150);
    assert_eq!(sim.requests_for("getOrderReports"), 2);
    let net = orders[0].charge("NET_TOTAL").unwrap();
    assert_eq!(net.currency_code, "GBP");
    let lines: Vec<_> = client
        .business()
        .order_line_item_reports(start, end)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(lines.len() >= 150);
    assert!(
        lines
            .iter()
            .all(|l| l.product_details.asin.is_some() && l.unit_price.is_some())
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_request_replayed() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    client
        .orders_v0()
        .get_order(&sim.order_ids()[0])
        .await
        .unwrap();
    assert_eq!(sim.requests_for("lwa.token"), 1);
    sim.expire_access_tokens();
    let calls = (0..5).map(|i| {
        let client = client.clone();
        let id = sim.order_ids()[i].clone();
        async move { client.orders_v0().get_order(&id).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        sim.requests_for("lwa.token"),
        2,
        "one refresh for five 403s"
    );
}

#[tokio::test]
async fn a_permission_denial_costs_no_token_grant_and_no_replay() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    let id = &sim.order_ids()[0];
    client.orders_v0().get_order(id).await.unwrap();
    assert_eq!(sim.requests_for("lwa.token"), 1);

    // The token is good; the app lacks the role for this operation.
    sim.inject_fault("getOrder", Fault::AccessDenied);
    let before = sim.requests();
    let err = client.orders_v0().get_order(id).await.unwrap_err();
    assert_eq!(sim.requests() - before, 1, "exactly one request, no replay");
    assert_eq!(sim.requests_for("lwa.token"), 1, "no token grant");
    assert!(err.is_permission_denied(), "{err:?}");
    let Error::Api { status, errors, .. } = &err else {
        panic!("a typed SP-API error: {err:?}");
    };
    assert_eq!(*status, 403);
    assert_eq!(errors[0].code, "Unauthorized");
    assert_eq!(errors[0].message, "Access to requested resource is denied.");
    assert!(
        err.to_string()
            .contains("Access to requested resource is denied.")
    );

    // An expired token, also a 403, still costs one grant and one replay.
    sim.clear_fault("getOrder");
    sim.expire_access_tokens();
    let before = sim.requests();
    client.orders_v0().get_order(id).await.unwrap();
    assert_eq!(sim.requests() - before, 3, "403, a grant, the replay");
    assert_eq!(sim.requests_for("lwa.token"), 2);
}

#[tokio::test]
async fn one_restricted_data_token_serves_every_order() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    let ids: Vec<String> = sim.order_ids()[..3].to_vec();
    // Fetched together: the calls share the one token being created.
    let addresses = futures_util::future::join_all(ids.iter().map(|id| {
        let client = client.clone();
        let id = id.clone();
        async move { client.orders_v0().get_order_address(&id).await }
    }))
    .await;
    for (address, id) in addresses.into_iter().zip(&ids) {
        assert_eq!(&address.unwrap().amazon_order_id, id);
    }
    assert_eq!(sim.requests_for("getOrderAddress"), 3);
    assert_eq!(
        sim.requests_for("createRestrictedDataToken"),
        1,
        "three orders' addresses, one RDT (the generic {{orderId}} path)"
    );

    // getOrder and getOrderItems with personal data: an RDT each, for every order.
    for id in &ids {
        let order = client
            .orders_v0()
            .get_order_with_personal_data(id)
            .await
            .unwrap();
        assert_eq!(
            order.buyer_info.and_then(|b| b.buyer_name).as_deref(),
            Some("A. Buyer")
        );
        assert!(order.shipping_address.is_some());
        let items = client
            .orders_v0()
            .get_order_items(id)
            .with_personal_data()
            .send()
            .await
            .unwrap();
        assert!(
            items
                .order_items
                .iter()
                .all(|i| i.other.contains_key("BuyerInfo"))
        );
    }
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 3);

    // Without personal data: the access token, and no buyer in the answer.
    let plain = client.orders_v0().get_order(&ids[0]).await.unwrap();
    assert!(plain.buyer_info.is_none() && plain.shipping_address.is_none());
    let items = client
        .orders_v0()
        .get_order_items(&ids[0])
        .send()
        .await
        .unwrap();
    assert!(
        items
            .order_items
            .iter()
            .all(|i| !i.other.contains_key("BuyerInfo"))
    );
    let page = client
        .orders_v0()
        .get_orders([sim.marketplace()])
        .with_personal_data()
        .send()
        .await
        .unwrap();
    assert!(page.orders.iter().all(|o| o.shipping_address.is_some()));
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 4);
}

#[tokio::test]
async fn an_expired_restricted_data_token_is_replaced_not_reused() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    // One order throughout: the cached token is the one for its path.
    let id = &sim.order_ids()[0];
    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 1);

    // Amazon expires it before the lifetime it stated.
    sim.expire_restricted_data_tokens();
    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(
        sim.requests_for("createRestrictedDataToken"),
        2,
        "a new RDT for the replay"
    );
    assert_eq!(
        sim.requests_for("getOrderAddress"),
        3,
        "refused once, replayed once"
    );

    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(
        sim.requests_for("createRestrictedDataToken"),
        2,
        "the new one is cached"
    );
    assert_eq!(sim.requests_for("getOrderAddress"), 4);
}

#[tokio::test]
async fn a_refused_restricted_data_token_is_not_reused() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    // One order throughout: the cached token is the one for its path.
    let id = &sim.order_ids()[0];
    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 1);

    sim.inject_fault("getOrderAddress", Fault::AccessDenied);
    let err = client.orders_v0().get_order_address(id).await.unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");
    assert_eq!(sim.requests_for("getOrderAddress"), 2, "no replay");
    assert_eq!(sim.requests_for("createRestrictedDataToken"), 1);

    sim.clear_fault("getOrderAddress");
    client.orders_v0().get_order_address(id).await.unwrap();
    assert_eq!(
        sim.requests_for("createRestrictedDataToken"),
        2,
        "the refused RDT was dropped: the next call got a new one"
    );
}

#[tokio::test]
async fn an_error_keeps_the_headers_a_caller_needs_and_no_cookie() {
    let (sim, client) = sim(SimulatorConfig::default()).await;
    let id = &sim.order_ids()[0];
    sim.inject_fault("getOrder", Fault::EdgePage(400));
    let err = client.orders_v0().get_order(id).await.unwrap_err();
    let session = SpApiSimulator::EDGE_COOKIE
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .unwrap()
        .1;
    for shown in [format!("{err:?}"), format!("{err}")] {
        assert!(!shown.contains(session), "the cookie leaked: {shown}");
    }
    let Error::Http(http) = &err else {
        panic!("an edge page is not SP-API's typed error: {err:?}");
    };
    let api = http.api().unwrap();
    assert_eq!(api.status, 400);
    assert!(api.headers.get("set-cookie").is_none());
    assert_eq!(
        api.headers
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok()),
        Some("sim-request-id")
    );
    assert_eq!(api.request_id.as_deref(), Some("sim-request-id"));
    assert!(
        api.body.contains("<h1>400 Bad Request</h1>"),
        "{}",
        api.body
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_a_reauthorisation_error() {
    let sim = SpApiSimulator::start(SimulatorConfig::default()).await;
    let client = SpApiClient::builder(sim.endpoint())
        .seller_with_lwa(
            SpApiSimulator::SELLER_ID,
            sim.lwa().unwrap(),
            SecretString::from("Atzr|revoked".to_owned()),
        )
        .build()
        .unwrap();
    let err = client
        .orders_v0()
        .get_order(&sim.order_ids()[0])
        .await
        .unwrap_err();
    assert!(err.needs_reauthorisation(), "{err:?}");
}

#[tokio::test]
async fn lwa_flows() {
    let sim = SpApiSimulator::start(SimulatorConfig::default()).await;
    let lwa = sim.lwa().unwrap();
    let tokens = lwa
        .exchange_code("ANaRxCODE", "https://app.example/callback")
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());
    let grantless = lwa
        .grantless(amazon_sp_client::GrantlessScope::Notifications)
        .await
        .unwrap();
    assert!(grantless.refresh_token.is_none());
    let uk = amazon_sp_client::Marketplace::by_id(amazon_sp_client::Marketplace::UK).unwrap();
    let (url, state) = lwa.authorization_url(uk, "amzn1.sp.solution.abc", true);
    assert!(url.as_str().starts_with("https://sellercentral.amazon.co.uk/apps/authorize/consent?application_id=amzn1.sp.solution.abc"));
    assert!(url.as_str().ends_with("&version=beta"));
    assert_eq!(state.len(), 32);
    let bad = amazon_sp_client::LwaClient::with_token_url(
        amazon_sp_client::LwaCredentials::new("wrong", "wrong"),
        sim.url().join("auth/o2/token").unwrap(),
    )
    .unwrap();
    let err = bad
        .refresh(&SecretString::from(
            SpApiSimulator::REFRESH_TOKEN.to_owned(),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Lwa { ref error, .. } if error == "invalid_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_persisted_limiter_makes_a_second_process_wait() {
    let dir = std::env::temp_dir().join(format!("amazon-sp-rl-{}", std::process::id()));
    let store = Arc::new(spend_http::FileRateStateStore::new(
        dir.join("buckets.json"),
    ));
    // At 10x, getOrders refills one token every 6 s after a burst of 20:
    // the first client's 20 pages fit well inside one token on a busy machine.
    let (sim, _) = sim(SimulatorConfig {
        orders: 2_000,
        page_size: 1,
        time_scale: 10.0,
        ..Default::default()
    })
    .await;
    let limiter = || {
        Arc::new(
            amazon_sp_client::plans::limiter(10.0)
                .with_store(store.clone())
                .unwrap(),
        )
    };
    let first = SpApiClient::builder(sim.endpoint())
        .seller_with_lwa(
            SpApiSimulator::SELLER_ID,
            sim.lwa().unwrap(),
            SecretString::from(SpApiSimulator::REFRESH_TOKEN.to_owned()),
        )
        .rate_limiter(limiter())
        .build()
        .unwrap();
    let mut pages = first.orders_v0().get_orders([sim.marketplace()]).stream();
    for _ in 0..20 {
        pages.try_next().await.unwrap();
    }
    drop(pages);
    // The "second process": a new client from the same state file.
    let second = SpApiClient::builder(sim.endpoint())
        .seller_with_lwa(
            SpApiSimulator::SELLER_ID,
            sim.lwa().unwrap(),
            SecretString::from(SpApiSimulator::REFRESH_TOKEN.to_owned()),
        )
        .rate_limiter(limiter())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    second
        .orders_v0()
        .get_orders([sim.marketplace()])
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "waited for the shared bucket: {:?}",
        started.elapsed()
    );
    assert_eq!(
        sim.throttled(),
        0,
        "no 429: the second process knew the bucket was empty"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_429_from_a_bucket_drained_elsewhere_is_retried() {
    // Two clients with separate limiters share Amazon's bucket: the second
    // one's local bucket is full but Amazon's is empty (at 10x, for 6 s after
    // the first client's burst).
    let (sim, first) = sim(SimulatorConfig {
        orders: 100,
        page_size: 1,
        time_scale: 10.0,
        ..Default::default()
    })
    .await;
    let mut pages = first.orders_v0().get_orders([sim.marketplace()]).stream();
    for _ in 0..20 {
        pages.try_next().await.unwrap();
    }
    let second = sim.client().unwrap();
    second
        .orders_v0()
        .get_orders([sim.marketplace()])
        .send()
        .await
        .unwrap();
    assert!(sim.throttled() >= 1, "Amazon's bucket was empty");
}

#[test]
fn a_builder_without_a_seller_is_an_error_not_a_panic() {
    let err = SpApiClient::builder(amazon_sp_client::Endpoint::Sandbox(
        amazon_sp_client::Region::Europe,
    ))
    .build()
    .unwrap_err();
    assert!(err.to_string().contains(".seller("), "{err}");
}
