//! Orders v0 models (PascalCase, as Amazon sends them). Fields a spending
//! tool uses are typed; everything else Amazon sends is kept in `other`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::Money;
use crate::text_enum::text_enum;

text_enum! {
    /// An order's status (`OrderStatus`; also a `getOrders` filter).
    pub enum OrderStatus {
        /// Placed, payment not yet authorised.
        Pending => "Pending",
        /// Payment authorised, ready to ship, nothing shipped yet.
        Unshipped => "Unshipped",
        /// Some, not all, items shipped.
        PartiallyShipped => "PartiallyShipped",
        /// Every item shipped.
        Shipped => "Shipped",
        /// Canceled (Amazon's spelling).
        Canceled => "Canceled",
        /// Cannot be fulfilled (Amazon-fulfilled orders not placed on Amazon's retail site).
        Unfulfillable => "Unfulfillable",
        /// Shipped; the seller has not yet confirmed the invoice reached the buyer.
        InvoiceUnconfirmed => "InvoiceUnconfirmed",
        /// A pre-order whose item is not released yet; payment not authorised.
        PendingAvailability => "PendingAvailability",
    }
}

text_enum! {
    /// Who fulfils an order (`FulfillmentChannel`; also a `getOrders` filter).
    pub enum FulfillmentChannel {
        /// Amazon (`AFN`).
        Afn => "AFN",
        /// The merchant (`MFN`).
        Mfn => "MFN",
    }
}

text_enum! {
    /// How an order is paid (`PaymentMethod`; also a `getOrders` filter).
    pub enum PaymentMethod {
        /// Cash on delivery.
        Cod => "COD",
        /// Convenience store.
        Cvs => "CVS",
        /// Any method other than cash on delivery or convenience store.
        Other => "Other",
    }
}

text_enum! {
    /// The kind of order (`OrderType`).
    pub enum OrderType {
        /// Ships from inventory the seller has.
        StandardOrder => "StandardOrder",
        /// Its items take a long time to arrive.
        LongLeadTimeOrder => "LongLeadTimeOrder",
        /// A pre-order: the item is not released yet.
        Preorder => "Preorder",
        /// The item is out of stock and will ship when restocked.
        BackOrder => "BackOrder",
        /// An Amazon "sourcing on demand" order.
        SourcingOnDemandOrder => "SourcingOnDemandOrder",
    }
}

text_enum! {
    /// The status of an Amazon Easy Ship order (`EasyShipShipmentStatus`; also a `getOrders` filter).
    pub enum EasyShipShipmentStatus {
        /// Waiting for a pick-up to be scheduled.
        PendingSchedule => "PendingSchedule",
        /// Amazon has not yet picked the package up.
        PendingPickUp => "PendingPickUp",
        /// The seller will drop the package off with the carrier.
        PendingDropOff => "PendingDropOff",
        /// The seller canceled the pick-up.
        LabelCanceled => "LabelCanceled",
        /// Picked up.
        PickedUp => "PickedUp",
        /// Dropped off.
        DroppedOff => "DroppedOff",
        /// At the origin fulfilment centre.
        AtOriginFc => "AtOriginFC",
        /// At the destination fulfilment centre.
        AtDestinationFc => "AtDestinationFC",
        /// Delivered.
        Delivered => "Delivered",
        /// The buyer refused it.
        RejectedByBuyer => "RejectedByBuyer",
        /// Could not be delivered.
        Undeliverable => "Undeliverable",
        /// On its way back to the seller.
        ReturningToSeller => "ReturningToSeller",
        /// Back with the seller.
        ReturnedToSeller => "ReturnedToSeller",
        /// Lost by the carrier.
        Lost => "Lost",
        /// Out for delivery.
        OutForDelivery => "OutForDelivery",
        /// Damaged by the carrier.
        Damaged => "Damaged",
    }
}

text_enum! {
    /// Where the electronic invoice of an order stands (`ElectronicInvoiceStatus`; also a `getOrders` filter).
    pub enum ElectronicInvoiceStatus {
        /// No electronic invoice is required.
        NotRequired => "NotRequired",
        /// None was submitted.
        NotFound => "NotFound",
        /// The last one submitted is being processed.
        Processing => "Processing",
        /// The last one submitted was rejected.
        Errored => "Errored",
        /// The last one submitted was accepted.
        Accepted => "Accepted",
    }
}

text_enum! {
    /// The status `updateShipmentStatus` sets (sellers' stores).
    pub enum ShipmentStatus {
        /// Ready for the buyer to pick up.
        ReadyForPickup => "ReadyForPickup",
        /// Picked up.
        PickedUp => "PickedUp",
        /// The buyer refused it at pick-up.
        RefusedPickup => "RefusedPickup",
    }
}

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
    /// The status (values Amazon adds later are kept as sent).
    pub order_status: OrderStatus,
    /// Amazon (`AFN`) or the merchant (`MFN`) fulfils it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_channel: Option<FulfillmentChannel>,
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
    /// Cash on delivery, convenience store, or other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// Payment method details (`CreditCard`, `GiftCertificate`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_method_details: Vec<String>,
    /// The marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<String>,
    /// Standard, pre-order, back order, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<OrderType>,
    /// An Easy Ship order's shipment status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easy_ship_shipment_status: Option<EasyShipShipmentStatus>,
    /// Where the order's electronic invoice stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electronic_invoice_status: Option<ElectronicInvoiceStatus>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders_v0::UpdateShipmentStatusRequest;
    use serde_json::json;

    fn order(status: &str, channel: &str, payment: &str) -> Value {
        json!({
            "AmazonOrderId": "203-1234567-1234567",
            "PurchaseDate": "2025-01-02T03:04:05Z",
            "LastUpdateDate": "2025-01-02T05:04:05Z",
            "OrderStatus": status,
            "FulfillmentChannel": channel,
            "PaymentMethod": payment,
            "OrderType": "StandardOrder",
            "EasyShipShipmentStatus": "PendingPickUp",
            "ElectronicInvoiceStatus": "NotRequired",
            "NumberOfItemsShipped": 1,
        })
    }

    #[test]
    fn known_values_are_typed_and_round_trip() {
        let sent = order("PartiallyShipped", "AFN", "Other");
        let read: Order = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(read.order_status, OrderStatus::PartiallyShipped);
        assert_eq!(read.fulfillment_channel, Some(FulfillmentChannel::Afn));
        assert_eq!(read.payment_method, Some(PaymentMethod::Other));
        assert_eq!(read.order_type, Some(OrderType::StandardOrder));
        assert_eq!(
            read.easy_ship_shipment_status,
            Some(EasyShipShipmentStatus::PendingPickUp)
        );
        assert_eq!(
            read.electronic_invoice_status,
            Some(ElectronicInvoiceStatus::NotRequired)
        );
        assert_eq!(serde_json::to_value(&read).unwrap(), sent);
    }

    #[test]
    fn a_value_amazon_adds_later_survives_with_its_text() {
        let sent = order("AwaitingCourier", "XFN", "PayLater");
        let read: Order = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(
            read.order_status,
            OrderStatus::Unknown("AwaitingCourier".into())
        );
        assert!(read.order_status.is_unknown());
        assert_eq!(read.order_status.to_string(), "AwaitingCourier");
        assert_eq!(
            read.fulfillment_channel,
            Some(FulfillmentChannel::Unknown("XFN".into()))
        );
        assert_eq!(
            read.payment_method,
            Some(PaymentMethod::Unknown("PayLater".into()))
        );
        assert_eq!(
            serde_json::to_value(&read).unwrap(),
            sent,
            "re-sent as read"
        );
    }

    #[test]
    fn text_parses_to_the_known_value_not_the_catch_all() {
        assert_eq!(OrderStatus::from("Shipped"), OrderStatus::Shipped);
        assert_eq!(
            "Canceled".parse::<OrderStatus>().unwrap(),
            OrderStatus::Canceled
        );
        assert_eq!(
            OrderStatus::from(String::from("Cancelled")),
            OrderStatus::Unknown("Cancelled".into()),
            "Amazon spells it Canceled; anything else is not that value"
        );
        assert_eq!(format!("{:<10}|", OrderStatus::Pending), "Pending   |");
        assert_eq!(ShipmentStatus::ReadyForPickup.as_ref(), "ReadyForPickup");
        let request: UpdateShipmentStatusRequest = serde_json::from_value(
            json!({"marketplaceId": "ATVPDKIKX0DER", "shipmentStatus": "PickedUp"}),
        )
        .unwrap();
        assert_eq!(request.shipment_status, ShipmentStatus::PickedUp);
    }
}
