//! The auth layer against a real HTTP server (wiremock).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use spend_http::{
    AccessToken, AuthScheme, BoxError, CachedTokenSource, HttpClient, Operation, Refresh,
    TokenSource,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out `fresh-1`, `fresh-2`, ... and counts the calls.
#[derive(Default)]
struct CountingRefresh {
    calls: AtomicU32,
    delay: Duration,
}

impl Refresh for CountingRefresh {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(AccessToken {
                secret: format!("fresh-{n}").into(),
                expires_in: Some(Duration::from_secs(3600)),
            })
        })
    }
}

fn stale_source(delay: Duration) -> Arc<CachedTokenSource<CountingRefresh>> {
    let refresher = CountingRefresh {
        calls: AtomicU32::new(0),
        delay,
    };
    Arc::new(CachedTokenSource::new(refresher).with_token(AccessToken {
        secret: "stale".to_string().into(),
        expires_in: Some(Duration::from_secs(3600)),
    }))
}

async fn server_accepting(token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/data"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/data"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_token"})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_401_refreshes_once_and_replays() {
    let server = server_accepting("fresh-1").await;
    let source = stale_source(Duration::ZERO);
    let client = HttpClient::builder()
        .auth(source.clone() as Arc<dyn TokenSource>, AuthScheme::Bearer)
        .build()
        .unwrap();
    let response = client
        .send(
            Operation::new("data"),
            client.get(format!("{}/data", server.uri())),
        )
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert_eq!(source.refresh_count(), 1);
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, ["Bearer stale", "Bearer fresh-1"]);
}

#[tokio::test]
async fn twenty_concurrent_401s_cause_exactly_one_refresh() {
    let server = server_accepting("fresh-1").await;
    // A slow refresh makes sure the requests really overlap it.
    let source = stale_source(Duration::from_millis(100));
    let client = HttpClient::builder()
        .auth(source.clone() as Arc<dyn TokenSource>, AuthScheme::Bearer)
        .build()
        .unwrap();
    let url = format!("{}/data", server.uri());
    let calls = (0..20).map(|_| client.send(Operation::new("data"), client.get(&url)));
    let results = futures_util::future::join_all(calls).await;
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status() == 200))
    );
    assert_eq!(source.refresh_count(), 1, "one refresh for twenty 401s");
    assert_eq!(source.refresher().calls.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 40);
}

#[tokio::test]
async fn a_second_401_is_returned_not_replayed_again() {
    let server = server_accepting("never-issued").await;
    let source = stale_source(Duration::ZERO);
    let client = HttpClient::builder()
        .auth(source.clone() as Arc<dyn TokenSource>, AuthScheme::Bearer)
        .build()
        .unwrap();
    let err = client
        .send(
            Operation::new("data"),
            client.get(format!("{}/data", server.uri())),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.api().unwrap().body.contains("invalid_token"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn amazon_style_header_scheme() {
    let server = MockServer::start().await;
    Mock::given(header("x-amz-access-token", "Atza|abc"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .auth(
            Arc::new(spend_http::StaticToken::new("Atza|abc")),
            AuthScheme::Header("x-amz-access-token".parse().unwrap()),
        )
        .build()
        .unwrap();
    client
        .send(Operation::new("getOrders"), client.get(server.uri()))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_fixed_key_refused_with_401_is_not_replayed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let client = HttpClient::builder()
        .auth(
            Arc::new(spend_http::StaticToken::new("revoked-key")),
            AuthScheme::Bearer,
        )
        .build()
        .unwrap();
    let err = client
        .send(Operation::new("data"), client.get(server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap(), 401);
}
