//! Orders v0 models (PascalCase, as Amazon sends them). Fields a spending
//! tool uses are typed; everything else Amazon sends is kept in `other`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::Money;

/// An order (`getOrders`, `getOrder`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Order {
    /// The order id (`123-1234567-1234567`).
    pub amazon_order_id: String,
    /// The seller's own id for the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_order_id: Option<String>,
    /// When the order was placed.
    pub purchase_date: String,
    /// When it last changed.
    pub last_update_date: String,
    /// `Pending`, `Unshipped`, `PartiallyShipped`, `Shipped`, `Canceled`,
    /// `Unfulfillable`, `InvoiceUnconfirmed`, `PendingAvailability` (values
    /// Amazon adds later are kept as sent).
    pub order_status: String,
    /// `AFN` (Amazon fulfils) or `MFN` (the merchant does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_channel: Option<String>,
    /// `Amazon.co.uk`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel: Option<String>,
    /// The order's total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_total: Option<Money>,
    /// Items shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_items_shipped: Option<u32>,
    /// Items not yet shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_items_unshipped: Option<u32>,
    /// `COD`, `CVS`, `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Payment method details (`CreditCard`, `GiftCertificate`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_method_details: Vec<String>,
    /// The marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<String>,
    /// `StandardOrder`, `Preorder`, `SourcingOnDemandOrder`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<String>,
    /// Whether it is an Amazon Business order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_business_order: Option<bool>,
    /// Whether it is a Prime order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_prime: Option<bool>,
    /// The shipping address (restricted: with an RDT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// The buyer (restricted: with an RDT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_info: Option<BuyerInfo>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One page of `getOrders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrdersList {
    /// The orders.
    pub orders: Vec<Order>,
    /// The next page's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Orders updated after this were not considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_before: Option<String>,
    /// Orders created after this were not considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    /// Postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country (ISO 3166 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The buyer of an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerInfo {
    /// The buyer's anonymised email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<String>,
    /// The buyer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
    /// A business buyer's purchase order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `getOrderBuyerInfo`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderBuyerInfo {
    /// The order.
    pub amazon_order_id: String,
    /// The buyer.
    #[serde(flatten)]
    pub buyer: BuyerInfo,
}

/// `getOrderAddress`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderAddress {
    /// The order.
    pub amazon_order_id: String,
    /// A business buyer's company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_company_name: Option<String>,
    /// Where it ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An order item (`getOrderItems`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItem {
    /// The ASIN.
    #[serde(rename = "ASIN")]
    pub asin: String,
    /// The seller's SKU.
    #[serde(rename = "SellerSKU", default, skip_serializing_if = "Option::is_none")]
    pub seller_sku: Option<String>,
    /// The item's id within the order.
    pub order_item_id: String,
    /// The product's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// Quantity shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_shipped: Option<u32>,
    /// Price of the line (unit price × quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Money>,
    /// Shipping charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_price: Option<Money>,
    /// Tax on the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_tax: Option<Money>,
    /// Tax on shipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_tax: Option<Money>,
    /// Shipping discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_discount: Option<Money>,
    /// Promotion discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_discount: Option<Money>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One page of `getOrderItems`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItemsList {
    /// The items.
    pub order_items: Vec<OrderItem>,
    /// The next page's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// The order.
    pub amazon_order_id: String,
}

/// One page of `getOrderItemsBuyerInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItemsBuyerInfoList {
    /// Per item: gift messages, customisation, gift wrap.
    pub order_items: Vec<Value>,
    /// The next page's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// The order.
    pub amazon_order_id: String,
}

/// `getOrderRegulatedInfo`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderRegulatedInfo {
    /// The order.
    pub amazon_order_id: String,
    /// The regulated fields.
    pub regulated_information: Value,
    /// Whether a dosage label is needed.
    pub requires_dosage_label: bool,
    /// The verification status.
    pub regulated_order_verification_status: Value,
}

/// The `{"payload": ...}` envelope of v0 answers.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Payload<T> {
    pub payload: T,
}
