//! End-to-end tests of spend as a person runs it: the tests in `tests/`
//! drive the `spend` binary and the providers' simulators. This library
//! holds what they share.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `spend` binary of this workspace. `cargo test --workspace` has built
/// it (for spend-cli's own tests) before any test runs, and it is used as
/// built; only when it is missing (`cargo test -p spend-tests` alone) is
/// cargo asked to build it, since a test cannot name another package's
/// binary. Building it again unasked would rebuild it with other features
/// and take minutes.
pub fn spend_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // Tests run from target/<profile>/deps: the binary is beside deps.
        let exe = std::env::current_exe().expect("the test's own path");
        let profile = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let binary = profile.join(format!("spend{}", std::env::consts::EXE_SUFFIX));
        if !binary.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let built = Command::new(cargo)
                .args(["build", "-q", "-p", "spend-cli", "--bin", "spend"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("run cargo build");
            assert!(built.success(), "cargo build -p spend-cli failed");
        }
        binary
    })
}

/// `spend` with the embedded default in `data` (store, blobs, key file), no
/// settings file, and none of the caller's spend or provider settings.
///
/// ```no_run
/// let out = spend_tests::spend(std::path::Path::new("/tmp/spend-e2e")).arg("demo").output();
/// ```
pub fn spend(data: &Path) -> Command {
    let mut c = Command::new(spend_binary());
    c.env("SPEND_DATA_DIR", data)
        .env("SPEND_CONFIG", data.join("no-such-spend.toml"))
        .env("RUST_BACKTRACE", "0");
    for var in [
        "SPEND_STORE",
        "SPEND_BLOBS",
        "SPEND_USER",
        "SPEND_FERNET_KEYS",
        "TRUELAYER_CLIENT_ID",
        "GOOGLE_CLIENT_ID",
        "LWA_CLIENT_ID",
    ] {
        c.env_remove(var);
    }
    c
}

/// Every transaction `user` holds, by natural key and content
/// (`source|account|id|status|amount`), duplicates kept (so the number of
/// rows shows them), read page by page as a front end reads them.
pub async fn transaction_keys(user: &dyn spend_core::store::UserStore) -> Vec<String> {
    use spend_core::store::TransactionQuery;
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = user
            .transactions(&TransactionQuery::default().limit(1000).after(cursor))
            .await
            .expect("read the stored transactions");
        keys.extend(page.items.into_iter().map(|t| {
            format!(
                "{}|{}|{}|{}|{}",
                t.source, t.account_id, t.id, t.status, t.amount
            )
        }));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    keys
}
