//! Why a match was proposed: each part's score with the facts behind it,
//! the runner-up, and the decision. Kept typed while the matcher runs (it
//! costs a few copies); written out as JSON when stored or printed.

use serde::{Serialize, Serializer};

use super::input::{Candidate, Charge, Role};
use super::score::{FX_TOLERANCE, Parts};
use crate::model::Money;

/// The facts a match's parts were scored on.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The charge, for people (`2026-03-02 -£25.97 AMAZON.CO.UK*2K4RT51X4`).
    pub transaction: String,
    /// What it paid for, for people.
    pub target: String,
    /// Purchase or refund.
    pub role: Role,
    /// The parts' scores.
    pub parts: Parts,
    /// The total.
    pub score: f64,
    /// What the charge took (positive).
    pub paid: Money,
    /// The candidate's total.
    pub theirs: Money,
    /// The amount the bank printed in the candidate's currency, if any.
    pub foreign: Option<Money>,
    /// Days from the candidate to the charge.
    pub days: i64,
    /// The merchant words compared (charge's, candidate's).
    pub merchants: (Option<String>, Option<String>),
    /// The best rival: its target, its charge and its score.
    pub runner_up: Option<(String, String, f64)>,
    /// Why automatic or only suggested.
    pub decision: &'static str,
    /// For grouped matches: `split` or `combined`, and the members.
    pub group: Option<(&'static str, Vec<String>)>,
}

impl Explanation {
    pub(crate) fn new(
        charge: &Charge,
        c: &Candidate,
        role: Role,
        parts: Parts,
        score: f64,
    ) -> Self {
        Explanation {
            transaction: charge.label.clone(),
            target: c.label.clone(),
            role,
            parts,
            score,
            paid: Money::new(charge.minor.abs(), charge.currency),
            theirs: Money::new(c.minor, c.currency),
            foreign: charge
                .foreign
                .filter(|(cur, _)| *cur == c.currency)
                .map(|(cur, minor)| Money::new(minor, cur)),
            days: (charge.date - c.date).whole_days(),
            merchants: (
                charge.merchant.tokens().first().cloned(),
                c.merchant.tokens().first().cloned(),
            ),
            runner_up: None,
            decision: "",
            group: None,
        }
    }

    fn amount_why(&self) -> String {
        let (paid, theirs) = (self.paid, self.theirs);
        if let Some((kind, members)) = &self.group {
            return match *kind {
                "split" => format!(
                    "one of {} charges that add up to the order's total exactly",
                    members.len()
                ),
                _ => format!(
                    "one charge for {} orders whose totals add up to it exactly",
                    members.len()
                ),
            };
        }
        if self.parts.amount >= 1.0 {
            format!("{paid} exactly")
        } else if paid.currency() != theirs.currency() {
            match self.foreign {
                Some(fx) => format!("{paid} charged for {theirs} (the bank's FX: {fx})"),
                None => format!(
                    "{paid} charged for {theirs}, within {:.0}% of a typical rate",
                    FX_TOLERANCE * 100.0
                ),
            }
        } else if self.role == Role::Refund {
            format!("{paid} back of {theirs}")
        } else {
            format!(
                "{paid} charged for {theirs}: a tip of {}",
                Money::new(paid.minor() - theirs.minor(), theirs.currency())
            )
        }
    }

    /// The explanation as stored and printed.
    pub fn to_json(&self) -> serde_json::Value {
        let date = match (self.role, self.days) {
            (Role::Refund, d) => format!("refunded {d} days after"),
            (_, 0) => "the same day".to_owned(),
            (_, d) if d > 0 => format!("charged {d} days after"),
            (_, d) => format!("charged {} days before", -d),
        };
        let merchant = match (&self.merchants, self.parts.merchant) {
            ((None, _), _) => "the description names no merchant".to_owned(),
            ((Some(a), b), m) if m >= 1.0 => format!("{a:?} is {:?}", b.as_deref().unwrap_or("")),
            (_, m) if m > 0.0 => "the names share a word".to_owned(),
            _ => "the names differ".to_owned(),
        };
        let p = &self.parts;
        serde_json::json!({
            "transaction": self.transaction,
            "target": self.target,
            "role": match self.role { Role::Purchase => "purchase", Role::Refund => "refund" },
            "score": self.score,
            "parts": {
                "amount": {"score": p.amount, "why": self.amount_why()},
                "date": {"score": p.date, "why": date},
                "merchant": {"score": p.merchant, "why": merchant},
                "reference": {"score": p.reference, "why": if p.reference > 0.0 { "the description carries its reference" } else { "no reference in the description" }},
                "currency": {"score": p.currency, "why": format!("{} / {}", self.paid.currency().code(), self.theirs.currency().code())},
            },
            "runner_up": self.runner_up.as_ref().map(|(target, transaction, score)| serde_json::json!({
                "target": target,
                "transaction": transaction,
                "score": score,
                "why_lost": format!("{:.2} below", self.score - score),
            })),
            "decision": self.decision,
            "group": self.group.as_ref().map(|(kind, members)| serde_json::json!({"kind": kind, "members": members})),
        })
    }
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}
