//! Receipt emails in, structured receipts out. Pure: no I/O.
//!
//! The pipeline (see [`Pipeline`]):
//! 1. parse the message with `mail-parser` (any MIME nesting, charset, transfer encoding);
//! 2. authenticate the sender from `Authentication-Results`: a From domain that
//!    fails (or does not align) never gets a vendor parser ([`Parsed::sender_verified`]);
//! 3. pre-filter from headers and text with a reason: receipt, refund,
//!    cancellation, shipping, subscription notice, marketing, other;
//! 4. a vendor parser chosen by sender domain on a label boundary
//!    ([`domain::matches`]), or by content for platforms and bare HTML;
//! 5. schema.org JSON-LD and microdata;
//! 6. generic patterns: labelled totals in any common format ("Subtotal" is
//!    never the total), order ids, locale-aware dates, item lines.
//!
//! ```
//! let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/amazon-uk-order.eml")).unwrap();
//! let parsed = receipt_parsers::parse(&raw).unwrap();
//! let receipt = parsed.receipt.unwrap();
//! assert_eq!(receipt.vendor.as_deref(), Some("amazon-uk"));
//! assert_eq!(receipt.order_id_values(), ["205-1234567-7654321"]);
//! ```
#![deny(missing_docs)]

pub mod auth;
pub mod dates;
mod documents;
pub mod domain;
pub mod html;
pub mod item_blocks;
pub mod message;
mod model;
pub mod money;
pub mod patterns;
mod pipeline;
pub mod prefilter;
pub mod schema_org;
pub mod vendors;

pub use message::Email;
pub use model::{Currency, Field, Kind, LineItem, Method, Money, Parsed, Receipt};
pub use pipeline::{ParseError, Pipeline, UNVERIFIED_VENDOR_CONFIDENCE};

/// Parses raw message bytes with every built-in vendor.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    Pipeline::default().parse(bytes)
}
