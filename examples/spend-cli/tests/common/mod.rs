//! What the CLI tests share: `spend` run with a data folder of its own.

use std::path::Path;
use std::process::Command;

/// `spend` with the embedded default in `data` (store, blobs, key file),
/// no settings file, and none of the caller's spend or provider settings.
pub fn command(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_spend"));
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
