//! Opening the person's spend from settings (`spend.toml` and the environment).

use anyhow::Context;
use spend_core::app::{Settings, Spend};

/// Opens spend as the settings say.
pub async fn open() -> anyhow::Result<Spend> {
    let settings = Settings::load()?;
    Spend::open(&settings)
        .await
        .with_context(|| format!("opening the store {}", redact(&settings.store)))
}

/// A store URL without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{user}:***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Opens spend as the settings say, and returns the settings too.
pub async fn open_with_settings() -> anyhow::Result<(Settings, Spend)> {
    let settings = Settings::load()?;
    let spend = Spend::open(&settings)
        .await
        .with_context(|| format!("opening the store {}", redact(&settings.store)))?;
    Ok((settings, spend))
}
