//! The Data API v1: one module per resource.

mod accounts;
mod batch;
mod cards;
mod client;
mod connections;
mod request;

pub use accounts::Accounts;
pub use batch::Batch;
pub use cards::Cards;
pub use client::{DataClient, DataClientBuilder};
pub use connections::Connections;
pub use request::{DataRequest, WindowBound};
