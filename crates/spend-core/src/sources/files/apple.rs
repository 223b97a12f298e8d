//! Apple's purchase history from the privacy export (`Store Transaction
//! History.csv`, `Store Transaction Purchase and Free Apps History.csv`):
//! columns found by name, since their order and names have changed
//! (`Apple ID Number` became `Apple Account Number`, `Currency ID` is
//! `Currency` in some). One purchase per order number, its items net of
//! refunds.

use super::grouped::Grouped;
use super::text::{Csv, day_iso, day_mdy};
use super::{FileError, FileFormat, ImportOptions, ReadFile};
use crate::model::{ApplePurchase, Currency, Money, OrderItem};
use crate::store::Batch;

/// Whether the header is Apple's purchase history.
pub(crate) fn looks_like(first_line: &str) -> bool {
    first_line.contains("Item Purchased Date") && first_line.contains("Order Number")
}

pub(crate) fn read(name: &str, text: &str, options: &ImportOptions) -> Result<ReadFile, FileError> {
    let csv = Csv::read(name, text, None)?;
    csv.require(&["Item Purchased Date", "Order Number", "Item Description"])?;
    let total_column = ["Invoice Item Total", "Invoice Total Amount"]
        .into_iter()
        .find(|c| csv.has(c))
        .ok_or_else(|| {
            FileError::at(
                name,
                Some(csv.header_line),
                None,
                "missing column(s) Invoice Item Total",
            )
        })?;
    let currency_column = ["Currency", "Currency ID"].into_iter().find(|c| csv.has(c));
    let default_code = options.currency.as_deref().unwrap_or("USD");
    let mut purchases: Grouped<ApplePurchase> = Grouped::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let order = row.need("Order Number")?;
        let when = row.need("Item Purchased Date")?;
        let day = day_iso(when)
            .or_else(|| day_mdy(when))
            .ok_or_else(|| row.error("Item Purchased Date", format!("{when:?} is not a date")))?;
        let code = currency_column
            .and_then(|c| row.get(c))
            .unwrap_or(default_code);
        let currency = Currency::new(code)
            .map_err(|e| row.error(currency_column.unwrap_or("Currency"), e.to_string()))?;
        let charged = row.amount(total_column)?.unwrap_or_default();
        let refunded = row.amount("Refund Amount")?.unwrap_or_default().abs();
        let net = Money::from_decimal(charged - refunded, currency)
            .map_err(|e| row.error(total_column, e.to_string()))?;
        let purchase = purchases.entry(order, row.line, || ApplePurchase {
            order_id: order.to_owned(),
            purchased_on: day,
            total: None,
            items: Vec::new(),
            raw: None,
        });
        purchase.purchased_on = purchase.purchased_on.min(day);
        purchase.total = Some(match purchase.total {
            Some(t) => t
                .checked_add(net)
                .map_err(|e| row.error(total_column, e.to_string()))?,
            None => net,
        });
        purchase.items.push(OrderItem {
            title: row.need("Item Description")?.to_owned(),
            quantity: 1,
            unit_price: None,
            total: Some(net),
            item_id: row.get("Item Reference Number").map(str::to_owned),
            category: row.get("Content Type").map(str::to_owned),
        });
    }
    let purchases = purchases.finish(name, |p, raw| p.raw = Some(raw));
    Ok(ReadFile {
        name: name.to_owned(),
        format: FileFormat::ApplePurchases,
        variant: None,
        batch: Batch::default().apple_purchases(purchases),
        skipped: Vec::new(),
        item_amounts: Default::default(),
    })
}
