//! One enrichment run over a person's transactions: the person's own edits
//! kept, then their rules, then what matching found, then the shipped
//! merchant table, and only what is left to an LLM.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use llm_enrich::{
    Cache, CacheKey, Enricher, EnrichmentFields, Estimate, Provider, TransactionInput,
};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{EnrichError, fits, known_merchant, merchant_name};
use crate::matching::MerchantKey;
use crate::model::{
    Enrichment, EnrichmentSource, MatchState, MatchTarget, Rule, Transaction, TransactionRef,
};
use crate::store::{Batch, OrderQuery, Upserted, UserStore};

/// How sure each stage is: a person's rule and a person's edit are certain;
/// a matched receipt names the merchant but its category comes from the
/// shipped table; the shipped table alone reads only the descriptor.
const RULE_CONFIDENCE: f64 = 1.0;
const MATCH_CONFIDENCE: f64 = 0.9;
const SHIPPED_CONFIDENCE: f64 = 0.8;

/// LLM requests go out in slices of this many transactions, so progress
/// moves and the budget is checked between slices.
const LLM_SLICE: usize = 200;

/// What an enrichment run may use.
///
/// ```
/// let options = spend_core::enrich::EnrichOptions::new()
///     .budget(rust_decimal::Decimal::new(50, 2)); // at most $0.50 of LLM calls in all
/// assert!(options.provider.is_none());
/// ```
#[derive(Clone, Default)]
pub struct EnrichOptions {
    /// The LLM for what nothing else settles; without one, that is left undecided.
    pub provider: Option<Arc<dyn Provider>>,
    /// The most the whole run may spend on the LLM, in US dollars.
    pub budget: Option<Decimal>,
    /// Ask the LLM again about transactions it already answered for.
    pub redo_llm: bool,
}

impl std::fmt::Debug for EnrichOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrichOptions")
            .field(
                "provider",
                &self.provider.as_ref().map(|p| p.model().to_owned()),
            )
            .field("budget", &self.budget)
            .field("redo_llm", &self.redo_llm)
            .finish()
    }
}

impl EnrichOptions {
    /// No LLM, no budget.
    pub fn new() -> Self {
        Self::default()
    }
    /// Uses `provider` for what rules, matches and the shipped table leave.
    pub fn provider(mut self, provider: Arc<dyn Provider>) -> Self {
        self.provider = Some(provider);
        self
    }
    /// Caps the run's LLM spending (all calls together) at `dollars`.
    pub fn budget(mut self, dollars: Decimal) -> Self {
        self.budget = Some(dollars);
        self
    }
    /// Asks the LLM again about what it answered before.
    pub fn redo_llm(mut self, redo: bool) -> Self {
        self.redo_llm = redo;
        self
    }
}

/// How far the LLM stage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrichProgress {
    /// Transactions the LLM stage has dealt with.
    pub done: usize,
    /// Transactions it will deal with.
    pub total: usize,
}

/// A transaction the LLM could not answer for, and why (in its words).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrichFailure {
    /// The transaction.
    pub transaction: TransactionRef,
    /// Why.
    pub reason: String,
}

/// What a run decided, by stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnrichReport {
    /// Transactions looked at.
    pub transactions: usize,
    /// Kept as the person set them.
    pub by_person: usize,
    /// Settled by the person's rules.
    pub by_rule: usize,
    /// Settled by what a match brought (the merchant behind the charge).
    pub by_match: usize,
    /// Settled by the shipped merchant table.
    pub by_shipped_table: usize,
    /// Answered by the LLM in this run (cached answers included).
    pub by_llm: usize,
    /// Of those, answered from the cache (free).
    pub llm_cached: usize,
    /// Earlier LLM answers kept (not asked again).
    pub llm_kept: usize,
    /// Left undecided: no LLM configured, or the budget ran out.
    pub undecided: usize,
    /// The LLM's failures, each with its reason.
    pub failed: Vec<EnrichFailure>,
    /// LLM requests made.
    pub llm_requests: u32,
    /// What they cost, in US dollars (zero when the model's price is unknown).
    pub llm_cost: Decimal,
    /// What was written.
    pub written: Upserted,
}

/// What a run would send to the LLM, before anything is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrichEstimate {
    /// Transactions rules, matches and the shipped table would settle.
    pub settled_without_llm: usize,
    /// Transactions that would go to the LLM (cached ones included).
    pub to_llm: usize,
    /// The LLM's estimate (requests, tokens, worst-case cost), when one is configured.
    pub llm: Option<LlmEstimate>,
}

/// The LLM part of an [`EnrichEstimate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmEstimate {
    /// The model.
    pub model: String,
    /// Answered from the cache (free).
    pub cached: usize,
    /// Requests.
    pub requests: usize,
    /// Input tokens (estimated from text length).
    pub input_tokens: u64,
    /// The most output tokens the requests allow.
    pub max_output_tokens: u64,
    /// The worst-case cost in US dollars, when the model's price is known.
    pub max_cost: Option<Decimal>,
}

impl LlmEstimate {
    fn new(model: &str, e: Estimate) -> Self {
        LlmEstimate {
            model: model.to_owned(),
            cached: e.cached,
            requests: e.requests,
            input_tokens: e.input_tokens,
            max_output_tokens: e.max_output_tokens,
            max_cost: e.max_cost,
        }
    }
}

/// Enriches every transaction of `user` (see the [module docs](super)).
/// Running it again with nothing new changes nothing and asks the LLM nothing.
pub async fn enrich_user(
    user: &dyn UserStore,
    options: &EnrichOptions,
    mut progress: impl FnMut(EnrichProgress),
) -> Result<EnrichReport, EnrichError> {
    let plan = Plan::make(user, options.redo_llm).await?;
    let mut report = plan.report.clone();
    let mut out = plan.settled;
    if let Some(provider) = &options.provider {
        let cache = Arc::new(StoreCache::load(user).await?);
        let total = plan.to_llm.len();
        let mut spent = Decimal::ZERO;
        progress(EnrichProgress { done: 0, total });
        for (n, slice) in plan.to_llm.chunks(LLM_SLICE).enumerate() {
            let mut enricher = Enricher::new(provider.clone()).cache(cache.clone());
            if let Some(budget) = options.budget {
                if spent >= budget {
                    report.undecided += total - n * LLM_SLICE;
                    break;
                }
                enricher = enricher.budget(budget - spent);
            }
            let inputs: Vec<TransactionInput> = slice.iter().map(|p| p.input.clone()).collect();
            let answer = enricher.enrich(&inputs).await?;
            spent += answer.spend.cost;
            report.llm_requests += answer.spend.requests;
            report.llm_cost += answer.spend.cost;
            report.llm_cached += answer.cache_hits;
            report.undecided += answer.unprocessed.len();
            let pending: HashMap<&str, &Pending> =
                slice.iter().map(|p| (p.input.id.as_str(), p)).collect();
            for e in answer.enrichments {
                if let Some(p) = pending.get(e.id.as_str()) {
                    report.by_llm += 1;
                    let mut decided = p.partial.clone();
                    decided.category = Some(e.fields.category).filter(|c| !c.is_empty());
                    if !p.merchant_settled && !e.fields.merchant.is_empty() {
                        decided.merchant = Some(e.fields.merchant);
                    }
                    decided.essential = decided.essential.or(Some(e.fields.essential));
                    decided.source = EnrichmentSource::Llm;
                    decided.confidence = f64::from(e.fields.confidence);
                    out.push(decided);
                }
            }
            for f in answer.failed {
                if let Some(p) = pending.get(f.id.as_str()) {
                    report.failed.push(EnrichFailure {
                        transaction: p.partial.transaction.clone(),
                        reason: f.reason,
                    });
                }
            }
            progress(EnrichProgress {
                done: (n * LLM_SLICE + slice.len()).min(total),
                total,
            });
        }
        cache.save(user).await?;
    } else {
        report.undecided += plan.to_llm.len();
    }
    for chunk in out.chunks(5_000) {
        let written = user
            .write(Batch::default().enrichments(chunk.to_vec()))
            .await?;
        report.written.inserted += written.enrichments.inserted;
        report.written.updated += written.enrichments.updated;
        report.written.unchanged += written.enrichments.unchanged;
    }
    Ok(report)
}

/// What [`enrich_user`] would do, without sending or writing anything.
pub async fn estimate_user(
    user: &dyn UserStore,
    options: &EnrichOptions,
) -> Result<EnrichEstimate, EnrichError> {
    let plan = Plan::make(user, options.redo_llm).await?;
    let llm = match &options.provider {
        Some(provider) => {
            let cache = Arc::new(StoreCache::load(user).await?);
            let inputs: Vec<TransactionInput> =
                plan.to_llm.iter().map(|p| p.input.clone()).collect();
            let estimate = Enricher::new(provider.clone())
                .cache(cache)
                .estimate(&inputs)
                .await;
            Some(LlmEstimate::new(provider.model(), estimate))
        }
        None => None,
    };
    Ok(EnrichEstimate {
        settled_without_llm: plan.settled.len(),
        to_llm: plan.to_llm.len(),
        llm,
    })
}

/// Every stage but the LLM's, decided in memory.
struct Plan {
    settled: Vec<Enrichment>,
    to_llm: Vec<Pending>,
    report: EnrichReport,
}

/// A transaction for the LLM: what earlier stages decided (a rule's
/// essential or tags, a match's merchant) stays; the LLM fills the rest.
struct Pending {
    partial: Enrichment,
    merchant_settled: bool,
    input: TransactionInput,
}

/// What a match says a charge paid for.
struct Matched {
    merchant: Option<String>,
    context: String,
    /// The person confirmed the match (not only the matcher's).
    confirmed: bool,
}

/// What the person's confirmed matches taught: a descriptor's first word
/// (`zzxshop` of `ZZXSHOP*1234 LEEDS`) and the merchant's name behind it, so
/// the same descriptor on charges that matched nothing is named alike.
fn taught_names(
    transactions: &[Transaction],
    matched: &HashMap<TransactionRef, Matched>,
) -> HashMap<String, String> {
    let mut taught = HashMap::new();
    for tx in transactions {
        let Some(m) = matched.get(&tx.key()).filter(|m| m.confirmed) else {
            continue;
        };
        if let (Some(word), Some(name)) = (
            MerchantKey::from_descriptor(&tx.description)
                .tokens()
                .first(),
            &m.merchant,
        ) {
            taught.insert(word.clone(), name.clone());
        }
    }
    taught
}

impl Plan {
    async fn make(user: &dyn UserStore, redo_llm: bool) -> Result<Plan, EnrichError> {
        let transactions = user.all_transactions().await?;
        let existing: HashMap<TransactionRef, Enrichment> = user
            .enrichments()
            .await?
            .into_iter()
            .map(|e| (e.transaction.clone(), e))
            .collect();
        let rules = user.rules().await?;
        let matched = matched_targets(user).await?;
        let taught = taught_names(&transactions, &matched);
        let mut plan = Plan {
            settled: Vec::new(),
            to_llm: Vec::new(),
            report: EnrichReport {
                transactions: transactions.len(),
                ..EnrichReport::default()
            },
        };
        for tx in &transactions {
            let key = tx.key();
            let before = existing.get(&key);
            if before.is_some_and(|e| e.source == EnrichmentSource::User) {
                plan.report.by_person += 1;
                continue;
            }
            let taught = MerchantKey::from_descriptor(&tx.description)
                .tokens()
                .first()
                .and_then(|word| taught.get(word));
            plan.decide(tx, before, &rules, matched.get(&key), taught, redo_llm);
        }
        Ok(plan)
    }

    fn decide(
        &mut self,
        tx: &Transaction,
        before: Option<&Enrichment>,
        rules: &[Rule],
        matched: Option<&Matched>,
        taught: Option<&String>,
        redo_llm: bool,
    ) {
        let merchant = match (matched, taught) {
            // A charge that matched nothing itself takes the name its
            // descriptor's confirmed matches taught.
            (None, Some(name)) => Some(name.clone()),
            _ => merchant_name(&tx.description, tx.merchant.as_deref()),
        };
        let key = tx.key();
        let mut e = Enrichment {
            transaction: key.clone(),
            category: None,
            merchant: merchant.clone(),
            essential: None,
            source: EnrichmentSource::Rule,
            confidence: RULE_CONFIDENCE,
            tags: Vec::new(),
        };
        let mut merchant_by_rule = false;
        if let Some(rule) = rules.iter().find(|r| fits(r, tx, merchant.as_deref())) {
            let then = &rule.then;
            merchant_by_rule = then.merchant.is_some();
            e.category = then.category.clone();
            e.merchant = then.merchant.clone().or(e.merchant);
            e.essential = then.essential;
            e.tags = then.tags.clone();
            if e.category.is_some() {
                if e.essential.is_none() {
                    e.essential = shipped(&e).map(|k| k.essential);
                }
                self.report.by_rule += 1;
                self.settled.push(e);
                return;
            }
        }
        if let Some(name) = matched.and_then(|m| m.merchant.as_ref()) {
            let known = MerchantKey::from_name(name)
                .tokens()
                .iter()
                .find_map(|t| known_merchant(t));
            if let Some(known) = known {
                if !merchant_by_rule {
                    e.merchant = Some(known.name.to_owned());
                }
                e.category = Some(known.category.to_owned());
                e.essential = e.essential.or(Some(known.essential));
                e.source = EnrichmentSource::Match;
                e.confidence = MATCH_CONFIDENCE;
                self.report.by_match += 1;
                self.settled.push(e);
                return;
            }
            if !merchant_by_rule {
                e.merchant = Some(name.clone());
            }
        }
        if matched.is_none()
            && let Some(known) = shipped(&e)
        {
            e.category = Some(known.category.to_owned());
            e.essential = e.essential.or(Some(known.essential));
            e.confidence = SHIPPED_CONFIDENCE;
            self.report.by_shipped_table += 1;
            self.settled.push(e);
            return;
        }
        if before.is_some_and(|b| b.source == EnrichmentSource::Llm) && !redo_llm {
            self.report.llm_kept += 1;
            return;
        }
        let mut input = TransactionInput::new(
            format!("t{}", self.to_llm.len()),
            tx.description.clone(),
            Decimal::new(
                tx.amount.minor().abs(),
                u32::from(tx.amount.currency().exponent()),
            ),
            tx.amount.currency().code(),
            if tx.amount.minor() < 0 {
                llm_enrich::Direction::Debit
            } else {
                llm_enrich::Direction::Credit
            },
        );
        input.date = Some(crate::store::format_date(tx.date));
        input.merchant_hint = e.merchant.clone();
        input.context = matched.map(|m| m.context.clone());
        // The descriptor's normalised name is kept when there is one: it is
        // deterministic, and the same for every charge of a merchant.
        let merchant_settled = e.merchant.is_some();
        self.to_llm.push(Pending {
            partial: e,
            merchant_settled,
            input,
        });
    }
}

/// The shipped table's entry for an enrichment's merchant.
fn shipped(e: &Enrichment) -> Option<&'static super::KnownMerchant> {
    let name = e.merchant.as_deref()?;
    MerchantKey::from_name(name)
        .tokens()
        .iter()
        .find_map(|t| known_merchant(t))
}

/// For each transaction with an automatic or confirmed match: the merchant
/// behind it and what it paid for.
async fn matched_targets(
    user: &dyn UserStore,
) -> Result<HashMap<TransactionRef, Matched>, EnrichError> {
    let matches: Vec<_> = user
        .matches()
        .await?
        .into_iter()
        .filter(|m| matches!(m.state, MatchState::Automatic | MatchState::Confirmed))
        .collect();
    if matches.is_empty() {
        return Ok(HashMap::new());
    }
    let orders: HashMap<(String, String), _> = user
        .orders(&OrderQuery::default())
        .await?
        .into_iter()
        .map(|o| ((o.source.clone(), o.id.clone()), o))
        .collect();
    let receipts: HashMap<(String, String), _> = user
        .receipts(None)
        .await?
        .into_iter()
        .map(|r| ((r.mailbox.clone(), r.message_id.clone()), r))
        .collect();
    let apple: HashMap<String, _> = user
        .apple_purchases()
        .await?
        .into_iter()
        .map(|a| (a.order_id.clone(), a))
        .collect();
    let mut out: HashMap<TransactionRef, Matched> = HashMap::new();
    for m in matches {
        let (merchant, items) = match &m.target {
            MatchTarget::Order { source, id } => match orders.get(&(source.clone(), id.clone())) {
                Some(o) => (
                    Some(o.merchant.clone()),
                    o.items.iter().map(|i| i.title.clone()).collect(),
                ),
                None => (None, Vec::new()),
            },
            MatchTarget::Receipt {
                mailbox,
                message_id,
            } => match receipts.get(&(mailbox.clone(), message_id.clone())) {
                Some(r) => (
                    r.merchant.clone().or_else(|| r.vendor.clone()),
                    receipt_lines(&r.parsed),
                ),
                None => (None, Vec::new()),
            },
            MatchTarget::Apple { order_id } => (
                Some("Apple".to_owned()),
                apple
                    .get(order_id)
                    .map(|a| a.items.iter().map(|i| i.title.clone()).collect())
                    .unwrap_or_default(),
            ),
        };
        let label = m.explanation["target"].as_str().unwrap_or_default();
        let context = if items.is_empty() {
            label.to_owned()
        } else {
            format!("{label}: {}", items.join("; "))
        };
        let entry = out.entry(m.transaction).or_insert(Matched {
            merchant: None,
            context: String::new(),
            confirmed: false,
        });
        entry.confirmed |= m.state == MatchState::Confirmed;
        entry.merchant = entry.merchant.take().or(merchant);
        if !entry.context.is_empty() {
            entry.context.push_str(" | ");
        }
        entry.context.push_str(&context);
    }
    Ok(out)
}

/// A parsed receipt's line items' names.
fn receipt_lines(parsed: &serde_json::Value) -> Vec<String> {
    parsed["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    i["name"]
                        .as_str()
                        .or_else(|| i["title"].as_str())
                        .or_else(|| i["description"].as_str())
                })
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The LLM cache in the store: every answer read once at the start, new ones
/// written together at the end.
struct StoreCache {
    answers: Mutex<HashMap<String, EnrichmentFields>>,
    new: Mutex<Vec<(String, String)>>,
}

impl StoreCache {
    async fn load(user: &dyn UserStore) -> Result<StoreCache, EnrichError> {
        let mut answers = HashMap::new();
        for (key, answer) in user.llm_answers().await? {
            // An answer this version cannot read is asked again, not trusted.
            if let Ok(fields) = serde_json::from_str(&answer) {
                answers.insert(key, fields);
            }
        }
        Ok(StoreCache {
            answers: Mutex::new(answers),
            new: Mutex::new(Vec::new()),
        })
    }

    async fn save(&self, user: &dyn UserStore) -> Result<(), EnrichError> {
        let new = std::mem::take(&mut *self.new.lock().unwrap_or_else(|e| e.into_inner()));
        if !new.is_empty() {
            user.put_llm_answers(&new).await?;
        }
        Ok(())
    }
}

impl Cache for StoreCache {
    fn get<'a>(&'a self, key: &'a CacheKey) -> BoxFuture<'a, Option<EnrichmentFields>> {
        let found = self
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key.to_string())
            .cloned();
        Box::pin(async move { found })
    }

    fn put<'a>(&'a self, key: CacheKey, value: EnrichmentFields) -> BoxFuture<'a, ()> {
        let text = key.to_string();
        if let Ok(json) = serde_json::to_string(&value) {
            self.new
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((text.clone(), json));
        }
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(text, value);
        Box::pin(async {})
    }
}
