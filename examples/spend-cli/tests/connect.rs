//! `spend connect gmail` end to end against the Gmail simulator: the consent
//! page on a loopback redirect, the refresh token into the vault, then
//! `spend sync gmail` with nothing but what the store holds.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gmail_receipts::testkit::{GmailSimulator, SimConfig};
use serde_json::Value;

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-connect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spend(data: &Path, sim: &GmailSimulator) -> Command {
    let mut c = common::command(data);
    let endpoints = sim.url();
    let base = endpoints.trim_end_matches('/');
    c.env("GOOGLE_CLIENT_ID", "desktop.apps.googleusercontent.com")
        .env("GOOGLE_CLIENT_SECRET", "secret")
        .env("SPEND_GOOGLE_AUTH_URL", format!("{base}/o/oauth2/v2/auth"))
        .env("SPEND_GOOGLE_TOKEN_URL", format!("{base}/token"))
        .env("SPEND_GOOGLE_REVOKE_URL", format!("{base}/revoke"))
        .env("SPEND_GMAIL_API_URL", sim.url());
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gmail_is_connected_through_the_consent_page_and_then_synced() {
    let sim = GmailSimulator::start(SimConfig::default().messages(40)).await;
    let data = data_dir();
    let mut connect = spend(&data, &sim);
    connect.args(["connect", "gmail", "--timeout", "30"]);
    consent(connect, "connected gmail:alex@example.org").await;

    // The refresh token is in the vault: the sync needs nothing else.
    let out = spend(&data, &sim)
        .args(["sync", "gmail", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        summary[0]["outcome"]["written"]["emails"]["inserted"]
            .as_u64()
            .unwrap()
            > 5,
        "{summary}"
    );
    // The token the consent gave is stored encrypted: read it back through
    // the vault, then look for it in the database files.
    let store = spend_core::store::SqliteStore::open(data.join("spend.db"))
        .await
        .unwrap();
    let me = spend_core::store::Store::user(
        &store,
        spend_core::store::Store::ensure_user(&store, "me")
            .await
            .unwrap(),
    );
    let vault = spend_core::vault::Vault::new(
        spend_core::vault::Keyring::from_key_file(&data.join("fernet.key")).unwrap(),
    );
    let token = vault
        .get(me.as_ref(), "gmail", "alex@example.org", "refresh_token")
        .await
        .unwrap()
        .unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
    assert!(token.len() > 10);
    for file in ["spend.db", "spend.db-wal"] {
        let bytes = std::fs::read(data.join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the refresh token is in {file} in plain text"
        );
    }
}

/// Runs `spend connect ...` as a person would: reads the consent page from
/// its output and opens it (the simulator consents at once and sends the
/// browser back to spend's loopback redirect).
async fn consent(mut command: Command, expect: &str) {
    let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "spend said: {said}"
        );
        said.push_str(&line);
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("spend is authorised"), "{page}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{said}{rest}");
    assert!(rest.contains(expect), "{rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_is_connected_through_truelayers_consent_and_then_synced() {
    let sandbox = truelayer_client::testkit::Sandbox::start().await;
    let gmail = GmailSimulator::start(SimConfig::default().messages(1)).await;
    let data = std::env::temp_dir().join(format!("spend-connect-tl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let with_bank = |mut c: Command| {
        let env = sandbox.environment();
        let truelayer_client::Environment::Custom { auth, data } = env else {
            unreachable!()
        };
        let credentials = sandbox.credentials();
        c.env("TRUELAYER_CLIENT_ID", &credentials.client_id)
            .env(
                "TRUELAYER_CLIENT_SECRET",
                secrecy::ExposeSecret::expose_secret(&credentials.client_secret),
            )
            .env("SPEND_TRUELAYER_AUTH_URL", auth.as_str())
            .env("SPEND_TRUELAYER_DATA_URL", data.as_str());
        c
    };
    let mut connect = with_bank(spend(&data, &gmail));
    connect.args([
        "connect",
        "truelayer",
        "--name",
        "current",
        "--timeout",
        "30",
    ]);
    consent(connect, "connected truelayer:current").await;

    let out = with_bank(spend(&data, &gmail))
        .args(["sync", "truelayer", "--present", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        summary[0]["outcome"]["written"]["transactions"]["inserted"]
            .as_u64()
            .unwrap()
            > 50,
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amazon_seller_is_connected_with_a_working_refresh_token_only() {
    use amazon_sp_client::testkit::{SimulatorConfig, SpApiSimulator};
    let sim = SpApiSimulator::start(SimulatorConfig {
        orders: 30,
        time_scale: 100.0,
        ..SimulatorConfig::default()
    })
    .await;
    let gmail = GmailSimulator::start(SimConfig::default().messages(1)).await;
    let data = std::env::temp_dir().join(format!("spend-connect-amazon-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let with_amazon = |mut c: Command, token: &str| {
        c.env("LWA_CLIENT_ID", SpApiSimulator::CLIENT_ID)
            .env("LWA_CLIENT_SECRET", SpApiSimulator::CLIENT_SECRET)
            .env("SPEND_LWA_TOKEN_URL", format!("{}auth/o2/token", sim.url()))
            .env("SPEND_SP_API_URL", sim.url().as_str())
            .env("SPEND_AMAZON_REFRESH_TOKEN", token);
        c
    };
    let out = with_amazon(spend(&data, &gmail), "Atzr|not-a-real-token")
        .args(["connect", "amazon", "--seller", SpApiSimulator::SELLER_ID])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a refused token is not stored");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refused the refresh token"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_amazon(spend(&data, &gmail), SpApiSimulator::REFRESH_TOKEN)
        .args(["connect", "amazon", "--seller", SpApiSimulator::SELLER_ID])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_amazon(spend(&data, &gmail), "")
        .args(["sync", "sp-api", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary[0]["outcome"]["written"]["orders"]["inserted"], 30,
        "{summary}"
    );
}
