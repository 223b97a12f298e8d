//! No secret leaves: with tracing at TRACE, every flow is driven against the
//! simulator (LWA grants, an orders call, an RDT and a restricted call,
//! expired tokens, refusals, a 4xx and 5xx with bodies, bodies that do not
//! decode, a timeout), and neither the trace output nor the `Debug` or
//! `Display` of any error or answer holds the LWA client secret, the refresh
//! token, the authorisation code, an access token or a restricted data token.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amazon_sp_client::orders_2026::IncludedData;
use amazon_sp_client::testkit::{Fault, SimulatorConfig, SpApiSimulator};
use amazon_sp_client::tokens::RestrictedResource;
use amazon_sp_client::{Error, GrantlessScope, SpApiClient};
use secrecy::SecretString;
use spend_http::RetryPolicy;

/// Where the subscriber writes.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a caller could print: each outcome's `Debug`, each error's
/// `Debug` and `Display` and those of its sources.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn value(&mut self, flow: &str, value: &impl std::fmt::Debug) {
        self.0.push(format!("{flow}: {value:?}"));
    }

    fn outcome<T: std::fmt::Debug>(&mut self, flow: &str, outcome: &Result<T, Error>) {
        match outcome {
            Ok(value) => self.value(flow, value),
            Err(error) => self.error(flow, error),
        }
    }

    fn error(&mut self, flow: &str, error: &Error) {
        self.0.push(format!("{flow}: {error:?}"));
        self.0.push(format!("{flow}: {error}"));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            self.0
                .push(format!("{flow}, caused by: {cause} / {cause:?}"));
            source = cause.source();
        }
    }

    /// Records a flow that must fail, and returns its error.
    fn failure<T: std::fmt::Debug>(&mut self, flow: &str, outcome: Result<T, Error>) -> Error {
        self.outcome(flow, &outcome);
        match outcome {
            Ok(value) => panic!("{flow} should have failed, got {value:?}"),
            Err(error) => error,
        }
    }

    /// Records a flow that must succeed.
    fn success<T: std::fmt::Debug>(&mut self, flow: &str, outcome: Result<T, Error>) -> T {
        self.outcome(flow, &outcome);
        outcome.unwrap_or_else(|e| panic!("{flow} failed: {e:?}"))
    }
}

fn client(sim: &SpApiSimulator, timeout: Duration) -> SpApiClient {
    SpApiClient::builder(sim.endpoint())
        .seller_with_lwa(
            SpApiSimulator::SELLER_ID,
            sim.lwa().unwrap(),
            SecretString::from(SpApiSimulator::REFRESH_TOKEN.to_owned()),
        )
        .retry(
            RetryPolicy::default()
                .delays(Duration::from_millis(10), Duration::from_millis(40))
                .max_attempts(2),
        )
        .timeout(timeout)
        .build()
        .unwrap()
}

/// Whether the HTTP stack failed with `wanted`, looking through retries.
fn stack_failed(error: &Error, wanted: fn(&spend_http::Error) -> bool) -> bool {
    fn look(error: &spend_http::Error, wanted: fn(&spend_http::Error) -> bool) -> bool {
        match error {
            spend_http::Error::RetriesExhausted { last, .. } => look(last, wanted),
            other => wanted(other),
        }
    }
    matches!(error, Error::Http(e) if look(e, wanted))
}

fn error(status: u16, code: &str, message: &str) -> Fault {
    Fault::Error {
        status,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_traces_or_errors() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    const CODE: &str = "ANaRxAUTHCODE-secret-41";
    let sim = SpApiSimulator::start(SimulatorConfig::default()).await;
    let ids = sim.order_ids();
    let client = client(&sim, Duration::from_secs(30));
    let lwa = sim.lwa().unwrap();
    let mut seen = Seen::default();
    seen.value("client", &client);
    seen.value("lwa client", &lwa);

    // Login with Amazon: a refresh, a code exchange, a grantless token.
    let refresh = SecretString::from(SpApiSimulator::REFRESH_TOKEN.to_owned());
    seen.success("lwa refresh", lwa.refresh(&refresh).await);
    let exchanged = seen.success(
        "lwa code exchange",
        lwa.exchange_code(CODE, "https://app.example/callback")
            .await,
    );
    assert!(exchanged.refresh_token.is_some());
    seen.success(
        "lwa grantless",
        lwa.grantless(GrantlessScope::Notifications).await,
    );
    let revoked = SecretString::from("Atzr|revoked-refresh-token-secret-42".to_owned());
    let err = seen.failure("lwa invalid_grant", lwa.refresh(&revoked).await);
    assert!(err.needs_reauthorisation(), "{err:?}");

    // An orders call (after the client's own grant), an RDT and restricted calls.
    seen.success("getOrder", client.orders_v0().get_order(&ids[0]).await);
    seen.success(
        "getOrders",
        client
            .orders_v0()
            .get_orders([sim.marketplace()])
            .send()
            .await,
    );
    seen.success(
        "getOrderAddress",
        client.orders_v0().get_order_address(&ids[0]).await,
    );
    seen.success(
        "getOrder with personal data",
        client
            .orders_v0()
            .get_order_with_personal_data(&ids[1])
            .await,
    );
    let resource = RestrictedResource {
        method: "GET".into(),
        path: "/orders/v0/orders/{orderId}/buyerInfo".into(),
        data_elements: None,
    };
    seen.success(
        "createRestrictedDataToken",
        client
            .tokens()
            .create_restricted_data_token(std::slice::from_ref(&resource), None)
            .await,
    );

    // Expired tokens: a grant and a replay; a new RDT and a replay.
    sim.expire_access_tokens();
    seen.success(
        "getOrder, expired token",
        client.orders_v0().get_order(&ids[2]).await,
    );
    sim.expire_restricted_data_tokens();
    seen.success(
        "getOrderAddress, expired RDT",
        client.orders_v0().get_order_address(&ids[2]).await,
    );

    // Refusals: a permission denial with the access token and with an RDT.
    sim.inject_fault("getOrder", Fault::AccessDenied);
    let err = seen.failure(
        "getOrder, denied",
        client.orders_v0().get_order(&ids[0]).await,
    );
    assert!(err.is_permission_denied(), "{err:?}");
    sim.clear_fault("getOrder");
    sim.inject_fault("getOrderAddress", Fault::AccessDenied);
    seen.failure(
        "getOrderAddress, denied",
        client.orders_v0().get_order_address(&ids[0]).await,
    );
    sim.clear_fault("getOrderAddress");

    // A 4xx with Amazon's body.
    sim.inject_fault("getOrder", error(400, "InvalidInput", "Invalid Input"));
    let err = seen.failure("getOrder, 400", client.orders_v0().get_order(&ids[0]).await);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    sim.clear_fault("getOrder");

    // 5xx: Amazon's body, then a load balancer's page with its cookie.
    sim.inject_fault(
        "getOrderItems",
        error(
            500,
            "InternalFailure",
            "We encountered an internal error. Please try again.",
        ),
    );
    let err = seen.failure(
        "getOrderItems, 500",
        client.orders_v0().get_order_items(&ids[0]).send().await,
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    sim.clear_fault("getOrderItems");
    sim.inject_fault("searchOrders", Fault::EdgePage(502));
    let err = seen.failure(
        "searchOrders, 502 page",
        client
            .orders()
            .search_orders()
            .marketplace_ids(&[sim.marketplace()])
            .send()
            .await,
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    sim.clear_fault("searchOrders");

    // Success bodies that do not decode: an order, an RDT, an LWA grant
    // (called directly, and behind the client refreshing an expired token).
    sim.inject_fault("getOrder", Fault::Undecodable);
    let err = seen.failure(
        "getOrder, undecodable",
        client.orders_v0().get_order(&ids[0]).await,
    );
    assert!(
        stack_failed(&err, |e| matches!(e, spend_http::Error::Decode { .. })),
        "{err:?}"
    );
    sim.clear_fault("getOrder");
    sim.inject_fault("createRestrictedDataToken", Fault::Undecodable);
    seen.failure(
        "createRestrictedDataToken, undecodable",
        client
            .tokens()
            .create_restricted_data_token(std::slice::from_ref(&resource), None)
            .await,
    );
    seen.failure(
        "getOrderBuyerInfo, its RDT undecodable",
        client.orders_v0().get_order_buyer_info(&ids[0]).await,
    );
    sim.clear_fault("createRestrictedDataToken");
    sim.inject_fault("lwa.token", Fault::Undecodable);
    seen.failure("lwa refresh, undecodable", lwa.refresh(&refresh).await);
    sim.expire_access_tokens();
    seen.failure(
        "getOrders, its grant undecodable",
        client
            .orders_v0()
            .get_orders([sim.marketplace()])
            .send()
            .await,
    );
    sim.clear_fault("lwa.token");

    // A timeout.
    sim.inject_fault("getOrder2026", Fault::Delay(Duration::from_secs(3)));
    let impatient = self::client(&sim, Duration::from_millis(200));
    let err = seen.failure(
        "getOrder (2026-01-01), timeout",
        impatient
            .orders()
            .get_order(&ids[0], &[IncludedData::Buyer])
            .await,
    );
    assert!(
        stack_failed(&err, |e| matches!(e, spend_http::Error::Timeout(_))),
        "{err:?}"
    );

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let printed = seen.0.join("\n");
    let issued = sim.issued_tokens();
    assert!(
        issued.iter().filter(|t| t.starts_with("Atza|")).count() >= 4,
        "access tokens were issued: {issued:?}"
    );
    assert!(
        issued
            .iter()
            .filter(|t| t.starts_with("Atz.sprdt|"))
            .count()
            >= 4,
        "restricted data tokens were issued: {issued:?}"
    );
    let mut secrets: Vec<String> = vec![
        SpApiSimulator::CLIENT_SECRET.to_owned(),
        SpApiSimulator::REFRESH_TOKEN.to_owned(),
        "Atzr|revoked-refresh-token-secret-42".to_owned(),
        CODE.to_owned(),
    ];
    secrets.extend(issued);
    // The part after `|` is what makes a token unique: it must not appear
    // either, whole or percent-encoded.
    let tails: Vec<String> = secrets
        .iter()
        .filter_map(|s| s.split_once('|').map(|(_, tail)| tail.to_owned()))
        .collect();
    let encoded: Vec<String> = secrets.iter().map(|s| s.replace('|', "%7C")).collect();
    for secret in secrets.iter().chain(&tails).chain(&encoded) {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} leaked into the trace:\n{log}"
        );
        assert!(
            !printed.contains(secret.as_str()),
            "{secret} leaked into an error or an answer:\n{printed}"
        );
    }

    // The trace did record the calls, with their credentials redacted.
    for expected in [
        "lwa.token",
        "getOrder",
        "createRestrictedDataToken",
        "getOrderAddress",
        "<redacted>",
    ] {
        assert!(
            log.contains(expected),
            "{expected} not in the trace:\n{log}"
        );
    }
}
