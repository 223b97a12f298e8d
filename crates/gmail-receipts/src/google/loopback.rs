//! The installed-app consent on a loopback redirect: listen on
//! `127.0.0.1`, let the browser come back with `code` and `state`, check the
//! state, exchange the code.

use std::time::Duration;

use spend_http::loopback::{Callback, LoopbackError, LoopbackRedirect};
use url::Url;

use super::{GoogleOAuth, GoogleTokens, OAuthError};

fn oauth_error(e: LoopbackError) -> OAuthError {
    match e {
        LoopbackError::Timeout(secs) => OAuthError::Declined {
            error: format!("no answer within {secs} s"),
        },
        other => OAuthError::Config(other.to_string()),
    }
}

impl GoogleOAuth {
    /// Runs the whole consent for an installed app: listens on the
    /// loopback redirect (`http://127.0.0.1:PORT/`; port 0 picks a free
    /// one), hands the consent URL to `open` (open a browser, or print it),
    /// waits up to `timeout` for Google to send the browser back, checks
    /// `state`, and exchanges the code with its PKCE verifier.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), gmail_receipts::google::OAuthError> {
    /// use std::time::Duration;
    /// use gmail_receipts::google::GoogleOAuth;
    ///
    /// let oauth = GoogleOAuth::builder("1234.apps.googleusercontent.com", "http://127.0.0.1:0/")
    ///     .client_secret("GOCSPX-...")
    ///     .build()?;
    /// let tokens = oauth
    ///     .authorize_on_loopback(Duration::from_secs(300), |url| println!("Open {url} to grant access"))
    ///     .await?;
    /// let refresh_token = tokens.refresh_token.expect("offline access gives one");
    /// # Ok(()) }
    /// ```
    pub async fn authorize_on_loopback(
        &self,
        timeout: Duration,
        open: impl FnOnce(&Url),
    ) -> Result<GoogleTokens, OAuthError> {
        let redirect = Url::parse(self.redirect_uri()).map_err(|e| {
            OAuthError::Config(format!("redirect URI {}: {e}", self.redirect_uri()))
        })?;
        let listener = LoopbackRedirect::bind(&redirect)
            .await
            .map_err(oauth_error)?;
        // The consent URL and the code exchange must name the same redirect.
        let oauth = self.with_redirect_uri(listener.uri().to_string());
        let request = oauth.authorization_url();
        open(&request.url);
        let (browser, callback) = listener.wait(timeout).await.map_err(oauth_error)?;
        let (code, state) = match callback {
            Callback::Code { code, state } => (code, state),
            Callback::Declined { error } => {
                browser.answer(false).await;
                return Err(OAuthError::Declined { error });
            }
        };
        let verifier = match request.verify_callback(&state) {
            Ok(verifier) => verifier,
            Err(e) => {
                browser.answer(false).await;
                return Err(e);
            }
        };
        let tokens = oauth.exchange_code(&code, &verifier).await;
        browser.answer(tokens.is_ok()).await;
        tokens
    }
}
