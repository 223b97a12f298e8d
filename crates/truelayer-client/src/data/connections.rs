//! `/connections/extend`: extending a connection's consent.

use reqwest::Method;
use secrecy::SecretString;
use serde::Serialize;
use spend_http::Operation;

use super::DataClient;
use crate::Result;
use crate::auth::ClientCredentials;
use crate::models::{ExtendConnectionRequest, ExtendResponse};

/// The connection endpoints. Get it from [`DataClient::connections`].
#[derive(Debug, Clone, Copy)]
pub struct Connections<'a> {
    pub(crate) client: &'a DataClient,
}

#[derive(Serialize)]
struct Body<'a> {
    client_id: &'a str,
    #[serde(serialize_with = "crate::auth::expose")]
    client_secret: &'a SecretString,
    #[serde(flatten)]
    request: &'a ExtendConnectionRequest,
}

impl Connections<'_> {
    /// Extends the connection (`POST /connections/extend`). The answer says
    /// whether it is done (with fresh tokens) or where to send the user.
    /// Validation errors come back as [`Error::Problem`](crate::Error::Problem).
    pub async fn extend(
        &self,
        credentials: &ClientCredentials,
        request: &ExtendConnectionRequest,
    ) -> Result<ExtendResponse> {
        let body = Body {
            client_id: &credentials.client_id,
            client_secret: &credentials.client_secret,
            request,
        };
        let url = self.client.endpoint(&["connections", "extend"]);
        let http = self.client.request(Method::POST, url, None).json(&body);
        Ok(self
            .client
            .http
            .send_json(Operation::new("ExtendConnection"), http)
            .await?)
    }
}
