//! schema.org markup: JSON-LD (`Order`, `Invoice`, `ParcelDelivery` with
//! `partOfOrder`) and microdata.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::model::{Currency, LineItem, Money};

/// What the markup says.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// The seller or merchant.
    pub merchant: Option<String>,
    /// Order numbers.
    pub order_ids: Vec<String>,
    /// The order date.
    pub date: Option<time::Date>,
    /// The total.
    pub total: Option<Money>,
    /// The items.
    pub line_items: Vec<LineItem>,
    /// Whether the markup is a reservation (an event's tickets, a flight, a
    /// room): its dates are the event's, never the order's.
    pub reservation: bool,
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => crate::money::parse_number(s.trim()),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("name").and_then(text),
        Value::Array(a) => a.first().and_then(text),
        _ => None,
    }
}

/// `priceCurrency` at this level or any level above (the caller passes it down).
fn currency_here(node: &Value, inherited: Option<Currency>) -> Option<Currency> {
    node.get("priceCurrency")
        .and_then(Value::as_str)
        .and_then(Currency::from_code)
        .or(inherited)
}

fn is_type(node: &Value, wanted: &[&str]) -> bool {
    let matches = |t: &str| wanted.iter().any(|w| t.rsplit('/').next() == Some(*w));
    match node.get("@type") {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

/// `EventReservation`, `FlightReservation`, `LodgingReservation`, ...
fn is_reservation(node: &Value) -> bool {
    let reservation = |t: &str| {
        t.rsplit('/')
            .next()
            .is_some_and(|t| t.ends_with("Reservation"))
    };
    match node.get("@type") {
        Some(Value::String(t)) => reservation(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(reservation),
        _ => false,
    }
}

fn offers(node: &Value, currency: Option<Currency>) -> Vec<LineItem> {
    let list: Vec<&Value> = match node
        .get("acceptedOffer")
        .or_else(|| node.get("referencesOrder"))
    {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|offer| {
            let currency = currency_here(offer, currency);
            let description = offer
                .get("itemOffered")
                .and_then(text)
                .or_else(|| offer.get("name").and_then(text))?;
            let quantity = offer
                .pointer("/eligibleQuantity/value")
                .or_else(|| offer.get("orderQuantity"))
                .and_then(number)
                .and_then(|q| u32::try_from(q.trunc().mantissa()).ok())
                .unwrap_or(1);
            let unit = offer
                .get("price")
                .and_then(number)
                .zip(currency)
                .map(|(amount, currency)| Money { amount, currency });
            let sku = offer.pointer("/itemOffered/sku").and_then(text);
            Some(LineItem {
                description,
                quantity,
                unit_price: unit,
                // A price times a quantity past what a decimal holds is no
                // real line: no total rather than a panic.
                total: unit.and_then(|u| {
                    Some(Money {
                        amount: u.amount.checked_mul(Decimal::from(quantity))?,
                        currency: u.currency,
                    })
                }),
                sku,
                source: crate::model::Method::SchemaOrg,
                confidence: 0.9,
            })
        })
        .collect()
}

fn visit(node: &Value, inherited: Option<Currency>, found: &mut Found) {
    match node {
        Value::Array(items) => items.iter().for_each(|n| visit(n, inherited, found)),
        Value::Object(map) => {
            let currency = currency_here(node, inherited);
            if is_type(node, &["Order", "Invoice"]) {
                if found.merchant.is_none() {
                    found.merchant = ["seller", "merchant", "provider", "broker"]
                        .iter()
                        .find_map(|k| map.get(*k).and_then(text));
                }
                for key in ["orderNumber", "confirmationNumber", "accountId"] {
                    if let Some(id) = map.get(key).and_then(text)
                        && !found.order_ids.contains(&id)
                    {
                        found.order_ids.push(id);
                    }
                }
                if found.date.is_none() {
                    found.date = map
                        .get("orderDate")
                        .or_else(|| map.get("paymentDueDate"))
                        .and_then(Value::as_str)
                        .and_then(|d| crate::dates::find(d, true));
                }
                if found.total.is_none() {
                    let amount = ["price", "totalPaymentDue", "totalPrice"]
                        .iter()
                        .find_map(|k| {
                            let v = map.get(*k)?;
                            v.get("price")
                                .or(v.get("value"))
                                .and_then(number)
                                .or_else(|| number(v))
                        });
                    let currency = map
                        .get("totalPaymentDue")
                        .and_then(|v| v.get("priceCurrency"))
                        .and_then(Value::as_str)
                        .and_then(Currency::from_code)
                        .or(currency);
                    found.total = amount
                        .zip(currency)
                        .map(|(amount, currency)| Money { amount, currency });
                }
                if found.line_items.is_empty() {
                    found.line_items = offers(node, currency);
                }
            }
            if is_reservation(node) {
                found.reservation = true;
                if let Some(id) = map.get("reservationNumber").and_then(text)
                    && !found.order_ids.contains(&id)
                {
                    found.order_ids.push(id);
                }
                if found.date.is_none() {
                    found.date = ["bookingTime", "bookingDate", "dateCreated"]
                        .iter()
                        .find_map(|k| map.get(*k).and_then(Value::as_str))
                        .and_then(|d| crate::dates::find(d, true));
                }
                if found.total.is_none() {
                    let amount = map.get("totalPrice").and_then(|v| {
                        v.get("price")
                            .or(v.get("value"))
                            .and_then(number)
                            .or_else(|| number(v))
                    });
                    found.total = amount
                        .zip(currency)
                        .map(|(amount, currency)| Money { amount, currency });
                }
                if found.merchant.is_none() {
                    found.merchant = ["provider", "broker"]
                        .iter()
                        .find_map(|k| map.get(*k).and_then(text));
                }
            }
            if is_type(node, &["ParcelDelivery"])
                && let Some(order) = map.get("partOfOrder")
            {
                visit(order, currency, found);
            }
            for value in map.values() {
                if value.is_object() || value.is_array() {
                    visit(value, currency, found);
                }
            }
        }
        _ => {}
    }
}

/// Reads JSON-LD blocks and microdata from `html`.
pub fn extract(html: &str) -> Found {
    let mut found = Found::default();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(start) = lower[from..].find("application/ld+json").map(|i| i + from) {
        let Some(open) = lower[start..].find('>').map(|i| i + start + 1) else {
            break;
        };
        let Some(close) = lower[open..].find("</script").map(|i| i + open) else {
            break;
        };
        if let Ok(value) = serde_json::from_str::<Value>(html[open..close].trim()) {
            visit(&value, None, &mut found);
        }
        from = close;
    }
    if found.total.is_none() && lower.contains("schema.org/order") {
        microdata(html, &mut found);
    }
    found
}

/// The microdata properties whose text is read.
const MICRODATA_PROPS: &[&str] = &[
    "orderNumber",
    "name",
    "orderDate",
    "priceCurrency",
    "price",
    "totalPaymentDue",
];

/// The most of a property's text kept (a total or an order number is short).
const MAX_PROP_TEXT: usize = 256;

/// Microdata: `itemprop` values anywhere under an `itemtype` of schema.org/Order.
fn microdata(html: &str, found: &mut Found) {
    let Ok(dom) = tl::parse(html, tl::ParserOptions::default()) else {
        return;
    };
    let parser = dom.parser();
    // Only the first of each property read below is needed, and a tag's
    // inner text is everything under it: computed for every property, a
    // page of thousands of unclosed nested properties costs minutes.
    let mut props: Vec<(String, String)> = Vec::new();
    for node in dom.nodes() {
        let Some(tag) = node.as_tag() else { continue };
        let attrs = tag.attributes();
        let Some(Some(prop)) = attrs.get("itemprop") else {
            continue;
        };
        let prop = prop.as_utf8_str();
        if props.iter().any(|(p, _)| *p == prop) {
            continue;
        }
        let wanted = MICRODATA_PROPS.contains(&prop.as_ref());
        let value = match attrs.get("content").flatten() {
            Some(v) => v.as_utf8_str().into_owned(),
            None if wanted => {
                let mut text = tag.inner_text(parser).trim().to_owned();
                text.truncate(text.floor_char_boundary(MAX_PROP_TEXT));
                text
            }
            None => String::new(),
        };
        props.push((prop.into_owned(), value));
    }
    let get = |name: &str| {
        props
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(id) = get("orderNumber") {
        found.order_ids.push(id);
    }
    if found.merchant.is_none() {
        found.merchant =
            get("name").filter(|_| props.iter().any(|(p, _)| p == "seller" || p == "merchant"));
    }
    found.date = found
        .date
        .or_else(|| get("orderDate").and_then(|d| crate::dates::find(&d, true)));
    let currency = get("priceCurrency").and_then(|c| Currency::from_code(&c));
    let amount = get("price")
        .or_else(|| get("totalPaymentDue"))
        .and_then(|p| crate::money::parse_number(&p));
    found.total = amount
        .zip(currency)
        .map(|(amount, currency)| Money { amount, currency });
}
