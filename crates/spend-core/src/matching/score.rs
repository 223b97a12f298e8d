//! How well one candidate explains one charge: a score per part (amount,
//! date, merchant, reference, currency), each 0 to 1, and their weighted sum.

use serde::Serialize;

use super::input::{Candidate, CandidateKind, Charge, Role};
use super::merchant::LearnedAliases;
use super::params::MatchParams;

/// The parts of a pair's score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Parts {
    /// Amounts agree: 1 exact; less for a tip on top, an FX conversion or a partial refund.
    pub amount: f64,
    /// Days between them as this kind of record expects.
    pub date: f64,
    /// The descriptor names the candidate's merchant (0.4 when it names nobody).
    pub merchant: f64,
    /// An order id or invoice number of the candidate is in the description.
    pub reference: f64,
    /// Same currency (1), another with the bank's FX data (0.8), another without (0.3).
    pub currency: f64,
}

impl Parts {
    /// The weighted total, at most 1.
    pub fn total(&self, p: &MatchParams) -> f64 {
        (p.weight_amount * self.amount
            + p.weight_date * self.date
            + p.weight_merchant * self.merchant
            + p.weight_currency * self.currency
            + p.weight_reference * self.reference)
            .min(1.0)
    }
}

/// Pounds per unit of a few currencies, for purchases abroad when the bank
/// printed no FX data: only a bounded tolerance is claimed from it.
const APPROXIMATE_RATES: &[(&str, &str, f64)] = &[
    ("USD", "GBP", 0.79),
    ("EUR", "GBP", 0.85),
    ("GBP", "EUR", 1.17),
    ("USD", "EUR", 0.92),
    ("EUR", "USD", 1.08),
    ("GBP", "USD", 1.27),
    ("CAD", "GBP", 0.58),
    ("AUD", "GBP", 0.52),
    ("JPY", "GBP", 0.0053),
    ("CHF", "GBP", 0.89),
];

/// The rate from `from` to `to`, roughly.
pub(crate) fn approximate_rate(from: &str, to: &str) -> Option<f64> {
    APPROXIMATE_RATES
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, r)| *r)
}

/// How far a candidate's amount in another currency may stray from the
/// charge converted at [`approximate_rate`].
pub(crate) const FX_TOLERANCE: f64 = 0.08;

/// The largest tip on a receipt's total that is read as a tip (25%).
pub(crate) const MAX_TIP: f64 = 0.25;

fn amount(charge: &Charge, c: &Candidate, role: Role) -> f64 {
    let paid = charge.minor.abs();
    if charge.currency != c.currency {
        if let Some((currency, minor)) = charge.foreign
            && currency == c.currency
        {
            let off = (minor - c.minor).abs() as f64 / c.minor.max(1) as f64;
            return if minor == c.minor {
                0.95
            } else if off <= 0.01 {
                0.8
            } else {
                0.0
            };
        }
        let Some(rate) = approximate_rate(c.currency.code(), charge.currency.code()) else {
            return 0.0;
        };
        let expected = c.minor as f64 * rate;
        let off = (paid as f64 - expected).abs() / expected.max(1.0);
        return if off <= FX_TOLERANCE { 0.45 } else { 0.0 };
    }
    match role {
        Role::Purchase => {
            if paid == c.minor {
                1.0
            } else if c.kind == CandidateKind::Receipt
                && paid > c.minor
                && (paid - c.minor) as f64 <= c.minor as f64 * MAX_TIP
            {
                // A tip on top of the bill: the bigger, the less sure.
                0.75 - (paid - c.minor) as f64 / c.minor.max(1) as f64
            } else {
                0.0
            }
        }
        Role::Refund => {
            if c.refund || paid == c.minor {
                if paid == c.minor { 1.0 } else { 0.0 }
            } else if c.lines.contains(&paid) {
                0.9
            } else if paid < c.minor {
                0.35
            } else {
                0.0
            }
        }
    }
}

fn date(charge: &Charge, c: &Candidate, role: Role) -> f64 {
    let days = (charge.date - c.date).whole_days();
    match (role, c.kind) {
        (Role::Refund, _) => match days {
            3..=21 => 1.0,
            1..=2 | 22..=45 => 0.7,
            0 | 46..=60 => 0.4,
            _ => 0.0,
        },
        (Role::Purchase, CandidateKind::Receipt) => match days {
            0..=1 => 1.0,
            2..=3 => 0.8,
            -1 => 0.7,
            4..=7 => 0.5,
            -2 => 0.3,
            _ => 0.0,
        },
        // Amazon and other shops charge at dispatch, days after the order.
        (Role::Purchase, _) => match days {
            0..=3 => 1.0,
            4..=7 => 0.7,
            -1 => 0.3,
            8..=14 => 0.3,
            _ => 0.0,
        },
    }
}

/// The days a candidate may lie before (positive) or after (negative) a
/// charge and still score: the window the index scans.
pub(crate) fn window(role: Role) -> (i64, i64) {
    match role {
        Role::Purchase => (-2, 14),
        Role::Refund => (0, 60),
    }
}

/// Scores one pair, or `None` when amount or date rule it out.
pub fn score(
    charge: &Charge,
    c: &Candidate,
    role: Role,
    learned: &LearnedAliases,
) -> Option<Parts> {
    let amount = amount(charge, c, role);
    if amount <= 0.0 {
        return None;
    }
    let date = date(charge, c, role);
    if date <= 0.0 {
        return None;
    }
    let merchant = if charge.merchant.is_empty() {
        0.4
    } else {
        charge.merchant.similarity(&c.merchant, learned)
    };
    let reference = if c
        .references
        .iter()
        .any(|r| r.len() >= 5 && charge.description.contains(r.as_str()))
    {
        1.0
    } else {
        0.0
    };
    let currency = if charge.currency == c.currency {
        1.0
    } else if charge.foreign.is_some_and(|(cur, _)| cur == c.currency) {
        0.8
    } else {
        0.3
    };
    Some(Parts {
        amount,
        date,
        merchant,
        reference,
        currency,
    })
}
