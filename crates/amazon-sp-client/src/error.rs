//! SP-API and Login with Amazon errors, typed.

use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// One entry of SP-API's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorItem {
    /// An error code (`InvalidInput`, `QuotaExceeded`, `Unauthorized`, ...).
    pub code: String,
    /// A message.
    pub message: String,
    /// Extra detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// SP-API's error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorList {
    /// The errors.
    #[serde(default)]
    pub errors: Vec<ApiErrorItem>,
}

/// Everything an SP-API or LWA call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The refresh token no longer works (`invalid_grant`): the selling partner
    /// revoked the app or the authorisation expired. Retrying will not help;
    /// send them through the authorisation URL again.
    #[error("re-authorisation needed: {description}")]
    ReauthorisationNeeded {
        /// LWA's explanation.
        description: String,
    },
    /// Login with Amazon refused a grant for another reason (bad client id or secret, bad code).
    #[error("Login with Amazon: {error}: {description}")]
    Lwa {
        /// LWA's error code.
        error: String,
        /// LWA's explanation.
        description: String,
    },
    /// The SP-API answered with errors.
    #[error("SP-API {status}{}: {}", request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default(), errors.first().map(|e| format!("{}: {}", e.code, e.message)).unwrap_or_default())]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// The errors Amazon listed.
        errors: Vec<ApiErrorItem>,
        /// `x-amzn-RequestId`: quote it to Amazon support.
        request_id: Option<String>,
        /// How long Amazon asked us to wait.
        retry_after: Option<Duration>,
    },
    /// The HTTP stack failed (transport, timeout, decode, an unparsed error).
    #[error(transparent)]
    Http(spend_http::Error),
}

impl Error {
    /// Whether the selling partner must authorise the app again.
    pub fn needs_reauthorisation(&self) -> bool {
        matches!(self, Error::ReauthorisationNeeded { .. })
    }

    /// The HTTP status, when Amazon answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Http(e) => e.status(),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct LwaError {
    error: String,
    #[serde(default)]
    error_description: String,
}

impl From<spend_http::Error> for Error {
    fn from(error: spend_http::Error) -> Self {
        let error = match error.into_auth_source::<Error>() {
            Ok(ours) => return ours,
            Err(other) => other,
        };
        let Some(api) = error.api() else {
            return Error::Http(error);
        };
        if let Some(lwa) = api.json::<LwaError>() {
            return if lwa.error == "invalid_grant" {
                Error::ReauthorisationNeeded {
                    description: lwa.error_description,
                }
            } else {
                Error::Lwa {
                    error: lwa.error,
                    description: lwa.error_description,
                }
            };
        }
        // Amazon sometimes answers an error with `{}`: still its typed error, with no
        // entries. Any other JSON (a proxy's, a mock's) stays whole in `Error::Http`.
        let amazon_shaped = api
            .json::<serde_json::Value>()
            .and_then(|v| {
                v.as_object()
                    .map(|o| o.is_empty() || o.contains_key("errors"))
            })
            .unwrap_or(false);
        match api.json::<ErrorList>().filter(|_| amazon_shaped) {
            Some(list) => Error::Api {
                status: api.status,
                errors: list.errors,
                request_id: api.request_id.clone(),
                retry_after: api.retry_after,
            },
            None => Error::Http(error),
        }
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
