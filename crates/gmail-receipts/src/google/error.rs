//! What a Gmail call can fail with, with Google's own reason and message.

use serde::Deserialize;

use super::OAuthError;

/// Why a Gmail call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GmailError {
    /// Gmail answered with an error.
    #[error("Gmail {method}: HTTP {status}{}: {message}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Api {
        /// The method called.
        method: &'static str,
        /// HTTP status.
        status: u16,
        /// Google's reason (`rateLimitExceeded`, `notFound`, `insufficientPermissions`, ...).
        reason: Option<String>,
        /// Google's message.
        message: String,
    },
    /// The start history id is too old for `history.list` (Gmail keeps about
    /// a week): run a full sync.
    #[error("history id {start_history_id} has expired; a full sync is needed")]
    HistoryExpired {
        /// The id that was asked for.
        start_history_id: u64,
    },
    /// An access token could not be obtained (see [`OAuthError::InvalidGrant`]
    /// for a grant the user must renew).
    #[error(transparent)]
    Auth(#[from] OAuthError),
    /// The request did not complete (transport, timeout, retries exhausted on
    /// a non-Gmail answer).
    #[error(transparent)]
    Http(spend_http::Error),
    /// The client's configuration is unusable (a base URL that is not a URL).
    #[error("Gmail client configuration: {0}")]
    Config(String),
    /// A response could not be read.
    #[error("Gmail {method}: unreadable response: {detail}")]
    Decode {
        /// The method called.
        method: &'static str,
        /// What was wrong.
        detail: String,
    },
}

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<Item>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    reason: Option<String>,
}

/// Google's `{"error": {...}}` body as `(reason, message)`.
pub(crate) fn google_reason(body: &[u8]) -> (Option<String>, String) {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(e) => (
            e.error
                .errors
                .into_iter()
                .find_map(|i| i.reason)
                .or(e.error.status),
            e.error.message,
        ),
        Err(_) => (
            None,
            String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
        ),
    }
}

/// Google's "slow down" answers: 429, and 403 with a rate-limit reason.
pub(crate) fn is_rate_limited(status: u16, body: &[u8]) -> bool {
    match status {
        429 => true,
        403 => matches!(
            google_reason(body).0.as_deref(),
            Some("rateLimitExceeded" | "userRateLimitExceeded")
        ),
        _ => false,
    }
}

impl GmailError {
    pub(crate) fn from_http(method: &'static str, error: spend_http::Error) -> Self {
        let error = match error.into_auth_source::<OAuthError>() {
            Ok(oauth) => return GmailError::Auth(oauth),
            Err(other) => other,
        };
        match error.api() {
            Some(api) => {
                let (reason, message) = google_reason(api.body.as_bytes());
                GmailError::Api {
                    method,
                    status: api.status.as_u16(),
                    reason,
                    message,
                }
            }
            None => GmailError::Http(error),
        }
    }

    pub(crate) fn decode(method: &'static str, detail: impl ToString) -> Self {
        GmailError::Decode {
            method,
            detail: detail.to_string(),
        }
    }

    /// The HTTP status, when Gmail answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GmailError::Api { status, .. } => Some(*status),
            GmailError::HistoryExpired { .. } => Some(404),
            _ => None,
        }
    }

    /// Whether this is Gmail saying "slow down" (after retries ran out).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, GmailError::Api { status: 429, .. })
            || matches!(self, GmailError::Api { status: 403, reason: Some(r), .. } if r == "rateLimitExceeded" || r == "userRateLimitExceeded")
    }

    /// Whether trying again later can succeed: a rate limit, or a server
    /// error (Google asks for `backendError` and other 5xx answers to be
    /// retried with backoff, inside a batch too).
    pub fn is_transient(&self) -> bool {
        self.is_rate_limited()
            || matches!(
                self,
                GmailError::Api {
                    status: 500..=599,
                    ..
                }
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_error_bodies_give_reason_and_message() {
        let body = br#"{"error":{"code":403,"message":"User-rate limit exceeded.","errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded","message":"User-rate limit exceeded."}],"status":"PERMISSION_DENIED"}}"#;
        let (reason, message) = google_reason(body);
        assert_eq!(reason.as_deref(), Some("userRateLimitExceeded"));
        assert_eq!(message, "User-rate limit exceeded.");
        assert!(is_rate_limited(403, body));
        assert!(is_rate_limited(429, b""));

        let scopes = br#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED"}}"#;
        assert_eq!(
            google_reason(scopes).0.as_deref(),
            Some("PERMISSION_DENIED")
        );
        assert!(!is_rate_limited(403, scopes));

        let (reason, message) = google_reason(b"<html>Bad Gateway</html>");
        assert_eq!(reason, None);
        assert_eq!(message, "<html>Bad Gateway</html>");
    }
}
