//! The vault: refresh tokens shared by two processes, and key rotation.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use spend_core::model::Connection;
use spend_core::store::{SqliteStore, Store, UserStore};
use spend_core::vault::{Keyring, Vault, VaultTokenStore, rotate};
use truelayer_client::spend_http::Refresh;
use truelayer_client::testkit::Sandbox;
use truelayer_client::{AuthClient, UserTokens};

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-vault-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir.join("spend.db")
}

/// One "process": its own pool on the shared database file, its own token store.
async fn process(path: &std::path::Path, vault: &Vault, sandbox: &Sandbox) -> UserTokens {
    let store = SqliteStore::open(path).await.unwrap();
    let user = store.user(store.ensure_user("alex").await.unwrap());
    let slot = vault.slot(user, "truelayer", "main", "refresh_token");
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    UserTokens::new(auth, Arc::new(VaultTokenStore::new(slot)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refreshing_one_connection_never_lose_the_refresh_token() {
    let sandbox = Sandbox::start().await;
    let path = temp_db("race");
    let vault = Vault::new(Keyring::generate());
    {
        let store = SqliteStore::open(&path).await.unwrap();
        let alex = store.user(store.ensure_user("alex").await.unwrap());
        alex.put_connection(&Connection::new("truelayer", "main"))
            .await
            .unwrap();
        vault
            .put(
                alex.as_ref(),
                "truelayer",
                "main",
                "refresh_token",
                &sandbox.connect_user(),
            )
            .await
            .unwrap();
    }
    let a = process(&path, &vault, &sandbox).await;
    let b = process(&path, &vault, &sandbox).await;
    let rounds = 20;
    for round in 0..rounds {
        // Both load the same refresh token and present it at once: TrueLayer
        // rotates it on first use and refuses it the second time.
        let (ra, rb) = tokio::join!(a.refresh(), b.refresh());
        assert!(ra.is_ok(), "round {round}: process A: {:?}", ra.err());
        assert!(rb.is_ok(), "round {round}: process B: {:?}", rb.err());
    }
    let refreshes = sandbox.requests_to("/connect/token");
    // The token left in the store is valid: a third process can refresh with it.
    let c = process(&path, &vault, &sandbox).await;
    c.refresh()
        .await
        .expect("the stored refresh token still works");
    println!(
        "vault race: {rounds} rounds, {} refreshes succeeded, {} refresh calls (the extra ones retried a token rotated by the other process), 0 lost",
        rounds * 2,
        refreshes
    );
    assert!(
        refreshes > rounds * 2,
        "the processes did race at least once"
    );
}

#[tokio::test]
async fn rotate_re_encrypts_every_secret_under_the_newest_key() {
    let store = SqliteStore::in_memory().await.unwrap();
    let old = fernet::Fernet::generate_key();
    let vault = Vault::new(Keyring::from_keys([old.as_str()]).unwrap());
    let mut users: Vec<Arc<dyn UserStore>> = Vec::new();
    for name in ["alex", "sam"] {
        let u = store.user(store.ensure_user(name).await.unwrap());
        for provider in ["gmail", "imap", "truelayer"] {
            u.put_connection(&Connection::new(provider, name))
                .await
                .unwrap();
            vault
                .put(
                    u.as_ref(),
                    provider,
                    name,
                    "secret",
                    &SecretString::from(format!("{provider}-{name}")),
                )
                .await
                .unwrap();
        }
        users.push(u);
    }
    let new = fernet::Fernet::generate_key();
    let both = Keyring::from_keys([new.as_str(), old.as_str()]).unwrap();
    assert_eq!(rotate(&store, &both).await.unwrap(), 6);
    let only_new = Vault::new(Keyring::from_keys([new.as_str()]).unwrap());
    let only_old = Vault::new(Keyring::from_keys([old.as_str()]).unwrap());
    for (u, name) in users.iter().zip(["alex", "sam"]) {
        for provider in ["gmail", "imap", "truelayer"] {
            let got = only_new
                .get(u.as_ref(), provider, name, "secret")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(got.expose_secret(), format!("{provider}-{name}"));
            assert!(
                only_old
                    .get(u.as_ref(), provider, name, "secret")
                    .await
                    .is_err(),
                "the old key no longer reads it"
            );
        }
    }
    // Nothing stored is plaintext.
    let raw = users[0]
        .secret("imap", "alex", "secret")
        .await
        .unwrap()
        .unwrap();
    assert!(!raw.ciphertext.contains("imap-alex") && raw.ciphertext.starts_with("gAAAAA"));
}

#[tokio::test]
async fn a_wrong_key_is_a_typed_error_not_garbage() {
    let store = SqliteStore::in_memory().await.unwrap();
    let u = store.user(store.ensure_user("alex").await.unwrap());
    u.put_connection(&Connection::new("imap", "box"))
        .await
        .unwrap();
    Vault::new(Keyring::generate())
        .put(
            u.as_ref(),
            "imap",
            "box",
            "password",
            &SecretString::from("pw"),
        )
        .await
        .unwrap();
    let err = Vault::new(Keyring::generate())
        .get(u.as_ref(), "imap", "box", "password")
        .await
        .unwrap_err();
    assert!(
        matches!(err, spend_core::vault::VaultError::Decrypt),
        "{err:?}"
    );
}

#[tokio::test]
async fn google_and_amazon_refresh_tokens_come_from_the_vault() {
    use spend_core::vault::VaultRefresh;
    let store = SqliteStore::in_memory().await.unwrap();
    let alex = store.user(store.ensure_user("alex").await.unwrap());
    let vault = Vault::new(Keyring::generate());

    let gmail = gmail_receipts::testkit::GmailSimulator::start(
        gmail_receipts::testkit::SimConfig::default(),
    )
    .await;
    alex.put_connection(&Connection::new("gmail", "alex@example.org"))
        .await
        .unwrap();
    vault
        .put(
            alex.as_ref(),
            "gmail",
            "alex@example.org",
            "refresh_token",
            &gmail.refresh_token(),
        )
        .await
        .unwrap();
    let google = VaultRefresh::new(
        gmail.oauth().unwrap(),
        vault.slot(alex.clone(), "gmail", "alex@example.org", "refresh_token"),
    );
    assert!(
        !google
            .refresh()
            .await
            .unwrap()
            .secret
            .expose_secret()
            .is_empty()
    );

    let sp = amazon_sp_client::testkit::SpApiSimulator::start(
        amazon_sp_client::testkit::SimulatorConfig::default(),
    )
    .await;
    alex.put_connection(&Connection::new("sp-api", "seller-1"))
        .await
        .unwrap();
    let refresh =
        SecretString::from(amazon_sp_client::testkit::SpApiSimulator::REFRESH_TOKEN.to_owned());
    vault
        .put(
            alex.as_ref(),
            "sp-api",
            "seller-1",
            "refresh_token",
            &refresh,
        )
        .await
        .unwrap();
    let lwa = VaultRefresh::new(
        sp.lwa().unwrap(),
        vault.slot(alex.clone(), "sp-api", "seller-1", "refresh_token"),
    );
    assert!(
        lwa.refresh()
            .await
            .unwrap()
            .secret
            .expose_secret()
            .starts_with("Atza|")
    );

    // A connection with no stored token is a typed error, not a panic.
    alex.put_connection(&Connection::new("sp-api", "seller-2"))
        .await
        .unwrap();
    let none = VaultRefresh::new(
        sp.lwa().unwrap(),
        vault.slot(alex.clone(), "sp-api", "seller-2", "refresh_token"),
    );
    let err = none.refresh().await.unwrap_err().to_string();
    assert!(err.contains("no stored secret"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_starts_with_the_buckets_the_first_one_drained() {
    use spend_core::store::StoreRateState;
    use truelayer_client::spend_http::{Operation, RateLimiter, RatePlan};

    let path = temp_db("rate");
    let plan = RatePlan::new(0.0167, 20); // getOrders: one a minute once the burst of 20 is spent
    let first_store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let first_state = StoreRateState::open(first_store, "sp-api").await.unwrap();
    let first = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(first_state.clone())
        .unwrap();
    let op = Operation::new("getOrders").key("A2SELLER");
    for _ in 0..20 {
        first.acquire(&op).await;
    }
    first_state.flush().await;

    // Another process: its own pool on the same database.
    let second_store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let second_state = StoreRateState::open(second_store.clone(), "sp-api")
        .await
        .unwrap();
    let second = RateLimiter::new()
        .with_plan("getOrders", plan)
        .with_store(second_state)
        .unwrap();
    let now = std::time::SystemTime::now();
    let drained = second.snapshot();
    let bucket = drained
        .iter()
        .find(|s| s.operation == "getOrders" && s.key == "A2SELLER")
        .expect("the bucket was shared");
    assert!(
        bucket.until_full(now) > std::time::Duration::from_secs(15 * 60),
        "20 calls at one a minute: full again in about 20 minutes, not now ({:?})",
        bucket.until_full(now)
    );
    // Other providers' state is kept apart.
    assert!(
        second_store
            .rate_states("truelayer")
            .await
            .unwrap()
            .is_empty()
    );
}
