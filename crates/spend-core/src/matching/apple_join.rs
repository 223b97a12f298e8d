//! Apple's two records of one purchase joined by order number: the privacy
//! export's purchase history (an [`ApplePurchase`]) and the "Your receipt
//! from Apple" email read from mail (a [`Receipt`] whose order ids hold the
//! same number).
//!
//! Joined, they are one candidate for the charge: the purchase, with the
//! receipt's total when the export left it out (free trials and some
//! exports' rows carry none), and the receipt itself is not offered as a
//! second, competing explanation of the same money. A person's decision
//! about either one settles both.

use std::collections::HashMap;

use super::input::Candidate;
use crate::model::{ApplePurchase, MatchTarget, Receipt};

/// The purchases and receipts that share an order number.
#[derive(Debug, Default, Clone)]
pub struct AppleJoin {
    /// Apple order number (upper-cased) → the receipt email's target.
    receipt_of: HashMap<String, MatchTarget>,
    /// The receipt email's target → the purchase's target.
    purchase_of: HashMap<MatchTarget, MatchTarget>,
}

impl AppleJoin {
    /// Joins by order number. A receipt is joined when one of its order ids
    /// is a purchase's order number; the first such receipt per order wins
    /// (a resent receipt is the same purchase).
    ///
    /// ```
    /// use spend_core::matching::AppleJoin;
    /// use spend_core::model::{ApplePurchase, MatchTarget, Money, Receipt};
    /// let purchase = ApplePurchase {
    ///     order_id: "MT5K2L9XQP".into(), purchased_on: time::macros::date!(2026 - 03 - 02),
    ///     total: None, items: vec![], raw: None,
    /// };
    /// let receipt = Receipt {
    ///     mailbox: "gmail".into(), message_id: "<r1@apple.com>".into(), kind: "receipt".into(),
    ///     vendor: Some("apple".into()), merchant: Some("Apple".into()),
    ///     date: Some(time::macros::date!(2026 - 03 - 02)),
    ///     total: Some(Money::parse("2.99", "GBP")?), order_ids: vec!["mt5k2l9xqp".into()],
    ///     parsed: serde_json::Value::Null,
    /// };
    /// let join = AppleJoin::new(&[purchase], &[receipt.clone()]);
    /// assert_eq!(join.len(), 1);
    /// let receipt_target = MatchTarget::Receipt { mailbox: receipt.mailbox, message_id: receipt.message_id };
    /// assert_eq!(join.partner(&receipt_target), Some(&MatchTarget::Apple { order_id: "MT5K2L9XQP".into() }));
    /// # Ok::<(), spend_core::model::MoneyError>(())
    /// ```
    pub fn new(purchases: &[ApplePurchase], receipts: &[Receipt]) -> Self {
        let orders: HashMap<String, &ApplePurchase> = purchases
            .iter()
            .map(|p| (p.order_id.trim().to_uppercase(), p))
            .collect();
        let mut join = AppleJoin::default();
        for receipt in receipts {
            let Some((number, purchase)) = receipt.order_ids.iter().find_map(|id| {
                let id = id.trim().to_uppercase();
                orders.get(&id).map(|p| (id, *p))
            }) else {
                continue;
            };
            if join.receipt_of.contains_key(&number) {
                continue;
            }
            let receipt_target = MatchTarget::Receipt {
                mailbox: receipt.mailbox.clone(),
                message_id: receipt.message_id.clone(),
            };
            let purchase_target = MatchTarget::Apple {
                order_id: purchase.order_id.clone(),
            };
            join.receipt_of.insert(number, receipt_target.clone());
            join.purchase_of.insert(receipt_target, purchase_target);
        }
        join
    }

    /// How many purchases have their receipt email.
    pub fn len(&self) -> usize {
        self.receipt_of.len()
    }

    /// Whether no purchase has its receipt email.
    pub fn is_empty(&self) -> bool {
        self.receipt_of.is_empty()
    }

    /// The other record of the same purchase: the purchase of a joined
    /// receipt, the receipt of a joined purchase.
    pub fn partner(&self, target: &MatchTarget) -> Option<&MatchTarget> {
        match target {
            MatchTarget::Apple { order_id } => self.receipt_of.get(&order_id.trim().to_uppercase()),
            receipt @ MatchTarget::Receipt { .. } => self.purchase_of.get(receipt),
            MatchTarget::Order { .. } => None,
        }
    }

    /// The candidates of purchases and receipts, joined: one per purchase
    /// (taking the receipt's total, and naming the email, when joined), one
    /// per receipt not joined to a purchase.
    pub fn candidates(&self, purchases: &[ApplePurchase], receipts: &[Receipt]) -> Vec<Candidate> {
        let receipts_by_target: HashMap<MatchTarget, &Receipt> = receipts
            .iter()
            .map(|r| {
                (
                    MatchTarget::Receipt {
                        mailbox: r.mailbox.clone(),
                        message_id: r.message_id.clone(),
                    },
                    r,
                )
            })
            .collect();
        let mut out = Vec::with_capacity(purchases.len() + receipts.len());
        for purchase in purchases {
            let target = MatchTarget::Apple {
                order_id: purchase.order_id.clone(),
            };
            let receipt = self
                .partner(&target)
                .and_then(|t| receipts_by_target.get(t).copied());
            let Some(receipt) = receipt else {
                out.extend(Candidate::from_apple(purchase));
                continue;
            };
            let mut with_total = purchase.clone();
            if with_total.total.is_none() {
                with_total.total = receipt.total;
            }
            if let Some(mut candidate) = Candidate::from_apple(&with_total) {
                candidate.label =
                    format!("{} (receipt email {})", candidate.label, receipt.message_id);
                out.push(candidate);
            }
        }
        out.extend(
            receipts
                .iter()
                .filter(|r| {
                    !self.purchase_of.contains_key(&MatchTarget::Receipt {
                        mailbox: r.mailbox.clone(),
                        message_id: r.message_id.clone(),
                    })
                })
                .filter_map(Candidate::from_receipt),
        );
        out
    }
}
