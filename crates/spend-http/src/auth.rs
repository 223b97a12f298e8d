//! The auth layer: sets the provider's token header and, on a 401, refreshes
//! the token once and replays the request once.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tower::{Layer, Service, ServiceExt};

use crate::{Error, Request, TokenSource};

/// How a provider expects the token.
#[derive(Debug, Clone)]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>` (TrueLayer, Google, OpenAI).
    Bearer,
    /// The raw token in a header of its own (`x-amz-access-token` for SP-API, `x-api-key`).
    Header(HeaderName),
}

impl AuthScheme {
    fn apply(&self, request: &mut Request, token: &SecretString) -> Result<(), Error> {
        let (name, value) = match self {
            AuthScheme::Bearer => (AUTHORIZATION, format!("Bearer {}", token.expose_secret())),
            AuthScheme::Header(name) => (name.clone(), token.expose_secret().to_owned()),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::InvalidRequest("access token is not a valid header value".into())
        })?;
        value.set_sensitive(true);
        request.http_mut().headers_mut().insert(name, value);
        Ok(())
    }
}

/// Adds authentication to every request. See [`AuthService`].
#[derive(Clone)]
pub struct AuthLayer {
    source: Arc<dyn TokenSource>,
    scheme: AuthScheme,
    rejected: Vec<StatusCode>,
}

impl AuthLayer {
    /// Tokens from `source`, sent the way `scheme` says; a 401 means "token rejected".
    pub fn new(source: Arc<dyn TokenSource>, scheme: AuthScheme) -> Self {
        AuthLayer {
            source,
            scheme,
            rejected: vec![StatusCode::UNAUTHORIZED],
        }
    }

    /// The statuses with which the provider rejects an expired token (SP-API
    /// answers an expired access token with 403, not 401).
    pub fn rejected_with(mut self, statuses: &[StatusCode]) -> Self {
        self.rejected = statuses.to_vec();
        self
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> AuthService<S> {
        AuthService {
            inner,
            source: Arc::clone(&self.source),
            scheme: self.scheme.clone(),
            rejected: self.rejected.clone(),
        }
    }
}

/// Sets the token header; on 401 (or the statuses set with
/// [`AuthLayer::rejected_with`]) invalidates the token, obtains a new one
/// (single flight in the [`TokenSource`]) and replays the request once.
#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    source: Arc<dyn TokenSource>,
    scheme: AuthScheme,
    rejected: Vec<StatusCode>,
}

impl<S> Service<Request> for AuthService<S>
where
    S: Service<Request, Response = reqwest::Response, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = reqwest::Response;
    type Error = Error;
    type Future = BoxFuture<'static, Result<reqwest::Response, Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let inner = self.inner.clone();
        let source = Arc::clone(&self.source);
        let scheme = self.scheme.clone();
        let rejected = self.rejected.clone();
        Box::pin(async move {
            let replay = if source.can_refresh() {
                request.try_clone()
            } else {
                None
            };
            let token = source.token().await?;
            scheme.apply(&mut request, &token)?;
            let response = inner.clone().oneshot(request).await?;
            let Some(mut replay) = replay.filter(|_| rejected.contains(&response.status())) else {
                return Ok(response);
            };
            tracing::debug!(
                status = response.status().as_u16(),
                "token rejected: refreshing it and replaying once"
            );
            source.invalidate(&token);
            let fresh = source.token().await?;
            scheme.apply(&mut replay, &fresh)?;
            inner.oneshot(replay).await
        })
    }
}
