//! Amazon Selling Partner API orders (Orders 2026-01-01 `searchOrders`,
//! with their items), resumed from the last run's start.

use amazon_sp_client::SpApiClient;
use amazon_sp_client::orders_2026::Order as SpOrder;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use time::{Duration, OffsetDateTime};

use super::{Page, Source, SourceError};
use crate::model::{Checkpoint, Currency, Money, Order, OrderItem};
use crate::store::{Batch, UserStore};

/// The model's source name for SP-API orders.
pub const SOURCE: &str = "sp-api";
const PAGE: usize = 100;

/// One seller's orders as a source. The first run reads the orders updated
/// in the last `first_sync` days; later runs the ones updated since the
/// previous run began (less a few minutes, for Amazon's clock), so an order's
/// new status updates it in place. The checkpoint moves only with the last page.
pub struct SpApiSource {
    id: String,
    client: SpApiClient,
    marketplace: String,
    first_sync: Duration,
    started: OffsetDateTime,
    stream: Option<BoxStream<'static, Result<SpOrder, amazon_sp_client::Error>>>,
    fetched: u64,
    finished: bool,
}

impl std::fmt::Debug for SpApiSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpApiSource")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SpApiSource {
    /// The seller `seller` in `marketplace`, read through `client`.
    pub fn new(seller: &str, marketplace: &str, client: SpApiClient) -> Self {
        SpApiSource {
            id: format!("{SOURCE}:{seller}"),
            client,
            marketplace: marketplace.to_owned(),
            first_sync: Duration::days(730),
            started: OffsetDateTime::now_utc(),
            stream: None,
            fetched: 0,
            finished: false,
        }
    }

    /// How far back a first sync reaches (default 2 years).
    pub fn first_sync_days(mut self, days: i64) -> Self {
        self.first_sync = Duration::days(days.max(1));
        self
    }
}

fn money(amount: &amazon_sp_client::Amount) -> Option<Money> {
    let currency = Currency::new(&amount.currency_code).ok()?;
    Money::from_decimal(amount.amount, currency).ok()
}

/// An SP-API order in the model; unmapped fields stay in `raw`.
fn order(o: &SpOrder) -> Result<Order, SourceError> {
    let created = OffsetDateTime::parse(
        &o.created_time,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|e| {
        SourceError::Invalid(format!(
            "SP-API order {} has createdTime {:?}: {e}",
            o.order_id, o.created_time
        ))
    })?;
    let merchant = o
        .sales_channel
        .marketplace_name
        .clone()
        .unwrap_or_else(|| "Amazon".to_owned());
    let mut out = Order::new(SOURCE, &o.order_id, created.date(), &merchant);
    out.ordered_at = Some(created);
    out.status = o
        .fulfillment
        .as_ref()
        .and_then(|f| f.fulfillment_status.as_ref())
        .map(|s| s.as_str().to_owned());
    out.total = o
        .proceeds
        .as_ref()
        .and_then(|p| p.grand_total.as_ref())
        .and_then(money);
    out.items = o
        .order_items
        .iter()
        .map(|i| {
            let unit = i
                .product
                .price
                .as_ref()
                .and_then(|p| p.unit_price.as_ref())
                .and_then(money);
            OrderItem {
                title: i.product.title.clone().unwrap_or_default(),
                quantity: i64::from(i.quantity_ordered),
                unit_price: unit,
                total: unit.and_then(|u| u.checked_mul(i64::from(i.quantity_ordered)).ok()),
                item_id: i
                    .product
                    .asin
                    .clone()
                    .or_else(|| i.product.seller_sku.clone()),
                category: None,
            }
        })
        .collect();
    out.raw = serde_json::to_value(o).ok();
    Ok(out)
}

impl Source for SpApiSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn next_page<'a>(
        &'a mut self,
        _user: &'a dyn UserStore,
        checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>> {
        Box::pin(async move {
            if self.finished {
                return Ok(None);
            }
            if self.stream.is_none() {
                let since = checkpoint
                    .and_then(|c| c.value["updated_after"].as_str())
                    .and_then(|t| {
                        OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or(self.started - self.first_sync);
                self.stream = Some(
                    self.client
                        .orders()
                        .search_orders()
                        .marketplace_ids(&[self.marketplace.as_str()])
                        .last_updated_after(since)
                        .max_results_per_page(100)
                        .stream(),
                );
            }
            let Some(stream) = self.stream.as_mut() else {
                return Ok(None);
            };
            let mut orders = Vec::new();
            let mut skipped = Vec::new();
            while orders.len() + skipped.len() < PAGE {
                match stream.next().await {
                    None => {
                        self.finished = true;
                        break;
                    }
                    Some(Err(e)) => return Err(SourceError::Amazon(e)),
                    Some(Ok(o)) => {
                        self.fetched += 1;
                        // One order the model cannot hold is reported, not the end of the sync.
                        match order(&o) {
                            Ok(order) => orders.push(order),
                            Err(e) => skipped.push(format!("order {}: {e}", o.order_id)),
                        }
                    }
                }
            }
            let mut page = Page {
                batch: Batch::default().orders(orders),
                done: self.fetched,
                skipped,
                ..Page::default()
            };
            page.checkpoint = match checkpoint {
                _ if self.finished => {
                    // Amazon's clock and ours differ a little: overlap by a few minutes.
                    let next = self.started - Duration::minutes(5);
                    serde_json::json!({ "updated_after": next.format(&time::format_description::well_known::Rfc3339).unwrap_or_default() })
                }
                Some(c) => c.value.clone(),
                None => serde_json::Value::Null,
            };
            Ok(Some(page))
        })
    }
}
