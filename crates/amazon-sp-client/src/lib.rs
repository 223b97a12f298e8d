//! A Selling Partner API client that does not fight 429s.
//!
//! - [`LwaClient`]: Login with Amazon: the seller's authorisation URL, code
//!   exchange, refresh (client id and secret in the form body), grantless tokens.
//! - [`SpApiClient`]: requests carry `x-amz-access-token` (never a bearer
//!   header, always marked sensitive) and a descriptive `user-agent`; access
//!   tokens are cached with single-flight refresh, and refreshed on a 403
//!   only when Amazon says the token expired (a permission denial is
//!   returned, [`Error::is_permission_denied`]); restricted data tokens are
//!   obtained and used automatically for buyer info and addresses, one token
//!   per operation for every order (Amazon's generic `{orderId}` paths), and
//!   dropped when Amazon refuses them.
//! - Amazon's enumerations (order status, fulfilment channel, payment
//!   method, `includedData`, ...) are enums whose `Unknown(String)` keeps a
//!   value Amazon adds later, as sent.
//! - [`orders_v0`] (every operation), [`orders_2026`] (`searchOrders`, `getOrder`),
//!   [`tokens`] (RDT), [`business`] (Amazon Business Reporting API 2025-06-09).
//! - [`Region`], [`Endpoint`] (production, sandbox or your own URL, chosen at
//!   run time) and the full [`MARKETPLACES`] table.
//! - Rate limits: one GCRA bucket per operation and selling partner, seeded
//!   from [`plans::USAGE_PLANS`], re-tuned from `x-amzn-RateLimit-Limit`,
//!   drained on a 429, optionally persisted ([`spend_http::FileRateStateStore`]).
//! - `testkit` (feature): an LWA + SP-API + Amazon Business simulator that
//!   enforces the usage plans server-side.
//!
//! ```no_run
//! # async fn run() -> amazon_sp_client::Result<()> {
//! use amazon_sp_client::{Endpoint, LwaCredentials, Marketplace, Region, SpApiClient};
//! use futures_util::TryStreamExt;
//!
//! let client = SpApiClient::builder(Endpoint::Sandbox(Region::NorthAmerica))
//!     .seller("A2SELLER", LwaCredentials::from_env().unwrap(), "Atzr|...".to_string().into())
//!     .build()?;
//! let mut orders = client.orders_v0().get_orders([Marketplace::US]).created_after("TEST_CASE_200").stream();
//! while let Some(order) = orders.try_next().await? {
//!     let items: Vec<_> = client.orders_v0().get_order_items(&order.amazon_order_id).stream().try_collect().await?;
//!     println!("{} {:?}: {} items", order.amazon_order_id, order.order_total, items.len());
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod business;
mod client;
mod error;
mod lwa;
mod money;
pub mod orders_2026;
pub mod orders_v0;
pub mod plans;
mod region;
#[cfg(feature = "testkit")]
pub mod testkit;
mod text_enum;
pub mod tokens;

pub use client::{ACCESS_TOKEN_HEADER, DateParam, SpApiClient, SpApiClientBuilder};
pub use error::{ApiErrorItem, Error, ErrorList, Result};
pub use lwa::{
    GrantlessScope, GrantlessTokens, LWA_TOKEN_URL, LwaClient, LwaCredentials, LwaTokens,
    SellerTokens,
};
pub use money::{Amount, Money};
pub use region::{Endpoint, MARKETPLACES, Marketplace, Region};

pub use spend_http;

/// The `User-Agent` this crate sends, in the form Amazon asks for.
pub const USER_AGENT: &str = concat!(
    "spend-amazon-sp-client/",
    env!("CARGO_PKG_VERSION"),
    " (Language=Rust; Platform=any)"
);
