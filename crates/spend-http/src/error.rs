//! The one error type of the HTTP stack.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A boxed error from code that plugs into the stack (a token refresher, a store).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Bodies kept in an [`ApiError`] are cut to this many bytes so a huge HTML
/// error page cannot blow up memory or logs.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// Everything that can go wrong while sending a request through the stack.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with a non-success status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The retry policy gave up: the attempts or the time budget ran out.
    /// `last` is what the final attempt produced.
    #[error("gave up after {attempts} attempts in {elapsed:?}: {last}")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// Time spent from the first attempt to giving up.
        elapsed: Duration,
        /// The error of the final attempt.
        last: Box<Error>,
    },
    /// No response within the configured timeout.
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    /// Connecting, sending or reading failed below HTTP. Made with
    /// [`Error::transport`], its URL's secret query values are redacted.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The token source could not produce a token (a failed refresh, a missing grant).
    #[error("could not obtain an access token: {0}")]
    Auth(#[source] BoxError),
    /// A success response body did not have the expected shape.
    #[error("could not decode the response body: {source}")]
    Decode {
        /// The JSON error.
        #[source]
        source: serde_json::Error,
        /// The start of the body that failed to decode, its secret fields
        /// ([`redact::SECRET_FIELDS`](crate::redact::SECRET_FIELDS)) redacted.
        body: String,
    },
    /// The request was built wrongly (bad header value, invalid URL).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// A transport error, its URL's secret query values redacted (reqwest's
    /// errors print their URL, and an API key may be in it).
    pub fn transport(error: reqwest::Error) -> Error {
        Error::Transport(crate::redact::transport_error(error))
    }

    /// A decode error keeping the start of `bytes` with its secret fields
    /// redacted: a token endpoint's body is the tokens themselves.
    pub fn decode(source: serde_json::Error, bytes: &[u8]) -> Error {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
        Error::Decode {
            source,
            body: crate::redact::body(&start, crate::redact::SECRET_FIELDS),
        }
    }

    /// The provider's error answer, looking through [`Error::RetriesExhausted`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api.as_ref()),
            Error::RetriesExhausted { last, .. } => last.api(),
            _ => None,
        }
    }

    /// The HTTP status of the provider's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(|a| a.status)
    }

    /// The error a token source failed with, when it is an `E`: a client
    /// crate's own error (`invalid_grant` as "re-authorisation needed")
    /// comes back through the auth layer this way. Otherwise `self`.
    pub fn into_auth_source<E: std::error::Error + 'static>(self) -> Result<E, Error> {
        match self {
            Error::Auth(source) => match source.downcast::<E>() {
                Ok(ours) => Ok(*ours),
                Err(other) => Err(Error::Auth(other)),
            },
            other => Err(other),
        }
    }

    /// Whether sending the same request again may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Timeout(_) => true,
            Error::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            _ => false,
        }
    }
}

/// A non-success answer from a provider: status, body, request id and retry hint.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response body as text (cut to [`MAX_ERROR_BODY`] bytes).
    pub body: String,
    /// The provider's request or correlation id, when it sent one.
    pub request_id: Option<String>,
    /// How long the provider asked us to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// The response headers callers need (request id, retry and rate-limit
    /// hints, content type); cookies and credentials are not kept.
    pub headers: HeaderMap,
}

impl ApiError {
    /// Reads a response into an [`ApiError`], keeping at most [`MAX_ERROR_BODY`] bytes.
    pub async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(bytes) => {
                let cut = &bytes[..bytes.len().min(MAX_ERROR_BODY)];
                // An error answer's `code` is the provider's error code,
                // which callers need; the tokens are redacted.
                crate::redact::body(&String::from_utf8_lossy(cut), ERROR_BODY_SECRETS)
            }
            Err(e) => format!("<body unreadable: {}>", crate::redact::transport_error(e)),
        };
        ApiError {
            status,
            request_id: request_id(&headers),
            retry_after: crate::retry_after::parse(&headers, std::time::SystemTime::now()),
            headers: crate::redact::error_headers(&headers),
            body,
        }
    }

    /// Parses the body as JSON into the provider's error model.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&self.body).ok()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        let body = self.body.trim();
        if !body.is_empty() {
            let shown: String = body.chars().take(500).collect();
            write!(f, ": {shown}")?;
        }
        Ok(())
    }
}

/// The secret fields redacted from error answers' bodies: all but `code`.
const ERROR_BODY_SECRETS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "restrictedDataToken",
    "client_secret",
];

/// Statuses that say "the same request may work later" (529 is the
/// "overloaded" answer of some LLM APIs).
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        408 | 425 | 429 | 500 | 502 | 503 | 504 | 529
    )
}

/// Header names providers use for their request id, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-amzn-requestid",
    "x-tl-correlation-id",
    "x-amz-request-id",
    "request-id",
];

fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
