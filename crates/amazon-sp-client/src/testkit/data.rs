//! The simulator's generated seller: orders with items, buyers and addresses.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const PRODUCTS: &[(&str, &str, i64)] = &[
    ("B0C1H2X3Y4", "USB-C Charging Cable 2m, Braided", 899),
    ("B08N5KWB9H", "Laptop Docking Station, 12-in-1", 8999),
    ("B07PFFMP9P", "Streaming Stick 4K", 4999),
    ("B09B8V1LZ3", "Wireless Earbuds with Charging Case", 2999),
    ("B0BX7S3ZQK", "A4 Printer Paper, 5 Reams", 2450),
    ("B0CHX1W1XY", "Stainless Steel Water Bottle 750ml", 1599),
];

/// An order a test or demo puts in the simulator (see
/// [`SimulatorConfig::script`](super::SimulatorConfig::script)). Amounts are GBP pence.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedOrder {
    /// Amazon's order id (`203-1234567-7654321`).
    pub id: String,
    /// When it was placed.
    pub purchased: OffsetDateTime,
    /// Its lines.
    pub items: Vec<ScriptedItem>,
    /// How many shipments it leaves in (each charged for itself): shipment
    /// `k` (from 0) carries line `k` and leaves `k + 1` days after the
    /// order, the last one carries the remaining lines. 1 (or 0): all lines
    /// together, a day after.
    pub shipments: usize,
}

/// Line indexes per shipment and the days after the order it leaves.
fn shipment_plan(lines: usize, shipments: usize) -> Vec<(std::ops::Range<usize>, i64)> {
    let parts = shipments.clamp(1, lines.max(1));
    (0..parts)
        .map(|k| {
            let range = if k + 1 == parts { k..lines } else { k..k + 1 };
            (range, k as i64 + 1)
        })
        .collect()
}

/// One line of a [`ScriptedOrder`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedItem {
    /// The product's ASIN.
    pub asin: String,
    /// Its title.
    pub title: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, in pence.
    pub unit_price_pence: i64,
}

impl ScriptedOrder {
    /// What the order costs, in pence.
    pub fn total_pence(&self) -> i64 {
        self.items
            .iter()
            .map(|i| i64::from(i.quantity) * i.unit_price_pence)
            .sum()
    }

    /// Its shipments as the simulator reports them: (days after the order,
    /// pence charged), in order.
    pub fn shipment_charges(&self) -> Vec<(i64, i64)> {
        let line = |i: &ScriptedItem| i64::from(i.quantity) * i.unit_price_pence;
        shipment_plan(self.items.len(), self.shipments)
            .into_iter()
            .map(|(lines, days)| (days, self.items[lines].iter().map(line).sum()))
            .collect()
    }
}

pub(crate) struct SimOrder {
    pub id: String,
    pub purchased: OffsetDateTime,
    /// (order item id, asin, title, quantity, unit price in pence)
    pub items: Vec<(String, String, String, u32, i64)>,
    pub shipments: usize,
}

impl From<&ScriptedOrder> for SimOrder {
    fn from(o: &ScriptedOrder) -> Self {
        let digits: String = o.id.chars().filter(char::is_ascii_digit).collect();
        SimOrder {
            id: o.id.clone(),
            purchased: o.purchased,
            items: o
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    (
                        format!("{}{n:02}", &digits[digits.len().saturating_sub(7)..]),
                        i.asin.clone(),
                        i.title.clone(),
                        i.quantity,
                        i.unit_price_pence,
                    )
                })
                .collect(),
            shipments: o.shipments,
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn money(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

impl SimOrder {
    pub fn total(&self) -> i64 {
        self.items
            .iter()
            .map(|(_, _, _, q, p)| i64::from(*q) * p)
            .sum()
    }

    /// The v0 order; `personal` (an RDT's data elements) adds the buyer and the address.
    pub fn v0(&self, marketplace: &str, personal: &[String]) -> Value {
        let mut order = json!({
            "AmazonOrderId": self.id,
            "PurchaseDate": rfc3339(self.purchased),
            "LastUpdateDate": rfc3339(self.purchased + Duration::hours(2)),
            "OrderStatus": "Shipped",
            "FulfillmentChannel": "AFN",
            "SalesChannel": "Amazon.co.uk",
            "OrderTotal": {"CurrencyCode": "GBP", "Amount": money(self.total())},
            "NumberOfItemsShipped": self.items.iter().map(|i| i.3).sum::<u32>(),
            "NumberOfItemsUnshipped": 0,
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["Standard"],
            "MarketplaceId": marketplace,
            "OrderType": "StandardOrder",
            "IsBusinessOrder": false,
            "IsPrime": true,
        });
        if personal.iter().any(|e| e == "buyerInfo") {
            order["BuyerInfo"] =
                json!({"BuyerEmail": "buyer-7@marketplace.amazon.co.uk", "BuyerName": "A. Buyer"});
        }
        if personal.iter().any(|e| e == "shippingAddress") {
            order["ShippingAddress"] = json!({"Name": "A. Buyer", "AddressLine1": "1 Example Street", "City": "London", "PostalCode": "SW1A 1AA", "CountryCode": "GB"});
        }
        order
    }

    /// The v0 items; `personal` with `buyerInfo` adds each item's gift details.
    pub fn v0_items(&self, personal: &[String]) -> Vec<Value> {
        let buyer = personal.iter().any(|e| e == "buyerInfo");
        self.items
            .iter()
            .map(|(item_id, asin, title, quantity, price)| {
                let mut item = json!({
                    "ASIN": asin, "SellerSKU": format!("SKU-{asin}"), "OrderItemId": item_id, "Title": title,
                    "QuantityOrdered": quantity, "QuantityShipped": quantity,
                    "ItemPrice": {"CurrencyCode": "GBP", "Amount": money(i64::from(*quantity) * price)},
                    "ItemTax": {"CurrencyCode": "GBP", "Amount": money(i64::from(*quantity) * price / 6)},
                });
                if buyer {
                    item["BuyerInfo"] = json!({"GiftMessageText": "Happy birthday"});
                }
                item
            })
            .collect()
    }

    pub fn v2026(&self, marketplace: &str) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|(item_id, asin, title, quantity, price)| {
                json!({
                    "orderItemId": item_id, "quantityOrdered": quantity,
                    "product": {"asin": asin, "title": title, "sellerSku": format!("SKU-{asin}"),
                                "price": {"unitPrice": {"amount": money(*price), "currencyCode": "GBP"}}},
                })
            })
            .collect();
        json!({
            "orderId": self.id,
            "createdTime": rfc3339(self.purchased),
            "lastUpdatedTime": rfc3339(self.purchased + Duration::hours(2)),
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": marketplace, "marketplaceName": "Amazon.co.uk"},
            "proceeds": {"grandTotal": {"amount": money(self.total()), "currencyCode": "GBP"}},
            "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON"},
            "orderItems": items,
        })
    }

    fn business_charges(&self, pence: i64) -> Value {
        let amount = |p: i64| json!({"currencyCode": "GBP", "amount": (p as f64) / 100.0});
        json!([
            {"type": "SUBTOTAL", "amount": amount(pence)},
            {"type": "TAX", "amount": amount(pence / 6)},
            {"type": "NET_TOTAL", "amount": amount(pence + pence / 6)},
        ])
    }

    pub fn business_order(&self) -> Value {
        json!({
            "orderMetadata": {"orderDate": rfc3339(self.purchased), "orderId": self.id, "region": "UK"},
            "purchaseOrderNumber": format!("PO-{}", &self.id[4..11]),
            "orderStatus": "CLOSED",
            "charges": self.business_charges(self.total()),
            "buyingCustomer": {"name": "Example Buyer", "email": "buyer@example.com"},
        })
    }

    /// Shipments as Amazon splits them (see [`ScriptedOrder::shipments`]),
    /// each charged for itself.
    pub fn business_shipments(&self) -> Vec<Value> {
        shipment_plan(self.items.len(), self.shipments)
            .into_iter()
            .map(|(range, days)| (&self.items[range], days))
            .enumerate()
            .map(|(n, (lines, days))| {
                let pence: i64 = lines.iter().map(|(_, _, _, quantity, price)| i64::from(*quantity) * price).sum();
                json!({
                    "orderMetadata": {"orderDate": rfc3339(self.purchased), "orderId": self.id, "region": "UK"},
                    "shipmentMetadata": {
                        "shipmentDate": rfc3339(self.purchased + Duration::days(days)),
                        "shipmentId": format!("{}-S{}", self.id, n + 1),
                    },
                    "shipmentStatus": "SHIPPED",
                    "charges": self.business_charges(pence),
                })
            })
            .collect()
    }

    pub fn business_lines(&self) -> Vec<Value> {
        self.items
            .iter()
            .map(|(item_id, asin, title, quantity, price)| {
                json!({
                    "orderMetadata": {"orderDate": rfc3339(self.purchased), "orderId": self.id, "region": "UK"},
                    "orderLineItemId": item_id,
                    "productDetails": {"asin": asin, "title": title, "productCategory": "Office Products"},
                    "quantity": quantity,
                    "unitPrice": {"currencyCode": "GBP", "amount": (*price as f64) / 100.0},
                    "charges": self.business_charges(i64::from(*quantity) * price),
                })
            })
            .collect()
    }
}

/// `count` orders over the last `days` days, newest last, 1 to 3 items each.
pub(crate) fn generate(count: usize, days: i64, seed: u64) -> Vec<SimOrder> {
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::now_utc());
    let span = Duration::days(days).whole_seconds().max(1);
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    (0..count)
        .map(|i| {
            let offset = span - (span * (i as i64 + 1)) / (count as i64 + 1);
            let purchased = now - Duration::seconds(offset);
            let id = format!("203-{:07}-{:07}", next() % 10_000_000, next() % 10_000_000);
            let items = (0..1 + next() % 3)
                .map(|n| {
                    let (asin, title, price) = PRODUCTS[(next() % PRODUCTS.len() as u64) as usize];
                    (
                        format!("{}{:02}", &id[12..], n),
                        asin.to_owned(),
                        title.to_owned(),
                        1 + (next() % 2) as u32,
                        price,
                    )
                })
                .collect();
            SimOrder {
                id,
                purchased,
                items,
                shipments: 2,
            }
        })
        .collect()
}
