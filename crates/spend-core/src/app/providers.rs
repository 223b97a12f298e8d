//! The providers' apps (TrueLayer, Google, Amazon) as the environment
//! configures them: what a deployment sets once, beside every person's
//! connections.

use truelayer_client::{ClientCredentials, Environment};

use super::{AmazonApp, AppError, GoogleApp, TrueLayerApp};

/// Every provider app that is configured; a connection whose provider has
/// none is reported as not run, with the variables to set.
#[derive(Clone, Default)]
pub struct ProviderApps {
    /// TrueLayer, when `TRUELAYER_CLIENT_ID` and `TRUELAYER_CLIENT_SECRET` are set.
    pub truelayer: Option<TrueLayerApp>,
    /// Google, when `GOOGLE_CLIENT_ID` is set.
    pub google: Option<GoogleApp>,
    /// Amazon's SP-API, when `LWA_CLIENT_ID` and `LWA_CLIENT_SECRET` are set
    /// (`SP_API_REGION`, `SP_API_MARKETPLACE`, default the UK).
    pub amazon: Option<AmazonApp>,
    /// Amazon Business's reporting region (`AMAZON_BUSINESS_REGION`, default `UK`).
    pub amazon_business_region: String,
}

impl std::fmt::Debug for ProviderApps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials stay out of logs: only which apps are configured.
        f.debug_struct("ProviderApps")
            .field("truelayer", &self.truelayer.is_some())
            .field("google", &self.google.is_some())
            .field("amazon", &self.amazon.is_some())
            .field("amazon_business_region", &self.amazon_business_region)
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn invalid(variable: &str, detail: impl std::fmt::Display) -> AppError {
    AppError::Environment {
        variable: variable.to_owned(),
        detail: detail.to_string(),
    }
}

fn url(variable: &str, value: &str) -> Result<url::Url, AppError> {
    value.parse().map_err(|e| invalid(variable, e))
}

impl ProviderApps {
    /// Reads the apps from the environment. Besides the credentials,
    /// `SPEND_TRUELAYER_AUTH_URL` + `SPEND_TRUELAYER_DATA_URL`,
    /// `SPEND_GOOGLE_AUTH_URL` + `SPEND_GOOGLE_TOKEN_URL` +
    /// `SPEND_GOOGLE_REVOKE_URL` + `SPEND_GMAIL_API_URL`, `SPEND_SP_API_URL`
    /// and `SPEND_LWA_TOKEN_URL` point a provider elsewhere (a proxy, a
    /// simulator); `TRUELAYER_ENV=live` leaves TrueLayer's sandbox.
    ///
    /// ```
    /// let apps = spend_core::app::ProviderApps::from_env()?;
    /// // With nothing set, no provider is configured.
    /// # if std::env::var_os("TRUELAYER_CLIENT_ID").is_none() {
    /// assert!(apps.truelayer.is_none());
    /// # }
    /// # Ok::<(), spend_core::app::AppError>(())
    /// ```
    pub fn from_env() -> Result<ProviderApps, AppError> {
        Ok(ProviderApps {
            truelayer: truelayer()?,
            google: google()?,
            amazon: amazon()?,
            amazon_business_region: env("AMAZON_BUSINESS_REGION")
                .unwrap_or_else(|| "UK".to_owned()),
        })
    }
}

fn truelayer() -> Result<Option<TrueLayerApp>, AppError> {
    let (Some(id), Some(secret)) = (env("TRUELAYER_CLIENT_ID"), env("TRUELAYER_CLIENT_SECRET"))
    else {
        return Ok(None);
    };
    let environment = match (
        env("SPEND_TRUELAYER_AUTH_URL"),
        env("SPEND_TRUELAYER_DATA_URL"),
    ) {
        (Some(auth), Some(data)) => Environment::Custom {
            auth: url("SPEND_TRUELAYER_AUTH_URL", &auth)?,
            data: url("SPEND_TRUELAYER_DATA_URL", &data)?,
        },
        _ if env("TRUELAYER_ENV").as_deref() == Some("live") => Environment::Live,
        _ => Environment::Sandbox,
    };
    Ok(Some(TrueLayerApp {
        environment,
        credentials: ClientCredentials::new(id, secret),
    }))
}

fn google() -> Result<Option<GoogleApp>, AppError> {
    let Some(id) = env("GOOGLE_CLIENT_ID") else {
        return Ok(None);
    };
    // Installed apps redirect to a loopback port of their choosing.
    let mut oauth = gmail_receipts::google::GoogleOAuth::builder(id, "http://127.0.0.1:0/");
    if let Some(secret) = env("GOOGLE_CLIENT_SECRET") {
        oauth = oauth.client_secret(secret);
    }
    if let (Some(auth), Some(token), Some(revoke)) = (
        env("SPEND_GOOGLE_AUTH_URL"),
        env("SPEND_GOOGLE_TOKEN_URL"),
        env("SPEND_GOOGLE_REVOKE_URL"),
    ) {
        oauth = oauth.endpoints(
            gmail_receipts::google::GoogleEndpoints::at(&auth, &token, &revoke)
                .map_err(|e| invalid("SPEND_GOOGLE_AUTH_URL", e))?,
        );
    }
    Ok(Some(GoogleApp {
        oauth: oauth.build().map_err(|e| invalid("GOOGLE_CLIENT_ID", e))?,
        base_url: env("SPEND_GMAIL_API_URL"),
        units_per_minute: env("SPEND_GMAIL_UNITS_PER_MINUTE")
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|u| *u > 0)
                    .ok_or_else(|| invalid("SPEND_GMAIL_UNITS_PER_MINUTE", "not a positive number"))
            })
            .transpose()?,
    }))
}

fn amazon() -> Result<Option<AmazonApp>, AppError> {
    let Some(credentials) = amazon_sp_client::LwaCredentials::from_env() else {
        return Ok(None);
    };
    let endpoint = match env("SPEND_SP_API_URL") {
        Some(u) => amazon_sp_client::Endpoint::Custom(url("SPEND_SP_API_URL", &u)?),
        None => amazon_sp_client::Endpoint::from_env(),
    };
    let lwa = match env("SPEND_LWA_TOKEN_URL") {
        Some(u) => amazon_sp_client::LwaClient::with_token_url(
            credentials,
            url("SPEND_LWA_TOKEN_URL", &u)?,
        ),
        None => amazon_sp_client::LwaClient::new(credentials),
    }
    .map_err(|e| invalid("LWA_CLIENT_ID", e))?;
    Ok(Some(AmazonApp {
        endpoint,
        lwa,
        marketplace: env("SP_API_MARKETPLACE")
            .unwrap_or_else(|| amazon_sp_client::Marketplace::UK.to_owned()),
        rate_limiter: None,
        plan_scale: env("SPEND_SP_API_PLAN_SCALE")
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| invalid("SPEND_SP_API_PLAN_SCALE", "not a positive number"))
            })
            .transpose()?
            .unwrap_or(1.0),
    }))
}
