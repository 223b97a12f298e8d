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
