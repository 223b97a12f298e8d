//! Orders API v0: orders, items, buyer info and addresses (with RDTs),
//! regulated info, and the seller's shipment updates.

mod models;

pub use models::*;

use futures_util::stream::BoxStream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{DateParam, csv};
use crate::{Result, SpApiClient};

const ORDERS: &str = "/orders/v0/orders";

fn path(order_id: &str, tail: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(order_id.as_bytes()).collect();
    format!("{ORDERS}/{id}{tail}")
}

/// The path Amazon's Tokens API reads as "this operation, any order": an RDT
/// for it serves every order, where one for a concrete path serves one.
fn generic(tail: &str) -> String {
    format!("{ORDERS}/{{orderId}}{tail}")
}

/// What `with_personal_data` asks for on orders: the buyer and where it ships.
const ORDER_DATA: &[&str] = &["buyerInfo", "shippingAddress"];
/// On order items only `buyerInfo` exists (gift wrap, customisation).
const ITEM_DATA: &[&str] = &["buyerInfo"];

/// Orders API v0. Get it from [`SpApiClient::orders_v0`].
#[derive(Debug, Clone, Copy)]
pub struct OrdersV0<'a> {
    pub(crate) client: &'a SpApiClient,
}

impl OrdersV0<'_> {
    /// `getOrders` in these marketplaces; add filters with the builder methods.
    /// (Amazon requires at least one marketplace; an empty list sends none,
    /// which Amazon answers with 400.)
    pub fn get_orders<S: Into<String>>(
        &self,
        marketplace_ids: impl IntoIterator<Item = S>,
    ) -> GetOrders {
        let ids: Vec<String> = marketplace_ids.into_iter().map(Into::into).collect();
        let query = if ids.is_empty() {
            Vec::new()
        } else {
            vec![("MarketplaceIds", csv(&ids))]
        };
        GetOrders {
            client: self.client.clone(),
            query,
            data_elements: &[],
        }
    }

    /// `getOrder`, without the buyer's personal data.
    pub async fn get_order(&self, order_id: &str) -> Result<Order> {
        let page: Payload<Order> = self
            .client
            .get(
                "getOrder",
                &self.client.inner.base,
                &path(order_id, ""),
                &[],
            )
            .await?;
        Ok(page.payload)
    }

    /// `getOrder` with the buyer's info and shipping address (`buyer_info`,
    /// `shipping_address`): sent with an RDT for those data elements, one
    /// token for every order.
    pub async fn get_order_with_personal_data(&self, order_id: &str) -> Result<Order> {
        let page: Payload<Order> = self
            .client
            .get_restricted(
                "getOrder",
                &path(order_id, ""),
                &[],
                &generic(""),
                ORDER_DATA,
            )
            .await?;
        Ok(page.payload)
    }

    /// `getOrderItems`: one page, or all items as a stream.
    pub fn get_order_items(&self, order_id: &str) -> GetOrderItems {
        GetOrderItems {
            client: self.client.clone(),
            order_id: order_id.to_owned(),
            next_token: None,
            data_elements: &[],
        }
    }

    /// `getOrderBuyerInfo` (restricted: obtains an RDT, one for every order).
    pub async fn get_order_buyer_info(&self, order_id: &str) -> Result<OrderBuyerInfo> {
        let page: Payload<OrderBuyerInfo> = self
            .client
            .get_restricted(
                "getOrderBuyerInfo",
                &path(order_id, "/buyerInfo"),
                &[],
                &generic("/buyerInfo"),
                &[],
            )
            .await?;
        Ok(page.payload)
    }

    /// `getOrderAddress` (restricted: obtains an RDT, one for every order).
    pub async fn get_order_address(&self, order_id: &str) -> Result<OrderAddress> {
        let page: Payload<OrderAddress> = self
            .client
            .get_restricted(
                "getOrderAddress",
                &path(order_id, "/address"),
                &[],
                &generic("/address"),
                &[],
            )
            .await?;
        Ok(page.payload)
    }

    /// `getOrderItemsBuyerInfo` (restricted: obtains an RDT, one for every
    /// order), one page from `next_token`.
    pub async fn get_order_items_buyer_info(
        &self,
        order_id: &str,
        next_token: Option<&str>,
    ) -> Result<OrderItemsBuyerInfoList> {
        let query: Vec<(&str, String)> = next_token
            .map(|t| ("NextToken", t.to_owned()))
            .into_iter()
            .collect();
        let page: Payload<OrderItemsBuyerInfoList> = self
            .client
            .get_restricted(
                "getOrderItemsBuyerInfo",
                &path(order_id, "/orderItems/buyerInfo"),
                &query,
                &generic("/orderItems/buyerInfo"),
                &[],
            )
            .await?;
        Ok(page.payload)
    }

    /// `getOrderRegulatedInfo` (restricted: obtains an RDT, one for every order).
    pub async fn get_order_regulated_info(&self, order_id: &str) -> Result<OrderRegulatedInfo> {
        let page: Payload<OrderRegulatedInfo> = self
            .client
            .get_restricted(
                "getOrderRegulatedInfo",
                &path(order_id, "/regulatedInfo"),
                &[],
                &generic("/regulatedInfo"),
                &[],
            )
            .await?;
        Ok(page.payload)
    }

    /// `updateShipmentStatus` (sellers' stores: ready for pickup, picked up, refused).
    pub async fn update_shipment_status(
        &self,
        order_id: &str,
        request: &UpdateShipmentStatusRequest,
    ) -> Result<()> {
        self.client
            .send_body(
                "updateShipmentStatus",
                Method::POST,
                &path(order_id, "/shipment"),
                request,
            )
            .await
    }

    /// `updateVerificationStatus` for a regulated order; `request` is the
    /// `{"regulatedOrderVerificationStatus": {...}}` body Amazon documents.
    pub async fn update_verification_status(&self, order_id: &str, request: &Value) -> Result<()> {
        self.client
            .send_body(
                "updateVerificationStatus",
                Method::PATCH,
                &path(order_id, "/regulatedInfo"),
                request,
            )
            .await
    }

    /// `confirmShipment`: a package's carrier and tracking.
    pub async fn confirm_shipment(
        &self,
        order_id: &str,
        request: &ConfirmShipmentRequest,
    ) -> Result<()> {
        self.client
            .send_body(
                "confirmShipment",
                Method::POST,
                &path(order_id, "/shipmentConfirmation"),
                request,
            )
            .await
    }
}

/// The body of `updateShipmentStatus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateShipmentStatusRequest {
    /// The marketplace.
    pub marketplace_id: String,
    /// Ready for pickup, picked up, or refused.
    pub shipment_status: ShipmentStatus,
    /// The items concerned (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_items: Option<Vec<Value>>,
}

/// The body of `confirmShipment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentRequest {
    /// The marketplace.
    pub marketplace_id: String,
    /// The package: reference, carrier, tracking number, ship date, items.
    pub package_detail: Value,
    /// How cash on delivery is collected, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_collection_method: Option<String>,
}

/// A `getOrders` request. Filters mirror Amazon's query parameters.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct GetOrders {
    client: SpApiClient,
    query: Vec<(&'static str, String)>,
    data_elements: &'static [&'static str],
}

macro_rules! date_filters {
    ($($method:ident => $param:literal),+ $(,)?) => {$(
        #[doc = concat!("`", $param, "`: an instant, or the raw text Amazon's sandbox expects.")]
        pub fn $method(self, value: impl Into<DateParam>) -> Self {
            self.param($param, value.into().0)
        }
    )+};
}

macro_rules! list_filters {
    ($($method:ident => $param:literal),+ $(,)?) => {$(
        #[doc = concat!("`", $param, "` (comma-separated).")]
        pub fn $method<S: AsRef<str>>(self, values: &[S]) -> Self {
            self.param($param, csv(values))
        }
    )+};
}

impl GetOrders {
    fn param(mut self, name: &'static str, value: String) -> Self {
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value));
        self
    }

    date_filters! {
        created_after => "CreatedAfter",
        created_before => "CreatedBefore",
        last_updated_after => "LastUpdatedAfter",
        last_updated_before => "LastUpdatedBefore",
        earliest_delivery_date_before => "EarliestDeliveryDateBefore",
        earliest_delivery_date_after => "EarliestDeliveryDateAfter",
        latest_delivery_date_before => "LatestDeliveryDateBefore",
        latest_delivery_date_after => "LatestDeliveryDateAfter",
    }

    list_filters! {
        order_statuses => "OrderStatuses",
        fulfillment_channels => "FulfillmentChannels",
        payment_methods => "PaymentMethods",
        easy_ship_shipment_statuses => "EasyShipShipmentStatuses",
        electronic_invoice_statuses => "ElectronicInvoiceStatuses",
        amazon_order_ids => "AmazonOrderIds",
    }

    /// `BuyerEmail`.
    pub fn buyer_email(self, email: &str) -> Self {
        self.param("BuyerEmail", email.to_owned())
    }

    /// `SellerOrderId`.
    pub fn seller_order_id(self, id: &str) -> Self {
        self.param("SellerOrderId", id.to_owned())
    }

    /// `MaxResultsPerPage` (1 to 100).
    pub fn max_results_per_page(self, n: u32) -> Self {
        self.param("MaxResultsPerPage", n.clamp(1, 100).to_string())
    }

    /// `ActualFulfillmentSupplySourceId`.
    pub fn actual_fulfillment_supply_source_id(self, id: &str) -> Self {
        self.param("ActualFulfillmentSupplySourceId", id.to_owned())
    }

    /// `IsISPU` (in-store pickup).
    pub fn is_ispu(self, ispu: bool) -> Self {
        self.param("IsISPU", ispu.to_string())
    }

    /// `StoreChainStoreId`.
    pub fn store_chain_store_id(self, id: &str) -> Self {
        self.param("StoreChainStoreId", id.to_owned())
    }

    /// `NextToken`: start from this page.
    pub fn next_token(self, token: &str) -> Self {
        self.param("NextToken", token.to_owned())
    }

    /// Also return buyer info and shipping addresses (obtains an RDT with those data elements).
    pub fn with_personal_data(mut self) -> Self {
        self.data_elements = ORDER_DATA;
        self
    }

    /// One page.
    pub async fn send(&self) -> Result<OrdersList> {
        let page: Payload<OrdersList> = if self.data_elements.is_empty() {
            self.client
                .get("getOrders", &self.client.inner.base, ORDERS, &self.query)
                .await?
        } else {
            self.client
                .get_restricted("getOrders", ORDERS, &self.query, ORDERS, self.data_elements)
                .await?
        };
        Ok(page.payload)
    }

    /// Every order, page after page (`NextToken`), each page's request waiting for its token.
    pub fn stream(self) -> BoxStream<'static, Result<Order>> {
        paginate(self, |request| {
            Box::pin(async move {
                let page = request.send().await?;
                let next = page
                    .next_token
                    .clone()
                    .map(|token| request.next_token(&token));
                Ok((page.orders, next))
            })
        })
    }
}

/// A `getOrderItems` request.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct GetOrderItems {
    client: SpApiClient,
    order_id: String,
    next_token: Option<String>,
    data_elements: &'static [&'static str],
}

impl GetOrderItems {
    /// Start from this page.
    pub fn next_token(mut self, token: &str) -> Self {
        self.next_token = Some(token.to_owned());
        self
    }

    /// Also return each item's buyer info (gift wrap, gift message,
    /// customisation) under `BuyerInfo` in the item's `other`: obtains an RDT
    /// with that data element, one token for every order.
    pub fn with_personal_data(mut self) -> Self {
        self.data_elements = ITEM_DATA;
        self
    }

    /// One page.
    pub async fn send(&self) -> Result<OrderItemsList> {
        let query: Vec<(&str, String)> = self
            .next_token
            .iter()
            .map(|t| ("NextToken", t.clone()))
            .collect();
        let path = path(&self.order_id, "/orderItems");
        let page: Payload<OrderItemsList> = if self.data_elements.is_empty() {
            self.client
                .get("getOrderItems", &self.client.inner.base, &path, &query)
                .await?
        } else {
            self.client
                .get_restricted(
                    "getOrderItems",
                    &path,
                    &query,
                    &generic("/orderItems"),
                    self.data_elements,
                )
                .await?
        };
        Ok(page.payload)
    }

    /// Every item of the order, page after page.
    pub fn stream(self) -> BoxStream<'static, Result<OrderItem>> {
        paginate(self, |request| {
            Box::pin(async move {
                let page = request.send().await?;
                let next = page
                    .next_token
                    .clone()
                    .map(|token| request.next_token(&token));
                Ok((page.order_items, next))
            })
        })
    }
}

type PageFuture<T, R> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(Vec<T>, Option<R>)>> + Send>>;

/// Turns "fetch a page, maybe get the next request" into a stream of items.
pub(crate) fn paginate<R, T>(
    first: R,
    fetch: fn(R) -> PageFuture<T, R>,
) -> BoxStream<'static, Result<T>>
where
    R: Send + 'static,
    T: Send + 'static,
{
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::try_unfold(Some(first), move |next| async move {
        let Some(request) = next else {
            return Ok::<_, crate::Error>(None);
        };
        let (items, following) = fetch(request).await?;
        Ok(Some((
            futures_util::stream::iter(items.into_iter().map(Ok::<T, crate::Error>)),
            following,
        )))
    })
    .try_flatten()
    .boxed()
}
