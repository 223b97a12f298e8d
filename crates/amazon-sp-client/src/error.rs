//! SP-API and Login with Amazon errors, typed.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName};
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

impl ApiErrorItem {
    /// Whether this entry says the token sent (an access token or an RDT) was
    /// expired, revoked, malformed or invalid: the one kind of refusal a new
    /// token cures.
    ///
    /// Amazon answers both that and a permission denial with 403, code
    /// `Unauthorized`, message "Access to requested resource is denied.";
    /// for a bad token `details` adds "The access token you provided has
    /// expired." (or "... is revoked, malformed or invalid."), for a missing
    /// role or grant `details` is empty. Some answers put the token words in
    /// the message itself, so both are read.
    pub fn is_token_rejection(&self) -> bool {
        [
            self.message.as_str(),
            self.details.as_deref().unwrap_or_default(),
        ]
        .iter()
        .any(|text| {
            let text = text.to_ascii_lowercase();
            text.contains("access token")
                && ["expired", "invalid", "revoked", "malformed"]
                    .iter()
                    .any(|word| text.contains(word))
        })
    }
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

    /// Whether Amazon refused for want of permission: a 403 that does not say
    /// the token was bad. The app lacks the role for the operation, or the
    /// seller did not grant it; a new token would not change the answer, so
    /// the client does not try one. Amazon's words are in the `errors`.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Error::Api { status, errors, .. }
            if *status == StatusCode::FORBIDDEN && !errors.iter().any(ApiErrorItem::is_token_rejection))
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

/// Whether Amazon refused the token itself, so that one new token and one
/// replay may succeed: any 401, or a 403 whose errors say the token expired
/// or is invalid ([`ApiErrorItem::is_token_rejection`]).
pub(crate) fn token_rejected(error: &spend_http::Error) -> bool {
    let Some(api) = error.api() else {
        return false;
    };
    match api.status.as_u16() {
        401 => true,
        403 => api
            .json::<ErrorList>()
            .is_some_and(|list| list.errors.iter().any(ApiErrorItem::is_token_rejection)),
        _ => false,
    }
}

/// The response headers an error keeps: the id to quote to Amazon, the rate
/// Amazon applied, how long to wait, and how to read the body. Everything
/// else goes, `Set-Cookie` from a load balancer first of all: an error is
/// printed, logged and passed around, and a session cookie has no business there.
const KEPT_HEADERS: &[&str] = &[
    "x-amzn-requestid",
    "x-amzn-ratelimit-limit",
    "retry-after",
    "content-type",
];

fn keep_needed_headers(error: &mut spend_http::Error) {
    match error {
        spend_http::Error::Api(api) => {
            let mut kept = HeaderMap::new();
            for name in KEPT_HEADERS {
                for value in api.headers.get_all(*name) {
                    kept.append(HeaderName::from_static(name), value.clone());
                }
            }
            api.headers = kept;
        }
        spend_http::Error::RetriesExhausted { last, .. } => keep_needed_headers(last),
        _ => {}
    }
}

impl From<spend_http::Error> for Error {
    fn from(error: spend_http::Error) -> Self {
        let mut error = match error.into_auth_source::<Error>() {
            Ok(ours) => return ours,
            Err(other) => other,
        };
        keep_needed_headers(&mut error);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(message: &str, details: Option<&str>) -> ApiErrorItem {
        ApiErrorItem {
            code: "Unauthorized".into(),
            message: message.into(),
            details: details.map(str::to_owned),
        }
    }

    #[test]
    fn an_expired_or_invalid_token_is_told_from_a_permission_denial() {
        let denied = "Access to requested resource is denied.";
        assert!(
            item(denied, Some("The access token you provided has expired.")).is_token_rejection()
        );
        assert!(
            item(
                denied,
                Some("The access token you provided is revoked, malformed or invalid.")
            )
            .is_token_rejection()
        );
        assert!(item("The access token you provided has expired.", None).is_token_rejection());
        assert!(!item(denied, Some("")).is_token_rejection());
        assert!(!item(denied, None).is_token_rejection());
        let error = Error::Api {
            status: StatusCode::FORBIDDEN,
            errors: vec![item(denied, Some(""))],
            request_id: None,
            retry_after: None,
        };
        assert!(error.is_permission_denied());
    }
}
