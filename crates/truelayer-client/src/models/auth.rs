//! Models of the auth server: tokens, auth links, providers, debug ids, errors.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::values::open_enum;
use crate::models::EndUser;

open_enum! {
    /// A permission the user grants.
    Scope {
        /// The account holder's details.
        Info = "info",
        /// Current and savings accounts.
        Accounts = "accounts",
        /// Balances.
        Balance = "balance",
        /// Transactions.
        Transactions = "transactions",
        /// Card accounts.
        Cards = "cards",
        /// Direct debits.
        DirectDebits = "direct_debits",
        /// Standing orders.
        StandingOrders = "standing_orders",
        /// A refresh token (access beyond one hour).
        OfflineAccess = "offline_access",
    }
}

/// The auth server's answer to any grant (`POST /connect/token`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (a JWT).
    #[serde(serialize_with = "crate::auth::expose")]
    pub access_token: SecretString,
    /// Its lifetime in seconds.
    pub expires_in: u64,
    /// A refresh token (with `offline_access`). TrueLayer rotates them: every
    /// refresh returns a new one and the old one stops working.
    #[serde(
        default,
        serialize_with = "crate::auth::expose_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<SecretString>,
    /// `Bearer`.
    pub token_type: String,
    /// The scopes granted, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A link to send the user to (`/v1/authuri`, `/v1/reauthuri`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthLink {
    /// The link.
    pub result: String,
    /// Whether it was generated.
    pub success: bool,
}

/// Asks for a direct link to one bank's authorisation page (`POST /v1/authuri`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DirectBankAuthLinkRequest {
    /// Must be `code` (filled in by the client when empty).
    pub response_type: String,
    /// Your client id (filled in by the client when empty).
    pub client_id: String,
    /// Your redirect URI.
    pub redirect_uri: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Opaque state echoed to your redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The consent you captured yourself.
    pub consent_id: String,
    /// The user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<EndUser>,
    /// The exact text shown to the user about data use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_use_description: Option<String>,
    /// The bank.
    pub provider_id: String,
    /// PKCE challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `S256` when a challenge is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    /// `form_post`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    /// Extra inputs the provider asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_inputs: Option<serde_json::Value>,
    /// An id for Auth Journey Analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_id: Option<String>,
}

/// Asks for a re-authentication link (`POST /v1/reauthuri`).
#[derive(Debug, Clone, Serialize)]
pub struct ReauthLinkRequest {
    /// Must be `code`.
    pub response_type: String,
    /// The connection's refresh token.
    #[serde(serialize_with = "crate::auth::expose")]
    pub refresh_token: SecretString,
    /// Your redirect URI.
    pub redirect_uri: String,
    /// Opaque state echoed to your redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// PKCE challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// `S256` when a challenge is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    /// `form_post`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
}

/// A bank TrueLayer connects to (`GET /api/providers`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    /// The provider id.
    pub provider_id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
    /// Its logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Scopes it supports.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Its country (`uk`, `fr`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Extra inputs its authorisation asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<serde_json::Value>,
    /// Health, when TrueLayer reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<serde_json::Value>,
}

/// A debug id to share with TrueLayer support (`/api/debug`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebugId {
    /// The credential.
    pub credentials_id: String,
    /// The debug id.
    pub debug_id: String,
    /// The provider.
    pub provider_id: String,
}

/// TrueLayer's error body: `{"error", "error_description", "error_details"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The machine-readable code (`invalid_grant`, `endpoint_not_supported`, ...).
    pub error: String,
    /// A human explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// Extra context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<serde_json::Value>,
}
