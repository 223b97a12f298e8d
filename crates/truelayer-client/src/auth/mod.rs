//! The TrueLayer auth server: the user's authorisation URL, token grants,
//! auth links, providers, credential deletion and debug ids.

mod authorize;
mod token_store;
mod user_tokens;

pub use authorize::{AuthorizationRequest, AuthorizationUrlBuilder, ResponseMode};
pub use token_store::{MemoryTokenStore, TokenStore};
pub use user_tokens::UserTokens;

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use spend_http::{AuthScheme, HttpClient, Operation, RetryPolicy, StaticToken};
use url::Url;

use crate::models::{
    AuthLink, DebugId, DirectBankAuthLinkRequest, Provider, ReauthLinkRequest, Scope, TokenResponse,
};
use crate::{Environment, Result};

/// Your application's credentials from TrueLayer Console.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
}

impl ClientCredentials {
    /// Credentials from `client_id` and `client_secret`.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// Reads `TRUELAYER_CLIENT_ID` and `TRUELAYER_CLIENT_SECRET`; `None` if either is missing.
    pub fn from_env() -> Option<Self> {
        let id = std::env::var("TRUELAYER_CLIENT_ID").ok()?;
        let secret = std::env::var("TRUELAYER_CLIENT_SECRET").ok()?;
        Some(ClientCredentials::new(id, secret))
    }
}

pub(crate) fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

pub(crate) fn expose_option<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

#[derive(Serialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
enum Grant<'a> {
    AuthorizationCode {
        client_id: &'a str,
        #[serde(serialize_with = "expose")]
        client_secret: &'a SecretString,
        code: &'a str,
        redirect_uri: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        code_verifier: Option<&'a str>,
    },
    RefreshToken {
        client_id: &'a str,
        #[serde(serialize_with = "expose")]
        client_secret: &'a SecretString,
        #[serde(serialize_with = "expose")]
        refresh_token: &'a SecretString,
    },
    ClientCredentials {
        client_id: &'a str,
        #[serde(serialize_with = "expose")]
        client_secret: &'a SecretString,
        scope: &'a str,
    },
}

/// A client of TrueLayer's auth server.
///
/// ```no_run
/// # async fn run() -> truelayer_client::Result<()> {
/// use truelayer_client::{AuthClient, ClientCredentials, Environment};
/// use truelayer_client::models::Scope;
///
/// let auth = AuthClient::new(Environment::Sandbox, ClientCredentials::new("sandbox-abc", "secret"))?;
/// let request = auth
///     .authorization_url("https://example.com/callback")
///     .scopes([Scope::Info, Scope::Accounts, Scope::Balance, Scope::Transactions, Scope::OfflineAccess])
///     .providers(["uk-ob-all", "uk-oauth-all"])
///     .build();
/// println!("open {}", request.url);
/// // ... the user comes back to your redirect with `code` and `state` ...
/// # let (code, state) = ("c", "s");
/// let verifier = request.verify_callback(state)?;
/// let tokens = auth.exchange_code(code, "https://example.com/callback", verifier).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AuthClient {
    http: HttpClient,
    base: Url,
    credentials: ClientCredentials,
}

impl AuthClient {
    /// A client for `environment`'s auth server.
    pub fn new(environment: Environment, credentials: ClientCredentials) -> Result<Self> {
        let http = HttpClient::builder()
            .user_agent(crate::USER_AGENT)
            // Grants are POSTs, which the retry layer never replays: a replayed
            // refresh could burn a rotated refresh token whose answer was lost.
            .retry(RetryPolicy::default())
            .build()?;
        Ok(Self::with_http(environment, credentials, http))
    }

    /// A client over your own [`HttpClient`].
    pub fn with_http(
        environment: Environment,
        credentials: ClientCredentials,
        http: HttpClient,
    ) -> Self {
        AuthClient {
            http,
            base: environment.auth_url(),
            credentials,
        }
    }

    /// Your client id.
    pub fn client_id(&self) -> &str {
        &self.credentials.client_id
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("a relative path joins")
    }

    /// Starts the URL that sends the user to authorise access (PKCE S256 and `state` included).
    pub fn authorization_url(&self, redirect_uri: impl Into<String>) -> AuthorizationUrlBuilder {
        AuthorizationUrlBuilder::new(
            self.base.clone(),
            self.credentials.client_id.clone(),
            redirect_uri.into(),
        )
    }

    async fn grant(&self, grant: Grant<'_>) -> Result<TokenResponse> {
        let request = self.http.post(self.url("connect/token")).json(&grant);
        Ok(self
            .http
            .send_json(Operation::new("GenerateAccessToken"), request)
            .await?)
    }

    /// Exchanges the code from the redirect for tokens. Pass the PKCE verifier
    /// when the URL carried a challenge.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<SecretString>,
    ) -> Result<TokenResponse> {
        let verifier = code_verifier.as_ref().map(|v| v.expose_secret());
        self.grant(Grant::AuthorizationCode {
            client_id: &self.credentials.client_id,
            client_secret: &self.credentials.client_secret,
            code,
            redirect_uri,
            code_verifier: verifier,
        })
        .await
    }

    /// Trades a refresh token for a new access token and a new refresh token
    /// (the old one stops working: store the new one before anything else).
    /// `invalid_grant` comes back as [`Error::ReauthorisationNeeded`](crate::Error::ReauthorisationNeeded).
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenResponse> {
        self.grant(Grant::RefreshToken {
            client_id: &self.credentials.client_id,
            client_secret: &self.credentials.client_secret,
            refresh_token,
        })
        .await
    }

    /// A token for your client itself (`client_credentials`), for APIs that take one.
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<TokenResponse> {
        let scope = scopes.join(" ");
        self.grant(Grant::ClientCredentials {
            client_id: &self.credentials.client_id,
            client_secret: &self.credentials.client_secret,
            scope: &scope,
        })
        .await
    }

    /// A direct link to one bank's authorisation (`POST /v1/authuri`).
    /// `client_id` and `response_type` are filled in when left empty.
    pub async fn auth_link(&self, mut request: DirectBankAuthLinkRequest) -> Result<AuthLink> {
        if request.client_id.is_empty() {
            request.client_id = self.credentials.client_id.clone();
        }
        if request.response_type.is_empty() {
            request.response_type = "code".into();
        }
        let http = self.http.post(self.url("v1/authuri")).json(&request);
        Ok(self
            .http
            .send_json(Operation::new("GenerateDirectBankAuthLink"), http)
            .await?)
    }

    /// A link for the user to re-authenticate an expiring or expired connection (`POST /v1/reauthuri`).
    pub async fn reauth_link(&self, request: ReauthLinkRequest) -> Result<AuthLink> {
        let http = self.http.post(self.url("v1/reauthuri")).json(&request);
        Ok(self
            .http
            .send_json(Operation::new("GenerateReauthLink"), http)
            .await?)
    }

    /// Lists providers (`GET /api/providers`). Filter with [`ProvidersQuery`].
    pub fn providers(&self) -> ProvidersQuery<'_> {
        ProvidersQuery {
            client: self,
            only_mine: false,
            scopes: Vec::new(),
            countries: Vec::new(),
        }
    }

    /// Deletes the connection behind `access_token` (`DELETE /api/delete`):
    /// its tokens stop working.
    pub async fn delete_credential(&self, access_token: &SecretString) -> Result<()> {
        self.with_token(access_token)?
            .send(
                Operation::new("DeleteCredential"),
                self.http.request(Method::DELETE, self.url("api/delete")),
            )
            .await?;
        Ok(())
    }

    /// Creates a debug id for a failing connection (`POST /api/debug`).
    pub async fn debug_id(&self, access_token: &SecretString) -> Result<DebugId> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(serialize_with = "expose")]
            access_token: &'a SecretString,
        }
        let http = self
            .http
            .post(self.url("api/debug"))
            .json(&Body { access_token });
        Ok(self
            .http
            .send_json(Operation::new("GenerateDebugId"), http)
            .await?)
    }

    /// Deletes the debug id of the connection behind `access_token` (`DELETE /api/debug`).
    pub async fn delete_debug_id(&self, access_token: &SecretString) -> Result<DebugId> {
        let http = self.http.request(Method::DELETE, self.url("api/debug"));
        Ok(self
            .with_token(access_token)?
            .send_json(Operation::new("DeleteDebugId"), http)
            .await?)
    }

    fn with_token(&self, access_token: &SecretString) -> Result<HttpClient> {
        Ok(HttpClient::builder()
            .user_agent(crate::USER_AGENT)
            .auth(
                Arc::new(StaticToken::new(access_token.expose_secret())),
                AuthScheme::Bearer,
            )
            .build()?)
    }
}

/// Filters for [`AuthClient::providers`].
#[derive(Debug)]
pub struct ProvidersQuery<'a> {
    client: &'a AuthClient,
    only_mine: bool,
    scopes: Vec<Scope>,
    countries: Vec<String>,
}

impl ProvidersQuery<'_> {
    /// Only providers enabled for your client id.
    pub fn enabled_for_my_client(mut self) -> Self {
        self.only_mine = true;
        self
    }

    /// Only providers with all these scopes.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    /// Only providers in these countries (`uk`, `fr`, ...).
    pub fn countries<S: Into<String>>(mut self, countries: impl IntoIterator<Item = S>) -> Self {
        self.countries.extend(countries.into_iter().map(Into::into));
        self
    }

    /// Sends the query.
    pub async fn send(self) -> Result<Vec<Provider>> {
        let mut query: Vec<(&str, String)> = Vec::new();
        if self.only_mine {
            query.push(("clientId", self.client.credentials.client_id.clone()));
        }
        if !self.scopes.is_empty() {
            query.push((
                "scopes",
                self.scopes
                    .iter()
                    .map(Scope::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ));
        }
        if !self.countries.is_empty() {
            query.push(("country", self.countries.join(" ")));
        }
        let http = self
            .client
            .http
            .get(self.client.url("api/providers"))
            .query(&query);
        Ok(self
            .client
            .http
            .send_json(Operation::new("GetProviders"), http)
            .await?)
    }
}
