//! The URL that sends a user to TrueLayer to grant access, with PKCE and `state`.

use oauth2::{CsrfToken, PkceCodeChallenge};
use secrecy::SecretString;
use url::Url;

use crate::models::Scope;
use crate::{Error, Result};

/// How TrueLayer returns the code to your redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    /// `?code=...&state=...` on a GET (the default).
    #[default]
    Query,
    /// A form POST to your redirect URI (`response_mode=form_post`).
    FormPost,
}

/// Builds the user's authorisation URL. Start it with
/// [`AuthClient::authorization_url`](crate::AuthClient::authorization_url).
#[derive(Debug, Clone)]
pub struct AuthorizationUrlBuilder {
    base: Url,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<Scope>,
    providers: Vec<String>,
    state: Option<String>,
    pkce: bool,
    response_mode: ResponseMode,
    provider_id: Option<String>,
}

impl AuthorizationUrlBuilder {
    pub(crate) fn new(base: Url, client_id: String, redirect_uri: String) -> Self {
        AuthorizationUrlBuilder {
            base,
            client_id,
            redirect_uri,
            scopes: vec![
                Scope::Info,
                Scope::Accounts,
                Scope::Balance,
                Scope::Cards,
                Scope::Transactions,
                Scope::OfflineAccess,
            ],
            providers: vec!["uk-ob-all".into(), "uk-oauth-all".into()],
            state: None,
            pkce: true,
            response_mode: ResponseMode::Query,
            provider_id: None,
        }
    }

    /// The scopes to ask for (default: info, accounts, balance, cards, transactions, offline_access).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes = scopes.into_iter().collect();
        self
    }

    /// Which providers the user may pick from (`uk-ob-all`, `uk-oauth-all`, `mock`, ...).
    pub fn providers<S: Into<String>>(mut self, providers: impl IntoIterator<Item = S>) -> Self {
        self.providers = providers.into_iter().map(Into::into).collect();
        self
    }

    /// Skips the bank picker and goes straight to this provider.
    pub fn provider_id(mut self, provider_id: impl Into<String>) -> Self {
        self.provider_id = Some(provider_id.into());
        self
    }

    /// Uses your own `state` instead of a random one.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Leaves PKCE out (on by default; only turn it off for clients that cannot keep the verifier).
    pub fn without_pkce(mut self) -> Self {
        self.pkce = false;
        self
    }

    /// How the code comes back.
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        self.response_mode = mode;
        self
    }

    /// Builds the URL, the `state` to check on return, and the PKCE verifier to keep.
    pub fn build(self) -> AuthorizationRequest {
        let state = self
            .state
            .unwrap_or_else(|| CsrfToken::new_random().secret().clone());
        let mut url = self.base;
        let mut verifier = None;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair(
                    "scope",
                    &self
                        .scopes
                        .iter()
                        .map(Scope::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                )
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("providers", &self.providers.join(" "))
                .append_pair("state", &state);
            if let Some(provider) = &self.provider_id {
                q.append_pair("provider_id", provider);
            }
            if self.pkce {
                let (challenge, secret) = PkceCodeChallenge::new_random_sha256();
                q.append_pair("code_challenge", challenge.as_str())
                    .append_pair("code_challenge_method", challenge.method().as_str());
                verifier = Some(SecretString::from(secret.secret().clone()));
            }
            if self.response_mode == ResponseMode::FormPost {
                q.append_pair("response_mode", "form_post");
            }
        }
        AuthorizationRequest {
            url,
            state,
            code_verifier: verifier,
        }
    }
}

/// A built authorisation URL and what to keep until the user comes back.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// Where to send the user.
    pub url: Url,
    /// The `state` sent; the redirect must bring back the same.
    pub state: String,
    /// The PKCE verifier to send with the code exchange.
    pub code_verifier: Option<SecretString>,
}

impl AuthorizationRequest {
    /// Checks the `state` the redirect brought back (constant time) and hands
    /// out the PKCE verifier for [`AuthClient::exchange_code`](crate::AuthClient::exchange_code).
    ///
    /// ```
    /// use truelayer_client::{AuthClient, ClientCredentials, Environment};
    /// let auth = AuthClient::new(Environment::Sandbox, ClientCredentials::new("id", "secret")).unwrap();
    /// let request = auth.authorization_url("https://example.com/cb").build();
    /// let state = request.state.clone();
    /// assert!(request.verify_callback("forged").is_err());
    /// # let request = auth.authorization_url("https://example.com/cb").state("s").build();
    /// # assert!(request.verify_callback("s").is_ok());
    /// ```
    pub fn verify_callback(&self, returned_state: &str) -> Result<Option<SecretString>> {
        let sent = self.state.as_bytes();
        let got = returned_state.as_bytes();
        let same = sent.len() == got.len()
            && sent.iter().zip(got).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok(self.code_verifier.clone())
        } else {
            Err(Error::StateMismatch)
        }
    }
}
