//! The Amazon Business Reporting API, version 2025-06-09 (the version Amazon
//! documents as current; 2021-01-08 is legacy): a business buyer's own
//! orders, their lines, shipments and charges, on the same LWA authorisation,
//! at `na.`, `eu.` or `jp.business-api.amazon.com`.

mod models;

pub use models::*;

use std::marker::PhantomData;

use futures_util::stream::BoxStream;

use crate::client::{DateParam, csv};
use crate::orders_v0::paginate;
use crate::{Result, SpApiClient};

const REPORTS: &str = "/reports/2025-06-09";

/// The Reporting API. Get it from [`SpApiClient::business`].
#[derive(Debug, Clone, Copy)]
pub struct Business<'a> {
    pub(crate) client: &'a SpApiClient,
}

impl Business<'_> {
    fn query<P: ReportPage>(
        &self,
        op: &'static str,
        path: String,
        start: DateParam,
        end: DateParam,
    ) -> ReportQuery<P> {
        ReportQuery {
            client: self.client.clone(),
            op,
            path,
            query: vec![("orderStartDate", start.0), ("orderEndDate", end.0)],
            _page: PhantomData,
        }
    }

    /// `getOrderReports`: orders placed between `start` and `end` (at most 366 days apart).
    pub fn order_reports(
        &self,
        start: impl Into<DateParam>,
        end: impl Into<DateParam>,
    ) -> ReportQuery<OrderReportsPage> {
        self.query(
            "getOrderReports",
            format!("{REPORTS}/orderReports"),
            start.into(),
            end.into(),
        )
    }

    /// `getOrderLineItemReports`: the lines (products, quantities, prices, charges) of those orders.
    pub fn order_line_item_reports(
        &self,
        start: impl Into<DateParam>,
        end: impl Into<DateParam>,
    ) -> ReportQuery<OrderLineItemReportsPage> {
        self.query(
            "getOrderLineItemReports",
            format!("{REPORTS}/orderLineItemReports"),
            start.into(),
            end.into(),
        )
    }

    /// `getShipmentReports`.
    pub fn shipment_reports(
        &self,
        start: impl Into<DateParam>,
        end: impl Into<DateParam>,
    ) -> ReportQuery<ShipmentReportsPage> {
        self.query(
            "getShipmentReports",
            format!("{REPORTS}/shipmentReports"),
            start.into(),
            end.into(),
        )
    }

    /// `getShipmentLineItemReports`.
    pub fn shipment_line_item_reports(
        &self,
        start: impl Into<DateParam>,
        end: impl Into<DateParam>,
    ) -> ReportQuery<ShipmentLineItemReportsPage> {
        self.query(
            "getShipmentLineItemReports",
            format!("{REPORTS}/shipmentLineItemReports"),
            start.into(),
            end.into(),
        )
    }

    /// `getOrderReportsByPurchaseOrderNumber` (the last two years).
    pub fn order_reports_by_purchase_order(
        &self,
        purchase_order_number: &str,
    ) -> ReportQuery<OrderReportsPage> {
        let po: String =
            url::form_urlencoded::byte_serialize(purchase_order_number.as_bytes()).collect();
        ReportQuery {
            client: self.client.clone(),
            op: "getOrderReportsByPurchaseOrderNumber",
            path: format!("{REPORTS}/purchaseOrders/{po}/orderReports"),
            query: Vec::new(),
            _page: PhantomData,
        }
    }
}

/// A Reporting API request. Filters not taken by an operation are ignored by Amazon.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct ReportQuery<P> {
    client: SpApiClient,
    op: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    _page: PhantomData<fn() -> P>,
}

impl<P> Clone for ReportQuery<P> {
    fn clone(&self) -> Self {
        ReportQuery {
            client: self.client.clone(),
            op: self.op,
            path: self.path.clone(),
            query: self.query.clone(),
            _page: PhantomData,
        }
    }
}

impl<P: ReportPage> ReportQuery<P> {
    fn param(mut self, name: &'static str, value: String) -> Self {
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value));
        self
    }

    /// `region`: `US`, `CA`, `MX`, `UK`, `DE`, `FR`, `IT`, `ES`, `JP`, `IN`, ...
    pub fn region(self, region: &str) -> Self {
        self.param("region", region.to_owned())
    }

    /// `orderStatuses` (order reports).
    pub fn order_statuses<S: AsRef<str>>(self, statuses: &[S]) -> Self {
        self.param("orderStatuses", csv(statuses))
    }

    /// `shipmentStatuses` (shipment reports).
    pub fn shipment_statuses<S: AsRef<str>>(self, statuses: &[S]) -> Self {
        self.param("shipmentStatuses", csv(statuses))
    }

    /// `orderIds` (at most 30).
    pub fn order_ids<S: AsRef<str>>(self, ids: &[S]) -> Self {
        self.param("orderIds", csv(ids))
    }

    /// `purchaseOrderNumbers` (shipment line reports; at most 30).
    pub fn purchase_order_numbers<S: AsRef<str>>(self, numbers: &[S]) -> Self {
        self.param("purchaseOrderNumbers", csv(numbers))
    }

    /// `nextPageToken`: continue from this page (same filters).
    pub fn next_page_token(self, token: &str) -> Self {
        self.param("nextPageToken", token.to_owned())
    }

    /// One page.
    pub async fn send(&self) -> Result<P> {
        self.client
            .get(
                self.op,
                &self.client.inner.business_base,
                &self.path,
                &self.query,
            )
            .await
    }

    /// Every row, page after page.
    pub fn stream(self) -> BoxStream<'static, Result<P::Row>> {
        paginate(self, |request| {
            Box::pin(async move {
                let (rows, next) = request.send().await?.into_parts();
                Ok((rows, next.map(|t| request.next_page_token(&t))))
            })
        })
    }
}
