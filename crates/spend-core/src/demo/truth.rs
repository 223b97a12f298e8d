//! What the demo person's charges really were: the ground truth that
//! matching is scored against.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{MatchTarget, TransactionRef};

/// The kind of case a link is an example of, so accuracy can be read per case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Case {
    /// An Amazon order charged once, at dispatch.
    Amazon,
    /// One of the charges of an Amazon order shipped in two parts.
    AmazonSplit,
    /// One charge for two Amazon orders of one checkout.
    AmazonCombined,
    /// A refund of part of an Amazon order, days later.
    Refund,
    /// A receipt email and its charge (rides, food delivery, train tickets).
    Receipt,
    /// A monthly subscription's receipt and charge.
    Subscription,
    /// A purchase in another currency, charged in pounds at the bank's rate.
    Fx,
    /// A restaurant bill charged with a tip on top.
    Tip,
    /// A receipt whose amount another merchant's charge that week shares.
    SameAmount,
}

impl Case {
    /// The case's name (`amazon-split`).
    pub fn as_str(self) -> &'static str {
        match self {
            Case::Amazon => "amazon",
            Case::AmazonSplit => "amazon-split",
            Case::AmazonCombined => "amazon-combined",
            Case::Refund => "refund",
            Case::Receipt => "receipt",
            Case::Subscription => "subscription",
            Case::Fx => "fx",
            Case::Tip => "tip",
            Case::SameAmount => "same-amount",
        }
    }
}

/// One true pair: this transaction was for this order or receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TruthLink {
    /// The bank or card transaction.
    pub transaction: TransactionRef,
    /// What it paid for (or refunded).
    pub target: MatchTarget,
    /// The kind of case.
    pub case: Case,
}

/// Every true pair of the demo person, plus what has no partner.
///
/// ```
/// use spend_core::demo::{DemoSize, Person};
/// let person = Person::generate(&DemoSize::default(), 7, time::macros::date!(2026 - 12 - 01));
/// let truth = &person.truth;
/// assert!(truth.links.len() > 100);
/// assert!(truth.unexplained_charges > 0, "groceries have no receipt");
/// assert!(!truth.uncharged_receipts.is_empty(), "a wallet-paid purchase has no charge");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroundTruth {
    /// The true pairs.
    pub links: Vec<TruthLink>,
    /// Purchases with no receipt or order behind them (groceries, coffee, travel cards).
    pub unexplained_charges: usize,
    /// Receipts that no charge paid (a wallet balance, a gift card), by message id.
    pub uncharged_receipts: Vec<String>,
    /// Each transaction's category as the person would give it (the default
    /// LLM taxonomy's top level) and whether it was essential.
    pub categories: BTreeMap<TransactionRef, (String, bool)>,
}

/// The category and essential-or-not a person gives a demo merchant's charges.
pub(super) fn category_of(merchant: &str) -> (&'static str, bool) {
    match merchant {
        "Amazon" => ("Shopping", false),
        "Uber" => ("Transport", false),
        "Deliveroo" | "Dishoom" | "Pret A Manger" => ("Eating out", false),
        "Trainline" | "Transport for London" => ("Transport", true),
        "Netflix" => ("Subscriptions", false),
        "Bandcamp" | "Steam" => ("Entertainment", false),
        "Tesco" | "Sainsburys" => ("Groceries", true),
        "Boots" => ("Health", true),
        "Acme Ltd" => ("Income", true),
        _ => ("Bills", true),
    }
}

impl GroundTruth {
    /// Links counted per case.
    pub fn cases(&self) -> BTreeMap<Case, usize> {
        let mut counts = BTreeMap::new();
        for link in &self.links {
            *counts.entry(link.case).or_insert(0) += 1;
        }
        counts
    }

    /// The pairs as a set of (transaction, target) keys.
    pub fn pairs(&self) -> BTreeSet<(TransactionRef, MatchTarget)> {
        self.links
            .iter()
            .map(|l| (l.transaction.clone(), l.target.clone()))
            .collect()
    }
}
