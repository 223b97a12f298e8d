//! Amazon's own history files: the "Request your data" export
//! (`Retail.OrderHistory.N.csv`, one row per item per shipment, and
//! `Retail.OrdersReturned.Payments.N.csv`, the refunds) and the older Order
//! History Reports (items, orders and shipments, refunds, returns). Orders, their items, shipments and what
//! each shipment charged (Amazon charges a card per shipment), and refunds
//! as negative charges, so matching can tie each card charge to its part.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use time::Date;

use super::grouped::Grouped;
use super::text::{Csv, Row, day_iso, day_mdy};
use super::{FileError, FileFormat, ReadFile};
use crate::model::{Charge, Currency, Money, Order, OrderItem, Shipment};
use crate::sources::SourceError;
use crate::store::{Batch, OrderQuery, UserStore};

/// The source name the orders are stored under.
pub(crate) const SOURCE: &str = "amazon-history";

/// Recognises and reads an Amazon file; `None` when `text` is not one.
pub(crate) fn read(name: &str, text: &str) -> Result<Option<ReadFile>, FileError> {
    let first_line = text.lines().next().unwrap_or_default();
    if ![
        "Order ID",
        "OrderID",
        "OrderId",
        "Order Id",
        "DigitalOrderItemId",
    ]
    .iter()
    .any(|c| first_line.contains(c))
    {
        return Ok(None);
    }
    let csv = Csv::read(name, text, None)?;
    if csv.has("DigitalOrderItemId")
        && csv.has("TransactionAmount")
        && csv.has("MonetaryComponentTypeCode")
    {
        return Ok(Some(ReadFile {
            name: name.to_owned(),
            format: FileFormat::AmazonDigitalMonetary,
            variant: None,
            batch: Batch::default(),
            skipped: Vec::new(),
            item_amounts: digital_monetary(&csv)?,
        }));
    }
    if csv.has("OrderId") && csv.has("DigitalOrderItemId") && csv.has("OurPrice") {
        let (orders, skipped) = digital_items(&csv)?;
        return Ok(Some(ReadFile {
            name: name.to_owned(),
            format: FileFormat::AmazonDigitalItems,
            variant: None,
            batch: Batch::default().orders(orders),
            skipped,
            item_amounts: Default::default(),
        }));
    }
    if csv.has("OrderId") && csv.has("PaymentInformation") && !csv.has("OurPrice") {
        return Ok(Some(ReadFile {
            name: name.to_owned(),
            format: FileFormat::AmazonDigitalOrders,
            variant: None,
            batch: Batch::default(),
            skipped: vec![format!(
                "{name}: {} digital orders hold no amounts; they are in Digital Items.csv and Digital Orders Monetary.csv",
                csv.rows.len()
            )],
            item_amounts: Default::default(),
        }));
    }
    if csv.has("Return Authorization Id")
        || (csv.has("Order Id") && csv.has("Return Creation Date"))
        || (csv.has("Order ID") && csv.has("Return Date") && csv.has("Return Reason"))
    {
        // Recognised, and nothing to store: returns hold no money (their
        // refunds are in Retail.OrdersReturned.Payments).
        return Ok(Some(ReadFile {
            name: name.to_owned(),
            format: FileFormat::AmazonReturns,
            variant: None,
            batch: Batch::default(),
            skipped: vec![format!(
                "{name}: {} returns hold no amounts; their refunds are in Retail.OrdersReturned.Payments",
                csv.rows.len()
            )],
            item_amounts: Default::default(),
        }));
    }
    let (format, read) =
        if csv.has("Order ID") && (csv.has("Total Owed") || csv.has("Total Amount")) {
            (FileFormat::AmazonOrderHistory, order_history(&csv)?)
        } else if csv.has("OrderID") && csv.has("AmountRefunded") {
            (FileFormat::AmazonRefunds, refunds(&csv)?)
        } else if csv.has("Order ID") && csv.has("Item Total") && csv.has("Title") {
            (FileFormat::AmazonItemsReport, items_report(&csv)?)
        } else if csv.has("Order ID") && csv.has("Total Charged") && csv.has("Shipment Date") {
            (FileFormat::AmazonOrdersReport, orders_report(&csv)?)
        } else if csv.has("Order ID") && csv.has("Refund Amount") && csv.has("Refund Date") {
            (FileFormat::AmazonRefundsReport, refunds_report(&csv)?)
        } else {
            return Ok(None);
        };
    let (orders, skipped) = read;
    Ok(Some(ReadFile {
        name: name.to_owned(),
        format,
        variant: None,
        batch: Batch::default().orders(orders),
        skipped,
        item_amounts: Default::default(),
    }))
}

/// The first of values Amazon joined with " and " (`Order Date` and `Ship
/// Date` of split orders, `Payment Instrument Type` of mixed payments).
fn first(value: &str) -> &str {
    value.split(" and ").next().unwrap_or(value).trim()
}

fn day(row: &Row<'_>, column: &str) -> Result<Option<Date>, FileError> {
    row.get(column)
        .map(|v| {
            let v = first(v);
            day_iso(v)
                .or_else(|| day_mdy(v))
                .ok_or_else(|| row.error(column, format!("{v:?} is not a date")))
        })
        .transpose()
}

fn currency(row: &Row<'_>, column: &str) -> Result<Currency, FileError> {
    let code = row.need(column)?;
    Currency::new(code).map_err(|e| row.error(column, e.to_string()))
}

/// The older reports' currency: their `Currency` column, which the
/// US-only reports often lack (their amounts are `$`).
fn report_currency(row: &Row<'_>) -> Result<Currency, FileError> {
    match row.get("Currency") {
        Some(_) => currency(row, "Currency"),
        None => Ok(Currency::USD),
    }
}

fn money(row: &Row<'_>, column: &str, currency: Currency) -> Result<Option<Money>, FileError> {
    row.amount(column)?
        .map(|d| Money::from_decimal(d, currency).map_err(|e| row.error(column, e.to_string())))
        .transpose()
}

fn sum(a: Option<Money>, b: Money) -> Option<Money> {
    Some(match a {
        Some(a) => a.checked_add(b).unwrap_or(a),
        None => b,
    })
}

/// The orders of `Retail.OrderHistory`, in the file's order.
fn order_history(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&["Order ID", "Order Date", "Currency", "Product Name"])?;
    let total_column = if csv.has("Total Owed") {
        "Total Owed"
    } else {
        "Total Amount"
    };
    let payment_column = if csv.has("Payment Instrument Type") {
        "Payment Instrument Type"
    } else {
        "Payment Method Type"
    };
    let quantity_column = if csv.has("Quantity") {
        "Quantity"
    } else {
        "Original Quantity"
    };
    let mut orders: Grouped<Order> = Grouped::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let id = row.need("Order ID")?;
        let ordered_on =
            day(&row, "Order Date")?.ok_or_else(|| row.error("Order Date", "is empty"))?;
        let currency = currency(&row, "Currency")?;
        let total = money(&row, total_column, currency)?;
        let unit_price = money(&row, "Unit Price", currency)?;
        let quantity = match row.get(quantity_column) {
            Some(q) => q
                .parse::<i64>()
                .map_err(|_| row.error(quantity_column, format!("{q:?} is not a number")))?,
            None => 1,
        };
        let shipped_on = day(&row, "Ship Date")?;
        let tracking = row.get("Carrier Name & Tracking Number").map(first);
        let asin = row.get("ASIN");
        let title = row.need("Product Name")?;
        let status = row.get("Order Status");
        let cancelled = status.is_some_and(|s| s.eq_ignore_ascii_case("cancelled"));
        let order = orders.entry(id, row.line, || {
            let mut order = Order::new(
                SOURCE,
                id,
                ordered_on,
                row.get("Website").unwrap_or("Amazon"),
            );
            order.status = status.map(str::to_owned);
            order
        });
        order.items.push(OrderItem {
            title: title.to_owned(),
            quantity,
            unit_price,
            total,
            item_id: asin.map(str::to_owned),
            category: None,
        });
        if cancelled {
            continue;
        }
        if let Some(t) = total {
            order.total = sum(order.total, t);
        }
        // A shipment is the rows that left on the same day with the same
        // parcel; Amazon charges each shipment when it leaves. Shipments
        // and their charges are pushed together, so they share positions.
        let item = asin.unwrap_or(title).to_owned();
        match order
            .shipments
            .iter()
            .position(|s| s.shipped_on == shipped_on && s.id.as_deref() == tracking)
        {
            Some(n) => {
                order.shipments[n].items.push(item);
                if let Some(t) = total {
                    let charge = &mut order.charges[n];
                    charge.amount = charge.amount.checked_add(t).unwrap_or(charge.amount);
                }
            }
            None => {
                let reference = format!(
                    "shipment:{}|{}",
                    shipped_on.map(|d| d.to_string()).unwrap_or_default(),
                    tracking.unwrap_or_default()
                );
                order.shipments.push(Shipment {
                    id: tracking.map(str::to_owned),
                    shipped_on,
                    status: row.get("Shipment Status").map(|s| first(s).to_owned()),
                    items: vec![item],
                });
                order.charges.push(Charge {
                    charged_on: shipped_on.unwrap_or(ordered_on),
                    amount: total.unwrap_or(Money::new(0, currency)),
                    method: row.get(payment_column).map(str::to_owned),
                    reference: Some(reference),
                });
            }
        }
    }
    // The rows stay in the file (kept by `spend import`): their lines are
    // enough to read them again.
    let orders = orders.finish(&csv.file, |o, raw| o.raw = Some(raw));
    Ok((orders, Vec::new()))
}

/// `Digital Items.csv` of the `Digital-Ordering` folder: Kindle books,
/// apps, Prime fees; one order (`D01-...`) per `OrderId`, charged on its day.
fn digital_items(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&["OrderId", "OrderDate", "OurPrice"])?;
    let title_column = if csv.has("ProductName") {
        "ProductName"
    } else {
        "Title"
    };
    let mut orders: Grouped<Order> = Grouped::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let id = row.need("OrderId")?;
        let ordered_on =
            day(&row, "OrderDate")?.ok_or_else(|| row.error("OrderDate", "is empty"))?;
        let code = row
            .get("OurPriceCurrencyCode")
            .or(row.get("BaseCurrencyCode"))
            .ok_or_else(|| row.error("OurPriceCurrencyCode", "is empty"))?;
        let currency =
            Currency::new(code).map_err(|e| row.error("OurPriceCurrencyCode", e.to_string()))?;
        // `OurPriceTax` is the price with tax where Amazon gives it.
        let price = match row.get("OurPriceTax") {
            Some(_) => money(&row, "OurPriceTax", currency)?,
            None => money(&row, "OurPrice", currency)?,
        };
        let order = orders.entry(id, row.line, || {
            Order::new(
                SOURCE,
                id,
                ordered_on,
                row.get("Marketplace").unwrap_or("Amazon"),
            )
        });
        order.items.push(OrderItem {
            title: row.get(title_column).unwrap_or("(digital item)").to_owned(),
            quantity: row
                .get("QuantityOrdered")
                .or(row.get("OriginalQuantity"))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1),
            unit_price: None,
            total: price,
            // The item's own id, by which `Digital Orders Monetary.csv`
            // names what it charged.
            item_id: row
                .get("DigitalOrderItemId")
                .or(row.get("ASIN"))
                .map(str::to_owned),
            category: None,
        });
        if let Some(p) = price {
            order.total = sum(order.total, p);
            match order.charges.first_mut() {
                Some(c) => c.amount = c.amount.checked_add(p).unwrap_or(c.amount),
                None => order.charges.push(Charge {
                    charged_on: ordered_on,
                    amount: p,
                    method: None,
                    reference: Some(format!("digital:{id}")),
                }),
            }
        }
    }
    let orders = orders.finish(&csv.file, |o, raw| o.raw = Some(raw));
    Ok((orders, Vec::new()))
}

/// `Digital Orders Monetary.csv`: one row per part of what an item cost
/// (`Price Amount`, `Tax`, ...), summed per `DigitalOrderItemId`. It names
/// no order: the amounts amend the stored orders holding those items.
fn digital_monetary(csv: &Csv) -> Result<BTreeMap<String, Money>, FileError> {
    csv.require(&[
        "DigitalOrderItemId",
        "TransactionAmount",
        "BaseCurrencyCode",
    ])?;
    let mut amounts: BTreeMap<String, Money> = BTreeMap::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let item = row.need("DigitalOrderItemId")?;
        let currency = currency(&row, "BaseCurrencyCode")?;
        let Some(amount) = money(&row, "TransactionAmount", currency)? else {
            continue;
        };
        let total = match amounts.get(item) {
            Some(before) => before
                .checked_add(amount)
                .map_err(|e| row.error("TransactionAmount", e.to_string()))?,
            None => amount,
        };
        amounts.insert(item.to_owned(), total);
    }
    Ok(amounts)
}

/// Sets what each stored digital order's items cost from
/// `Digital Orders Monetary.csv`'s amounts, and the order's total and
/// charge with them: the orders to store again, and the item ids no stored
/// order holds.
pub(crate) async fn amend_items(
    user: &dyn UserStore,
    amounts: &BTreeMap<String, Money>,
) -> Result<(Vec<Order>, Vec<String>), SourceError> {
    if amounts.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let stored = user
        .orders(&OrderQuery {
            source: Some(SOURCE.to_owned()),
            ..OrderQuery::default()
        })
        .await?;
    let mut found = std::collections::HashSet::new();
    let mut amended = Vec::new();
    for mut order in stored {
        found.extend(
            order
                .items
                .iter()
                .filter_map(|i| i.item_id.as_deref())
                .filter(|id| amounts.contains_key(*id))
                .map(str::to_owned),
        );
        if apply_item_amounts(&mut order, amounts)? {
            amended.push(order);
        }
    }
    let missing = amounts
        .keys()
        .filter(|id| !found.contains(*id))
        .cloned()
        .collect();
    Ok((amended, missing))
}

/// The key of an order's raw record under which the amounts that amended
/// its items are kept, so a later import of its items file keeps them.
const ITEM_AMOUNTS: &str = "item_amounts";

/// Sets the order's items' totals from `amounts` (by item id), its total
/// and its digital charge; whether anything changed.
fn apply_item_amounts(
    order: &mut Order,
    amounts: &BTreeMap<String, Money>,
) -> Result<bool, SourceError> {
    let mut changed = false;
    let mut applied = serde_json::Map::new();
    for item in &mut order.items {
        let Some((id, amount)) = item
            .item_id
            .as_deref()
            .and_then(|id| amounts.get_key_value(id))
        else {
            continue;
        };
        applied.insert(id.clone(), serde_json::to_value(amount).unwrap_or_default());
        if item.total != Some(*amount) {
            item.total = Some(*amount);
            changed = true;
        }
    }
    if applied.is_empty() {
        return Ok(false);
    }
    if let Some(serde_json::Value::Object(raw)) = order.raw.as_mut() {
        let kept = serde_json::Value::Object(applied);
        if raw.get(ITEM_AMOUNTS) != Some(&kept) {
            raw.insert(ITEM_AMOUNTS.into(), kept);
            changed = true;
        }
    }
    if !changed {
        return Ok(false);
    }
    let total = order
        .items
        .iter()
        .filter_map(|i| i.total)
        .try_fold(None, |sum: Option<Money>, t| match sum {
            Some(s) => s.checked_add(t).map(Some),
            None => Ok(Some(t)),
        })
        .map_err(|e| SourceError::Invalid(format!("order {}: {e}", order.id)))?;
    order.total = total;
    if let Some(total) = total {
        let reference = Some(format!("digital:{}", order.id));
        match order.charges.iter_mut().find(|c| c.reference == reference) {
            Some(c) => c.amount = total,
            None => order.charges.push(Charge {
                charged_on: order.ordered_on,
                amount: total,
                method: None,
                reference,
            }),
        }
    }
    Ok(true)
}

/// The amounts an earlier `Digital Orders Monetary.csv` set on a stored order.
fn kept_item_amounts(order: &Order) -> BTreeMap<String, Money> {
    order
        .raw
        .as_ref()
        .and_then(|raw| raw.get(ITEM_AMOUNTS))
        .and_then(|kept| serde_json::from_value(kept.clone()).ok())
        .unwrap_or_default()
}

/// Refunds of `Retail.OrdersReturned.Payments`, as orders holding only
/// their refund charges (merged into the stored order when it is there).
fn refunds(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&[
        "OrderID",
        "RefundCompletionDate",
        "Currency",
        "AmountRefunded",
    ])?;
    let mut orders: BTreeMap<String, Order> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let id = row.need("OrderID")?;
        let Some(refunded_on) = day(&row, "RefundCompletionDate")? else {
            skipped.push(format!(
                "{}:{line}: refund of {id} not completed yet",
                csv.file
            ));
            continue;
        };
        let currency = currency(&row, "Currency")?;
        let Some(amount) = money(&row, "AmountRefunded", currency)? else {
            skipped.push(format!("{}:{line}: refund of {id} has no amount", csv.file));
            continue;
        };
        let reference = format!(
            "refund:{}",
            row.get("ReversalID")
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{refunded_on}:{}", amount.minor()))
        );
        let order = orders
            .entry(id.to_owned())
            .or_insert_with(|| Order::new(SOURCE, id, refunded_on, "Amazon"));
        order.charges.push(Charge {
            charged_on: refunded_on,
            amount: Money::new(-amount.minor().abs(), amount.currency()),
            method: row.get("DisbursementType").map(str::to_owned),
            reference: Some(reference),
        });
    }
    Ok((orders.into_values().collect(), skipped))
}

/// The older items report: one row per item, `$` amounts, `MM/DD/YY` days.
fn items_report(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&["Order Date", "Order ID", "Title", "Item Total"])?;
    let mut orders: Vec<Order> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let Some(id) = row.get("Order ID") else {
            // "No data found for this time period".
            continue;
        };
        let ordered_on =
            day(&row, "Order Date")?.ok_or_else(|| row.error("Order Date", "is empty"))?;
        let currency = report_currency(&row)?;
        let total = money(&row, "Item Total", currency)?;
        let shipped_on = day(&row, "Shipment Date")?;
        let at = *index.entry(id.to_owned()).or_insert_with(|| {
            orders.push(Order::new(
                SOURCE,
                id,
                ordered_on,
                row.get("Website").unwrap_or("Amazon"),
            ));
            orders.len() - 1
        });
        let order = &mut orders[at];
        order.items.push(OrderItem {
            title: row.need("Title")?.to_owned(),
            quantity: row
                .get("Quantity")
                .and_then(|q| q.parse().ok())
                .unwrap_or(1),
            unit_price: money(&row, "Purchase Price Per Unit", currency)?,
            total,
            item_id: row.get("ASIN/ISBN").map(str::to_owned),
            category: row.get("Category").map(str::to_owned),
        });
        if let Some(t) = total {
            order.total = sum(order.total, t);
            let reference = format!(
                "shipment:{}",
                shipped_on.map(|d| d.to_string()).unwrap_or_default()
            );
            match order
                .charges
                .iter_mut()
                .find(|c| c.reference.as_deref() == Some(reference.as_str()))
            {
                Some(c) => c.amount = c.amount.checked_add(t).unwrap_or(c.amount),
                None => order.charges.push(Charge {
                    charged_on: shipped_on.unwrap_or(ordered_on),
                    amount: t,
                    method: row.get("Payment Instrument Type").map(str::to_owned),
                    reference: Some(reference),
                }),
            }
        }
    }
    Ok((orders, Vec::new()))
}

/// The older orders and shipments report: a row per shipment with what
/// it charged (`Total Charged`: items, shipping, tax and promotions, which
/// the items report does not add up), as charges that take the place of
/// the items report's sums whichever file comes first.
fn orders_report(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&["Order Date", "Order ID", "Shipment Date", "Total Charged"])?;
    let mut orders: Grouped<Order> = Grouped::new();
    let mut skipped = Vec::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let Some(id) = row.get("Order ID") else {
            // "No data found for this time period".
            continue;
        };
        let ordered_on =
            day(&row, "Order Date")?.ok_or_else(|| row.error("Order Date", "is empty"))?;
        let currency = report_currency(&row)?;
        let shipped_on = day(&row, "Shipment Date")?;
        let Some(charged) = money(&row, "Total Charged", currency)? else {
            skipped.push(format!(
                "{}:{line}: order {id} charged nothing yet",
                csv.file
            ));
            continue;
        };
        let tracking = row.get("Carrier Name & Tracking Number");
        let order = orders.entry(id, row.line, || {
            Order::new(
                SOURCE,
                id,
                ordered_on,
                row.get("Website").unwrap_or("Amazon"),
            )
        });
        order.total = sum(order.total, charged);
        order.shipments.push(Shipment {
            id: tracking.map(str::to_owned),
            shipped_on,
            status: row.get("Order Status").map(str::to_owned),
            items: Vec::new(),
        });
        order.charges.push(Charge {
            charged_on: shipped_on.unwrap_or(ordered_on),
            amount: charged,
            method: row.get("Payment Instrument Type").map(str::to_owned),
            reference: Some(format!(
                "{CHARGED}{}|{}",
                shipped_on.map(|d| d.to_string()).unwrap_or_default(),
                tracking.unwrap_or_default()
            )),
        });
    }
    let orders = orders.finish(&csv.file, |o, raw| o.raw = Some(raw));
    Ok((orders, skipped))
}

/// The reference prefix of a charge the orders report states (rather than
/// one summed from items).
const CHARGED: &str = "charged:";

/// The older refunds report: positive amounts, tax in its own column.
fn refunds_report(csv: &Csv) -> Result<(Vec<Order>, Vec<String>), FileError> {
    csv.require(&["Order ID", "Refund Date", "Refund Amount"])?;
    let mut orders: BTreeMap<String, Order> = BTreeMap::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let Some(id) = row.get("Order ID") else {
            continue;
        };
        let refunded_on =
            day(&row, "Refund Date")?.ok_or_else(|| row.error("Refund Date", "is empty"))?;
        let currency = report_currency(&row)?;
        let amount = row.amount("Refund Amount")?.unwrap_or_default()
            + row.amount("Refund Tax Amount")?.unwrap_or(Decimal::ZERO);
        let amount = Money::from_decimal(amount, currency)
            .map_err(|e| row.error("Refund Amount", e.to_string()))?;
        let order = orders
            .entry(id.to_owned())
            .or_insert_with(|| Order::new(SOURCE, id, refunded_on, "Amazon"));
        order.charges.push(Charge {
            charged_on: refunded_on,
            amount: Money::new(-amount.minor().abs(), amount.currency()),
            method: None,
            reference: Some(format!("refund:{refunded_on}:{}:{}", line, amount.minor())),
        });
    }
    Ok((orders.into_values().collect(), Vec::new()))
}

fn is_refund(charge: &Charge) -> bool {
    charge
        .reference
        .as_deref()
        .is_some_and(|r| r.starts_with("refund:"))
}

fn is_stated(charge: &Charge) -> bool {
    charge
        .reference
        .as_deref()
        .is_some_and(|r| r.starts_with(CHARGED))
}

/// Puts the charges the orders report stated (and its shipments and total)
/// in place of the shipment charges summed from items.
fn take_stated(order: &mut Order, from: &Order) {
    if !from.charges.iter().any(is_stated) {
        return;
    }
    // The stated charges in the report's order (as its shipments are), then the refunds.
    let refunds = order.charges.drain(..).filter(is_refund);
    order.charges = from
        .charges
        .iter()
        .filter(|c| is_stated(c))
        .cloned()
        .chain(refunds)
        .collect();
    order.total = from.total;
    order.shipments = from.shipments.clone();
}

/// Merges what the store already holds of each order: an order history
/// keeps the refunds a refunds file stored, and a refunds file adds its
/// refunds to the stored order instead of replacing it.
pub(crate) async fn merge_stored(
    user: &dyn UserStore,
    orders: &mut [Order],
) -> Result<(), SourceError> {
    if !orders.iter().any(|o| o.source == SOURCE) {
        return Ok(());
    }
    let stored: HashMap<String, Order> = user
        .orders(&OrderQuery {
            source: Some(SOURCE.to_owned()),
            ..OrderQuery::default()
        })
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    for order in orders.iter_mut().filter(|o| o.source == SOURCE) {
        let Some(before) = stored.get(&order.id) else {
            continue;
        };
        if order.items.is_empty() {
            let mut merged = before.clone();
            take_stated(&mut merged, order);
            for c in order.charges.drain(..) {
                if !merged.charges.iter().any(|k| k.reference == c.reference) {
                    merged.charges.push(c);
                }
            }
            *order = merged;
        } else {
            take_stated(order, before);
            for c in before.charges.iter().filter(|c| is_refund(c)) {
                if !order.charges.iter().any(|k| k.reference == c.reference) {
                    order.charges.push(c.clone());
                }
            }
            apply_item_amounts(order, &kept_item_amounts(before))?;
        }
    }
    Ok(())
}
