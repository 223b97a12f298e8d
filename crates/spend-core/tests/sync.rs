//! The sync engine over real sources: TrueLayer's sandbox and mailbox files.

use std::sync::Arc;

use spend_core::mail::MailArchive;
use spend_core::model::{Connection, TransactionStatus};
use spend_core::sources::{MailboxFiles, SourceError, TrueLayerSource};
use spend_core::store::{SqliteStore, Store, TransactionQuery, UserStore};
use spend_core::sync::{SyncEngine, SyncError};
use spend_core::vault::{Keyring, Vault, VaultTokenStore};
use truelayer_client::testkit::Sandbox;
use truelayer_client::{AuthClient, DataClient};

const USER_IP: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

async fn truelayer(sandbox: &Sandbox, user: Arc<dyn UserStore>, vault: &Vault) -> TrueLayerSource {
    let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
    let tokens = Arc::new(VaultTokenStore::new(vault.slot(
        user,
        "truelayer",
        "main",
        "refresh_token",
    )));
    // The person is present: no unattended allowance applies.
    let data = DataClient::for_user(sandbox.environment(), auth, tokens)
        .unwrap()
        .user_present(USER_IP);
    TrueLayerSource::builder("main", data).present(true).build()
}

/// The sandbox, a user connected to it (its refresh token in the vault).
async fn connected() -> (Sandbox, Arc<dyn UserStore>, Vault) {
    let sandbox = Sandbox::start().await;
    let store = SqliteStore::in_memory().await.unwrap();
    let alex = store.user(store.ensure_user("alex").await.unwrap());
    alex.put_connection(&Connection::new("truelayer", "main"))
        .await
        .unwrap();
    let vault = Vault::new(Keyring::generate());
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
    (sandbox, alex, vault)
}

async fn all_transactions(user: &dyn UserStore) -> Vec<spend_core::model::Transaction> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = user
            .transactions(&TransactionQuery::default().limit(500).after(cursor))
            .await
            .unwrap();
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
}

#[tokio::test]
async fn truelayer_syncs_idempotently_and_pending_rows_are_replaced_when_they_settle() {
    let (sandbox, alex, vault) = connected().await;
    let engine = SyncEngine::new(alex.clone());

    let mut events = Vec::new();
    let first = engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |p| events.push(p.clone()),
        )
        .await
        .unwrap();
    let accounts = alex.accounts().await.unwrap();
    assert!(accounts.len() >= 2, "accounts and cards: {accounts:?}");
    assert_eq!(
        first.pages,
        accounts.len() as u64 + 1,
        "a page of accounts, then one an account"
    );
    assert_eq!(
        events.last().unwrap().done,
        events.last().unwrap().total.unwrap(),
        "progress reaches its total"
    );
    let stored = all_transactions(alex.as_ref()).await;
    let pending = stored
        .iter()
        .filter(|t| t.status == TransactionStatus::Pending)
        .count();
    assert!(
        stored.len() > 50 && pending > 0,
        "{} transactions, {pending} pending",
        stored.len()
    );
    assert_eq!(first.written.transactions.inserted, stored.len() as u64);
    assert!(
        stored.iter().all(|t| t.raw.is_some()),
        "TrueLayer's payload kept"
    );

    // Again: nothing changes.
    let again = engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        again.written.transactions.written(),
        0,
        "{:?}",
        again.written
    );
    assert_eq!(all_transactions(alex.as_ref()).await.len(), stored.len());

    // The pending ones settle under new ids: the pending rows go, the settled arrive, no doubles.
    let settled = sandbox.settle_pending();
    assert_eq!(settled, pending);
    let third = engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        third.written.removed, pending as u64,
        "pending rows replaced"
    );
    let after = all_transactions(alex.as_ref()).await;
    assert_eq!(
        after
            .iter()
            .filter(|t| t.status == TransactionStatus::Pending)
            .count(),
        0
    );
    assert_eq!(
        after.len(),
        stored.len(),
        "each pending one became one settled one"
    );

    // Every run is recorded with its summary.
    let runs = alex.sync_runs(10).await.unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|r| r.status == "ok"
        && r.summary["rows_per_second"].is_number()
        && r.summary["calls"]["requests"].as_u64() > Some(0)));
}

#[tokio::test]
async fn a_revoked_consent_is_a_typed_error_and_stored_rows_stay() {
    let (sandbox, alex, vault) = connected().await;
    let engine = SyncEngine::new(alex.clone());
    engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |_| {},
        )
        .await
        .unwrap();
    let before = all_transactions(alex.as_ref()).await.len();
    sandbox.revoke_consent();
    let err = engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |_| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            SyncError::Source {
                error: SourceError::NeedsReauthorisation { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("spend connect truelayer"), "{err}");
    assert_eq!(
        all_transactions(alex.as_ref()).await.len(),
        before,
        "nothing stored is touched"
    );
    assert_eq!(alex.sync_runs(1).await.unwrap()[0].status, "failed");
}

#[tokio::test]
async fn an_interrupted_mailbox_import_resumes_after_its_last_stored_page() {
    let store = SqliteStore::in_memory().await.unwrap();
    let alex = store.user(store.ensure_user("alex").await.unwrap());
    let archive = Arc::new(MailArchive::new(
        alex.clone(),
        Arc::new(blob_store::MemoryStore::new()),
    ));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../receipt-parsers/tests/fixtures/vendors");
    let total = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "eml")
        })
        .count();
    let engine = SyncEngine::new(alex.clone());

    // A run that dies while reporting its third page (as a crash would): three pages are stored.
    let mut source = MailboxFiles::open(
        gmail_receipts::sources::SourceKind::Eml,
        &dir,
        archive.clone(),
    )
    .unwrap()
    .page_size(10);
    let mut pages = 0;
    let mut stop = |_: &spend_core::sync::Progress| {
        pages += 1;
        assert!(pages <= 2, "stopped");
    };
    let crashed = std::panic::AssertUnwindSafe(engine.run(&mut source, &mut stop));
    let result = futures_util::FutureExt::catch_unwind(crashed).await;
    assert!(result.is_err(), "the run was cut short");
    assert_eq!(
        alex.emails(None, 1000).await.unwrap().len(),
        30,
        "three pages stored"
    );

    // The next run skips what is stored and reads the rest.
    let mut source = MailboxFiles::open(
        gmail_receipts::sources::SourceKind::Eml,
        &dir,
        archive.clone(),
    )
    .unwrap()
    .page_size(10);
    let resumed = engine.run(&mut source, &mut |_| {}).await.unwrap();
    assert_eq!(
        resumed.written.emails.inserted,
        (total - 30) as u64,
        "only the rest"
    );
    assert_eq!(resumed.written.emails.unchanged, 0, "nothing read twice");
    assert_eq!(alex.emails(None, 1000).await.unwrap().len(), total);

    // A completed import read again changes nothing.
    let mut source = MailboxFiles::open(gmail_receipts::sources::SourceKind::Eml, &dir, archive)
        .unwrap()
        .page_size(10);
    let again = engine.run(&mut source, &mut |_| {}).await.unwrap();
    assert_eq!(again.written.emails.unchanged, total as u64);
    assert_eq!(again.written.emails.written(), 0);
}

#[tokio::test]
async fn unattended_syncs_stop_at_truelayers_daily_allowance_before_calling() {
    let (sandbox, alex, vault) = connected().await;
    let engine = SyncEngine::new(alex.clone());
    let unattended = || {
        let auth = AuthClient::new(sandbox.environment(), sandbox.credentials()).unwrap();
        let tokens = Arc::new(VaultTokenStore::new(vault.slot(
            alex.clone(),
            "truelayer",
            "main",
            "refresh_token",
        )));
        let data = DataClient::for_user(sandbox.environment(), auth, tokens).unwrap();
        TrueLayerSource::builder("main", data).build()
    };
    for n in 1..=4 {
        engine
            .run(&mut unattended(), &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("sync {n}: {e}"));
    }
    let calls = sandbox.requests_to("/data/v1/");
    let err = engine
        .run(&mut unattended(), &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            SyncError::Source {
                error: SourceError::AllowanceSpent { limit: 4, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("--present"), "{err}");
    assert_eq!(sandbox.requests_to("/data/v1/"), calls, "no call was made");
    // With the person present the allowance does not apply.
    engine
        .run(
            &mut truelayer(&sandbox, alex.clone(), &vault).await,
            &mut |_| {},
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn amazon_business_orders_come_with_lines_shipments_and_charges() {
    use amazon_sp_client::testkit::{SimulatorConfig, SpApiSimulator};
    let sim = SpApiSimulator::start(SimulatorConfig {
        orders: 40,
        days: 60,
        time_scale: 100.0,
        ..SimulatorConfig::default()
    })
    .await;
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let spend = spend_core::app::Spend::with(
        store,
        "alex",
        Keyring::generate(),
        Arc::new(blob_store::MemoryStore::new()),
    )
    .await
    .unwrap();
    spend
        .connect(
            "amazon-business",
            "acme",
            &secrecy::SecretString::from(SpApiSimulator::REFRESH_TOKEN.to_owned()),
        )
        .await
        .unwrap();
    let app = spend_core::app::AmazonApp {
        endpoint: sim.endpoint(),
        lwa: sim.lwa().unwrap(),
        marketplace: sim.marketplace().to_owned(),
        rate_limiter: Some(Arc::new(amazon_sp_client::plans::limiter(100.0))),
        plan_scale: 100.0,
    };
    let mut source = spend
        .amazon_business_source(&app, "acme", "UK")
        .await
        .unwrap();
    let first = spend.engine().run(&mut source, &mut |_| {}).await.unwrap();
    assert_eq!(first.written.orders.inserted, 40, "{:?}", first.written);
    let orders = spend
        .user
        .orders(&spend_core::store::OrderQuery::default())
        .await
        .unwrap();
    assert!(
        orders
            .iter()
            .all(|o| o.source == "amazon-business" && !o.items.is_empty() && o.total.is_some())
    );
    assert!(
        orders
            .iter()
            .any(|o| !o.shipments.is_empty() && !o.charges.is_empty()),
        "shipments and what they charged"
    );
    assert!(
        orders
            .iter()
            .flat_map(|o| &o.items)
            .all(|i| i.item_id.is_some() && i.unit_price.is_some())
    );
    // Again: nothing new, nothing changed.
    let mut source = spend
        .amazon_business_source(&app, "acme", "UK")
        .await
        .unwrap();
    let again = spend.engine().run(&mut source, &mut |_| {}).await.unwrap();
    assert_eq!(
        (again.written.orders.inserted, again.written.orders.updated),
        (0, 0),
        "{:?}",
        again.written
    );
}
