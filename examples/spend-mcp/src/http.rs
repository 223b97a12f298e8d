//! Streamable HTTP: loopback by default; anything else needs a bearer token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::server::SpendMcp;

/// Refuses to serve off loopback without a token.
pub fn check_exposure(addr: SocketAddr, token: Option<&str>) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() && token.is_none_or(|t| t.trim().is_empty()) {
        anyhow::bail!(
            "{addr} is reachable from other machines: set a bearer token (--token or SPEND_MCP_TOKEN) to serve there"
        );
    }
    Ok(())
}

/// Serves MCP at `/mcp` on `addr` until Ctrl-C.
pub async fn serve(
    server: SpendMcp,
    addr: SocketAddr,
    token: Option<String>,
) -> anyhow::Result<()> {
    let mut config = StreamableHttpServerConfig::default();
    if !addr.ip().is_loopback() {
        // The Host check guards loopback servers against DNS rebinding; off
        // loopback the bearer token guards instead.
        config = config.disable_allowed_hosts();
    }
    let cancel = config.cancellation_token.clone();
    let service: StreamableHttpService<SpendMcp, LocalSessionManager> = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mut app = axum::Router::new().nest_service("/mcp", service);
    if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
        let expected: Arc<str> = token.into();
        app = app.layer(axum::middleware::from_fn_with_state(
            expected,
            require_bearer,
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!(
        "spend-mcp listening on http://{}/mcp",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            cancel.cancel();
        })
        .await?;
    Ok(())
}

async fn require_bearer(
    State(expected): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compared in constant time, so the token cannot be guessed byte by byte.
    let ok = given.is_some_and(|g| {
        g.len() == expected.len()
            && g.bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response()
    }
}
