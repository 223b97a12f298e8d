//! Recurring payments: subscriptions and bills found in the transactions,
//! and the standing orders and direct debits the bank reports.

use std::collections::HashMap;

use serde::Serialize;
use time::{Date, Duration};

use crate::enrich::merchant_name;
use crate::model::{Enrichment, Mandate, MandateKind, Transaction, TransactionRef};

/// How often a payment recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// About every 7 days.
    Weekly,
    /// About every month.
    Monthly,
    /// About every three months.
    Quarterly,
    /// About every year.
    Yearly,
}

impl Cadence {
    /// (typical days, least, most) between two payments.
    fn days(self) -> (i64, i64, i64) {
        match self {
            Cadence::Weekly => (7, 6, 8),
            Cadence::Monthly => (30, 26, 35),
            Cadence::Quarterly => (91, 84, 98),
            Cadence::Yearly => (365, 350, 380),
        }
    }

    /// The payment's cost over an average month, in minor units.
    pub fn monthly_equivalent(self, amount: i64) -> i64 {
        match self {
            Cadence::Weekly => amount * 52 / 12,
            Cadence::Monthly => amount,
            Cadence::Quarterly => amount / 3,
            Cadence::Yearly => amount / 12,
        }
    }

    /// The lower-case name (`monthly`).
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
        }
    }
}

/// One recurring payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recurring {
    /// Who is paid.
    pub merchant: String,
    /// How often.
    pub cadence: Cadence,
    /// The typical amount (the median of the payments; positive minor units).
    pub amount: i64,
    /// The currency.
    pub currency: String,
    /// Payments seen.
    pub count: usize,
    /// The last payment's day.
    pub last_date: Option<Date>,
    /// When the next is expected.
    pub next_date: Option<Date>,
    /// The next payment's expected amount.
    pub next_amount: i64,
    /// `detected` (from the transactions), `standing_order` or `direct_debit`
    /// (as the bank reports them; detected payments to the same payee merged in).
    pub source: String,
}

/// Finds recurring money out in `transactions` (at least three payments to
/// one merchant at a steady cadence, most amounts within half of their
/// median: energy bills vary with the season), and adds the bank's `mandates`. Sorted by monthly cost, largest first.
///
/// ```
/// use spend_core::analytics::{Cadence, recurring_payments};
/// use spend_core::model::{Money, Transaction};
/// use time::macros::date;
/// let txs: Vec<Transaction> = (0..4).map(|m| Transaction::new("truelayer", "acc-1", &format!("t{m}"),
///     date!(2026 - 01 - 14).replace_month(time::Month::try_from(m as u8 + 1).unwrap()).unwrap(),
///     Money::parse("-10.99", "GBP").unwrap(), "NETFLIX.COM")).collect();
/// let found = recurring_payments(&txs, &[], &[]);
/// assert_eq!((found[0].merchant.as_str(), found[0].cadence, found[0].amount), ("Netflix", Cadence::Monthly, 1099));
/// assert_eq!(found[0].next_date, Some(date!(2026 - 05 - 14)));
/// ```
pub fn recurring_payments(
    transactions: &[Transaction],
    enrichments: &[Enrichment],
    mandates: &[Mandate],
) -> Vec<Recurring> {
    let names: HashMap<&TransactionRef, &str> = enrichments
        .iter()
        .filter_map(|e| Some((&e.transaction, e.merchant.as_deref()?)))
        .collect();
    let named = transactions
        .iter()
        .filter(|t| t.amount.minor() < 0)
        .map(|tx| {
            let name = names
                .get(&tx.key())
                .map(|n| (*n).to_owned())
                .or_else(|| merchant_name(&tx.description, tx.merchant.as_deref()))
                .unwrap_or_else(|| tx.description.clone());
            (name, tx)
        });
    recurring_among(named, mandates)
}

/// [`recurring_payments`] over transactions already named by merchant.
pub(super) fn recurring_among<'a>(
    payments: impl Iterator<Item = (String, &'a Transaction)>,
    mandates: &[Mandate],
) -> Vec<Recurring> {
    let mut groups: HashMap<(String, String), Vec<(Date, i64)>> = HashMap::new();
    for (name, tx) in payments {
        groups
            .entry((name, tx.amount.currency().code().to_owned()))
            .or_default()
            .push((tx.date, -tx.amount.minor()));
    }
    let mut found: Vec<Recurring> = groups
        .into_iter()
        .filter_map(|((merchant, currency), mut payments)| {
            payments.sort();
            detect(&payments).map(|(cadence, amount)| {
                let last = payments.last().map(|p| p.0);
                Recurring {
                    merchant,
                    cadence,
                    amount,
                    currency,
                    count: payments.len(),
                    last_date: last,
                    next_date: last.map(|d| next_after(d, cadence)),
                    next_amount: amount,
                    source: "detected".into(),
                }
            })
        })
        .collect();
    for m in mandates {
        if m.status
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("active"))
        {
            continue;
        }
        let cadence = mandate_cadence(m.frequency.as_deref());
        let amount = m.next_amount.or(m.previous_amount);
        let source = match m.kind {
            MandateKind::StandingOrder => "standing_order",
            MandateKind::DirectDebit => "direct_debit",
            _ => "mandate",
        };
        // The bank's record wins over what was detected for the same payee.
        let payee_key = crate::matching::MerchantKey::from_name(&m.payee);
        found.retain(|r| {
            crate::matching::MerchantKey::from_name(&r.merchant)
                .similarity(&payee_key, &Default::default())
                < 0.9
                || r.currency
                    != amount
                        .map(|a| a.currency().code().to_owned())
                        .unwrap_or_default()
        });
        found.push(Recurring {
            merchant: m.payee.clone(),
            cadence,
            amount: amount.map_or(0, |a| a.minor().abs()),
            currency: amount
                .map(|a| a.currency().code().to_owned())
                .unwrap_or_default(),
            count: 0,
            last_date: m.previous_on,
            next_date: m.next_on,
            next_amount: m.next_amount.map_or(0, |a| a.minor().abs()),
            source: source.into(),
        });
    }
    found.sort_by(|a, b| {
        b.cadence
            .monthly_equivalent(b.amount)
            .cmp(&a.cadence.monthly_equivalent(a.amount))
            .then_with(|| a.merchant.cmp(&b.merchant))
    });
    found
}

/// The cadence and median amount of a merchant's payments, when they recur.
fn detect(payments: &[(Date, i64)]) -> Option<(Cadence, i64)> {
    if payments.len() < 3 {
        return None;
    }
    let gaps: Vec<i64> = payments
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).whole_days())
        .collect();
    let mut sorted_gaps = gaps.clone();
    sorted_gaps.sort_unstable();
    let median_gap = sorted_gaps[sorted_gaps.len() / 2];
    let cadence = [
        Cadence::Weekly,
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
    ]
    .into_iter()
    .find(|c| {
        let (_, lo, hi) = c.days();
        (lo..=hi).contains(&median_gap)
    })?;
    let (_, lo, hi) = cadence.days();
    let steady = gaps.iter().filter(|g| (lo..=hi).contains(*g)).count();
    if steady * 10 < gaps.len() * 8 {
        return None;
    }
    let mut amounts: Vec<i64> = payments.iter().map(|p| p.1).collect();
    amounts.sort_unstable();
    let median = amounts[amounts.len() / 2];
    let close = amounts
        .iter()
        .filter(|a| (**a - median).abs() * 2 <= median)
        .count();
    (close * 10 >= amounts.len() * 7).then_some((cadence, median))
}

/// The next payment after `last`: the same day of the month for monthly
/// and longer cadences (clamped to the month's end), else `last` + 7 days.
fn next_after(last: Date, cadence: Cadence) -> Date {
    let months = match cadence {
        Cadence::Weekly => return last + Duration::days(7),
        Cadence::Monthly => 1,
        Cadence::Quarterly => 3,
        Cadence::Yearly => 12,
    };
    let index = last.year() * 12 + i32::from(u8::from(last.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let day = last.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(last + Duration::days(cadence.days().0))
}

/// TrueLayer's frequency words (`Monthly`, `EvryWorkgDay`, `IntrvlWkDay:01:03`, ...).
fn mandate_cadence(frequency: Option<&str>) -> Cadence {
    let f = frequency.unwrap_or_default().to_lowercase();
    if f.contains("week") || f.starts_with("intrvlwkday") {
        Cadence::Weekly
    } else if f.contains("quarter") || f.starts_with("qtr") {
        Cadence::Quarterly
    } else if f.contains("year") || f.contains("annual") {
        Cadence::Yearly
    } else {
        Cadence::Monthly
    }
}
