//! No secret leaves the client: every flow runs against the sandbox at the
//! most verbose trace level (code exchange, refreshes, connection extension,
//! 4xx and 5xx answers with bodies, success answers that do not decode, a
//! timeout), and neither the trace nor any error's `Debug` or `Display` holds
//! the client secret, an access token, a refresh token, an authorisation code
//! or a PKCE verifier.
//!
//! It checks the outcome, not how the stack gets there: error bodies that
//! echo tokens (as a careless provider or proxy might) are among the answers.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use spend_http::{AccessToken, BoxError, CachedTokenSource, Refresh, RetryPolicy};
use truelayer_client::models::{EndUser, ExtendConnectionRequest, ExtendResponse, TokenResponse};
use truelayer_client::testkit::Sandbox;
use truelayer_client::{AuthClient, DataClient, Error, MemoryTokenStore, TokenStore, UserTokens};

const REDIRECT: &str = "https://app.example/callback";
const USER_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

/// The trace, in memory.
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

/// Every secret the flows handled, to look for afterwards.
#[derive(Clone, Default)]
struct Secrets(Arc<Mutex<Vec<String>>>);

impl Secrets {
    fn add(&self, secret: &str) {
        self.0.lock().unwrap().push(secret.to_owned());
    }

    fn add_secret(&self, secret: &SecretString) {
        self.add(secret.expose_secret());
    }

    fn add_tokens(&self, tokens: &TokenResponse) {
        self.add_secret(&tokens.access_token);
        if let Some(refresh) = &tokens.refresh_token {
            self.add_secret(refresh);
        }
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A token store remembering every refresh token saved to it.
struct RecordingStore {
    inner: MemoryTokenStore,
    secrets: Secrets,
}

impl RecordingStore {
    fn current(&self) -> SecretString {
        self.inner.current().expect("a refresh token is stored")
    }
}

impl TokenStore for RecordingStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>, BoxError>> {
        self.inner.load()
    }

    fn save(&self, refresh_token: SecretString) -> BoxFuture<'_, Result<(), BoxError>> {
        self.secrets.add_secret(&refresh_token);
        self.inner.save(refresh_token)
    }
}

/// The user's refreshes, remembering every access token they bring.
struct RecordingRefresh {
    inner: UserTokens,
    secrets: Secrets,
}

impl Refresh for RecordingRefresh {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let token = self.inner.refresh().await?;
            self.secrets.add_secret(&token.secret);
            Ok(token)
        })
    }
}

/// A client for the user whose refresh token is in `store`, whose tokens
/// all end up in `secrets`.
fn data_client(
    sandbox: &Sandbox,
    store: &Arc<RecordingStore>,
    secrets: &Secrets,
    timeout: Duration,
    retry: RetryPolicy,
) -> DataClient {
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let tokens = CachedTokenSource::new(RecordingRefresh {
        inner: UserTokens::new(auth, Arc::clone(store) as Arc<dyn TokenStore>),
        secrets: secrets.clone(),
    });
    DataClient::builder(sandbox.environment(), Arc::new(tokens))
        .token_store(Arc::clone(store) as Arc<dyn TokenStore>)
        .timeout(Some(timeout))
        .retry(retry)
        .build()
        .unwrap()
        .user_present(USER_IP)
}

fn extend_request(refresh_token: SecretString) -> ExtendConnectionRequest {
    ExtendConnectionRequest {
        user_has_reconfirmed_consent: true,
        user: EndUser {
            name: Some("A. N. Other".into()),
            email: Some("user@example.org".into()),
            ..Default::default()
        },
        refresh_token,
        redirect_uri: REDIRECT.into(),
        state: None,
        code_challenge: None,
        response_mode: None,
    }
}

/// What a caller could print of an error: `Debug`, `Display` and its sources.
#[derive(Default)]
struct Printed(Vec<(&'static str, String)>);

impl Printed {
    fn error(&mut self, flow: &'static str, error: &Error) {
        self.0.push((flow, format!("{error:?}")));
        self.0.push((flow, format!("{error}")));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            self.0.push((flow, format!("{cause}")));
            source = std::error::Error::source(cause);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_the_trace_or_an_error() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start().await;
    let secrets = Secrets::default();
    secrets.add(Sandbox::CLIENT_SECRET);
    let mut printed = Printed::default();
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();

    // Code exchange with PKCE: the code, the verifier and the client secret go
    // out in the body, the tokens come back in it.
    let request = auth.authorization_url(REDIRECT).providers(["mock"]).build();
    let challenge = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "code_challenge")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let verifier = request.verify_callback(&request.state).unwrap();
    secrets.add_secret(verifier.as_ref().unwrap());
    let code = sandbox.authorization_code(Some(&challenge));
    secrets.add(&code);
    let tokens = auth
        .exchange_code(&code, REDIRECT, verifier.clone())
        .await
        .unwrap();
    secrets.add_tokens(&tokens);
    // A code works once.
    let err = auth
        .exchange_code(&code, REDIRECT, verifier)
        .await
        .unwrap_err();
    assert!(err.needs_reauthorisation(), "{err:?}");
    printed.error("code exchanged twice", &err);

    // Refresh: directly, then inside the data client (first call, and after
    // the access token expired: a 401, a refresh and a replay).
    let first_refresh = tokens.refresh_token.clone().unwrap();
    let refreshed = auth.refresh(&first_refresh).await.unwrap();
    secrets.add_tokens(&refreshed);
    let err = auth.refresh(&first_refresh).await.unwrap_err();
    assert!(err.needs_reauthorisation(), "{err:?}");
    printed.error("refresh token used twice", &err);
    let store = Arc::new(RecordingStore {
        inner: MemoryTokenStore::new(refreshed.refresh_token.clone()),
        secrets: secrets.clone(),
    });
    let quick = RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5));
    let data = data_client(
        &sandbox,
        &store,
        &secrets,
        Duration::from_secs(60),
        quick.clone(),
    );
    data.me().await.unwrap();
    sandbox.expire_access_tokens();
    assert_eq!(data.accounts().list().await.unwrap().len(), 2);

    // Extension: the client secret and the refresh token go out in the body,
    // new tokens come back.
    let before_extension = store.current();
    let extended = data
        .connections()
        .extend(
            &sandbox.credentials(),
            &extend_request(before_extension.clone()),
        )
        .await
        .unwrap();
    let ExtendResponse::NoActionNeeded {
        access_token,
        refresh_token,
        ..
    } = &extended
    else {
        panic!("{extended:?}")
    };
    secrets.add_secret(access_token);
    secrets.add_secret(refresh_token);
    let err = data
        .connections()
        .extend(
            &sandbox.credentials(),
            &ExtendConnectionRequest {
                redirect_uri: String::new(),
                ..extend_request(store.current())
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Problem { .. }), "{err:?}");
    printed.error("extension refused (400 problem)", &err);
    let err = data
        .connections()
        .extend(&sandbox.credentials(), &extend_request(before_extension))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Problem { .. }), "{err:?}");
    printed.error("extension with a spent token (401 problem)", &err);

    // Injected answers are given before anything is checked or spent, so the
    // stored refresh token stays good through them.
    let current = store.current();
    let echoed = json!({
        "access_token": access_token.expose_secret(),
        "refresh_token": current.expose_secret(),
        "client_secret": Sandbox::CLIENT_SECRET,
    });

    // A 4xx with a body, from the auth server and from the Data API.
    sandbox.inject_error(
        "/connect/token",
        400,
        json!({"error": "invalid_request", "error_description": "The request is malformed.", "error_details": echoed}),
        1,
    );
    let err = auth.refresh(&current).await.unwrap_err();
    assert!(
        matches!(err, Error::Api { status, .. } if status == 400),
        "{err:?}"
    );
    printed.error("token endpoint 400", &err);
    sandbox.inject_error(
        "/data/v1/accounts",
        400,
        json!({"error": "invalid_request", "error_description": "The request is malformed.", "error_details": echoed}),
        1,
    );
    let err = data.accounts().list().await.unwrap_err();
    assert!(
        matches!(err, Error::Api { status, .. } if status == 400),
        "{err:?}"
    );
    printed.error("Data API 400", &err);

    // A 5xx with a body: the Data API's is retried until the policy gives up,
    // the token endpoint's (a POST) is not.
    sandbox.inject_error(
        "/data/v1/cards",
        503,
        json!({"error": "provider_error", "error_description": "The provider service is unavailable.", "error_details": echoed}),
        quick.get_max_attempts(),
    );
    let err = data.cards().list().await.unwrap_err();
    assert!(
        matches!(err, Error::Api { status, .. } if status == 503),
        "{err:?}"
    );
    printed.error("Data API 503, retried", &err);
    sandbox.inject_error(
        "/connect/token",
        500,
        json!({"error": "internal_server_error", "error_description": "Something went wrong.", "error_details": echoed}),
        1,
    );
    let err = auth.refresh(&current).await.unwrap_err();
    assert!(
        matches!(err, Error::Api { status, .. } if status == 500),
        "{err:?}"
    );
    printed.error("token endpoint 500", &err);

    // Success answers that do not decode. The token endpoint's body is the
    // tokens themselves; `expires_in` is what breaks.
    let undecodable = json!({
        "access_token": "at-undecodable-5f1e0c",
        "refresh_token": "rt-undecodable-9c2a7b",
        "expires_in": "an hour",
        "token_type": "Bearer",
    });
    secrets.add("at-undecodable-5f1e0c");
    secrets.add("rt-undecodable-9c2a7b");
    sandbox.inject_error("/connect/token", 200, undecodable.clone(), 1);
    let err = auth.refresh(&current).await.unwrap_err();
    assert!(
        matches!(err, Error::Http(spend_http::Error::Decode { .. })),
        "{err:?}"
    );
    printed.error("token answer undecodable", &err);
    // The same inside the data client's refresh, after a 401.
    sandbox.expire_access_tokens();
    sandbox.inject_error("/connect/token", 200, undecodable, 1);
    let err = data.me().await.unwrap_err();
    printed.error("token answer undecodable, in the auth layer", &err);
    sandbox.inject_error(
        "/data/v1/info",
        200,
        json!({"results": {"full_name": "A. N. Other"}, "access_token": access_token.expose_secret()}),
        1,
    );
    let err = data.info().await.unwrap_err();
    assert!(
        matches!(err, Error::Http(spend_http::Error::Decode { .. })),
        "{err:?}"
    );
    printed.error("Data API answer undecodable", &err);

    // A timeout, without retries.
    let slow = data_client(
        &sandbox,
        &store,
        &secrets,
        Duration::from_millis(200),
        RetryPolicy::none(),
    );
    sandbox.delay("/data/v1/me", Duration::from_secs(2), 1);
    let err = slow.me().await.unwrap_err();
    assert!(format!("{err}").contains("timed out"), "{err:?}");
    printed.error("timeout", &err);

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let secrets = secrets.all();
    // The code, the verifier, the client secret, and at least the tokens of
    // the exchange, two refreshes, the client's refreshes and the extension.
    assert!(secrets.len() >= 13, "{}", secrets.len());
    for secret in &secrets {
        let leaks: Vec<&str> = log.lines().filter(|l| l.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "the secret {secret} is in the trace:\n{}",
            leaks.join("\n")
        );
        for (flow, text) in &printed.0 {
            assert!(
                !text.contains(secret),
                "the secret {secret} is in the error of {flow}: {text}"
            );
        }
    }
    // The trace said something useful: operations and statuses.
    for expected in [
        "GenerateAccessToken",
        "ExtendConnection",
        "GetAccounts",
        "status=503",
    ] {
        assert!(
            log.contains(expected),
            "{expected} not in the trace:\n{log}"
        );
    }
}
