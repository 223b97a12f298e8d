//! `/connections/extend`: extending a connection's consent.

use reqwest::Method;
use secrecy::SecretString;
use serde::Serialize;
use spend_http::Operation;

use super::DataClient;
use crate::auth::ClientCredentials;
use crate::models::{ExtendConnectionRequest, ExtendResponse};
use crate::{Error, Result};

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
    ///
    /// The request's refresh token stops working once the connection is
    /// extended, as after a refresh. When the client knows the connection's
    /// [`TokenStore`](crate::TokenStore) ([`DataClient::for_user`],
    /// [`DataClientBuilder::token_store`](crate::DataClientBuilder::token_store)),
    /// the new refresh token is saved there before this returns, so the
    /// request must carry the refresh token of that connection (the one the
    /// store holds). A failed save fails the call with
    /// [`Error::TokenStore`](crate::Error::TokenStore).
    ///
    /// No access token is needed, and none is refreshed for the call: a
    /// refresh would rotate the refresh token the request carries, and fails
    /// once the consent this call renews has lapsed.
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
        // A token that cannot be refreshed costs nothing to send, and the
        // spec lists OAuth for this operation; a refreshing one is left out
        // (see above), as TrueLayer's guide allows.
        let stack = if self.client.tokens_refresh {
            &self.client.unauthenticated
        } else {
            &self.client.http
        };
        let response: ExtendResponse = stack
            .send_json(Operation::new("ExtendConnection"), http)
            .await?;
        if let (Some(store), ExtendResponse::NoActionNeeded { refresh_token, .. }) =
            (&self.client.store, &response)
        {
            // The old refresh token is dead now: the new one must be stored
            // before the caller can use the access token that came with it.
            store
                .save(refresh_token.clone())
                .await
                .map_err(Error::TokenStore)?;
        }
        Ok(response)
    }
}
