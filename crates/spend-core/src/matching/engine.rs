//! The matcher in memory: candidate pairs by sort and window, scores, the
//! global one-to-one assignment with its tie gate, then grouped matches
//! (one order in several charges, one charge for several orders).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::assign::{Edge, assign};
use super::explanation::Explanation;
use super::input::{Candidate, CandidateKind, Charge, Role};
use super::merchant::{LearnedAliases, MerchantKey};
use super::params::MatchParams;
use super::score::{FX_TOLERANCE, MAX_TIP, Parts, approximate_rate, score, window};
use crate::model::{Currency, MatchState, MatchTarget, TransactionRef};

/// A match the matcher proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// The charge.
    pub transaction: TransactionRef,
    /// What explains it.
    pub target: MatchTarget,
    /// Suggested or automatic.
    pub state: MatchState,
    /// Its score, 0 to 1.
    pub score: f64,
    /// Each part's score and why, the runner-up, and the group it is part of.
    pub explanation: Explanation,
}

/// Matches charges to candidates.
///
/// ```
/// use spend_core::matching::{Candidate, Charge, Matcher};
/// use spend_core::model::{Money, Order, Transaction, MatchState};
/// let mut order = Order::new("sp-api", "203-1111111-2222222", time::macros::date!(2026 - 03 - 01), "Amazon");
/// order.total = Some(Money::parse("25.97", "GBP")?);
/// let tx = Transaction::new("truelayer", "card", "t1", time::macros::date!(2026 - 03 - 02),
///     Money::parse("-25.97", "GBP")?, "AMZNMKTPLACE AMAZON.CO.UK");
/// let proposals = Matcher::default().run(&[Charge::from_transaction(&tx)], &[Candidate::from_order(&order).unwrap()]);
/// assert_eq!(proposals.len(), 1);
/// assert_eq!(proposals[0].state, MatchState::Automatic);
/// # Ok::<(), spend_core::model::MoneyError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    params: MatchParams,
    learned: LearnedAliases,
    declined: HashSet<(TransactionRef, MatchTarget)>,
}

/// Candidates of one kind, per currency in one array sorted by (day,
/// amount), with where each day starts: a window of days is one contiguous
/// slice, so scanning it stays in cache.
struct Index {
    first_day: i64,
    by_currency: HashMap<Currency, Days>,
}

struct Days {
    /// `starts[d]..starts[d + 1]` are day `d`'s entries.
    starts: Vec<usize>,
    /// (amount, candidate), sorted by day then amount.
    entries: Vec<(i64, usize)>,
}

fn day_number(d: time::Date) -> i64 {
    i64::from(d.to_julian_day())
}

impl Index {
    fn build(candidates: &[Candidate], fits: impl Fn(&Candidate) -> bool) -> Index {
        let first_day = candidates
            .iter()
            .map(|c| day_number(c.date))
            .min()
            .unwrap_or(0);
        let last_day = candidates
            .iter()
            .map(|c| day_number(c.date))
            .max()
            .unwrap_or(0);
        let days = usize::try_from(last_day - first_day + 1).unwrap_or(0);
        let mut rows: HashMap<Currency, Vec<(usize, i64, usize)>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate().filter(|(_, c)| fits(c)) {
            let day = (day_number(c.date) - first_day) as usize;
            rows.entry(c.currency).or_default().push((day, c.minor, i));
        }
        let by_currency = rows
            .into_iter()
            .map(|(currency, mut rows)| {
                rows.sort_unstable();
                let mut starts = vec![0; days + 1];
                for &(day, _, _) in &rows {
                    starts[day + 1] += 1;
                }
                for d in 0..days {
                    starts[d + 1] += starts[d];
                }
                let entries = rows.into_iter().map(|(_, m, i)| (m, i)).collect();
                (currency, Days { starts, entries })
            })
            .collect();
        Index {
            first_day,
            by_currency,
        }
    }

    /// Candidates whose amount in `currency` lies in `lo..=hi`, dated
    /// `from..=to`.
    fn scan(
        &self,
        currency: Currency,
        lo: i64,
        hi: i64,
        from: time::Date,
        to: time::Date,
        out: &mut Vec<usize>,
    ) {
        let Some(days) = self.by_currency.get(&currency) else {
            return;
        };
        let last = days.starts.len() as i64 - 2;
        let start = (day_number(from) - self.first_day).max(0);
        let end = (day_number(to) - self.first_day).min(last);
        for day in start..=end {
            let bucket = &days.entries[days.starts[day as usize]..days.starts[day as usize + 1]];
            let at = bucket.partition_point(|(m, _)| *m < lo);
            out.extend(
                bucket[at..]
                    .iter()
                    .take_while(|(m, _)| *m <= hi)
                    .map(|(_, i)| *i),
            );
        }
    }
}

/// The amounts of candidates in `currency` that may explain `charge`
/// (`tips`: the candidates are receipts, whose total may be less a tip).
fn amount_range(charge: &Charge, currency: Currency, role: Role, tips: bool) -> Option<(i64, i64)> {
    let paid = charge.minor.abs();
    if currency == charge.currency {
        return Some(match role {
            Role::Purchase if tips => ((paid as f64 / (1.0 + MAX_TIP)).floor() as i64, paid),
            Role::Purchase => (paid, paid),
            Role::Refund => (paid, i64::MAX),
        });
    }
    if let Some((cur, minor)) = charge.foreign
        && cur == currency
    {
        return Some((minor - minor / 100 - 1, minor + minor / 100 + 1));
    }
    let rate = approximate_rate(currency.code(), charge.currency.code())?;
    let expected = paid as f64 / rate;
    Some((
        (expected / (1.0 + FX_TOLERANCE)).floor() as i64,
        (expected / (1.0 - FX_TOLERANCE)).ceil() as i64,
    ))
}

/// A scored pair, before assignment.
struct Pair {
    charge: usize,
    candidate: usize,
    role: Role,
    parts: Parts,
    total: f64,
}

impl Matcher {
    /// A matcher with these parameters.
    pub fn new(params: MatchParams) -> Self {
        Matcher {
            params,
            ..Matcher::default()
        }
    }

    /// Merchant aliases that confirmations taught (descriptor token to merchant token).
    pub fn learned(mut self, aliases: LearnedAliases) -> Self {
        self.learned = aliases;
        self
    }

    /// Pairs the person declined: never proposed again.
    pub fn declined(
        mut self,
        pairs: impl IntoIterator<Item = (TransactionRef, MatchTarget)>,
    ) -> Self {
        self.declined.extend(pairs);
        self
    }

    /// The parameters.
    pub fn params(&self) -> &MatchParams {
        &self.params
    }

    /// Proposes matches between `charges` and `candidates`.
    pub fn run(&self, charges: &[Charge], candidates: &[Candidate]) -> Vec<Proposal> {
        let pairs = self.pairs(charges, candidates);
        // Groups first, among charges and orders that no single record
        // explains to the penny: a split order has no charge of its total,
        // a combined charge no order of its amount.
        let exact_rows: Marks = pairs
            .iter()
            .filter(|p| p.parts.amount >= 1.0 && p.parts.merchant >= self.params.automatic_merchant)
            .map(|p| p.charge)
            .collect();
        let exact_cols: Marks = pairs
            .iter()
            .filter(|p| {
                p.parts.amount >= 1.0
                    && p.role == Role::Purchase
                    && p.parts.merchant >= self.params.automatic_merchant
            })
            .map(|p| p.candidate)
            .collect();
        let mut out = Vec::new();
        let (grouped_rows, grouped_cols) =
            self.groups(charges, candidates, &exact_rows, &exact_cols, &mut out);
        // Columns: a candidate's purchase slot and its refund slot.
        let col = |p: &Pair| p.candidate * 2 + usize::from(p.role == Role::Refund);
        let floor = self.params.suggest;
        let strong: Vec<usize> = (0..pairs.len())
            .filter(|&i| {
                let p = &pairs[i];
                p.total >= floor
                    && !grouped_rows.contains(&p.charge)
                    && !(p.role == Role::Purchase && grouped_cols.contains(&p.candidate))
            })
            .collect();
        let edges: Vec<Edge> = strong
            .iter()
            .map(|&i| Edge {
                row: pairs[i].charge,
                col: col(&pairs[i]),
                score: pairs[i].total,
            })
            .collect();
        let chosen: Vec<usize> = assign(charges.len(), candidates.len() * 2, &edges)
            .into_iter()
            .map(|e| strong[e])
            .collect();

        // The best rival of each chosen pair: another candidate for its
        // charge, or another charge for its candidate.
        let mut by_row = BestTwo::new(charges.len());
        let mut by_col = BestTwo::new(candidates.len() * 2);
        for (i, p) in pairs.iter().enumerate() {
            by_row.offer(p.charge, i, p.total);
            by_col.offer(col(p), i, p.total);
        }
        for &i in &chosen {
            let p = &pairs[i];
            let rival = [by_row.other_than(p.charge, i), by_col.other_than(col(p), i)]
                .into_iter()
                .flatten()
                .max_by(|a, b| pairs[*a].total.total_cmp(&pairs[*b].total));
            let rival_score = rival.map_or(0.0, |j| pairs[j].total);
            let c = &candidates[p.candidate];
            let automatic = p.total >= self.params.automatic
                && p.parts.date >= 0.7
                && p.total - rival_score >= self.params.margin
                && (p.parts.merchant >= self.params.automatic_merchant || p.parts.reference >= 1.0)
                && c.verified;
            let mut explanation = Explanation::new(&charges[p.charge], c, p.role, p.parts, p.total);
            explanation.runner_up = rival.map(|j| {
                let r = &pairs[j];
                (
                    candidates[r.candidate].label.clone(),
                    charges[r.charge].label.clone(),
                    r.total,
                )
            });
            explanation.decision = if automatic {
                "automatic: above the threshold with no close rival"
            } else if !c.verified {
                "suggested: the receipt's sender was not verified"
            } else if p.total - rival_score < self.params.margin {
                "suggested: a rival scores within the margin"
            } else {
                "suggested: below the automatic threshold"
            };
            out.push(Proposal {
                transaction: charges[p.charge].key.clone(),
                target: c.target.clone(),
                state: if automatic {
                    MatchState::Automatic
                } else {
                    MatchState::Suggested
                },
                score: p.total,
                explanation,
            });
        }
        out
    }

    fn pairs(&self, charges: &[Charge], candidates: &[Candidate]) -> Vec<Pair> {
        // A refund mail that names an order is evidence for the order, not a
        // target of its own: the money came back for that order.
        let order_ids: HashSet<&str> = candidates
            .iter()
            .filter(|c| c.kind == CandidateKind::Order)
            .flat_map(|c| c.references.iter().map(String::as_str))
            .collect();
        let mut refund_notes: HashMap<&str, Vec<(i64, time::Date)>> = HashMap::new();
        let mut evidence_only = HashSet::new();
        for (k, c) in candidates.iter().enumerate() {
            if c.refund
                && let Some(id) = c.references.iter().find(|r| order_ids.contains(r.as_str()))
            {
                refund_notes.entry(id).or_default().push((c.minor, c.date));
                evidence_only.insert(k);
            }
        }
        // Receipts may be a tip short of the charge; orders and purchases
        // are charged to the penny (or in parts, which groups handle).
        let receipts = Index::build(candidates, |c| {
            !c.refund && c.kind == CandidateKind::Receipt
        });
        let records = Index::build(candidates, |c| c.kind != CandidateKind::Receipt);
        let refunds = Index::build(candidates, |c| c.refund || c.kind != CandidateKind::Receipt);
        let mut currencies: Vec<Currency> = candidates.iter().map(|c| c.currency).collect();
        currencies.sort_unstable_by(|a, b| a.code().cmp(b.code()));
        currencies.dedup();
        let mut pairs = Vec::new();
        let mut found = Vec::new();
        // In date order, so consecutive charges scan the same days' buckets
        // (they stay in cache).
        let mut order: Vec<usize> = (0..charges.len()).collect();
        order.sort_by_key(|&i| charges[i].date);
        for ci in order {
            let charge = &charges[ci];
            let (role, indexes): (Role, &[(&Index, bool)]) = match charge.minor {
                m if m < 0 => (Role::Purchase, &[(&receipts, true), (&records, false)]),
                m if m > 0 => (Role::Refund, &[(&refunds, false)]),
                _ => continue,
            };
            let (lo, hi) = window(role);
            let from = charge.date - time::Duration::days(hi);
            let to = charge.date - time::Duration::days(lo);
            found.clear();
            for &(index, tips) in indexes {
                for &currency in &currencies {
                    if let Some((low, high)) = amount_range(charge, currency, role, tips) {
                        index.scan(currency, low, high, from, to, &mut found);
                    }
                }
            }
            for &k in &found {
                if evidence_only.contains(&k) {
                    continue;
                }
                let c = &candidates[k];
                if !self.declined.is_empty()
                    && self
                        .declined
                        .contains(&(charge.key.clone(), c.target.clone()))
                {
                    continue;
                }
                if let Some(mut parts) = score(charge, c, role, &self.learned) {
                    if role == Role::Refund
                        && c.references.iter().any(|r| {
                            refund_notes.get(r.as_str()).is_some_and(|notes| {
                                notes.iter().any(|(minor, day)| {
                                    *minor == charge.minor.abs()
                                        && (charge.date - *day).whole_days().abs() <= 7
                                })
                            })
                        })
                    {
                        parts.reference = 1.0;
                        parts.amount = parts.amount.max(0.9);
                    }
                    let total = parts.total(&self.params);
                    pairs.push(Pair {
                        charge: ci,
                        candidate: k,
                        role,
                        parts,
                        total,
                    });
                }
            }
        }
        pairs
    }

    /// Grouped matches: an order with no charge of its total, charged in
    /// two or three shipments; a charge with no order of its amount, for two
    /// or three orders of one checkout. Amounts must add up exactly and the
    /// merchant agree. Returns the charges and candidates grouped.
    fn groups(
        &self,
        charges: &[Charge],
        candidates: &[Candidate],
        exact_rows: &Marks,
        exact_cols: &Marks,
        out: &mut Vec<Proposal>,
    ) -> (Marks, Marks) {
        // Few distinct merchants meet many times: compare each pair of keys once.
        let mut ids: HashMap<&MerchantKey, u32> = HashMap::new();
        let charge_ids: Vec<u32> = charges
            .iter()
            .map(|ch| {
                let next = ids.len() as u32;
                *ids.entry(&ch.merchant).or_insert(next)
            })
            .collect();
        let candidate_ids: Vec<u32> = candidates
            .iter()
            .map(|c| {
                let next = ids.len() as u32;
                *ids.entry(&c.merchant).or_insert(next)
            })
            .collect();
        let memo = std::cell::RefCell::new(HashMap::<(u32, u32), bool>::new());
        let merchant_ok = |i: usize, k: usize| {
            *memo
                .borrow_mut()
                .entry((charge_ids[i], candidate_ids[k]))
                .or_insert_with(|| {
                    charges[i]
                        .merchant
                        .similarity(&candidates[k].merchant, &self.learned)
                        >= self.params.automatic_merchant
                })
        };
        let mut free_charges: Vec<usize> = (0..charges.len())
            .filter(|i| charges[*i].minor < 0)
            .collect();
        free_charges.sort_by_key(|&i| charges[i].date);
        let mut free_orders: Vec<usize> = (0..candidates.len())
            .filter(|&k| candidates[k].kind != CandidateKind::Receipt && !candidates[k].refund)
            .collect();
        free_orders.sort_by_key(|&k| candidates[k].date);
        let mut taken_charges = Marks::new(charges.len());
        let mut taken_orders = Marks::new(candidates.len());
        let declined = |ch: usize, k: usize| {
            !self.declined.is_empty()
                && self
                    .declined
                    .contains(&(charges[ch].key.clone(), candidates[k].target.clone()))
        };

        // One order, several charges (shipments), days after the order.
        for &k in &free_orders {
            if exact_cols.contains(&k) {
                continue;
            }
            let c = &candidates[k];
            let start = free_charges.partition_point(|&i| charges[i].date < c.date);
            let near: Vec<usize> = free_charges[start..]
                .iter()
                .take_while(|&&i| (charges[i].date - c.date).whole_days() <= 7)
                .copied()
                .filter(|&i| {
                    !taken_charges.contains(&i)
                        && charges[i].currency == c.currency
                        && -charges[i].minor < c.minor
                        && merchant_ok(i, k)
                        && !declined(i, k)
                })
                .take(20)
                .collect();
            let amounts: Vec<i64> = near.iter().map(|&i| -charges[i].minor).collect();
            let subsets = subsets_summing_to(&amounts, c.minor);
            if let Some(best) = subsets.first() {
                let members: Vec<usize> = best.iter().map(|&j| near[j]).collect();
                let unique = subsets.len() == 1;
                for &i in &members {
                    taken_charges.insert(i);
                }
                taken_orders.insert(k);
                for &i in &members {
                    out.push(
                        self.group_proposal(
                            &charges[i],
                            c,
                            unique,
                            "split",
                            members
                                .iter()
                                .map(|&m| charges[m].description.clone())
                                .collect(),
                        ),
                    );
                }
            }
        }

        // One charge, several orders placed before it.
        for &i in &free_charges {
            if taken_charges.contains(&i) || exact_rows.contains(&i) {
                continue;
            }
            let ch = &charges[i];
            let paid = -ch.minor;
            let from = ch.date - time::Duration::days(7);
            let start = free_orders.partition_point(|&k| candidates[k].date < from);
            let near: Vec<usize> = free_orders[start..]
                .iter()
                .copied()
                .take_while(|&k| candidates[k].date <= ch.date)
                .filter(|&k| {
                    let c = &candidates[k];
                    !taken_orders.contains(&k)
                        && c.currency == ch.currency
                        && c.minor < paid
                        && merchant_ok(i, k)
                        && !declined(i, k)
                })
                .take(20)
                .collect();
            let amounts: Vec<i64> = near.iter().map(|&k| candidates[k].minor).collect();
            let mut subsets = subsets_summing_to(&amounts, paid);
            // One checkout: orders placed the same day come first.
            subsets.sort_by_key(|s| {
                let days: HashSet<_> = s.iter().map(|&j| candidates[near[j]].date).collect();
                days.len()
            });
            if let Some(best) = subsets.first() {
                let members: Vec<usize> = best.iter().map(|&j| near[j]).collect();
                let same_day = members
                    .iter()
                    .all(|&k| candidates[k].date == candidates[members[0]].date);
                let unique = subsets.len() == 1 && same_day;
                for &k in &members {
                    taken_orders.insert(k);
                    out.push(
                        self.group_proposal(
                            ch,
                            &candidates[k],
                            unique,
                            "combined",
                            members
                                .iter()
                                .map(|&m| candidates[m].label.clone())
                                .collect(),
                        ),
                    );
                }
                taken_charges.insert(i);
            }
        }
        (taken_charges, taken_orders)
    }

    fn group_proposal(
        &self,
        charge: &Charge,
        c: &Candidate,
        unique: bool,
        kind: &'static str,
        members: Vec<String>,
    ) -> Proposal {
        let days = (charge.date - c.date).whole_days();
        let parts = Parts {
            amount: 1.0,
            date: if (0..=3).contains(&days) { 1.0 } else { 0.7 },
            merchant: charge.merchant.similarity(&c.merchant, &self.learned),
            reference: 0.0,
            currency: 1.0,
        };
        let total = parts.total(&self.params);
        let automatic = unique && total >= self.params.automatic;
        let mut explanation = Explanation::new(charge, c, Role::Purchase, parts, total);
        explanation.group = Some((kind, members));
        explanation.decision = if automatic {
            "automatic: the only combination that adds up"
        } else {
            "suggested: more than one combination adds up"
        };
        Proposal {
            transaction: charge.key.clone(),
            target: c.target.clone(),
            state: if automatic {
                MatchState::Automatic
            } else {
                MatchState::Suggested
            },
            score: total,
            explanation,
        }
    }
}

/// A set of small indexes (charges, candidates), as flags.
#[derive(Debug, Clone, Default)]
pub(crate) struct Marks(Vec<bool>);

impl Marks {
    fn new(n: usize) -> Self {
        Marks(vec![false; n])
    }
    fn contains(&self, i: &usize) -> bool {
        self.0.get(*i).copied().unwrap_or(false)
    }
    fn insert(&mut self, i: usize) {
        if i >= self.0.len() {
            self.0.resize(i + 1, false);
        }
        self.0[i] = true;
    }
}

impl FromIterator<usize> for Marks {
    fn from_iter<T: IntoIterator<Item = usize>>(iter: T) -> Self {
        let mut marks = Marks::default();
        for i in iter {
            marks.insert(i);
        }
        marks
    }
}

/// The two best-scoring pairs of each row or column, for the tie gate.
struct BestTwo(Vec<[(usize, f64); 2]>);

impl BestTwo {
    const NONE: (usize, f64) = (usize::MAX, f64::NEG_INFINITY);

    fn new(n: usize) -> Self {
        BestTwo(vec![[Self::NONE; 2]; n])
    }

    fn offer(&mut self, slot: usize, pair: usize, score: f64) {
        let best = &mut self.0[slot];
        if score > best[0].1 {
            best[1] = best[0];
            best[0] = (pair, score);
        } else if score > best[1].1 {
            best[1] = (pair, score);
        }
    }

    /// The best pair of `slot` that is not `pair`.
    fn other_than(&self, slot: usize, pair: usize) -> Option<usize> {
        let best = &self.0[slot];
        let other = if best[0].0 == pair { best[1] } else { best[0] };
        (other.0 != usize::MAX).then_some(other.0)
    }
}

/// Index sets of 2 or 3 of `amounts` that add up to `target` exactly.
fn subsets_summing_to(amounts: &[i64], target: i64) -> Vec<Vec<usize>> {
    let mut found = Vec::new();
    let n = amounts.len();
    for a in 0..n {
        for b in a + 1..n {
            let two = amounts[a] + amounts[b];
            if two == target {
                found.push(vec![a, b]);
            }
            if two < target {
                for (c, third) in amounts.iter().enumerate().skip(b + 1) {
                    if two + third == target {
                        found.push(vec![a, b, c]);
                    }
                }
            }
        }
    }
    found
}
