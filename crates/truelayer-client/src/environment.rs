//! Which TrueLayer to talk to: sandbox, live, or your own (a test server).

use url::Url;

/// The hosts of one TrueLayer environment.
///
/// ```
/// use truelayer_client::Environment;
/// assert_eq!(Environment::Sandbox.data_url().as_str(), "https://api.truelayer-sandbox.com/data/v1/");
/// assert_eq!(Environment::Live.auth_url().as_str(), "https://auth.truelayer.com/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `auth.truelayer-sandbox.com` and `api.truelayer-sandbox.com`.
    Sandbox,
    /// `auth.truelayer.com` and `api.truelayer.com`.
    Live,
    /// Other hosts: a proxy, a mock server, the [`testkit`](crate::testkit) sandbox.
    Custom {
        /// The auth server's base URL.
        auth: Url,
        /// The Data API's base URL (ending in `/data/v1/`).
        data: Url,
    },
}

impl Environment {
    /// Reads `TRUELAYER_ENV` (`sandbox` or `live`, default `sandbox`).
    pub fn from_env() -> Self {
        match std::env::var("TRUELAYER_ENV").as_deref() {
            Ok("live") | Ok("production") => Environment::Live,
            _ => Environment::Sandbox,
        }
    }

    /// The auth server's base URL.
    pub fn auth_url(&self) -> Url {
        match self {
            Environment::Sandbox => fixed("https://auth.truelayer-sandbox.com/"),
            Environment::Live => fixed("https://auth.truelayer.com/"),
            Environment::Custom { auth, .. } => with_slash(auth.clone()),
        }
    }

    /// The Data API's base URL.
    pub fn data_url(&self) -> Url {
        match self {
            Environment::Sandbox => fixed("https://api.truelayer-sandbox.com/data/v1/"),
            Environment::Live => fixed("https://api.truelayer.com/data/v1/"),
            Environment::Custom { data, .. } => with_slash(data.clone()),
        }
    }
}

fn fixed(url: &str) -> Url {
    Url::parse(url).expect("a constant URL parses")
}

/// `Url::join` drops the last segment of a base without a trailing slash.
fn with_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}
