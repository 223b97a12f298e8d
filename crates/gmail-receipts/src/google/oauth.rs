//! Google OAuth 2.0 for installed apps: the consent URL (PKCE S256, `state`,
//! offline access), code exchange, refresh and revocation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use oauth2::{CsrfToken, PkceCodeChallenge};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use spend_http::{AccessToken, BoxError, HttpClient, Operation, Refresh, RetryPolicy};
use url::Url;

/// The read-only Gmail scope: list and read messages, nothing else.
pub const GMAIL_READONLY: &str = "https://www.googleapis.com/auth/gmail.readonly";

/// Where Google's OAuth endpoints are (override for a simulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleEndpoints {
    /// The consent page.
    pub authorize: Url,
    /// The token endpoint.
    pub token: Url,
    /// The revocation endpoint.
    pub revoke: Url,
}

impl Default for GoogleEndpoints {
    fn default() -> Self {
        GoogleEndpoints::at(
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            "https://oauth2.googleapis.com/revoke",
        )
        .expect("Google's endpoints are valid URLs")
    }
}

impl GoogleEndpoints {
    /// Endpoints at the given URLs.
    pub fn at(authorize: &str, token: &str, revoke: &str) -> Result<Self, OAuthError> {
        let parse = |u: &str| Url::parse(u).map_err(|e| OAuthError::Config(format!("{u}: {e}")));
        Ok(GoogleEndpoints {
            authorize: parse(authorize)?,
            token: parse(token)?,
            revoke: parse(revoke)?,
        })
    }
}

/// Why an OAuth step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// Google no longer accepts the refresh token (or the code): the user must
    /// consent again. Apps whose OAuth consent screen is in "Testing" lose
    /// their refresh tokens after 7 days; publish the app to keep them.
    #[error(
        "Google refused the grant ({description}): the user must authorise again. \
         If the app's OAuth consent screen is in Testing, Google expires refresh tokens after 7 days; \
         publish the app (or re-consent weekly)"
    )]
    InvalidGrant {
        /// Google's `error_description`.
        description: String,
    },
    /// Google answered with another OAuth error.
    #[error("Google OAuth error {error} (HTTP {status}): {description}")]
    Provider {
        /// HTTP status.
        status: u16,
        /// Google's `error` code (`invalid_client`, `invalid_request`, ...).
        error: String,
        /// Google's `error_description`.
        description: String,
    },
    /// The user did not grant access (Google's `error`, such as
    /// `access_denied`), or no answer came in time.
    #[error("consent was not given: {error}")]
    Declined {
        /// Google's `error`, or what happened instead.
        error: String,
    },
    /// The `state` returned to the redirect is not the one sent.
    #[error("the state returned to the redirect does not match the one sent (possible CSRF)")]
    StateMismatch,
    /// The configuration is unusable.
    #[error("OAuth configuration: {0}")]
    Config(String),
    /// The request did not complete.
    #[error(transparent)]
    Http(#[from] spend_http::Error),
}

/// Tokens from a code exchange or a refresh.
#[derive(Debug, Clone)]
pub struct GoogleTokens {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token: given on the first consent with `access_type=offline`
    /// (and `prompt=consent`), usually absent on a refresh.
    pub refresh_token: Option<SecretString>,
    /// How long the access token lives.
    pub expires_in: Option<Duration>,
    /// The scopes granted, space separated.
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// A Google OAuth client for an installed (desktop) app.
///
/// ```no_run
/// # async fn run() -> Result<(), gmail_receipts::google::OAuthError> {
/// use gmail_receipts::google::GoogleOAuth;
///
/// let oauth = GoogleOAuth::builder("1234.apps.googleusercontent.com", "http://127.0.0.1:8765/")
///     .client_secret("GOCSPX-...")
///     .build()?;
/// let request = oauth.authorization_url();
/// println!("open {}", request.url);
/// // ... the browser comes back to the redirect with `code` and `state` ...
/// # let (code, state) = ("c", "s");
/// let verifier = request.verify_callback(state)?;
/// let tokens = oauth.exchange_code(code, &verifier).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct GoogleOAuth {
    http: HttpClient,
    client_id: String,
    client_secret: Option<SecretString>,
    redirect_uri: String,
    endpoints: GoogleEndpoints,
    scopes: Vec<String>,
}

/// Builds a [`GoogleOAuth`].
#[derive(Debug)]
pub struct GoogleOAuthBuilder {
    client_id: String,
    client_secret: Option<SecretString>,
    redirect_uri: String,
    endpoints: GoogleEndpoints,
    scopes: Vec<String>,
    http: Option<HttpClient>,
}

impl GoogleOAuthBuilder {
    /// The client secret (desktop clients have one; Google does not treat it as secret).
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Other endpoints (a simulator).
    pub fn endpoints(mut self, endpoints: GoogleEndpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// The scopes to ask for (default: [`GMAIL_READONLY`]).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Uses this HTTP client (shares its connection pool and layers).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<GoogleOAuth, OAuthError> {
        if self.client_id.trim().is_empty() {
            return Err(OAuthError::Config("the client id is empty".into()));
        }
        let http = match self.http {
            Some(http) => http,
            None => HttpClient::builder()
                .retry(RetryPolicy::default().max_attempts(3))
                .build()?,
        };
        Ok(GoogleOAuth {
            http,
            client_id: self.client_id,
            client_secret: self.client_secret,
            redirect_uri: self.redirect_uri,
            endpoints: self.endpoints,
            scopes: self.scopes,
        })
    }
}

/// A consent URL and what to keep until the browser comes back.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// Where to send the user.
    pub url: Url,
    /// The `state` sent.
    pub state: String,
    code_verifier: SecretString,
}

/// The PKCE verifier to send with the code exchange.
#[derive(Debug, Clone)]
pub struct PkceVerifier(SecretString);

impl AuthorizationRequest {
    /// Checks the returned `state` (in constant time) and hands out the PKCE verifier.
    ///
    /// ```
    /// use gmail_receipts::google::GoogleOAuth;
    /// let oauth = GoogleOAuth::builder("id.apps.googleusercontent.com", "http://127.0.0.1:8765/").build().unwrap();
    /// let request = oauth.authorization_url();
    /// assert!(request.verify_callback("forged").is_err());
    /// let state = request.state.clone();
    /// assert!(request.verify_callback(&state).is_ok());
    /// ```
    pub fn verify_callback(&self, returned_state: &str) -> Result<PkceVerifier, OAuthError> {
        let (sent, got) = (self.state.as_bytes(), returned_state.as_bytes());
        let same = sent.len() == got.len()
            && sent.iter().zip(got).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok(PkceVerifier(self.code_verifier.clone()))
        } else {
            Err(OAuthError::StateMismatch)
        }
    }
}

impl GoogleOAuth {
    /// Starts building a client for `client_id` redirecting to `redirect_uri` (a
    /// loopback address for desktop apps).
    pub fn builder(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> GoogleOAuthBuilder {
        GoogleOAuthBuilder {
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            endpoints: GoogleEndpoints::default(),
            scopes: vec![GMAIL_READONLY.to_owned()],
            http: None,
        }
    }

    /// The consent URL: `response_type=code`, the scopes, `access_type=offline`
    /// and `prompt=consent` (so a refresh token is issued every time), a random
    /// `state` and a PKCE S256 challenge.
    ///
    /// ```
    /// use gmail_receipts::google::GoogleOAuth;
    /// let oauth = GoogleOAuth::builder("id.apps.googleusercontent.com", "http://127.0.0.1:8765/").build().unwrap();
    /// let url = oauth.authorization_url().url;
    /// let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    /// assert_eq!(q["scope"], "https://www.googleapis.com/auth/gmail.readonly");
    /// assert_eq!(q["access_type"], "offline");
    /// assert_eq!(q["prompt"], "consent");
    /// assert_eq!(q["code_challenge_method"], "S256");
    /// ```
    pub fn authorization_url(&self) -> AuthorizationRequest {
        let state = CsrfToken::new_random().secret().clone();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut url = self.endpoints.authorize.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.scopes.join(" "))
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent")
            .append_pair("include_granted_scopes", "true")
            .append_pair("state", &state)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", challenge.method().as_str());
        AuthorizationRequest {
            url,
            state,
            code_verifier: SecretString::from(verifier.secret().clone()),
        }
    }

    /// The redirect URI the consent comes back to.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The same client with another redirect URI (the port a loopback
    /// listener was given).
    pub(super) fn with_redirect_uri(&self, redirect_uri: String) -> Self {
        GoogleOAuth {
            redirect_uri,
            ..self.clone()
        }
    }

    fn credentials(&self) -> Vec<(&'static str, String)> {
        let mut form = vec![("client_id", self.client_id.clone())];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose_secret().to_owned()));
        }
        form
    }

    async fn token_request(
        &self,
        operation: &'static str,
        form: Vec<(&'static str, String)>,
    ) -> Result<GoogleTokens, OAuthError> {
        let request = self.http.post(self.endpoints.token.clone()).form(&form);
        // A token grant is not repeated: a code is single use.
        let response = self
            .http
            .execute(Operation::new(operation).idempotent(false), request)
            .await?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| OAuthError::Http(spend_http::Error::transport(e)))?;
        if !status.is_success() {
            return Err(provider_error(status.as_u16(), &bytes));
        }
        let body: TokenBody = spend_http::decode_json(&bytes)?;
        Ok(GoogleTokens {
            access_token: SecretString::from(body.access_token),
            refresh_token: body.refresh_token.map(SecretString::from),
            expires_in: body.expires_in.map(Duration::from_secs),
            scope: body.scope,
        })
    }

    /// Exchanges the code the redirect brought back.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &PkceVerifier,
    ) -> Result<GoogleTokens, OAuthError> {
        let mut form = self.credentials();
        form.extend([
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("code_verifier", verifier.0.expose_secret().to_owned()),
        ]);
        self.token_request("oauth.token.authorization_code", form)
            .await
    }

    /// A new access token from a refresh token. An expired or revoked refresh
    /// token is [`OAuthError::InvalidGrant`].
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<GoogleTokens, OAuthError> {
        let mut form = self.credentials();
        form.extend([
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose_secret().to_owned()),
        ]);
        self.token_request("oauth.token.refresh_token", form).await
    }

    /// Revokes a token (access or refresh; revoking a refresh token ends the grant).
    pub async fn revoke(&self, token: &SecretString) -> Result<(), OAuthError> {
        let request = self
            .http
            .post(self.endpoints.revoke.clone())
            .form(&[("token", token.expose_secret())]);
        let response = self
            .http
            .execute(Operation::new("oauth.revoke"), request)
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let bytes = response.bytes().await.unwrap_or_default();
        Err(provider_error(status.as_u16(), &bytes))
    }
}

fn provider_error(status: u16, body: &[u8]) -> OAuthError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if e.error == "invalid_grant" => OAuthError::InvalidGrant {
            description: e
                .error_description
                .unwrap_or_else(|| "invalid_grant".into()),
        },
        Ok(e) => OAuthError::Provider {
            status,
            error: e.error,
            description: e.error_description.unwrap_or_default(),
        },
        Err(_) => OAuthError::Provider {
            status,
            error: "unknown".into(),
            description: String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned(),
        },
    }
}

/// Keeps a user's refresh token and mints access tokens from it: put it in a
/// [`spend_http::CachedTokenSource`] to give the Gmail client single-flight,
/// before-expiry refreshes.
///
/// ```
/// use gmail_receipts::google::{GoogleOAuth, UserTokens};
/// use spend_http::CachedTokenSource;
/// let oauth = GoogleOAuth::builder("id.apps.googleusercontent.com", "http://127.0.0.1:8765/").build().unwrap();
/// let source = CachedTokenSource::new(UserTokens::new(oauth, "1//refresh".to_string().into()));
/// # let _ = source;
/// ```
#[derive(Debug, Clone)]
pub struct UserTokens {
    oauth: GoogleOAuth,
    refresh_token: Arc<Mutex<SecretString>>,
}

impl UserTokens {
    /// Tokens for the user who granted `refresh_token`.
    pub fn new(oauth: GoogleOAuth, refresh_token: SecretString) -> Self {
        UserTokens {
            oauth,
            refresh_token: Arc::new(Mutex::new(refresh_token)),
        }
    }

    /// The current refresh token (Google may hand out a new one on refresh).
    pub fn refresh_token(&self) -> SecretString {
        self.refresh_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Refresh for UserTokens {
    fn refresh(&self) -> BoxFuture<'_, Result<AccessToken, BoxError>> {
        Box::pin(async move {
            let current = self.refresh_token();
            let tokens = self.oauth.refresh(&current).await?;
            if let Some(new) = tokens.refresh_token {
                *self.refresh_token.lock().unwrap_or_else(|e| e.into_inner()) = new;
            }
            Ok(AccessToken {
                secret: tokens.access_token,
                expires_in: tokens.expires_in,
            })
        })
    }
}
