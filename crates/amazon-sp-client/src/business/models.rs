//! Amazon Business Reporting API 2025-06-09 models (camelCase). Amounts are
//! JSON numbers there; they are read exactly through their decimal text.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An amount with its currency (Amazon Business sends the amount as a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessAmount {
    /// ISO 4217 currency.
    pub currency_code: String,
    /// The amount, exact.
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
}

/// A charge of an order, line or shipment: `SUBTOTAL`, `SHIPPING_AND_HANDLING`,
/// `PROMOTION` (negative), `TAX`, `NET_TOTAL`, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The charge's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its amount.
    pub amount: BusinessAmount,
}

/// Which order a report row belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderMetadata {
    /// When the order was placed.
    pub order_date: String,
    /// The order id.
    pub order_id: String,
    /// The region (`US`, `UK`, `DE`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Which shipment a report row belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentMetadata {
    /// When it shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_date: Option<String>,
    /// The shipment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_id: Option<String>,
}

/// A business order (`getOrderReports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderReport {
    /// The order.
    pub order_metadata: OrderMetadata,
    /// The buyer's purchase order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    /// `PENDING_APPROVAL`, `PAYMENT_CONFIRMED`, `PENDING_FULFILLMENT`, `PENDING`, `CANCELLED`, `CLOSED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_status: Option<String>,
    /// Subtotal, shipping, promotions, tax, net total.
    #[serde(default)]
    pub charges: Vec<Charge>,
    /// Everything else (buying customer, buyer group, GL code, cost centre, approvers).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl OrderReport {
    /// The charge of `kind` (`NET_TOTAL` is what was paid).
    pub fn charge(&self, kind: &str) -> Option<&BusinessAmount> {
        self.charges
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| &c.amount)
    }
}

/// The product of a line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDetails {
    /// The ASIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asin: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The product category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_category: Option<String>,
    /// Everything else (UNSPSC, brand, condition, serial numbers).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A line of a business order (`getOrderLineItemReports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItemReport {
    /// The order.
    pub order_metadata: OrderMetadata,
    /// The line's id.
    pub order_line_item_id: String,
    /// The buyer's purchase order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    /// The product.
    #[serde(default)]
    pub product_details: ProductDetails,
    /// Quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Price of one unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<BusinessAmount>,
    /// The line's charges.
    #[serde(default)]
    pub charges: Vec<Charge>,
    /// Everything else (tax exemption, pricing programme, seller, sustainability).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A shipment (`getShipmentReports`) or a shipment's line (`getShipmentLineItemReports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentReport {
    /// The order.
    pub order_metadata: OrderMetadata,
    /// The shipment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_metadata: Option<ShipmentMetadata>,
    /// `SHIPPED`, `PENDING_PAYMENT`, `SHIPPING_SOON`, `SHIPPED_PLANNED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_status: Option<String>,
    /// The line (shipment line reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_line_item_id: Option<String>,
    /// The charges.
    #[serde(default)]
    pub charges: Vec<Charge>,
    /// Everything else (delivery info, address, product, quantities).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A page of a report: its rows and the next page's token.
pub trait ReportPage: serde::de::DeserializeOwned + Send + 'static {
    /// A row.
    type Row: Send + 'static;
    /// Splits the page.
    fn into_parts(self) -> (Vec<Self::Row>, Option<String>);
}

macro_rules! page {
    ($name:ident, $field:literal, $row:ty) => {
        #[doc = concat!("A page of `", $field, "` rows.")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The rows.
            #[serde(rename = $field, default)]
            pub rows: Vec<$row>,
            /// The next page's token.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_page_token: Option<String>,
        }

        impl ReportPage for $name {
            type Row = $row;
            fn into_parts(self) -> (Vec<$row>, Option<String>) {
                (self.rows, self.next_page_token)
            }
        }
    };
}

page!(OrderReportsPage, "ordersReport", OrderReport);
page!(
    OrderLineItemReportsPage,
    "orderLineItemsReport",
    OrderLineItemReport
);
page!(ShipmentReportsPage, "shipmentsReport", ShipmentReport);
page!(
    ShipmentLineItemReportsPage,
    "shipmentLineItemsReport",
    ShipmentReport
);
