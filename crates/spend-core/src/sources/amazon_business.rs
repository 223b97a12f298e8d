//! Amazon Business (buyer side) through the Reporting API: orders with their
//! line items, shipments and what each shipment charged.

use std::collections::BTreeMap;

use amazon_sp_client::SpApiClient;
use amazon_sp_client::business::{
    BusinessAmount, OrderLineItemReport, OrderReport, ShipmentReport,
};
use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use time::{Date, Duration, OffsetDateTime};

use super::{Page, Source, SourceError};
use crate::model::{Charge, Checkpoint, Currency, Money, Order, OrderItem, Shipment};
use crate::store::{Batch, UserStore};

/// The model's source name for Amazon Business orders.
pub const SOURCE: &str = "amazon-business";

/// The Reporting API answers for at most 366 days at a time.
const WINDOW_DAYS: i64 = 365;

/// One Amazon Business account as a source: a page per window of up to a
/// year, from the last sync (less 30 days, for late shipments and status
/// changes) or two years back, to today. Each order comes with its lines,
/// its shipments and a charge per shipment (Amazon charges the card when a
/// shipment leaves), so matching can tie split payments to one order.
pub struct AmazonBusinessSource {
    id: String,
    client: SpApiClient,
    region: String,
    first_sync: Duration,
    today: Date,
    next_from: Option<Date>,
}

impl std::fmt::Debug for AmazonBusinessSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonBusinessSource")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AmazonBusinessSource {
    /// The Amazon Business account `account` in `region` (`UK`, `US`, `DE`...).
    pub fn new(account: &str, region: &str, client: SpApiClient) -> Self {
        AmazonBusinessSource {
            id: format!("{SOURCE}:{account}"),
            client,
            region: region.to_owned(),
            first_sync: Duration::days(730),
            today: OffsetDateTime::now_utc().date(),
            next_from: None,
        }
    }
}

fn money(a: &BusinessAmount) -> Option<Money> {
    Money::from_decimal(a.amount, Currency::new(&a.currency_code).ok()?).ok()
}

fn day(text: &str) -> Option<Date> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.date())
        .ok()
        .or_else(|| crate::store::parse_date(text.get(..10)?).ok())
}

/// Orders, lines and shipments of one window, joined by order id.
fn join(
    orders: Vec<OrderReport>,
    lines: Vec<OrderLineItemReport>,
    shipments: Vec<ShipmentReport>,
) -> (Vec<Order>, Vec<String>) {
    let mut out: BTreeMap<String, Order> = BTreeMap::new();
    let mut skipped = Vec::new();
    for o in orders {
        // An order without a readable date is reported and skipped; the rest land.
        let Some(placed) = day(&o.order_metadata.order_date) else {
            skipped.push(format!(
                "Amazon Business order {} has orderDate {:?}",
                o.order_metadata.order_id, o.order_metadata.order_date
            ));
            continue;
        };
        let mut order = Order::new(
            SOURCE,
            &o.order_metadata.order_id,
            placed,
            "Amazon Business",
        );
        order.ordered_at = OffsetDateTime::parse(
            &o.order_metadata.order_date,
            &time::format_description::well_known::Rfc3339,
        )
        .ok();
        order.status = o.order_status.clone();
        order.total = o.charge("NET_TOTAL").and_then(money);
        order.raw = serde_json::to_value(&o).ok();
        out.insert(o.order_metadata.order_id.clone(), order);
    }
    for l in lines {
        if let Some(order) = out.get_mut(&l.order_metadata.order_id) {
            let quantity = i64::from(l.quantity.unwrap_or(1));
            let unit = l.unit_price.as_ref().and_then(money);
            order.items.push(OrderItem {
                title: l.product_details.title.clone().unwrap_or_default(),
                quantity,
                unit_price: unit,
                total: l
                    .charges
                    .iter()
                    .find(|c| c.kind == "NET_TOTAL")
                    .and_then(|c| money(&c.amount))
                    .or_else(|| unit.and_then(|u| u.checked_mul(quantity).ok())),
                item_id: l.product_details.asin.clone(),
                category: l.product_details.product_category.clone(),
            });
        }
    }
    for s in shipments {
        if let Some(order) = out.get_mut(&s.order_metadata.order_id) {
            let meta = s.shipment_metadata.clone().unwrap_or(
                amazon_sp_client::business::ShipmentMetadata {
                    shipment_date: None,
                    shipment_id: None,
                },
            );
            let shipped_on = meta.shipment_date.as_deref().and_then(day);
            if let (Some(on), Some(net)) = (
                shipped_on,
                s.charges
                    .iter()
                    .find(|c| c.kind == "NET_TOTAL")
                    .and_then(|c| money(&c.amount)),
            ) {
                order.charges.push(Charge {
                    charged_on: on,
                    amount: net,
                    method: None,
                    reference: meta.shipment_id.clone(),
                });
            }
            order.shipments.push(Shipment {
                id: meta.shipment_id,
                shipped_on,
                status: s.shipment_status.clone(),
                items: s.order_line_item_id.into_iter().collect(),
            });
        }
    }
    (out.into_values().collect(), skipped)
}

impl Source for AmazonBusinessSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn next_page<'a>(
        &'a mut self,
        _user: &'a dyn UserStore,
        checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>> {
        Box::pin(async move {
            let from = match self.next_from {
                Some(from) => from,
                None => checkpoint
                    .and_then(|c| c.value["synced_to"].as_str())
                    .and_then(|d| crate::store::parse_date(d).ok())
                    .map(|d| d - Duration::days(30))
                    .unwrap_or(self.today - self.first_sync),
            };
            if from > self.today {
                return Ok(None);
            }
            let to = (from + Duration::days(WINDOW_DAYS)).min(self.today);
            let (start, end) = (
                from.midnight().assume_utc(),
                to.next_day().unwrap_or(to).midnight().assume_utc(),
            );
            let business = self.client.business();
            let orders: Vec<OrderReport> = business
                .order_reports(start, end)
                .region(&self.region)
                .stream()
                .try_collect()
                .await
                .map_err(SourceError::Amazon)?;
            let lines: Vec<OrderLineItemReport> = business
                .order_line_item_reports(start, end)
                .region(&self.region)
                .stream()
                .try_collect()
                .await
                .map_err(SourceError::Amazon)?;
            let shipments: Vec<ShipmentReport> = business
                .shipment_reports(start, end)
                .region(&self.region)
                .stream()
                .try_collect()
                .await
                .map_err(SourceError::Amazon)?;
            let (orders, skipped) = join(orders, lines, shipments);
            self.next_from = Some(to.next_day().unwrap_or(to));
            let done = orders.len() as u64;
            Ok(Some(Page {
                batch: Batch::default().orders(orders),
                checkpoint: serde_json::json!({ "synced_to": crate::store::format_date(to) }),
                done,
                skipped,
                ..Page::default()
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, date: &str) -> OrderReport {
        serde_json::from_value(serde_json::json!({
            "orderMetadata": {"orderDate": date, "orderId": id, "region": "UK"},
            "orderStatus": "CLOSED",
            "charges": [{"type": "NET_TOTAL", "amount": {"currencyCode": "GBP", "amount": 12.5}}],
        }))
        .unwrap()
    }

    #[test]
    fn an_order_without_a_readable_date_is_skipped_and_named_not_fatal() {
        let (orders, skipped) = join(
            vec![
                report("111-1", "2026-03-02T10:00:00Z"),
                report("111-2", "last Tuesday"),
                report("111-3", "2026-03-04T10:00:00Z"),
            ],
            Vec::new(),
            Vec::new(),
        );
        let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["111-1", "111-3"]);
        assert_eq!(skipped.len(), 1);
        assert!(
            skipped[0].contains("111-2") && skipped[0].contains("last Tuesday"),
            "{skipped:?}"
        );
    }
}
