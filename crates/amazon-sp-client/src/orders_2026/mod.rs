//! Orders API v2026-01-01 (the successor of v0): `searchOrders` with
//! `includedData` and pagination, and `getOrder`.

use std::collections::BTreeMap;

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{DateParam, csv};
use crate::money::Amount;
use crate::orders_v0::paginate;
use crate::text_enum::text_enum;
use crate::{Result, SpApiClient};

const ORDERS: &str = "/orders/2026-01-01/orders";

text_enum! {
    /// A dataset `searchOrders` and `getOrder` can add to each order (`includedData`).
    pub enum IncludedData {
        /// The buyer.
        Buyer => "BUYER",
        /// Who and where it is delivered to.
        Recipient => "RECIPIENT",
        /// What the seller receives, with breakdowns.
        Proceeds => "PROCEEDS",
        /// Costs of the order and its items.
        Expense => "EXPENSE",
        /// Discounts and promotions.
        Promotion => "PROMOTION",
        /// Cancellations.
        Cancellation => "CANCELLATION",
        /// How it is processed and shipped.
        Fulfillment => "FULFILLMENT",
        /// Packages and tracking.
        Packages => "PACKAGES",
        /// Tax.
        Tax => "TAX",
        /// Payment.
        Payment => "PAYMENT",
        /// The fulfilment orders Amazon created for it.
        FulfillmentOrders => "FULFILLMENT_ORDERS",
    }
}

text_enum! {
    /// Where an order stands in fulfilment (`FulfillmentStatus`; also a `searchOrders` filter).
    pub enum FulfillmentStatus {
        /// A pre-order whose item is not released yet.
        PendingAvailability => "PENDING_AVAILABILITY",
        /// Placed, not ready to ship.
        Pending => "PENDING",
        /// Ready to ship, nothing shipped yet.
        Unshipped => "UNSHIPPED",
        /// Some, not all, items shipped.
        PartiallyShipped => "PARTIALLY_SHIPPED",
        /// Every item shipped.
        Shipped => "SHIPPED",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Cannot be fulfilled.
        Unfulfillable => "UNFULFILLABLE",
    }
}

text_enum! {
    /// Who fulfils an order (`fulfilledBy`; also a `searchOrders` filter).
    pub enum FulfilledBy {
        /// Amazon.
        Amazon => "AMAZON",
        /// The merchant.
        Merchant => "MERCHANT",
    }
}

text_enum! {
    /// The shipping speed the buyer chose (`fulfillmentServiceLevel`).
    pub enum FulfillmentServiceLevel {
        /// Expedited.
        Expedited => "EXPEDITED",
        /// Free economy.
        FreeEconomy => "FREE_ECONOMY",
        /// Next day.
        NextDay => "NEXT_DAY",
        /// Priority.
        Priority => "PRIORITY",
        /// Same day.
        SameDay => "SAME_DAY",
        /// Second day.
        SecondDay => "SECOND_DAY",
        /// Scheduled delivery.
        Scheduled => "SCHEDULED",
        /// Standard.
        Standard => "STANDARD",
    }
}

text_enum! {
    /// Where an order was placed (`channelName`).
    pub enum ChannelName {
        /// On Amazon.
        Amazon => "AMAZON",
        /// Elsewhere (a multi-channel fulfilment order).
        NonAmazon => "NON_AMAZON",
    }
}

text_enum! {
    /// A special price an item was sold at (`priceDesignation`).
    pub enum PriceDesignation {
        /// A price only Amazon Business customers get.
        BusinessPrice => "BUSINESS_PRICE",
    }
}

/// An order (camelCase, as v2026-01-01 sends it). Parts asked for with
/// `includedData` (buyer, recipient, proceeds, fulfillment, packages, ...) are typed where a
/// spending tool needs them and kept whole in `other` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The order id.
    pub order_id: String,
    /// When it was placed.
    pub created_time: String,
    /// When it last changed.
    pub last_updated_time: String,
    /// Where it was sold (`channelName`, `marketplaceId`, `marketplaceName`).
    pub sales_channel: SalesChannel,
    /// Its items.
    pub order_items: Vec<OrderItem>,
    /// Proceeds (`includedData=PROCEEDS`): `grandTotal` and breakdowns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proceeds: Option<OrderProceeds>,
    /// Fulfilment (`includedData=FULFILLMENT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment: Option<OrderFulfillment>,
    /// Everything else Amazon sent (buyer, recipient, packages, payment, tax, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// How an order is fulfilled (`includedData=FULFILLMENT`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFulfillment {
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_status: Option<FulfillmentStatus>,
    /// Amazon or the merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilled_by: Option<FulfilledBy>,
    /// The shipping speed the buyer chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_service_level: Option<FulfillmentServiceLevel>,
    /// Everything else Amazon sent (ship-by and deliver-by windows, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Where an order was sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesChannel {
    /// On Amazon or elsewhere.
    pub channel_name: ChannelName,
    /// The marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<String>,
    /// The marketplace's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_name: Option<String>,
}

/// An order's proceeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderProceeds {
    /// The total the buyer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grand_total: Option<Amount>,
    /// Breakdowns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<Value>,
}

/// An item of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    /// The item's id.
    pub order_item_id: String,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// The product: ASIN, title, SKU, condition, unit price.
    pub product: Product,
    /// Everything else Amazon sent (proceeds, promotion, fulfillment, tax, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The product of an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// The ASIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asin: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The seller's SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_sku: Option<String>,
    /// Unit price (`price.unitPrice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<ItemPrice>,
    /// Everything else Amazon sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An item's price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPrice {
    /// Price of one unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Amount>,
    /// A special price (Amazon Business).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_designation: Option<PriceDesignation>,
}

/// One page of `searchOrders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchOrdersResponse {
    /// The orders.
    pub orders: Vec<Order>,
    /// `{"nextToken": ...}` when there are more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Orders updated after this were not considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_before: Option<String>,
    /// Orders created after this were not considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
}

/// Pagination of `searchOrders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Pass as `paginationToken` for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
struct GetOrderResponse {
    order: Order,
}

/// Orders API v2026-01-01. Get it from [`SpApiClient::orders`].
#[derive(Debug, Clone, Copy)]
pub struct Orders<'a> {
    pub(crate) client: &'a SpApiClient,
}

impl Orders<'_> {
    /// `searchOrders`; give exactly one of `created_after` / `last_updated_after`.
    pub fn search_orders(&self) -> SearchOrders {
        SearchOrders {
            client: self.client.clone(),
            query: Vec::new(),
        }
    }

    /// `getOrder`, with the datasets in `included_data`.
    pub async fn get_order(&self, order_id: &str, included_data: &[IncludedData]) -> Result<Order> {
        let id: String = url::form_urlencoded::byte_serialize(order_id.as_bytes()).collect();
        let query: Vec<(&str, String)> = (!included_data.is_empty())
            .then(|| ("includedData", csv(included_data)))
            .into_iter()
            .collect();
        let answer: GetOrderResponse = self
            .client
            .get(
                "getOrder2026",
                &self.client.inner.base,
                &format!("{ORDERS}/{id}"),
                &query,
            )
            .await?;
        Ok(answer.order)
    }
}

/// A `searchOrders` request.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct SearchOrders {
    client: SpApiClient,
    query: Vec<(&'static str, String)>,
}

impl SearchOrders {
    fn param(mut self, name: &'static str, value: String) -> Self {
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value));
        self
    }

    /// `createdAfter`.
    pub fn created_after(self, value: impl Into<DateParam>) -> Self {
        self.param("createdAfter", value.into().0)
    }

    /// `createdBefore`.
    pub fn created_before(self, value: impl Into<DateParam>) -> Self {
        self.param("createdBefore", value.into().0)
    }

    /// `lastUpdatedAfter`.
    pub fn last_updated_after(self, value: impl Into<DateParam>) -> Self {
        self.param("lastUpdatedAfter", value.into().0)
    }

    /// `lastUpdatedBefore`.
    pub fn last_updated_before(self, value: impl Into<DateParam>) -> Self {
        self.param("lastUpdatedBefore", value.into().0)
    }

    /// `marketplaceIds`.
    pub fn marketplace_ids<S: AsRef<str>>(self, ids: &[S]) -> Self {
        self.param("marketplaceIds", csv(ids))
    }

    /// `fulfillmentStatuses`: [`FulfillmentStatus`] values (or their text).
    pub fn fulfillment_statuses<S: AsRef<str>>(self, statuses: &[S]) -> Self {
        self.param("fulfillmentStatuses", csv(statuses))
    }

    /// `fulfilledBy`: [`FulfilledBy`] values (or their text).
    pub fn fulfilled_by<S: AsRef<str>>(self, parties: &[S]) -> Self {
        self.param("fulfilledBy", csv(parties))
    }

    /// `maxResultsPerPage` (1 to 100).
    pub fn max_results_per_page(self, n: u32) -> Self {
        self.param("maxResultsPerPage", n.clamp(1, 100).to_string())
    }

    /// `includedData`: the datasets to include.
    pub fn included_data(self, datasets: &[IncludedData]) -> Self {
        self.param("includedData", csv(datasets))
    }

    /// `paginationToken`: start from this page.
    pub fn pagination_token(self, token: &str) -> Self {
        self.param("paginationToken", token.to_owned())
    }

    /// One page.
    pub async fn send(&self) -> Result<SearchOrdersResponse> {
        self.client
            .get("searchOrders", &self.client.inner.base, ORDERS, &self.query)
            .await
    }

    /// Every order, page after page.
    pub fn stream(self) -> BoxStream<'static, Result<Order>> {
        paginate(self, |request| {
            Box::pin(async move {
                let page = request.send().await?;
                let next = page
                    .pagination
                    .as_ref()
                    .and_then(|p| p.next_token.clone())
                    .map(|t| request.pagination_token(&t));
                Ok((page.orders, next))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(status: &str, by: &str, channel: &str) -> Value {
        json!({
            "orderId": "203-1234567-1234567",
            "createdTime": "2025-01-02T03:04:05Z",
            "lastUpdatedTime": "2025-01-02T05:04:05Z",
            "salesChannel": {"channelName": channel, "marketplaceId": "A1F83G8C2ARO7P"},
            "fulfillment": {
                "fulfillmentStatus": status,
                "fulfilledBy": by,
                "fulfillmentServiceLevel": "NEXT_DAY",
                "shipByWindow": {"earliestDateTime": "2025-01-03T00:00:00Z"},
            },
            "orderItems": [{
                "orderItemId": "1",
                "quantityOrdered": 1,
                "product": {"price": {"unitPrice": {"amount": "8.99", "currencyCode": "GBP"}, "priceDesignation": "BUSINESS_PRICE"}},
            }],
        })
    }

    #[test]
    fn known_values_are_typed_and_round_trip() {
        let sent = order("SHIPPED", "AMAZON", "AMAZON");
        let read: Order = serde_json::from_value(sent.clone()).unwrap();
        let fulfillment = read.fulfillment.as_ref().unwrap();
        assert_eq!(
            fulfillment.fulfillment_status,
            Some(FulfillmentStatus::Shipped)
        );
        assert_eq!(fulfillment.fulfilled_by, Some(FulfilledBy::Amazon));
        assert_eq!(
            fulfillment.fulfillment_service_level,
            Some(FulfillmentServiceLevel::NextDay)
        );
        assert!(fulfillment.other.contains_key("shipByWindow"));
        assert_eq!(read.sales_channel.channel_name, ChannelName::Amazon);
        assert_eq!(
            read.order_items[0]
                .product
                .price
                .as_ref()
                .unwrap()
                .price_designation,
            Some(PriceDesignation::BusinessPrice)
        );
        assert_eq!(serde_json::to_value(&read).unwrap(), sent);
    }

    #[test]
    fn a_value_amazon_adds_later_survives_with_its_text() {
        let sent = order("AWAITING_HANDOVER", "PARTNER", "AMAZON_LIVE");
        let read: Order = serde_json::from_value(sent.clone()).unwrap();
        let fulfillment = read.fulfillment.as_ref().unwrap();
        assert_eq!(
            fulfillment.fulfillment_status,
            Some(FulfillmentStatus::Unknown("AWAITING_HANDOVER".into()))
        );
        assert_eq!(
            fulfillment.fulfilled_by,
            Some(FulfilledBy::Unknown("PARTNER".into()))
        );
        assert_eq!(
            read.sales_channel.channel_name,
            ChannelName::Unknown("AMAZON_LIVE".into())
        );
        assert_eq!(
            serde_json::to_value(&read).unwrap(),
            sent,
            "re-sent as read"
        );
    }

    #[test]
    fn included_data_is_sent_as_amazon_spells_it() {
        let sent = [
            IncludedData::Buyer,
            IncludedData::FulfillmentOrders,
            IncludedData::from("LOYALTY"),
        ];
        assert_eq!(csv(&sent), "BUYER,FULFILLMENT_ORDERS,LOYALTY");
        assert_eq!(
            "PROCEEDS".parse::<IncludedData>().unwrap(),
            IncludedData::Proceeds
        );
        assert_eq!(
            serde_json::to_value(IncludedData::Unknown("LOYALTY".into())).unwrap(),
            json!("LOYALTY")
        );
        let back: IncludedData = serde_json::from_value(json!("LOYALTY")).unwrap();
        assert_eq!(back, IncludedData::Unknown("LOYALTY".into()));
    }
}
