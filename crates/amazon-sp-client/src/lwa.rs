//! Login with Amazon: the selling partner's authorisation URL, code exchange,
//! refresh, and grantless tokens.

use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use spend_http::{AccessToken, BoxError, HttpClient, Operation, Refresh};
use url::Url;

use crate::{Marketplace, Result};

/// LWA's token endpoint.
pub const LWA_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";

/// Your app's LWA credentials (Developer Central > your app > LWA credentials).
#[derive(Debug, Clone)]
pub struct LwaCredentials {
    /// `amzn1.application-oa2-client....`
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
}

impl LwaCredentials {
    /// Credentials from `client_id` and `client_secret`.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        LwaCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// Reads `LWA_CLIENT_ID` and `LWA_CLIENT_SECRET`.
    pub fn from_env() -> Option<Self> {
        Some(LwaCredentials::new(
            std::env::var("LWA_CLIENT_ID").ok()?,
            std::env::var("LWA_CLIENT_SECRET").ok()?,
        ))
    }
}

/// LWA's answer to a grant.
#[derive(Debug, Clone, Deserialize)]
pub struct LwaTokens {
    /// The access token (`Atza|...`), sent as `x-amz-access-token`.
    #[serde(deserialize_with = "secret")]
    pub access_token: SecretString,
    /// The refresh token (code exchange only; SP-API refresh tokens do not rotate).
    #[serde(default, deserialize_with = "secret_option")]
    pub refresh_token: Option<SecretString>,
    /// `bearer`.
    #[serde(default)]
    pub token_type: String,
    /// Lifetime in seconds (3600).
    pub expires_in: u64,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

fn secret_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    Option::<String>::deserialize(d).map(|s| s.map(SecretString::from))
}

/// A scope for grantless operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantlessScope {
    /// `sellingpartnerapi::notifications`.
    Notifications,
    /// `sellingpartnerapi::client_credential:rotation`.
    CredentialRotation,
}

impl GrantlessScope {
    fn as_str(&self) -> &'static str {
        match self {
            GrantlessScope::Notifications => "sellingpartnerapi::notifications",
            GrantlessScope::CredentialRotation => "sellingpartnerapi::client_credential:rotation",
        }
    }
}

/// A client of Login with Amazon.
///
/// ```no_run
/// # async fn run() -> amazon_sp_client::Result<()> {
/// use amazon_sp_client::{LwaClient, LwaCredentials, Marketplace};
///
/// let lwa = LwaClient::new(LwaCredentials::new("amzn1.application-oa2-client.abc", "secret"))?;
/// let uk = Marketplace::by_id(Marketplace::UK).unwrap();
/// let (url, state) = lwa.authorization_url(uk, "amzn1.sp.solution.app-id", true);
/// println!("ask the seller to open {url}; check the state {state} on return");
/// # let code = "ANaRx...";
/// let tokens = lwa.exchange_code(code, "https://example.com/callback").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LwaClient {
    http: HttpClient,
    token_url: Url,
    credentials: LwaCredentials,
}

impl LwaClient {
    /// A client of Amazon's LWA token endpoint.
    pub fn new(credentials: LwaCredentials) -> Result<Self> {
        LwaClient::with_token_url(
            credentials,
            Url::parse(LWA_TOKEN_URL).expect("a constant URL parses"),
        )
    }

    /// A client of another token endpoint (the [`testkit`](crate::testkit) simulator).
    pub fn with_token_url(credentials: LwaCredentials, token_url: Url) -> Result<Self> {
        let http = HttpClient::builder()
            .user_agent(crate::USER_AGENT)
            .build()?;
        Ok(LwaClient {
            http,
            token_url,
            credentials,
        })
    }

    /// The URL where a seller authorises your app in Seller Central, and the
    /// `state` to check when Amazon redirects back. `draft` adds `version=beta`
    /// (required while the app is not yet published).
    pub fn authorization_url(
        &self,
        marketplace: &Marketplace,
        application_id: &str,
        draft: bool,
    ) -> (Url, String) {
        let state = oauth_state();
        let mut url = Url::parse(&format!(
            "{}/apps/authorize/consent",
            marketplace.seller_central()
        ))
        .expect("a marketplace domain makes a URL");
        url.query_pairs_mut()
            .append_pair("application_id", application_id)
            .append_pair("state", &state);
        if draft {
            url.query_pairs_mut().append_pair("version", "beta");
        }
        (url, state)
    }

    async fn grant(&self, form: &[(&str, &str)]) -> Result<LwaTokens> {
        let secret = self.credentials.client_secret.expose_secret();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("client_id", &self.credentials.client_id));
        fields.push(("client_secret", secret));
        let request = self.http.post(self.token_url.clone()).form(&fields);
        let response = self.http.send(Operation::new("lwa.token"), request).await?;
        crate::client::decode_credential(response).await
    }

    /// Exchanges the `spapi_oauth_code` from the redirect for tokens.
    pub async fn exchange_code(&self, code: &str, redirect_uri: &str) -> Result<LwaTokens> {
        self.grant(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ])
        .await
    }

    /// A new access token from the selling partner's refresh token.
    /// `invalid_grant` is [`Error::ReauthorisationNeeded`](crate::Error::ReauthorisationNeeded).
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<LwaTokens> {
        self.grant(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ])
        .await
    }

    /// A grantless token (client credentials) for operations that act for the app itself.
    pub async fn grantless(&self, scope: GrantlessScope) -> Result<LwaTokens> {
        self.grant(&[
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ])
        .await
    }
}

/// 32 random hex characters (122 random bits) for the OAuth `state`.
fn oauth_state() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Access tokens of one selling partner, refreshed from their refresh token.
/// Wrap in a [`spend_http::CachedTokenSource`] (the client does) for caching
/// and single-flight refresh.
pub struct SellerTokens {
    lwa: LwaClient,
    refresh_token: SecretString,
}

impl SellerTokens {
    /// Tokens for the seller whose refresh token is `refresh_token`.
    pub fn new(lwa: LwaClient, refresh_token: SecretString) -> Self {
        SellerTokens { lwa, refresh_token }
    }
}

impl Refresh for SellerTokens {
    fn refresh(&self) -> BoxFuture<'_, std::result::Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let tokens = self
                .lwa
                .refresh(&self.refresh_token)
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            Ok(AccessToken {
                secret: tokens.access_token,
                expires_in: Some(Duration::from_secs(tokens.expires_in)),
            })
        })
    }
}

/// Grantless access tokens for one scope.
pub struct GrantlessTokens {
    lwa: LwaClient,
    scope: GrantlessScope,
}

impl GrantlessTokens {
    /// Tokens for `scope`.
    pub fn new(lwa: LwaClient, scope: GrantlessScope) -> Self {
        GrantlessTokens { lwa, scope }
    }
}

impl Refresh for GrantlessTokens {
    fn refresh(&self) -> BoxFuture<'_, std::result::Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let tokens = self
                .lwa
                .grantless(self.scope)
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            Ok(AccessToken {
                secret: tokens.access_token,
                expires_in: Some(Duration::from_secs(tokens.expires_in)),
            })
        })
    }
}
