//! Extending a connection (`POST /connections/extend`) and its RFC 7807 errors.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The end user, for [`ExtendConnectionRequest`] and auth links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndUser {
    /// Your id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Full name (required when you are not regulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email (one of email/phone when you are not regulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Asks TrueLayer to extend a connection's consent.
#[derive(Debug, Clone, Serialize)]
pub struct ExtendConnectionRequest {
    /// Whether the user re-confirmed consent in your own app.
    pub user_has_reconfirmed_consent: bool,
    /// The user.
    pub user: EndUser,
    /// The connection's refresh token.
    #[serde(serialize_with = "crate::auth::expose")]
    pub refresh_token: SecretString,
    /// Your redirect URI.
    pub redirect_uri: String,
    /// Opaque state echoed to your redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// A PKCE challenge for a new authentication, if one is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `form_post` to receive the code in a POST.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
}

/// What extending a connection needs next.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action_needed", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExtendResponse {
    /// Extended: here are fresh tokens.
    NoActionNeeded {
        /// A new access token.
        #[serde(serialize_with = "crate::auth::expose")]
        access_token: SecretString,
        /// Its lifetime in seconds.
        expires_in: u64,
        /// The new refresh token (store it).
        #[serde(serialize_with = "crate::auth::expose")]
        refresh_token: SecretString,
        /// `Bearer`.
        token_type: String,
    },
    /// The user must authenticate at the bank: send them to the link.
    AuthenticationNeeded {
        /// Where to send the user.
        user_input_link: String,
    },
    /// The user must reconfirm consent with TrueLayer: send them to the link.
    ReconfirmationOfConsentNeeded {
        /// Where to send the user.
        user_input_link: String,
    },
}

/// An RFC 7807 problem, as `/connections/extend` reports errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// A link describing the error type.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The error's title.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// More detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// TrueLayer's trace id: quote it to support.
    #[serde(default)]
    pub trace_id: String,
    /// Validation errors per field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
}
