//! Items laid out as stacked blocks, one field per line, as shops' HTML
//! tables read once flattened to text:
//!
//! ```text
//! adidas Originals
//! Tracksuit bottoms - night indigo
//! Size: M
//! Quantity: 1
//! 64,95 €
//! ```
//!
//! Each block is found by its quantity line; the price is the first amount
//! just after it (or just before it, where a layout puts the price first)
//! and the description is the lines above the block's attributes.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Currency, LineItem, Method, Money};

/// A quantity on a line of its own (`Qty: 2`, `Anzahl: 1`) or at the end
/// of an attribute line (`LIGHT BLUE / WOMENS 6 / Qty 1`).
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|/\s*)(?:qty|quantity|menge|anzahl|quantité|cantidad|quantità|aantal|ilość|antal)\s*:?\s*(\d{1,3})\s*$")
        .expect("compiles")
});

/// Lines that describe a variant of the item, not the item.
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:size|colou?r|größe|farbe|taille|couleur|talla|taglia|colore|maat|kleur|style|width|estimated arrival|arrives|sold by|verkauft von)\b")
        .expect("compiles")
});

/// How far from its quantity line a block's price may be.
const REACH: usize = 2;
/// How many lines above its attributes a block's description may take.
const DESCRIPTION_LINES: usize = 2;

/// The stacked item blocks in `text` (see the module's documentation).
///
/// ```
/// use receipt_parsers::item_blocks::stacked;
/// let text = "Nike Shox R4\nMen's Shoes\nSize: M 10\nQty: 2\n$100.46\nNike Shox R4\nMen's Shoes\nSize: M 11\nQty: 2\n$100.46\nSubtotal $200.92";
/// let items = stacked(text, None);
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0].description, "Nike Shox R4 Men's Shoes");
/// assert_eq!(items[0].quantity, 2);
/// assert_eq!(items[0].total.unwrap().amount.to_string(), "100.46");
/// // The same order printed twice is one order.
/// let twice = "Tee\nSize: L\nQty: 1\n£9.00\nTee\nSize: L\nQty: 1\n£9.00";
/// assert_eq!(stacked(twice, None).len(), 1);
/// ```
pub fn stacked(text: &str, currency: Option<Currency>) -> Vec<LineItem> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let price = |i: usize| -> Option<Money> {
        let line = lines.get(i)?;
        // A price line holds prices and little else (`$84.00 $120.00`).
        let found = crate::money::find_all(line, currency);
        let first = found.first()?;
        (line.chars().filter(|c| c.is_alphabetic()).count() <= 12).then_some(*first)
    };
    let mut items = Vec::new();
    // Each item's lines, sizes and colours included.
    let mut blocks: Vec<String> = Vec::new();
    let mut taken = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(quantity) = QUANTITY
            .captures(line)
            .and_then(|c| c[1].parse::<u32>().ok())
        else {
            continue;
        };
        // The price after the quantity, else the one before it.
        let after = (i + 1..=i + REACH).find_map(|j| price(j).map(|m| (j, m)));
        let before = (i.saturating_sub(REACH)..i)
            .rev()
            .filter(|j| *j >= taken)
            .find_map(|j| price(j).map(|m| (j, m)));
        // The nearer of the two; after it, when both are as near.
        let nearest = match (after, before) {
            (Some(a), Some(b)) if i - b.0 < a.0 - i => Some(b),
            (a, b) => a.or(b),
        };
        let Some((at, total)) = nearest else {
            continue;
        };
        // Above the block: past its attributes (and a price put first), the
        // description, never reaching into the block before.
        let mut top = i.min(at);
        while top > taken && (ATTRIBUTE.is_match(lines[top - 1]) || price(top - 1).is_some()) {
            top -= 1;
        }
        let from = top.saturating_sub(DESCRIPTION_LINES).max(taken);
        let description = lines[from..top]
            .iter()
            .filter(|l| !ATTRIBUTE.is_match(l))
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let block = lines[from..=i.max(at)].join("\n");
        taken = i.max(at) + 1;
        if description.is_empty() {
            continue;
        }
        blocks.push(block);
        items.push(LineItem {
            description,
            quantity,
            unit_price: None,
            total: Some(total),
            sku: None,
            source: Method::Pattern,
            confidence: 0.5,
        });
    }
    // Many mails print the order twice (a desktop and a mobile table):
    // the same blocks, line for line, sizes and all.
    let half = items.len() / 2;
    if half > 0 && items.len() % 2 == 0 && blocks[..half] == blocks[half..] {
        items.truncate(half);
    }
    items
}
