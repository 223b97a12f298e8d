//! The connection's metadata (`/me`) and the account holder (`/info`).

use serde::{Deserialize, Serialize};

use super::values::Timestamp;

/// What the access token grants (`GET /me`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Your client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The connection's credentials id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_id: Option<String>,
    /// `Authorised`, `Revoked`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_status: Option<String>,
    /// When the consent status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_status_updated_at: Option<Timestamp>,
    /// When consent was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_created_at: Option<Timestamp>,
    /// When consent expires: reconfirm before then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_expires_at: Option<Timestamp>,
    /// The bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<super::ProviderRef>,
    /// Scopes granted.
    #[serde(default)]
    pub scopes: Vec<super::Scope>,
    /// The privacy policy version accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy: Option<String>,
}

/// The account holder (`GET /info`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// The holder's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Branch id (some providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_id: Option<String>,
    /// Email addresses (rarely given).
    #[serde(default)]
    pub emails: Vec<String>,
    /// Phone numbers (rarely given).
    #[serde(default)]
    pub phones: Vec<String>,
    /// When TrueLayer last refreshed this data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_timestamp: Option<Timestamp>,
}
