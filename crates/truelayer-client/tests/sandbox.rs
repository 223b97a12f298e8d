//! The client against the in-process sandbox: every Data API operation, token
//! rotation, expiry, re-authorisation and the provider's limits.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use spend_http::{BoxError, RetryPolicy};
use truelayer_client::models::*;
use truelayer_client::testkit::{Sandbox, SandboxConfig};
use truelayer_client::{
    AuthClient, DataClient, Error, MemoryTokenStore, ResponseMode, TokenStore, UserTokens,
};

const USER_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

async fn connected(sandbox: &Sandbox) -> (DataClient, Arc<MemoryTokenStore>) {
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let store = Arc::new(MemoryTokenStore::new(Some(sandbox.connect_user())));
    let data = DataClient::for_user(sandbox.environment(), auth, store.clone()).unwrap();
    (data, store)
}

#[tokio::test]
async fn every_data_operation_works_against_the_sandbox() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    let data = data.user_present(USER_IP);

    assert_eq!(
        data.me().await.unwrap()[0].consent_status.as_deref(),
        Some("Authorised")
    );
    assert_eq!(
        data.info().await.unwrap()[0].full_name.as_deref(),
        Some("A. N. Other")
    );

    let accounts = data.accounts().list().await.unwrap();
    assert_eq!(accounts.len(), 2);
    let id = accounts[0].account_id.clone().unwrap();
    assert_eq!(
        data.accounts().get(&id).await.unwrap()[0].display_name,
        "Club Lloyds"
    );
    let balance = &data.accounts().balance(&id).await.unwrap()[0];
    assert_eq!(balance.currency.as_str(), "GBP");

    let all = data.accounts().transactions(&id).await.unwrap();
    assert!(all.len() > 100, "120 days of history: {}", all.len());
    let today = time::OffsetDateTime::now_utc().date();
    let recent = data
        .accounts()
        .transactions(&id)
        .from(today - time::Duration::days(30))
        .to(today)
        .await
        .unwrap();
    assert!(!recent.is_empty() && recent.len() < all.len());
    assert!(
        recent
            .iter()
            .all(|t| t.timestamp.date().unwrap() >= today - time::Duration::days(30))
    );
    // Money is exact: the sandbox's running sum matches the balance to the penny.
    let settled_sum: rust_decimal::Decimal = all.iter().map(|t| t.amount).sum();
    assert_eq!(
        balance.current,
        rust_decimal::Decimal::new(250_000, 2) + settled_sum
    );

    assert_eq!(
        data.accounts()
            .pending_transactions(&id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        data.accounts().standing_orders(&id).await.unwrap()[0]
            .payee
            .as_deref(),
        Some("LANDLORD")
    );
    assert_eq!(
        data.accounts().direct_debits(&id).await.unwrap()[0].name,
        "EE"
    );

    let cards = data.cards().list().await.unwrap();
    let card_id = cards[0].account_id.clone().unwrap();
    assert_eq!(
        data.cards().get(&card_id).await.unwrap()[0]
            .partial_card_number
            .as_deref(),
        Some("0044")
    );
    assert!(
        data.cards().balance(&card_id).await.unwrap()[0]
            .credit_limit
            .is_some()
    );
    assert!(
        !data
            .cards()
            .transactions(&card_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        data.cards()
            .pending_transactions(&card_id)
            .await
            .unwrap()
            .len(),
        1
    );

    let started = data
        .batch()
        .start(&BatchRequest {
            pending: Some(true),
            balance: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(started.status, Some(ResponseStatus::Queued));
    let batch = data
        .batch()
        .results(started.task_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(batch.results.accounts.len(), 2);
    assert_eq!(batch.results.cards.len(), 1);

    let queued = data
        .accounts()
        .transactions(&id)
        .send_async(Some("https://example.com/hook"))
        .await
        .unwrap();
    assert!(queued.task_id.is_some());

    let missing = data
        .accounts()
        .balance("no-such-account")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, Error::Api { ref body, .. } if body.error == "account_not_found"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn pending_transactions_settle_under_new_ids() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    let data = data.user_present(USER_IP);
    let id = data.accounts().list().await.unwrap()[0]
        .account_id
        .clone()
        .unwrap();
    let pending = data.accounts().pending_transactions(&id).await.unwrap();
    assert_eq!(sandbox.settle_pending(), 3);
    let settled = data.accounts().transactions(&id).await.unwrap();
    assert!(
        data.accounts()
            .pending_transactions(&id)
            .await
            .unwrap()
            .is_empty()
    );
    for p in &pending {
        let now_settled = settled.iter().find(|s| {
            s.description == p.description && s.amount == p.amount && s.timestamp == p.timestamp
        });
        let s = now_settled.expect("the pending transaction settled");
        assert_ne!(s.transaction_id, p.transaction_id, "settled under a new id");
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_are_stored() {
    let sandbox = Sandbox::start().await;
    let (data, store) = connected(&sandbox).await;
    let first = store.current().unwrap().expose_secret().to_owned();
    data.me().await.unwrap();
    let second = store.current().unwrap().expose_secret().to_owned();
    assert_ne!(first, second, "the rotated refresh token was saved");

    sandbox.expire_access_tokens();
    data.me().await.unwrap();
    let third = store.current().unwrap().expose_secret().to_owned();
    assert_ne!(second, third);
    assert_eq!(
        sandbox.grants("refresh_token"),
        2,
        "one refresh per expiry, no more"
    );

    // The old refresh token is dead, as at TrueLayer.
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let err = auth.refresh(&SecretString::from(first)).await.unwrap_err();
    assert!(err.needs_reauthorisation(), "{err:?}");
}

/// A store whose saves fail, recording whether any was attempted.
#[derive(Default)]
struct BrokenStore {
    token: std::sync::Mutex<Option<SecretString>>,
    tried: AtomicBool,
}

impl TokenStore for BrokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>, BoxError>> {
        let t = self.token.lock().unwrap().clone();
        Box::pin(async move { Ok(t) })
    }
    fn save(&self, _: SecretString) -> BoxFuture<'_, Result<(), BoxError>> {
        self.tried.store(true, Ordering::SeqCst);
        Box::pin(async { Err("disk full".into()) })
    }
}

#[tokio::test]
async fn an_access_token_is_not_used_before_its_refresh_token_is_saved() {
    let sandbox = Sandbox::start().await;
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let store = Arc::new(BrokenStore::default());
    *store.token.lock().unwrap() = Some(sandbox.connect_user());
    let data = DataClient::for_user(sandbox.environment(), auth, store.clone()).unwrap();
    let err = data.me().await.unwrap_err();
    assert!(matches!(err, Error::TokenStore(_)), "{err:?}");
    assert!(store.tried.load(Ordering::SeqCst));
    assert_eq!(
        sandbox.requests_to("/data/v1/me"),
        0,
        "no data call with the unsaved rotation"
    );
}

#[tokio::test]
async fn revoked_consent_is_a_reauthorisation_error() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    sandbox.revoke_consent();
    let err = data.me().await.unwrap_err();
    assert!(
        matches!(err, Error::ReauthorisationNeeded { ref error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(err.needs_reauthorisation());
    assert_eq!(sandbox.grants("refresh_token"), 0);
}

#[tokio::test]
async fn card_only_providers_say_not_supported() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        card_only: true,
        ..Default::default()
    })
    .await;
    let (data, _) = connected(&sandbox).await;
    let err = data.accounts().list().await.unwrap_err();
    assert!(
        matches!(err, Error::NotSupportedByProvider { .. }),
        "{err:?}"
    );
    assert_eq!(data.cards().list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn unattended_calls_are_limited_to_four_a_day_unless_the_user_is_present() {
    let sandbox = Sandbox::start().await;
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let store = Arc::new(MemoryTokenStore::new(Some(sandbox.connect_user())));
    let tokens = Arc::new(spend_http::CachedTokenSource::new(UserTokens::new(
        auth, store,
    )));
    let data = DataClient::builder(sandbox.environment(), tokens)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..4 {
        data.accounts().list().await.unwrap();
    }
    let err = data.accounts().list().await.unwrap_err();
    assert!(
        matches!(err, Error::UnattendedLimitReached { .. }),
        "{err:?}"
    );
    // With the user present the limit does not apply.
    assert_eq!(
        data.user_present(USER_IP)
            .accounts()
            .list()
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_transient_error_is_retried_then_succeeds() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    sandbox.inject_error(
        "/data/v1/cards",
        503,
        serde_json::json!({"error": "provider_error", "error_description": "The provider service is unavailable."}),
        1,
    );
    assert_eq!(
        data.user_present(USER_IP)
            .cards()
            .list()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(sandbox.requests_to("/data/v1/cards"), 2);
}

#[tokio::test]
async fn code_exchange_with_pkce_and_state() {
    let sandbox = Sandbox::start().await;
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let request = auth
        .authorization_url("https://app.example/callback")
        .scopes([Scope::Accounts, Scope::Transactions, Scope::OfflineAccess])
        .providers(["mock"])
        .response_mode(ResponseMode::FormPost)
        .build();
    let query: std::collections::HashMap<_, _> = request.url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], Sandbox::CLIENT_ID);
    assert_eq!(query["scope"], "accounts transactions offline_access");
    assert_eq!(query["providers"], "mock");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["response_mode"], "form_post");
    assert_eq!(query["state"], request.state);

    assert!(matches!(
        request.verify_callback("tampered"),
        Err(Error::StateMismatch)
    ));
    let verifier = request.verify_callback(&request.state).unwrap();
    let code = sandbox.authorization_code(Some(&query["code_challenge"]));
    let tokens = auth
        .exchange_code(&code, "https://app.example/callback", verifier)
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.token_type, "Bearer");

    // A verifier that does not match the challenge is refused.
    let code = sandbox.authorization_code(Some(&query["code_challenge"]));
    let wrong = Some(SecretString::from("x".repeat(64)));
    assert!(
        auth.exchange_code(&code, "https://app.example/callback", wrong)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn auth_server_operations() {
    let sandbox = Sandbox::start().await;
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let providers = auth
        .providers()
        .countries(["uk"])
        .scopes([Scope::Accounts])
        .send()
        .await
        .unwrap();
    assert!(providers.iter().all(|p| p.country.as_deref() == Some("uk")));
    assert!(providers.iter().any(|p| p.provider_id == "mock"));

    let link = auth
        .auth_link(DirectBankAuthLinkRequest {
            redirect_uri: "https://app.example/callback".into(),
            scope: "accounts transactions".into(),
            consent_id: "consent-1".into(),
            provider_id: "mock".into(),
            state: Some("s-1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(link.success && link.result.contains("state=s-1"));

    let reauth = auth
        .reauth_link(ReauthLinkRequest {
            response_type: "code".into(),
            refresh_token: sandbox.connect_user(),
            redirect_uri: "https://app.example/callback".into(),
            state: None,
            code_challenge: None,
            code_challenge_method: None,
            response_mode: None,
        })
        .await
        .unwrap();
    assert!(reauth.success);

    let client = auth.client_credentials(&["payments"]).await.unwrap();
    assert!(client.refresh_token.is_none());
    let debug = auth.debug_id(&client.access_token).await.unwrap();
    assert_eq!(debug.provider_id, "mock");
    auth.delete_credential(&client.access_token).await.unwrap();
    let err = auth
        .delete_credential(&client.access_token)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { status, .. } if status == 401),
        "{err:?}"
    );

    let bad = AuthClient::new(
        sandbox.environment(),
        truelayer_client::ClientCredentials::new("x", "y"),
    )
    .unwrap();
    let err = bad.refresh(&sandbox.connect_user()).await.unwrap_err();
    assert!(
        matches!(err, Error::Api { ref body, .. } if body.error == "unauthorized_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn connections_extend_and_its_problems() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    let request = |refresh_token: SecretString, redirect: &str| ExtendConnectionRequest {
        user_has_reconfirmed_consent: true,
        user: EndUser {
            name: Some("A. N. Other".into()),
            email: Some("user@example.org".into()),
            ..Default::default()
        },
        refresh_token,
        redirect_uri: redirect.into(),
        state: None,
        code_challenge: None,
        response_mode: None,
    };
    let extended = data
        .connections()
        .extend(
            &sandbox.credentials(),
            &request(sandbox.connect_user(), "https://app.example/cb"),
        )
        .await
        .unwrap();
    assert!(matches!(extended, ExtendResponse::NoActionNeeded { .. }));
    let err = data
        .connections()
        .extend(&sandbox.credentials(), &request(sandbox.connect_user(), ""))
        .await
        .unwrap_err();
    let Error::Problem { problem } = err else {
        panic!("{err:?}")
    };
    assert_eq!(problem.status, 400);
    assert!(problem.errors.unwrap().get("redirect_uri").is_some());
}

#[tokio::test]
async fn expired_tokens_are_refreshed_transparently_on_401() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        access_token_ttl: Duration::from_secs(3600),
        ..Default::default()
    })
    .await;
    let (data, _) = connected(&sandbox).await;
    let data = data.user_present(USER_IP);
    data.accounts().list().await.unwrap();
    sandbox.expire_access_tokens();
    // The cache still believes its token is valid: the 401 triggers the refresh and the replay.
    let calls = (0..10).map(|_| data.accounts().list().into_future());
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        sandbox.grants("refresh_token"),
        2,
        "one at start, one after expiry"
    );
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
        redirect_uri: "https://app.example/cb".into(),
        state: None,
        code_challenge: None,
        response_mode: None,
    }
}

#[tokio::test]
async fn extending_a_connection_saves_the_rotated_refresh_token() {
    let sandbox = Sandbox::start().await;
    let (data, store) = connected(&sandbox).await;
    let data = data.user_present(USER_IP);
    data.me().await.unwrap();
    let stored = store.current().unwrap();
    let extended = data
        .connections()
        .extend(&sandbox.credentials(), &extend_request(stored.clone()))
        .await
        .unwrap();
    let ExtendResponse::NoActionNeeded { refresh_token, .. } = extended else {
        panic!("{extended:?}")
    };
    assert_ne!(refresh_token.expose_secret(), stored.expose_secret());
    assert_eq!(
        store.current().unwrap().expose_secret(),
        refresh_token.expose_secret(),
        "the rotated refresh token is in the store by the time extend returns"
    );

    // The extended refresh token is dead, as at TrueLayer.
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let err = auth.refresh(&stored).await.unwrap_err();
    assert!(err.needs_reauthorisation(), "{err:?}");

    // Another process (or this one after a restart) starts from what the store holds.
    let restarted = DataClient::for_user(
        sandbox.environment(),
        auth,
        Arc::new(MemoryTokenStore::new(store.current())),
    )
    .unwrap()
    .user_present(USER_IP);
    assert_eq!(
        restarted.me().await.unwrap()[0].consent_status.as_deref(),
        Some("Authorised")
    );
}

#[tokio::test]
async fn extending_a_connection_refreshes_no_access_token() {
    let sandbox = Sandbox::start().await;
    // A fresh client holds no access token: going through the auth layer would
    // refresh first, rotating the very refresh token the request carries.
    let (data, store) = connected(&sandbox).await;
    let extended = data
        .connections()
        .extend(
            &sandbox.credentials(),
            &extend_request(store.current().unwrap()),
        )
        .await
        .unwrap();
    assert!(
        matches!(extended, ExtendResponse::NoActionNeeded { .. }),
        "{extended:?}"
    );
    assert_eq!(sandbox.grants("refresh_token"), 0);
    assert_eq!(sandbox.requests_to("/data/v1/connections/extend"), 1);
    // The data calls that follow refresh from the extended connection's token.
    let data = data.user_present(USER_IP);
    assert_eq!(data.accounts().list().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_unattended_limit_is_final_and_sent_once() {
    let sandbox = Sandbox::start().await;
    // The default retry policy, which retries a 429.
    let (data, _) = connected(&sandbox).await;
    for _ in 0..4 {
        data.accounts().list().await.unwrap();
    }
    let err = data.accounts().list().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnattendedLimitReached { ref description, .. }
                if description.as_deref()
                    == Some("Maximum number of requests per user allowed by provider exceeded.")
        ),
        "{err:?}"
    );
    assert_eq!(
        sandbox.requests_to("/data/v1/accounts"),
        5,
        "the refused call went out once: a retry would spend tomorrow's allowance too"
    );

    // A provider's ordinary 429 is still retried.
    sandbox.inject_error(
        "/data/v1/cards",
        429,
        serde_json::json!({"error": "provider_too_many_requests", "error_description": "Provider rate limit exceeded."}),
        1,
    );
    assert_eq!(data.cards().list().await.unwrap().len(), 1);
    assert_eq!(sandbox.requests_to("/data/v1/cards"), 2);
}

#[tokio::test]
async fn an_id_that_names_nothing_is_refused_before_sending() {
    let sandbox = Sandbox::start().await;
    let (data, _) = connected(&sandbox).await;
    let data = data.user_present(USER_IP);
    for id in ["", ".", ".."] {
        let err = data.accounts().transactions(id).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidId { id: ref got } if got == id),
            "{id:?}: {err:?}"
        );
        let err = data.cards().balance(id).await.unwrap_err();
        assert!(matches!(err, Error::InvalidId { .. }), "{id:?}: {err:?}");
        let err = data
            .accounts()
            .transactions(id)
            .send_async(None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidId { .. }), "{id:?}: {err:?}");
    }
    // Nothing went out, not even the refresh a first call makes.
    assert_eq!(sandbox.grants("refresh_token"), 0);
    for path in [
        "/data/v1/accounts//transactions",
        "/data/v1/accounts/transactions",
        "/data/v1/cards//balance",
        "/data/v1/cards/balance",
    ] {
        assert_eq!(sandbox.requests_to(path), 0, "{path}");
    }
    let id = data.accounts().list().await.unwrap()[0]
        .account_id
        .clone()
        .unwrap();
    assert!(!data.accounts().transactions(&id).await.unwrap().is_empty());
}
