//! Trace output at the most verbose level holds no secret.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use spend_http::{
    AccessToken, AuthScheme, BoxError, CachedTokenSource, HttpClient, Operation, Refresh,
};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

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

struct Rotating;
impl Refresh for Rotating {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async {
            Ok(AccessToken {
                secret: "REFRESHED-SECRET-TOKEN-7".to_string().into(),
                expires_in: None,
            })
        })
    }
}

#[tokio::test(flavor = "current_thread")]
async fn trace_output_contains_no_secret() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer REFRESHED-SECRET-TOKEN-7"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("set-cookie", "session=COOKIE-SECRET-9"),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;

    let source = CachedTokenSource::new(Rotating).with_token(AccessToken {
        secret: "STALE-SECRET-TOKEN-3".to_string().into(),
        expires_in: Some(Duration::from_secs(60 * 60)),
    });
    let client = HttpClient::builder()
        .auth(Arc::new(source), AuthScheme::Bearer)
        .build()
        .unwrap();
    let url = format!(
        "{}/connect?client_secret=CLIENT-SECRET-5&code=AUTH-CODE-6&from=2024-01-01",
        server.uri()
    );
    client
        .send(
            Operation::new("GetAccounts"),
            client.get(url).header("x-api-key", "API-KEY-SECRET-8"),
        )
        .await
        .unwrap();

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    for secret in [
        "STALE-SECRET-TOKEN-3",
        "REFRESHED-SECRET-TOKEN-7",
        "CLIENT-SECRET-5",
        "AUTH-CODE-6",
        "API-KEY-SECRET-8",
        "COOKIE-SECRET-9",
    ] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the trace:\n{log}"
        );
    }
    // The trace did say something useful.
    assert!(log.contains("GetAccounts"), "{log}");
    assert!(log.contains("<redacted>"), "{log}");
    assert!(log.contains("from=2024-01-01"), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
}

/// Every failure the stack returns, logged at TRACE and printed with `{}`
/// and `{:?}`: an unreachable host with an API key in the query, a timeout,
/// error answers carrying tokens and cookies, and a token endpoint's
/// success body that does not decode.
#[tokio::test(flavor = "current_thread")]
async fn errors_and_their_logs_contain_no_secret() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut printed = Vec::new();
    let client = HttpClient::builder()
        .retry(spend_http::RetryPolicy::none())
        .timeout(Some(Duration::from_secs(1)))
        .build()
        .unwrap();

    // Nothing listens on port 9 of the loopback: a transport error, whose
    // Display and Debug print the URL.
    let err = client
        .send(
            Operation::new("Generate"),
            client.get("http://127.0.0.1:9/v1/models:generate?key=API-KEY-SECRET-1&alt=json"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, spend_http::Error::Transport(_)), "{err:?}");
    printed.push(format!("{err} {err:?}"));

    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/denied"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("set-cookie", "session=COOKIE-SECRET-2")
                .insert_header("x-request-id", "req-1")
                .set_body_json(serde_json::json!({
                    "error": "invalid_grant",
                    "code": "InvalidGrant",
                    "refresh_token": "REFRESH-SECRET-3",
                })),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"access_token":"ACCESS-SECRET-4","refresh_token":"REFRESH-SECRET-5","id_token":"ID-SECRET-6","expires_in":"not a number"}"#,
        ))
        .mount(&server)
        .await;
    let err = client
        .send(
            Operation::new("Slow"),
            client.get(format!(
                "{}/slow?access_token=ACCESS-SECRET-7",
                server.uri()
            )),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, spend_http::Error::Timeout(_)), "{err:?}");
    printed.push(format!("{err} {err:?}"));

    let err = client
        .send(
            Operation::new("Denied"),
            client.get(format!("{}/denied", server.uri())),
        )
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert!(
        api.body.contains("InvalidGrant"),
        "error codes stay: {}",
        api.body
    );
    assert_eq!(api.request_id.as_deref(), Some("req-1"));
    assert!(api.headers.get("set-cookie").is_none(), "{:?}", api.headers);
    printed.push(format!("{err} {err:?}"));

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Token {
        access_token: String,
        expires_in: u64,
    }
    let err = client
        .send_json::<Token>(
            Operation::new("Token"),
            client.post(format!("{}/token", server.uri())),
        )
        .await
        .unwrap_err();
    let spend_http::Error::Decode { body, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(body.contains("expires_in"), "the shape stays: {body}");
    printed.push(format!("{err} {err:?}"));

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let printed = printed.join("\n");
    for secret in [
        "API-KEY-SECRET-1",
        "COOKIE-SECRET-2",
        "REFRESH-SECRET-3",
        "ACCESS-SECRET-4",
        "REFRESH-SECRET-5",
        "ID-SECRET-6",
        "ACCESS-SECRET-7",
    ] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the trace:\n{log}"
        );
        assert!(
            !printed.contains(secret),
            "{secret} leaked into an error:\n{printed}"
        );
    }
    assert!(log.contains("failed"), "the failures were logged: {log}");
}
