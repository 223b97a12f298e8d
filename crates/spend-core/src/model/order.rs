//! Orders (Amazon SP-API, Amazon Business, history files, email) and Apple purchases.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::Money;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderItem {
    /// What was bought.
    pub title: String,
    /// How many.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: Option<Money>,
    /// Price of the line.
    pub total: Option<Money>,
    /// ASIN, SKU or the vendor's item id.
    pub item_id: Option<String>,
    /// The seller's or the person's category for the item.
    pub category: Option<String>,
}

/// One shipment of an order (orders can be split).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Shipment {
    /// The provider's shipment id.
    pub id: Option<String>,
    /// When it left.
    pub shipped_on: Option<Date>,
    /// Its status as the provider words it.
    pub status: Option<String>,
    /// Ids or titles of the items in it.
    pub items: Vec<String>,
}

/// One payment taken for an order (Amazon charges per shipment; refunds are negative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    /// When it was charged.
    pub charged_on: Date,
    /// The amount (a refund is negative).
    pub amount: Money,
    /// The card or method, as the provider shows it (`Visa ending in 1234`).
    pub method: Option<String>,
    /// The provider's reference for the payment.
    pub reference: Option<String>,
}

/// An order. Natural key: `(source, id)`.
///
/// ```
/// use spend_core::model::{Money, Order, OrderItem};
/// let mut order = Order::new("sp-api", "205-1234567-7654321", time::macros::date!(2026 - 03 - 12), "Amazon");
/// order.total = Some(Money::parse("24.97", "GBP")?);
/// order.items.push(OrderItem { title: "USB-C cable".into(), quantity: 1, ..Default::default() });
/// # Ok::<(), spend_core::model::MoneyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Where it came from (`sp-api`, `amazon-business`, `amazon-history`, `email`).
    pub source: String,
    /// The order id.
    pub id: String,
    /// The day it was placed.
    pub ordered_on: Date,
    /// The instant, when known.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ordered_at: Option<OffsetDateTime>,
    /// Who sold it.
    pub merchant: String,
    /// The provider's status (`Shipped`, `Canceled`, ...), kept as given.
    pub status: Option<String>,
    /// The order total.
    pub total: Option<Money>,
    /// Lines.
    pub items: Vec<OrderItem>,
    /// Shipments.
    pub shipments: Vec<Shipment>,
    /// Payments taken and refunds given.
    pub charges: Vec<Charge>,
    /// The provider's payload, kept whole.
    pub raw: Option<serde_json::Value>,
}

impl Order {
    /// An order with its key, date and merchant.
    pub fn new(source: &str, id: &str, ordered_on: Date, merchant: &str) -> Self {
        Order {
            source: source.to_owned(),
            id: id.to_owned(),
            ordered_on,
            ordered_at: None,
            merchant: merchant.to_owned(),
            status: None,
            total: None,
            items: Vec::new(),
            shipments: Vec::new(),
            charges: Vec::new(),
            raw: None,
        }
    }
}

/// A purchase from Apple (App Store, subscriptions, iCloud), from Apple's
/// purchase history or its receipt emails. Natural key: the Apple order id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplePurchase {
    /// Apple's order id (`MT2Q8X9Z1B`).
    pub order_id: String,
    /// The day of purchase.
    pub purchased_on: Date,
    /// The total charged.
    pub total: Option<Money>,
    /// What was bought.
    pub items: Vec<OrderItem>,
    /// The source's payload, kept whole.
    pub raw: Option<serde_json::Value>,
}
