//! Tokens API 2021-03-01: restricted data tokens (RDT) for personal data.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::{Result, SpApiClient};

/// A resource an RDT grants access to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestrictedResource {
    /// `GET`, `PUT`, `POST` or `DELETE`.
    pub method: String,
    /// The path: a concrete order's (`/orders/v0/orders/902-3159896-1390916/address`,
    /// that order only) or the generic one (`/orders/v0/orders/{orderId}/address`,
    /// with the literal placeholder: any of the seller's orders).
    pub path: String,
    /// `buyerInfo`, `shippingAddress`, ... (for getOrders, getOrder, getOrderItems).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_elements: Option<Vec<String>>,
}

/// A restricted data token.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestrictedDataToken {
    /// The token, sent as `x-amz-access-token` for the granted resources.
    #[serde(deserialize_with = "secret")]
    pub restricted_data_token: SecretString,
    /// Lifetime in seconds.
    pub expires_in: u64,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    target_application: Option<&'a str>,
    restricted_resources: &'a [RestrictedResource],
}

/// The Tokens API. Get it from [`SpApiClient::tokens`]. The client calls it
/// for you when an operation needs an RDT (buyer info, addresses).
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    pub(crate) client: &'a SpApiClient,
}

impl Tokens<'_> {
    /// `createRestrictedDataToken`: an RDT for up to 50 resources, optionally
    /// delegated to `target_application`.
    pub async fn create_restricted_data_token(
        &self,
        resources: &[RestrictedResource],
        target_application: Option<&str>,
    ) -> Result<RestrictedDataToken> {
        let client = self.client;
        let url = client.url(&client.inner.base, "/tokens/2021-03-01/restrictedDataToken");
        let body = CreateRequest {
            target_application,
            restricted_resources: resources,
        };
        let request = client.inner.http.post(url).json(&body);
        // Creating a token has no side effect on the seller's data: safe to repeat.
        let op = client.op("createRestrictedDataToken").idempotent(true);
        let response = client.send_authorised(op, request).await?;
        crate::client::decode_credential(response).await
    }
}
