//! `spend-mcp`: an MCP server over one person's spend (stdio, or streamable
//! HTTP with `--http ADDR`). Read-only unless `--allow-writes`.

mod http;
mod read_tools;
mod server;
mod types;
mod write_tools;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use rmcp::ServiceExt;
use spend_core::app::{ProviderApps, Settings, Spend};

/// Serves one person's spending data to AI assistants over MCP.
#[derive(Parser)]
#[command(name = "spend-mcp", version)]
struct Args {
    /// Serve streamable HTTP on this address (default: stdio). Loopback
    /// addresses only, unless a bearer token is set.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// The bearer token HTTP clients must send (required off loopback).
    #[arg(long, env = "SPEND_MCP_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Offer the tools that change data or cost money (matching decisions,
    /// enrichment, categories, rules).
    #[arg(long)]
    allow_writes: bool,
    /// Sync from the in-process provider simulators (a bank, a mailbox and an
    /// Amazon seller, as `spend demo` uses) instead of real providers: the
    /// configured user is connected to them at start, and the simulated LLM
    /// categorises when none is configured. Needs --allow-writes.
    #[arg(long, requires = "allow_writes")]
    demo: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // stdout is the protocol's channel: logs go to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPEND_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    if let Some(addr) = args.http {
        http::check_exposure(addr, args.token.as_deref())?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let settings = Settings::load()?;
        let spend = Spend::open(&settings)
            .await
            .with_context(|| format!("opening the store for user {:?}", settings.user))?;
        // The simulators live as long as the server.
        let demo = match args.demo {
            true => Some(spend_core::demo::Demo::start().await),
            false => None,
        };
        let (apps, simulated_llm) = match &demo {
            Some(demo) => {
                demo.connect(&spend).await?;
                (demo.apps()?, Some(demo.llm()))
            }
            None => (ProviderApps::from_env()?, None),
        };
        let server = server::SpendMcp::new(
            Arc::new(spend),
            Arc::new(settings),
            apps,
            simulated_llm,
            args.allow_writes,
        );
        match args.http {
            Some(addr) => http::serve(server, addr, args.token).await,
            None => {
                let running = server.serve(rmcp::transport::stdio()).await?;
                running.waiting().await?;
                Ok(())
            }
        }
    })
}
