//! Generic patterns: labelled amounts, order ids, dates and simple item lines,
//! for any sender. Vendor parsers reuse them with their own labels.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Currency, LineItem, Money};

/// Labels of the amount that was charged, most specific first.
pub const TOTAL: &[&str] = &[
    "order total",
    "grand total",
    "total paid",
    "amount paid",
    "total charged",
    "total amount",
    "you paid",
    "payment total",
    "gesamtsumme",
    "gesamtbetrag",
    "endbetrag",
    "rechnungsbetrag",
    "gesamtpreis",
    "zu zahlen",
    "total à payer",
    "total a pagar",
    "totaalbedrag",
    "te betalen",
    "do zapłaty",
    "att betala",
    "valor total",
    "注文合計",
    "ご請求額",
    "お支払い金額",
    "お支払金額",
    "合計金額",
    "montant total",
    "total ttc",
    "importe total",
    "totale ordine",
    "totale",
    "summe",
    "gesamt",
    "totaal",
    "totalt",
    "razem",
    "total",
    "合計",
];
/// Labels of the subtotal (never taken for the total).
pub const SUBTOTAL: &[&str] = &[
    "items subtotal",
    "item(s) subtotal",
    "subtotal",
    "sub-total",
    "sub total",
    "zwischensumme",
    "sous-total",
    "subtotale",
    "小計",
    "subtotaal",
    "delsumma",
];
/// Labels of tax.
pub const TAX: &[&str] = &[
    "vat",
    "tax",
    "mwst",
    "ust",
    "tva",
    "iva",
    "gst",
    "btw",
    "moms",
    "消費税",
];
/// Labels of shipping.
pub const SHIPPING: &[&str] = &[
    "shipping",
    "postage",
    "delivery fee",
    "delivery",
    "versand",
    "livraison",
    "envío",
    "spedizione",
    "配送料",
    "verzending",
];
/// Labels of discounts.
pub const DISCOUNT: &[&str] = &[
    "discount",
    "promotion",
    "promo",
    "voucher",
    "coupon",
    "rabatt",
    "remise",
    "descuento",
    "sconto",
];

/// Words that, besides the subtotal labels, make a "total" line something else.
const NOT_TOTAL: &[&str] = &["before", "excl", "items total"];

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// A text's non-empty lines, trimmed, with their lower-case forms, split once
/// and shared by every labelled lookup.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    raw: Vec<&'a str>,
    lower: Vec<String>,
    /// All lower-case lines joined: one search tells whether a label occurs at all.
    joined: String,
}

impl<'a> Lines<'a> {
    /// Splits `text`. Only the first 64 KB are read: a receipt's figures come
    /// long before that, and the rest of a long mail is footers and promotions.
    pub fn new(text: &'a str) -> Self {
        let mut end = text.len().min(64 * 1024);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let raw: Vec<&str> = lines(&text[..end]).collect();
        let lower: Vec<String> = raw.iter().map(|l| l.to_lowercase()).collect();
        let joined = lower.join("\n");
        Lines { raw, lower, joined }
    }
}

/// The amount on the first line carrying one of `labels` (or on the line after
/// it, for tables that put the value below). `total` lines skip subtotals.
///
/// ```
/// use receipt_parsers::patterns::{Lines, TOTAL, labelled};
/// let text = "Subtotal: £10.00\nOrder total: £12.50";
/// assert_eq!(labelled(&Lines::new(text), TOTAL, None, true).unwrap().amount.to_string(), "12.50");
/// ```
pub fn labelled(
    lines: &Lines<'_>,
    labels: &[&str],
    currency: Option<Currency>,
    is_total: bool,
) -> Option<Money> {
    for label in labels.iter().filter(|l| lines.joined.contains(*l)) {
        for (i, (line, lower)) in lines.raw.iter().zip(&lines.lower).enumerate() {
            let Some(at) = lower.find(label) else {
                continue;
            };
            let starts_word = at == 0
                || !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            if !starts_word
                || (is_total && SUBTOTAL.iter().chain(NOT_TOTAL).any(|n| lower.contains(n)))
            {
                continue;
            }
            // `at` indexes the lower-cased line; lower-casing can change byte
            // lengths, so fall back to the whole line when it is not a boundary there.
            let after = line.get(at + label.len()..).unwrap_or(line);
            if let Some(m) = crate::money::find(after, currency) {
                return Some(m);
            }
            if let Some(m) = column_value(lines, i, currency) {
                return Some(m);
            }
            if let Some(next) = lines.raw.get(i + 1)
                && let Some(m) = crate::money::find(next, currency)
            {
                return Some(m);
            }
        }
    }
    None
}

/// The value of the label on line `i` when labels stand in one column and
/// their values in the next, laid out as text one after the other
/// (`Subtotal`, `Versand`, `GESAMT`, then `€159.90`, `€0.00`, `€119.92`).
///
/// ```
/// use receipt_parsers::patterns::{Lines, TOTAL, labelled};
/// let lines = Lines::new("Subtotal\nVersand\nGESAMT\n€159.90\n€0.00\n€119.92");
/// assert_eq!(labelled(&lines, TOTAL, None, true).unwrap().amount.to_string(), "119.92");
/// ```
fn column_value(lines: &Lines<'_>, i: usize, currency: Option<Currency>) -> Option<Money> {
    let is_label = |k: usize| {
        let raw = lines.raw[k];
        raw.chars().count() <= 40
            && !raw.chars().any(|c| c.is_ascii_digit())
            && [TOTAL, SUBTOTAL, TAX, SHIPPING, DISCOUNT]
                .iter()
                .any(|labels| labels.iter().any(|l| lines.lower[k].contains(l)))
    };
    let mut start = i;
    while start > 0 && is_label(start - 1) {
        start -= 1;
    }
    let mut end = i + 1;
    while end < lines.raw.len() && is_label(end) {
        end += 1;
    }
    let stacked = end - start;
    if stacked < 2 {
        return None;
    }
    let values: Vec<Money> = (end..end + stacked)
        .map(|k| {
            lines
                .raw
                .get(k)
                .and_then(|l| crate::money::find(l, currency))
        })
        .collect::<Option<_>>()?;
    values.into_iter().nth(i - start)
}

/// Every amount labelled with the first of `labels` that labels any: one
/// per labelled line (a confirmation of several orders gives each order's
/// total under the same label).
///
/// ```
/// use receipt_parsers::patterns::{Lines, TOTAL, labelled_all};
/// let text = "Order #1\nOrder Total: £3.99\nOrder #2\nOrder Total: £7.29";
/// let all = labelled_all(&Lines::new(text), TOTAL, None);
/// assert_eq!(all.iter().map(|(_, m)| m.amount.to_string()).collect::<Vec<_>>(), ["3.99", "7.29"]);
/// assert_eq!(all.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [1, 3]);
/// ```
pub fn labelled_all(
    lines: &Lines<'_>,
    labels: &[&str],
    currency: Option<Currency>,
) -> Vec<(usize, Money)> {
    for label in labels.iter().filter(|l| lines.joined.contains(*l)) {
        let mut found = Vec::new();
        for (i, (line, lower)) in lines.raw.iter().zip(&lines.lower).enumerate() {
            let Some(at) = lower.find(label) else {
                continue;
            };
            let starts_word = at == 0
                || !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            if !starts_word || SUBTOTAL.iter().chain(NOT_TOTAL).any(|n| lower.contains(n)) {
                continue;
            }
            let after = line.get(at + label.len()..).unwrap_or(line);
            if let Some(m) = crate::money::find(after, currency).or_else(|| {
                lines
                    .raw
                    .get(i + 1)
                    .and_then(|next| crate::money::find(next, currency))
            }) {
                found.push((i, m));
            }
        }
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// Whether each labelled line follows a line naming an order of `ids` that
/// no earlier labelled line followed: each order's own total, not one total
/// printed twice.
///
/// ```
/// use receipt_parsers::patterns::{Lines, each_after_its_order};
/// let lines = Lines::new("Order #A-1\nTotal £3\nOrder #B-2\nTotal £7");
/// assert!(each_after_its_order(&lines, &[1, 3], &["A-1", "B-2"]));
/// assert!(!each_after_its_order(&lines, &[1, 3], &["A-1", "C-3"]));
/// ```
pub fn each_after_its_order(lines: &Lines<'_>, labelled: &[usize], ids: &[&str]) -> bool {
    let mut used = vec![false; ids.len()];
    let mut from = 0;
    for &at in labelled {
        let named = (from..at).rev().find_map(|i| {
            ids.iter()
                .enumerate()
                .find(|(k, id)| !used[*k] && lines.raw[i].contains(**id))
                .map(|(k, _)| k)
        });
        match named {
            Some(k) => used[k] = true,
            None => return false,
        }
        from = at + 1;
    }
    true
}

/// The amount said to have been charged where the amount comes first:
/// `$42.29` then `Card ending in 6505 was charged.`
///
/// ```
/// use receipt_parsers::patterns::{Lines, charged_before};
/// let lines = Lines::new("CREAM\n$42.29\nCard ending in 6505 was charged.");
/// assert_eq!(charged_before(&lines).unwrap().amount.to_string(), "42.29");
/// assert!(charged_before(&Lines::new("£30.00\nYou haven't been charged.")).is_none());
/// ```
pub fn charged_before(lines: &Lines<'_>) -> Option<Money> {
    const CHARGED: &[&str] = &[
        "was charged",
        "were charged",
        "has been charged",
        "been charged",
    ];
    const NOT: &[&str] = &["n't", "not ", "never", "won't"];
    lines.lower.iter().enumerate().find_map(|(i, lower)| {
        let at = CHARGED.iter().filter_map(|c| lower.find(c)).min()?;
        // "You haven't been charged" says the opposite.
        if NOT.iter().any(|n| lower[..at].contains(n)) {
            return None;
        }
        // Marked amounts only (a symbol or code): before the words on the
        // line (past a card's digits), or on the line above.
        first_marked(lines.raw[i].get(..at).unwrap_or(""))
            .or_else(|| i.checked_sub(1).and_then(|p| first_marked(lines.raw[p])))
    })
}

static ORDER_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?-u:\b)(?:order|booking|invoice|receipt|confirmation|reference|transaction|bestell|bestellung|bestelling|commande|pedido|ordine|ricevuta)(?:\s*(?:number|no\.?|nr\.?|id|reference|ref\.?|nummer|numéro|número|numero|code))?|(?-u:\b)payment\s*id|ご?注文番号)(?:\s+is)?\s*(?:#\s*:?|:|-|：)?\s*#?\s*([A-Z0-9][A-Z0-9.-]{3,30})(?-u:\b)",
    )
    .expect("compiles")
});

/// Order ids after "Order #", "Order number:", "Bestellnummer", ... (with at least one digit).
///
/// ```
/// use receipt_parsers::patterns::order_ids;
/// assert_eq!(order_ids("Order #A-10001 shipped"), ["A-10001"]);
/// assert_eq!(order_ids("INVOICE\nInvoice number: NWH-2024-0412"), ["NWH-2024-0412"]);
/// assert_eq!(order_ids("BOOKING REFERENCE 43214321"), ["43214321"]);
/// assert_eq!(order_ids("Order number: GPA.3312-4460-1958-27364"), ["GPA.3312-4460-1958-27364"]);
/// assert!(order_ids("Order 12.50").is_empty());
/// assert_eq!(order_ids("Your order number is CAR21644952."), ["CAR21644952"]);
/// assert_eq!(order_ids("Order details for order #: 64582985798757"), ["64582985798757"]);
/// ```
pub fn order_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(c) = ORDER_ID.captures_at(text, at) {
        let (Some(whole), Some(found)) = (c.get(0), c.get(1)) else {
            break;
        };
        let id = found.as_str().trim_end_matches(['-', '.']).to_owned();
        // A dotted id has letters (`GPA.3312-…`); `12.50` is an amount.
        let dotted_amount = id.contains('.') && !id.chars().any(|ch| ch.is_ascii_alphabetic());
        if id.chars().any(|ch| ch.is_ascii_digit()) && !dotted_amount {
            if !ids.contains(&id) {
                ids.push(id);
            }
            at = whole.end();
        } else {
            // A word, not an id: it may be the next label (`INVOICE\nInvoice number: X-1`).
            at = found.start();
        }
    }
    ids
}

/// A price at the end of a line, its currency possibly after a space (`39,99 €`).
const PRICE: &str = r"(\S*\d[\d.,]*\S*(?:\s?(?:€|EUR|GBP|USD|kr|zł))?)";
static QTY_X: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(\d{{1,3}})\s*[x×]\s+(.+?)\s+{PRICE}$")).expect("compiles")
});
static QTY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)^(.+?)\s+(?:qty|quantity|menge|quantité|cantidad|quantità)\s*:?\s*(\d{{1,3}})\s+{PRICE}$"))
        .expect("compiles")
});

/// Item lines of the forms `2 x Widget £9.98` and `Widget Qty: 2 £9.98`.
pub fn line_items(text: &str, currency: Option<Currency>) -> Vec<LineItem> {
    let mut items = Vec::new();
    for line in lines(text) {
        let (qty, description, price) = if let Some(c) = QTY_X.captures(line) {
            (
                c[1].parse().unwrap_or(1),
                c[2].trim().to_owned(),
                c[3].to_owned(),
            )
        } else if let Some(c) = QTY_LABEL.captures(line) {
            (
                c[2].parse().unwrap_or(1),
                c[1].trim().to_owned(),
                c[3].to_owned(),
            )
        } else {
            continue;
        };
        let Some(total) = crate::money::find(&price, currency) else {
            continue;
        };
        let unit_price = (qty > 1).then(|| Money {
            amount: total.amount / rust_decimal::Decimal::from(qty),
            currency: total.currency,
        });
        items.push(LineItem {
            description,
            quantity: qty,
            unit_price: unit_price.or(Some(total)),
            total: Some(total),
            sku: None,
            source: crate::model::Method::Pattern,
            confidence: 0.6,
        });
    }
    items
}

/// The date on (or just below) a line labelled as the order date, or the
/// first date on a line that is not about delivery or an event.
///
/// ```
/// use receipt_parsers::patterns::order_date;
/// let text = "La tua data di consegna prevista è:\nmartedì 24 marzo 2015\nEffettuato lunedì 16 marzo 2015";
/// assert_eq!(order_date(text, true).unwrap().to_string(), "2015-03-16");
/// ```
pub fn order_date(text: &str, day_first: bool) -> Option<time::Date> {
    const LABELS: &[&str] = &[
        "order date",
        "ordered on",
        "order placed",
        "placed on",
        "date of purchase",
        "purchase date",
        "date purchased",
        "invoice date",
        "receipt date",
        "transaction date",
        "payment date",
        "date confirmed",
        "bestelldatum",
        "bestellt am",
        "date de commande",
        "commande passée",
        "passée le",
        "fecha del pedido",
        "pedido realizado",
        "realizado el",
        "data dell'ordine",
        "effettuato",
        "注文日",
        "ご注文日",
        "besteldatum",
        "date:",
    ];
    /// Lines whose dates are not the order's.
    const NOT_ORDER: &[&str] = &[
        "deliver",
        "arriv",
        "dispatch",
        "estimated",
        "expected",
        "consegna",
        "lieferung",
        "zustellung",
        "livraison",
        "entrega",
        "renew",
        "expires",
        "valid until",
        "event",
        "doors",
    ];
    let all: Vec<&str> = lines(text).collect();
    let lower: Vec<String> = all.iter().map(|l| l.to_lowercase()).collect();
    for (i, line) in all.iter().enumerate() {
        if LABELS.iter().any(|l| lower[i].contains(l)) {
            let below = all
                .get(i + 1)
                .filter(|_| !NOT_ORDER.iter().any(|n| lower[i].contains(n)));
            if let Some(d) = crate::dates::find(line, day_first)
                .or_else(|| below.and_then(|b| crate::dates::find(b, day_first)))
            {
                return Some(d);
            }
        }
    }
    all.iter().enumerate().find_map(|(i, line)| {
        // "completed your delivery ... on June 15": a delivery that is the order.
        let about_else = |j: usize| {
            NOT_ORDER.iter().any(|n| lower[j].contains(n)) && !lower[j].contains("completed")
        };
        if about_else(i) || (i > 0 && about_else(i - 1) && lower[i - 1].ends_with(':')) {
            return None;
        }
        crate::dates::find(line, day_first)
    })
}

/// The first amount in `text` marked with a symbol or code (never a bare
/// number, such as a card's digits).
fn first_marked(text: &str) -> Option<Money> {
    crate::money::find_all(text, None).into_iter().next()
}

/// [`first_marked`] as a sum paid (`- $30.00` in a payment notice is money
/// out, not a credit).
fn marked_paid(text: &str) -> Option<Money> {
    first_marked(text).map(|m| Money {
        amount: m.amount.abs(),
        currency: m.currency,
    })
}

/// The sum a payment notice says was paid: a subject such as `You paid
/// Jordan Reyes $30.00`, or a line `You spent 69.56 HKD at iHerb.` (or
/// `You paid the business X via PayMe` with `- HKD 31.64` just below).
///
/// ```
/// use receipt_parsers::patterns::{Lines, paid};
/// let lines = Lines::new("Hello Sam,\nYou spent 69.56 HKD at iHerb.\nThanks");
/// assert_eq!(paid(&lines, "").unwrap().amount.to_string(), "69.56");
/// assert_eq!(paid(&Lines::new("Like"), "You paid Jordan Reyes $30.00").unwrap().amount.to_string(), "30.00");
/// assert!(paid(&Lines::new("You could save £5 today"), "News").is_none());
/// ```
pub fn paid(lines: &Lines<'_>, subject: &str) -> Option<Money> {
    const PAID: &[&str] = &[
        "you paid",
        "you have paid",
        "you've paid",
        "you spent",
        "spent at",
        "you sent",
        "payment to",
        "charge request",
    ];
    let says_paid = |lower: &str| PAID.iter().any(|p| lower.contains(p));
    if says_paid(&subject.to_lowercase())
        && let Some(m) = marked_paid(subject)
    {
        return Some(m);
    }
    lines.lower.iter().enumerate().find_map(|(i, lower)| {
        if !says_paid(lower) {
            return None;
        }
        lines.raw[i..lines.raw.len().min(i + 3)]
            .iter()
            .find_map(|l| marked_paid(l))
    })
}

/// The amount on a payment row (`Apple Pay (Visa)` then `$6.57`, `Visa
/// •••• 4242 $19.97`): what the card was charged, for receipts that label
/// no total.
///
/// ```
/// use receipt_parsers::patterns::{Lines, paid_by_card};
/// let lines = Lines::new("Lyft fare\n$6.38\nSurcharge\n$0.19\nApple Pay (Visa)\n$6.57\nPickup 8:54 AM");
/// assert_eq!(paid_by_card(&lines).unwrap().amount.to_string(), "6.57");
/// ```
pub fn paid_by_card(lines: &Lines<'_>) -> Option<Money> {
    static CARD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:apple pay|google pay|visa|mastercard|amex|american express|discover|maestro|card ending|ending in)(?-u:\b)|••••|\*{4}")
            .expect("compiles")
    });
    lines.raw.iter().enumerate().find_map(|(i, line)| {
        // A payment row is short; a sentence naming a card is not one.
        let found = CARD.find(line).filter(|_| line.chars().count() <= 60)?;
        marked_paid(&line[found.end()..])
            .or_else(|| lines.raw.get(i + 1).and_then(|next| marked_paid(next)))
    })
}

/// Who a payment notice says was paid: `You paid Jordan Reyes $30.00`,
/// `30 AUD spent at OpenAI`, `You've paid the business PORCH KITCHEN via
/// PayMe`, `You completed Morgan Blake's $1.00 charge request`. The subject
/// is read first, then the opening lines.
///
/// ```
/// use receipt_parsers::patterns::{Lines, payee};
/// let none = Lines::new("");
/// assert_eq!(payee("You paid Jordan Reyes $30.00", &none).as_deref(), Some("Jordan Reyes"));
/// assert_eq!(payee("69.56 HKD spent at iHerb", &none).as_deref(), Some("iHerb"));
/// assert_eq!(payee("You completed Morgan Blake's $1.00 charge request", &none).as_deref(), Some("Morgan Blake"));
/// let body = Lines::new("You paid the business FOUR BEANS CAFE via PayMe\n- HKD 31.64");
/// assert_eq!(payee("Receipt", &body).as_deref(), Some("FOUR BEANS CAFE"));
/// assert_eq!(payee("You paid £12.99 with Visa", &none), None);
/// assert_eq!(payee("You paid $5.30 USD to Example Shop", &none).as_deref(), Some("Example Shop"));
/// ```
pub fn payee(subject: &str, lines: &Lines<'_>) -> Option<String> {
    static PAYEE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        [
            r"(?i)(?-u:\b)you(?:'ve| have)? paid \S*\d\S*(?: [A-Z]{3})? to (.+?)[.!]?\s*$",
            r"(?i)(?-u:\b)you(?:'ve| have)? paid (?:the business )?(.+?)(?:\s+via\s.*|\s+[-−]?\s*(?:[$£€¥₹]|[A-Z]{3}\s?\d).*|[.!]?\s*)$",
            r"(?i)(?-u:\b)spent (?:[^\n]*? )?at (.+?)[.!]?\s*$",
            r"(?i)(?-u:\b)payment to (?:the business )?(.+?)(?:\s+via\s.*|[.!]?\s*)$",
            r"(?i)(?-u:\b)you completed (.+?)'s .*charge request",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("compiles"))
        .collect()
    });
    std::iter::once(subject)
        .chain(lines.raw.iter().take(30).copied())
        .find_map(|line| {
            PAYEE.iter().find_map(|re| {
                let name = re.captures(line)?.get(1)?.as_str().trim();
                // An amount or a date is not who was paid.
                let first = name.chars().next()?;
                let lower = name.to_lowercase();
                (!first.is_ascii_digit()
                    && !"$£€¥₹-−".contains(first)
                    && !["using", "with", "by "]
                        .iter()
                        .any(|w| lower.starts_with(w))
                    && name.chars().count() <= 80)
                    .then(|| name.to_owned())
            })
        })
}
