//! TrueLayer's errors, typed.

use std::time::Duration;

use reqwest::StatusCode;

use crate::models::{ErrorBody, Problem};

/// Everything a TrueLayer call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The refresh token is no longer valid (`invalid_grant`): consent expired
    /// (usually after 90 days) or was revoked. Retrying will not help; send the
    /// user through authorisation again (or a re-auth link).
    #[error("re-authorisation needed: {}", description.as_deref().unwrap_or(error))]
    ReauthorisationNeeded {
        /// TrueLayer's error code.
        error: String,
        /// TrueLayer's explanation.
        description: Option<String>,
    },
    /// The provider does not offer this endpoint (`endpoint_not_supported`,
    /// e.g. `/accounts` on a card-only provider).
    #[error("not supported by this provider: {}", description.as_deref().unwrap_or("endpoint_not_supported"))]
    NotSupportedByProvider {
        /// TrueLayer's explanation.
        description: Option<String>,
    },
    /// The 4-calls-a-day limit for unattended access was reached
    /// (429 `provider_request_limit_exceeded`). Calls made while the user is
    /// present ([`DataClient::user_present`](crate::DataClient::user_present)) are not limited.
    ///
    /// The answer is final for the day: the client does not retry it, since
    /// every retry would be refused too and count against the allowance.
    #[error("unattended access limit reached for this user: {}", description.as_deref().unwrap_or(""))]
    UnattendedLimitReached {
        /// TrueLayer's explanation.
        description: Option<String>,
        /// When to try again, if TrueLayer said.
        retry_after: Option<Duration>,
    },
    /// Any other error TrueLayer answered with.
    #[error("TrueLayer error {status} {}: {}", body.error, body.error_description.as_deref().unwrap_or(""))]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// TrueLayer's error body.
        body: Box<ErrorBody>,
        /// TrueLayer's request or correlation id.
        request_id: Option<String>,
        /// How long TrueLayer asked us to wait.
        retry_after: Option<Duration>,
    },
    /// An RFC 7807 problem (from `/connections/extend`).
    #[error("TrueLayer problem {}: {} {}", problem.status, problem.title, problem.detail.as_deref().unwrap_or(""))]
    Problem {
        /// The problem as sent.
        problem: Box<Problem>,
    },
    /// The `state` returned to the redirect does not match the one sent: the
    /// callback is forged or belongs to another session.
    #[error("OAuth state mismatch: the callback does not belong to this authorisation")]
    StateMismatch,
    /// Saving or loading the refresh token failed. The access token obtained
    /// with a rotated refresh token is not used until the new refresh token is saved.
    #[error("token store: {0}")]
    TokenStore(#[source] spend_http::BoxError),
    /// No refresh token is stored: authorise the user first.
    #[error("no refresh token stored: authorise the user first")]
    NotAuthorised,
    /// An account or card id given to a call cannot name one (it is empty,
    /// `.` or `..`): the request would have gone to another path, such as
    /// `/accounts//transactions`. Nothing was sent.
    #[error("{id:?} is not an account id: nothing was sent")]
    InvalidId {
        /// The id as given.
        id: String,
    },
    /// The HTTP stack failed (transport, timeout, decode, an unparsed error answer).
    #[error(transparent)]
    Http(spend_http::Error),
}

impl Error {
    /// Whether the user has to go through authorisation again.
    pub fn needs_reauthorisation(&self) -> bool {
        matches!(
            self,
            Error::ReauthorisationNeeded { .. } | Error::NotAuthorised
        )
    }
}

impl From<spend_http::Error> for Error {
    fn from(error: spend_http::Error) -> Self {
        // A failed refresh inside the auth layer: hand back our own error.
        let error = match error.into_auth_source::<Error>() {
            Ok(ours) => return ours,
            Err(other) => other,
        };
        let Some(api) = error.api() else {
            return Error::Http(error);
        };
        if let Some(problem) = api
            .json::<Problem>()
            .filter(|p| !p.title.is_empty() && !p.trace_id.is_empty())
        {
            return Error::Problem {
                problem: Box::new(problem),
            };
        }
        let Some(body) = api.json::<ErrorBody>() else {
            return Error::Http(error);
        };
        match body.error.as_str() {
            "invalid_grant" => Error::ReauthorisationNeeded {
                error: body.error,
                description: body.error_description,
            },
            "endpoint_not_supported" => Error::NotSupportedByProvider {
                description: body.error_description,
            },
            UNATTENDED_LIMIT => Error::UnattendedLimitReached {
                description: body.error_description,
                retry_after: api.retry_after,
            },
            _ => Error::Api {
                status: api.status,
                request_id: api.request_id.clone(),
                retry_after: api.retry_after,
                body: Box::new(body),
            },
        }
    }
}

/// TrueLayer's error code for the unattended-access limit.
const UNATTENDED_LIMIT: &str = "provider_request_limit_exceeded";

/// Whether an answer is TrueLayer's unattended-access limit: a 429 like a
/// provider's ordinary "slow down" (`provider_too_many_requests`, which is
/// worth retrying), told apart only by the error code in its body.
pub(crate) fn is_unattended_limit(status: StatusCode, body: &[u8]) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        && serde_json::from_slice::<ErrorBody>(body).is_ok_and(|b| b.error == UNATTENDED_LIMIT)
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
