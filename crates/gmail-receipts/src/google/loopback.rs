//! The installed-app consent on a loopback redirect: listen on
//! `127.0.0.1`, let the browser come back with `code` and `state`, check the
//! state, exchange the code.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::{GoogleOAuth, GoogleTokens, OAuthError};

/// What the browser brought back to the redirect.
enum Callback {
    Code { code: String, state: String },
    Declined { error: String },
}

const PAGE_OK: &str =
    "<html><body><h1>spend is authorised</h1><p>You can close this window.</p></body></html>";
const PAGE_DECLINED: &str = "<html><body><h1>Authorisation was not given</h1><p>You can close this window.</p></body></html>";

async fn answer(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already have gone; the outcome stands either way.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request's head and returns its target, if it is a GET.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 || head.len() > 16 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head).lines().next()?.to_owned();
    let mut words = line.split_whitespace();
    (words.next()? == "GET").then(|| words.next().map(str::to_owned))?
}

/// Waits for the redirect to `path`; other requests (a favicon) get a 404.
async fn callback(listener: &TcpListener, path: &str) -> Result<(TcpStream, Callback), OAuthError> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| {
            OAuthError::Config(format!("the loopback redirect listener failed: {e}"))
        })?;
        let Some(target) = request_target(&mut stream).await else {
            continue;
        };
        let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
            answer(&mut stream, "400 Bad Request", "").await;
            continue;
        };
        let get = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let found = match (get("code"), get("state"), get("error")) {
            _ if url.path() != path => None,
            (_, _, Some(error)) => Some(Callback::Declined { error }),
            (Some(code), Some(state), None) => Some(Callback::Code { code, state }),
            _ => None,
        };
        match found {
            Some(callback) => return Ok((stream, callback)),
            None => answer(&mut stream, "404 Not Found", "").await,
        }
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
        let host = match redirect.host_str() {
            Some(h @ ("127.0.0.1" | "localhost" | "[::1]")) => {
                h.trim_matches(|c| c == '[' || c == ']')
            }
            _ => {
                return Err(OAuthError::Config(format!(
                    "a loopback consent needs a redirect URI on 127.0.0.1, localhost or [::1], not {redirect}"
                )));
            }
        };
        let listener = TcpListener::bind((host, redirect.port().unwrap_or(80)))
            .await
            .map_err(|e| OAuthError::Config(format!("cannot listen on {redirect}: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Config(e.to_string()))?
            .port();
        let mut bound = redirect.clone();
        bound
            .set_port(Some(port))
            .map_err(|()| OAuthError::Config(format!("cannot set a port on {redirect}")))?;
        // The consent URL and the code exchange must name the same redirect.
        let oauth = self.with_redirect_uri(bound.to_string());
        let request = oauth.authorization_url();
        open(&request.url);

        let (mut browser, callback) =
            tokio::time::timeout(timeout, callback(&listener, bound.path()))
                .await
                .map_err(|_| OAuthError::Declined {
                    error: format!("no answer within {} s", timeout.as_secs()),
                })??;
        let (code, state) = match callback {
            Callback::Code { code, state } => (code, state),
            Callback::Declined { error } => {
                answer(&mut browser, "200 OK", PAGE_DECLINED).await;
                return Err(OAuthError::Declined { error });
            }
        };
        let verifier = match request.verify_callback(&state) {
            Ok(verifier) => verifier,
            Err(e) => {
                answer(&mut browser, "400 Bad Request", PAGE_DECLINED).await;
                return Err(e);
            }
        };
        let tokens = oauth.exchange_code(&code, &verifier).await;
        let page = if tokens.is_ok() {
            PAGE_OK
        } else {
            PAGE_DECLINED
        };
        answer(&mut browser, "200 OK", page).await;
        tokens
    }
}
