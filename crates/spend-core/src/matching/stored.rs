//! Matching over what a user's store holds: load, propose, keep the
//! person's decisions, write the proposals; confirm and decline.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;

use super::apple_join::AppleJoin;
use super::engine::{Matcher, Proposal};
use super::input::{Candidate, Charge};
use super::merchant::{LearnedAliases, MerchantKey};
use super::params::MatchParams;
use crate::model::{Match, MatchState, MatchTarget, Transaction, TransactionRef};
use crate::store::{Batch, OrderQuery, StoreError, UserStore};

/// What can go wrong deciding a match.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No stored match has this id.
    #[error("no match has the id {0:?} (`spend matches` lists them)")]
    NotFound(String),
    /// More than one stored match starts with this id.
    #[error("{0:?} names {1} matches; give more of the id")]
    Ambiguous(String, usize),
}

/// Options of a matching run.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchOptions {
    /// Propose but store nothing.
    pub dry_run: bool,
    /// Weights and thresholds.
    pub params: MatchParams,
}

/// What a run found and did.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    /// Transactions considered (those without a confirmed match).
    pub charges: usize,
    /// Orders, receipts and purchases considered.
    pub candidates: usize,
    /// Matches made automatically.
    pub automatic: usize,
    /// Matches suggested.
    pub suggested: usize,
    /// Confirmed matches kept as the person decided.
    pub confirmed: usize,
    /// Earlier proposals no longer made, removed.
    pub withdrawn: usize,
    /// Milliseconds the matcher itself took (not loading or writing).
    pub matcher_ms: u128,
    /// The proposals.
    pub proposals: Vec<Proposal>,
}

/// A match's short id: the first ten hex digits of a hash of its key.
///
/// ```
/// use spend_core::model::{Match, MatchState, MatchTarget, TransactionRef};
/// let m = Match {
///     transaction: TransactionRef { source: "truelayer".into(), account_id: "a".into(), id: "t".into() },
///     target: MatchTarget::Order { source: "sp-api".into(), id: "203-1".into() },
///     state: MatchState::Suggested, score: 0.7, explanation: serde_json::Value::Null,
/// };
/// assert_eq!(spend_core::matching::match_id(&m).len(), 10);
/// ```
pub fn match_id(m: &Match) -> String {
    pair_id(&m.transaction, &m.target)
}

fn pair_id(tx: &TransactionRef, target: &MatchTarget) -> String {
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        tx.source,
        tx.account_id,
        tx.id,
        target.key()
    );
    blob_store::sha256_hex(key.as_bytes())[..10].to_owned()
}

/// Loads the user's charges and candidates, runs the matcher and (unless
/// `dry_run`) stores its proposals, replacing its earlier ones. Confirmed
/// matches stay and take their charge and target out of the run; declined
/// pairs are never proposed again; confirmations teach merchant aliases.
pub async fn match_user(
    user: &dyn UserStore,
    options: &MatchOptions,
) -> Result<MatchReport, StoreError> {
    let stored = user.matches().await?;
    let transactions = user.all_transactions().await?;
    let orders = user.orders(&OrderQuery::default()).await?;
    let receipts = user.receipts(None).await?;
    let apple = user.apple_purchases().await?;

    let mut candidates: Vec<Candidate> = orders.iter().filter_map(Candidate::from_order).collect();
    let apple_join = AppleJoin::new(&apple, &receipts);
    candidates.extend(apple_join.candidates(&apple, &receipts));

    let confirmed: Vec<&Match> = stored
        .iter()
        .filter(|m| m.state == MatchState::Confirmed)
        .collect();
    let settled_tx: HashSet<&TransactionRef> = confirmed.iter().map(|m| &m.transaction).collect();
    // A decision about an Apple receipt email settles its purchase too, and the reverse.
    let settled_target: HashSet<&MatchTarget> = confirmed
        .iter()
        .flat_map(|m| std::iter::once(&m.target).chain(apple_join.partner(&m.target)))
        .collect();

    // What confirmations teach: the descriptor's first word means the merchant's.
    let by_key: HashMap<TransactionRef, &Transaction> =
        transactions.iter().map(|t| (t.key(), t)).collect();
    let by_target: HashMap<&MatchTarget, &Candidate> =
        candidates.iter().map(|c| (&c.target, c)).collect();
    let mut learned = LearnedAliases::new();
    for m in &confirmed {
        if let (Some(tx), Some(c)) = (by_key.get(&m.transaction), by_target.get(&m.target)) {
            let key = MerchantKey::from_descriptor(&tx.description);
            if let (Some(from), Some(to)) = (key.tokens().first(), c.merchant.tokens().first())
                && from != to
            {
                learned.insert(from.clone(), to.clone());
            }
        }
    }

    let charges: Vec<Charge> = transactions
        .iter()
        .filter(|t| !settled_tx.contains(&t.key()))
        .map(Charge::from_transaction)
        .collect();
    candidates.retain(|c| !settled_target.contains(&c.target));
    let declined = stored
        .iter()
        .filter(|m| m.state == MatchState::Declined)
        .flat_map(|m| {
            std::iter::once(&m.target)
                .chain(apple_join.partner(&m.target))
                .map(|t| (m.transaction.clone(), t.clone()))
        });
    let matcher = Matcher::new(options.params)
        .learned(learned)
        .declined(declined);
    let started = Instant::now();
    let proposals = matcher.run(&charges, &candidates);
    let matcher_ms = started.elapsed().as_millis();

    let proposed: HashSet<(&TransactionRef, &MatchTarget)> = proposals
        .iter()
        .map(|p| (&p.transaction, &p.target))
        .collect();
    let withdrawn: Vec<(TransactionRef, MatchTarget)> = stored
        .iter()
        .filter(|m| matches!(m.state, MatchState::Suggested | MatchState::Automatic))
        .filter(|m| !proposed.contains(&(&m.transaction, &m.target)))
        .map(|m| (m.transaction.clone(), m.target.clone()))
        .collect();
    let report = MatchReport {
        charges: charges.len(),
        candidates: candidates.len(),
        automatic: proposals
            .iter()
            .filter(|p| p.state == MatchState::Automatic)
            .count(),
        suggested: proposals
            .iter()
            .filter(|p| p.state == MatchState::Suggested)
            .count(),
        confirmed: confirmed.len(),
        withdrawn: withdrawn.len(),
        matcher_ms,
        proposals,
    };
    if !options.dry_run {
        let matches = report
            .proposals
            .iter()
            .map(|p| Match {
                transaction: p.transaction.clone(),
                target: p.target.clone(),
                state: p.state.clone(),
                score: p.score,
                explanation: p.explanation.to_json(),
            })
            .collect();
        user.write(Batch::default().matches(matches).unmatch(withdrawn))
            .await?;
    }
    Ok(report)
}

/// What a person decides about a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// It is right: it stays, and its charge and target leave later runs.
    Confirm,
    /// It is wrong: the pair is never proposed again.
    Decline,
}

/// Confirms or declines the stored match whose id starts with `id`.
/// Confirming withdraws the other proposals for the same charge or target.
pub async fn decide(
    user: &dyn UserStore,
    id: &str,
    decision: Decision,
) -> Result<Match, MatchError> {
    let stored = user.matches().await?;
    let found: Vec<&Match> = stored
        .iter()
        .filter(|m| !id.is_empty() && match_id(m).starts_with(id))
        .collect();
    let chosen = match found.as_slice() {
        [] => return Err(MatchError::NotFound(id.to_owned())),
        [one] => (*one).clone(),
        many => return Err(MatchError::Ambiguous(id.to_owned(), many.len())),
    };
    let mut decided = chosen.clone();
    decided.state = match decision {
        Decision::Confirm => MatchState::Confirmed,
        Decision::Decline => MatchState::Declined,
    };
    let mut batch = Batch::default().matches(vec![decided.clone()]);
    if decision == Decision::Confirm {
        let rivals = stored
            .iter()
            .filter(|m| matches!(m.state, MatchState::Suggested | MatchState::Automatic))
            .filter(|m| (m.transaction == chosen.transaction) != (m.target == chosen.target))
            // The other members of its group (split or combined) stay.
            .filter(|m| {
                chosen
                    .explanation
                    .get("group")
                    .is_none_or(serde_json::Value::is_null)
                    || m.explanation.get("group") != chosen.explanation.get("group")
            })
            .map(|m| (m.transaction.clone(), m.target.clone()))
            .collect();
        batch = batch.unmatch(rivals);
    }
    user.write(batch).await?;
    Ok(decided)
}

/// What each charge paid for: the labels of its matches (declined ones
/// aside), as `spend transactions` and the MCP search show them.
pub async fn paid_for(
    user: &dyn UserStore,
) -> Result<std::collections::HashMap<TransactionRef, Vec<String>>, StoreError> {
    let mut out: std::collections::HashMap<TransactionRef, Vec<String>> = Default::default();
    for m in user.matches().await? {
        if m.state != MatchState::Declined {
            let label = m.explanation["target"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            out.entry(m.transaction).or_default().push(label);
        }
    }
    Ok(out)
}
