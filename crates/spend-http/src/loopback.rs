//! The redirect of an installed app's OAuth consent (feature `loopback`):
//! listen on `127.0.0.1`, let the browser come back with `code` and `state`
//! (or `error`), and show the person a page that says how it went. Checking
//! `state` and exchanging the code are the provider client's job.
//!
//! ```no_run
//! # async fn run() -> Result<(), spend_http::loopback::LoopbackError> {
//! use std::time::Duration;
//! use spend_http::loopback::{Callback, LoopbackRedirect};
//! let redirect = LoopbackRedirect::bind(&"http://127.0.0.1:0/callback".parse().unwrap()).await?;
//! println!("redirect_uri={}", redirect.uri());
//! let (browser, callback) = redirect.wait(Duration::from_secs(300)).await?;
//! if let Callback::Code { code, state } = callback {
//!     // check state, exchange the code...
//!     browser.answer(true).await;
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// What the browser brought back to the redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// Consent given: the code to exchange and the state to check.
    Code {
        /// The authorisation code.
        code: String,
        /// The `state` sent back.
        state: String,
    },
    /// Consent refused (`error=access_denied`) or failed.
    Declined {
        /// The provider's `error`.
        error: String,
    },
}

/// Why no callback came.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The redirect URI is not on a loopback address.
    #[error("a loopback consent needs a redirect URI on 127.0.0.1, localhost or [::1], not {0}")]
    NotLoopback(String),
    /// The port could not be bound or the listener failed.
    #[error("the loopback redirect {uri}: {source}")]
    Io {
        /// The redirect.
        uri: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The person did not come back in time.
    #[error("no answer on the redirect within {0} s")]
    Timeout(u64),
}

const PAGE_OK: &str =
    "<html><body><h1>spend is authorised</h1><p>You can close this window.</p></body></html>";
const PAGE_DECLINED: &str = "<html><body><h1>Authorisation was not given</h1><p>You can close this window.</p></body></html>";

/// The browser, held open until it is told how the consent went.
#[derive(Debug)]
pub struct Browser(TcpStream);

impl Browser {
    /// Shows the person whether spend is now authorised, and closes.
    pub async fn answer(mut self, authorised: bool) {
        let (status, body) = if authorised {
            ("200 OK", PAGE_OK)
        } else {
            ("200 OK", PAGE_DECLINED)
        };
        respond(&mut self.0, status, body).await;
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
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

/// A listening loopback redirect.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    uri: Url,
}

impl LoopbackRedirect {
    /// Listens where `redirect` says (port 0: a free port, which [`uri`](Self::uri) then names).
    pub async fn bind(redirect: &Url) -> Result<LoopbackRedirect, LoopbackError> {
        let host = match redirect.host_str() {
            Some(h @ ("127.0.0.1" | "localhost" | "[::1]")) => {
                h.trim_matches(|c| c == '[' || c == ']').to_owned()
            }
            _ => return Err(LoopbackError::NotLoopback(redirect.to_string())),
        };
        let io = |source| LoopbackError::Io {
            uri: redirect.to_string(),
            source,
        };
        let listener = TcpListener::bind((host.as_str(), redirect.port().unwrap_or(80)))
            .await
            .map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        let mut uri = redirect.clone();
        uri.set_port(Some(port))
            .map_err(|()| LoopbackError::NotLoopback(redirect.to_string()))?;
        Ok(LoopbackRedirect { listener, uri })
    }

    /// The redirect URI to give the provider (with the bound port).
    pub fn uri(&self) -> &Url {
        &self.uri
    }

    /// Waits up to `timeout` for the browser to come back to the redirect's
    /// path; other requests (a favicon) get a 404.
    pub async fn wait(&self, timeout: Duration) -> Result<(Browser, Callback), LoopbackError> {
        tokio::time::timeout(timeout, self.accept())
            .await
            .map_err(|_| LoopbackError::Timeout(timeout.as_secs()))?
    }

    async fn accept(&self) -> Result<(Browser, Callback), LoopbackError> {
        let path = self.uri.path();
        loop {
            let (mut stream, _) =
                self.listener
                    .accept()
                    .await
                    .map_err(|source| LoopbackError::Io {
                        uri: self.uri.to_string(),
                        source,
                    })?;
            let Some(target) = request_target(&mut stream).await else {
                continue;
            };
            let Ok(url) = Url::parse(&format!("http://127.0.0.1{target}")) else {
                respond(&mut stream, "400 Bad Request", "").await;
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
                Some(callback) => return Ok((Browser(stream), callback)),
                None => respond(&mut stream, "404 Not Found", "").await,
            }
        }
    }
}
