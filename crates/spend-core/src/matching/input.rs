//! The matcher's view of the records: bank charges on one side, and on the
//! other the orders, receipts and purchases that may explain them.

use time::Date;

use super::merchant::MerchantKey;
use crate::model::{
    ApplePurchase, Currency, MatchTarget, Order, Receipt, Transaction, TransactionRef,
    TransactionStatus,
};

/// A bank or card transaction as the matcher reads it.
#[derive(Debug, Clone)]
pub struct Charge {
    /// Its key in the store.
    pub key: TransactionRef,
    /// The day the bank dates it.
    pub date: Date,
    /// Signed minor units: money out is negative, a refund positive.
    pub minor: i64,
    /// Its currency.
    pub currency: Currency,
    /// The descriptor's merchant key.
    pub merchant: MerchantKey,
    /// The bank's description, upper-cased (for references).
    pub description: String,
    /// The amount in the currency of purchase, when the bank printed it
    /// (`BANDCAMP.COM USD 25.00`): the bank's own FX data.
    pub foreign: Option<(Currency, i64)>,
    /// Not settled yet.
    pub pending: bool,
    /// What it was, for people: `2026-03-02 -£25.97 AMAZON.CO.UK*2K4RT51X4`.
    pub label: String,
}

impl Charge {
    /// A stored transaction.
    ///
    /// ```
    /// use spend_core::matching::Charge;
    /// use spend_core::model::{Money, Transaction};
    /// let tx = Transaction::new("truelayer", "card", "t1", time::macros::date!(2026 - 03 - 02),
    ///     Money::parse("-19.87", "GBP")?, "BANDCAMP.COM OAKLAND CA USD 25.00");
    /// let charge = Charge::from_transaction(&tx);
    /// assert_eq!(charge.foreign.map(|(c, m)| (c.code().to_owned(), m)), Some(("USD".into(), 2500)));
    /// # Ok::<(), spend_core::model::MoneyError>(())
    /// ```
    pub fn from_transaction(tx: &Transaction) -> Self {
        let descriptor = MerchantKey::from_descriptor(&tx.description);
        let merchant = if descriptor.is_empty() {
            tx.merchant
                .as_deref()
                .map(MerchantKey::from_name)
                .unwrap_or_default()
        } else {
            descriptor
        };
        Charge {
            key: tx.key(),
            date: tx.date,
            minor: tx.amount.minor(),
            currency: tx.amount.currency(),
            merchant,
            description: tx.description.to_uppercase(),
            foreign: foreign_amount(&tx.description, tx.amount.currency()),
            pending: tx.status == TransactionStatus::Pending,
            label: format!("{} {} {}", tx.date, tx.amount, tx.description),
        }
    }
}

/// `USD 25.00` or `25.00 USD` in a description, in a currency other than the account's.
fn foreign_amount(description: &str, home: Currency) -> Option<(Currency, i64)> {
    let words: Vec<&str> = description.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        if word.len() != 3 || !word.chars().all(|c| c.is_ascii_uppercase()) {
            continue;
        }
        let Ok(currency) = Currency::new(word) else {
            continue;
        };
        if currency == home {
            continue;
        }
        let neighbours = [
            words.get(i + 1),
            i.checked_sub(1).and_then(|j| words.get(j)),
        ];
        for number in neighbours.into_iter().flatten() {
            if let Ok(money) = crate::model::Money::parse(number.trim_end_matches(','), word) {
                return Some((currency, money.minor()));
            }
        }
    }
    None
}

/// Which side of an order or receipt a charge can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A payment for it (money out).
    Purchase,
    /// A refund of it (money in).
    Refund,
}

/// What kind of record a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// An order (Amazon SP-API, Amazon Business, history files).
    Order,
    /// A receipt read from mail.
    Receipt,
    /// An Apple purchase.
    Apple,
}

/// An order, receipt or purchase that may explain a charge.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// What a match would point at.
    pub target: MatchTarget,
    /// The kind of record.
    pub kind: CandidateKind,
    /// Its day.
    pub date: Date,
    /// Its total in minor units (positive).
    pub minor: i64,
    /// Its currency.
    pub currency: Currency,
    /// The merchant's key.
    pub merchant: MerchantKey,
    /// Order ids and invoice numbers, upper-cased.
    pub references: Vec<String>,
    /// The sender was verified (always, for records from an API).
    pub verified: bool,
    /// A refund receipt: it explains money coming back, not going out.
    pub refund: bool,
    /// Line totals in minor units (a partial refund is often one line).
    pub lines: Vec<i64>,
    /// What it was, for people: `Amazon order 203-…: USB-C cable, notebook refills`.
    pub label: String,
}

impl Candidate {
    /// An order (`None` without a total).
    pub fn from_order(order: &Order) -> Option<Self> {
        let total = order.total?;
        let titles: Vec<&str> = order.items.iter().map(|i| i.title.as_str()).collect();
        Some(Candidate {
            target: MatchTarget::Order {
                source: order.source.clone(),
                id: order.id.clone(),
            },
            kind: CandidateKind::Order,
            date: order.ordered_on,
            minor: total.minor(),
            currency: total.currency(),
            merchant: MerchantKey::from_name(&order.merchant),
            references: vec![order.id.to_uppercase()],
            verified: true,
            refund: false,
            // A partial refund is often one line, or one unit of it.
            lines: order
                .items
                .iter()
                .flat_map(|i| [i.total, i.unit_price])
                .flatten()
                .map(|m| m.minor())
                .collect(),
            label: format!(
                "{} order {}: {}",
                order.merchant,
                order.id,
                titles.join(", ")
            ),
        })
    }

    /// A receipt or refund read from mail (`None` for other kinds, or
    /// without a total or a date).
    pub fn from_receipt(receipt: &Receipt) -> Option<Self> {
        let refund = match receipt.kind.as_str() {
            "receipt" => false,
            "refund" => true,
            _ => return None,
        };
        let total = receipt.total?;
        let date = receipt.date?;
        let from = receipt.parsed.get("from").and_then(|v| v.as_str());
        let domain = from
            .and_then(|f| f.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_owned());
        let name = receipt
            .merchant
            .clone()
            .or_else(|| receipt.vendor.clone())
            .or_else(|| domain.clone())
            .unwrap_or_default();
        let mut merchant = MerchantKey::from_name(&name);
        if merchant.is_empty()
            && let Some(domain) = &domain
        {
            merchant = MerchantKey::from_name(domain);
        }
        let verified = receipt
            .parsed
            .get("sender_verified")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        Some(Candidate {
            target: MatchTarget::Receipt {
                mailbox: receipt.mailbox.clone(),
                message_id: receipt.message_id.clone(),
            },
            kind: CandidateKind::Receipt,
            date,
            minor: total.minor().abs(),
            currency: total.currency(),
            merchant,
            references: receipt.order_ids.iter().map(|o| o.to_uppercase()).collect(),
            verified,
            refund,
            lines: Vec::new(),
            label: format!(
                "{} {}{}",
                if refund {
                    "refund from"
                } else {
                    "receipt from"
                },
                if name.is_empty() {
                    "an unknown sender"
                } else {
                    &name
                },
                receipt
                    .order_ids
                    .first()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default()
            ),
        })
    }

    /// An Apple purchase (`None` without a total).
    pub fn from_apple(purchase: &ApplePurchase) -> Option<Self> {
        let total = purchase.total?;
        let titles: Vec<&str> = purchase.items.iter().map(|i| i.title.as_str()).collect();
        Some(Candidate {
            target: MatchTarget::Apple {
                order_id: purchase.order_id.clone(),
            },
            kind: CandidateKind::Apple,
            date: purchase.purchased_on,
            minor: total.minor(),
            currency: total.currency(),
            merchant: MerchantKey::from_name("apple"),
            references: vec![purchase.order_id.to_uppercase()],
            verified: true,
            refund: false,
            lines: purchase
                .items
                .iter()
                .filter_map(|i| i.total.map(|t| t.minor()))
                .collect(),
            label: format!("Apple {}: {}", purchase.order_id, titles.join(", ")),
        })
    }
}
