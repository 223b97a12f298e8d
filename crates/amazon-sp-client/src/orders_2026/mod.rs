//! Orders API v2026-01-01 (the successor of v0): `searchOrders` with
//! `includedData` and pagination, and `getOrder`.

use std::collections::BTreeMap;

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{DateParam, csv};
use crate::money::Amount;
use crate::orders_v0::paginate;
use crate::{Result, SpApiClient};

const ORDERS: &str = "/orders/2026-01-01/orders";

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
    pub fulfillment: Option<Value>,
    /// Everything else Amazon sent (buyer, recipient, packages, payment, tax, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Where an order was sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesChannel {
    /// `AMAZON` or `NON_AMAZON`.
    pub channel_name: String,
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
    /// `BUSINESS_PRICE` and the like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_designation: Option<String>,
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

    /// `getOrder`, with the datasets in `included_data` (`BUYER`, `RECIPIENT`,
    /// `PROCEEDS`, `EXPENSE`, `PROMOTION`, `CANCELLATION`, `FULFILLMENT`, `PACKAGES`, ...).
    pub async fn get_order(&self, order_id: &str, included_data: &[&str]) -> Result<Order> {
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

    /// `fulfillmentStatuses` (`UNSHIPPED`, `SHIPPED`, `CANCELLED`, ...).
    pub fn fulfillment_statuses<S: AsRef<str>>(self, statuses: &[S]) -> Self {
        self.param("fulfillmentStatuses", csv(statuses))
    }

    /// `fulfilledBy` (`MERCHANT`, `AMAZON`).
    pub fn fulfilled_by<S: AsRef<str>>(self, parties: &[S]) -> Self {
        self.param("fulfilledBy", csv(parties))
    }

    /// `maxResultsPerPage` (1 to 100).
    pub fn max_results_per_page(self, n: u32) -> Self {
        self.param("maxResultsPerPage", n.clamp(1, 100).to_string())
    }

    /// `includedData`: the datasets to include.
    pub fn included_data<S: AsRef<str>>(self, datasets: &[S]) -> Self {
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
