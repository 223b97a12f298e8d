//! Transaction enrichment: batches of transactions in, a category, clean
//! merchant and more per id out.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::answer::{AnswerError, Answerer, Spend};
use crate::cost::{Budget, Estimate, PriceTable, estimate_request_tokens, max_input_tokens};
use crate::{Cache, CacheKey, CompletionRequest, Error, Provider, Result, Taxonomy, Usage};

/// The prompt's version, the first part of [`CacheKey::prompt_version`]
/// (a fingerprint of the instructions and schema follows it, so an edit that
/// forgets to bump this still changes the keys). `tx-v2`: keys name the
/// provider and carry the exact amount.
pub const PROMPT_VERSION: &str = "tx-v2";

/// Money out or money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Money out.
    Debit,
    /// Money in.
    Credit,
}

/// A transaction to enrich, with whatever context is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransactionInput {
    /// Your stable id; answers are mapped back by it, never by position.
    pub id: String,
    /// The bank's description.
    pub description: String,
    /// The amount (positive).
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// Money out or in.
    pub direction: Direction,
    /// The date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A merchant name already known (the bank's or TrueLayer's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_hint: Option<String>,
    /// What the transaction paid for, when matched: receipt or Amazon line items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl TransactionInput {
    /// A transaction with the required fields.
    pub fn new(
        id: impl Into<String>,
        description: impl Into<String>,
        amount: Decimal,
        currency: &str,
        direction: Direction,
    ) -> Self {
        TransactionInput {
            id: id.into(),
            description: description.into(),
            amount,
            currency: currency.to_owned(),
            direction,
            date: None,
            merchant_hint: None,
            context: None,
        }
    }
}

/// What the model says about a transaction (without the id: this is what is cached).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentFields {
    /// A category of the taxonomy.
    pub category: String,
    /// One of the category's subcategories.
    pub subcategory: String,
    /// The merchant's clean name (`Tesco`, not `TESCO STORES 2041`).
    pub merchant: String,
    /// What kind of business (`supermarket`, `ride hailing`).
    pub merchant_type: String,
    /// Essential (rent, groceries, utilities) or discretionary.
    pub essential: bool,
    /// How it was paid (`card`, `direct debit`, ...), when it can be told.
    pub payment_method: Option<String>,
    /// The model's confidence, 0 to 1.
    pub confidence: f32,
}

/// The enrichment of one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrichment {
    /// The transaction's id.
    pub id: String,
    /// The answer.
    pub fields: EnrichmentFields,
    /// Whether it came from the cache (no request made).
    pub from_cache: bool,
}

/// Why a transaction has no enrichment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The answer left it out (also when asked alone).
    Missing,
    /// The answer broke a rule: a category outside the taxonomy, a confidence
    /// outside 0..1, an empty merchant.
    Rejected,
    /// The answer was not JSON of the schema, even after one repair request.
    InvalidAnswer,
    /// The answer was cut short at the output limit, even for one transaction.
    Truncated,
}

/// A transaction the run could not enrich, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    /// The transaction's id.
    pub id: String,
    /// What went wrong.
    pub kind: FailureKind,
    /// The details.
    pub reason: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default)]
pub struct EnrichReport {
    /// Enrichments, in the order of the input.
    pub enrichments: Vec<Enrichment>,
    /// Transactions the model did not answer validly, even alone.
    pub failed: Vec<Failed>,
    /// Transactions not sent because the budget would have been exceeded.
    pub unprocessed: Vec<String>,
    /// Requests, tokens and cost.
    pub spend: Spend,
    /// Answers taken from the cache.
    pub cache_hits: usize,
}

#[derive(Deserialize)]
struct RawAnswer {
    results: Vec<RawEnrichment>,
}

#[derive(Deserialize)]
struct RawEnrichment {
    id: String,
    category: String,
    subcategory: String,
    merchant: String,
    merchant_type: String,
    essential: bool,
    payment_method: Option<String>,
    confidence: f64,
}

/// A batch's answer, checked: what is valid, what is missing or wrong.
#[derive(Debug, Default)]
pub struct CheckedBatch {
    /// Valid answers by id.
    pub valid: Vec<(String, EnrichmentFields)>,
    /// Ids without a valid answer, with the reason.
    pub invalid: Vec<Failed>,
}

/// The prompt for `items` (public so it can be benchmarked and inspected).
pub fn build_request(
    taxonomy: &Taxonomy,
    items: &[&TransactionInput],
    max_output_tokens: u32,
) -> CompletionRequest {
    let system = format!(
        "You categorise bank transactions for a personal finance app.\n\
         For every transaction given, answer once, using its id exactly as given.\n\
         Choose one category and one of that category's subcategories from this taxonomy only:\n{}\n\n\
         merchant: the merchant's everyday name, without card numbers, store numbers or payment processor prefixes.\n\
         merchant_type: a short lower-case kind of business.\n\
         essential: true for needs (housing, utilities, groceries, transport to work, health), false for wants.\n\
         payment_method: card, direct debit, standing order, transfer, cash, or null when it cannot be told.\n\
         confidence: from 0 to 1.",
        taxonomy.describe()
    );
    let user = format!(
        "Transactions (JSON):\n{}",
        serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
    );
    CompletionRequest {
        system,
        user,
        schema: schema(taxonomy),
        schema_name: "record_enrichments".into(),
        max_output_tokens,
    }
}

/// The JSON schema of an enrichment answer.
pub fn schema(taxonomy: &Taxonomy) -> Value {
    let categories: Vec<&str> = taxonomy
        .categories()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "category", "subcategory", "merchant", "merchant_type", "essential", "payment_method", "confidence"],
                    "properties": {
                        "id": {"type": "string"},
                        "category": {"type": "string", "enum": categories},
                        "subcategory": {"type": "string"},
                        "merchant": {"type": "string"},
                        "merchant_type": {"type": "string"},
                        "essential": {"type": "boolean"},
                        "payment_method": {"type": ["string", "null"]},
                        "confidence": {"type": "number"},
                    },
                },
            },
        },
    })
}

/// Parses and checks an answer for the batch `ids`. `Err` when the text is not
/// JSON of the schema's shape at all (worth a repair attempt); otherwise every
/// id is either valid or listed as invalid (missing, unknown category, ...).
pub fn check_answer(
    text: &str,
    ids: &[&str],
    taxonomy: &Taxonomy,
) -> std::result::Result<CheckedBatch, String> {
    let answer: RawAnswer = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let wanted: HashSet<&str> = ids.iter().copied().collect();
    let mut by_id: HashMap<String, RawEnrichment> = HashMap::new();
    for item in answer.results {
        if wanted.contains(item.id.as_str()) {
            by_id.entry(item.id.clone()).or_insert(item);
        } else {
            tracing::debug!(id = %item.id, "answer for an id that was not asked; ignored");
        }
    }
    let mut checked = CheckedBatch::default();
    for id in ids {
        let Some(item) = by_id.remove(*id) else {
            checked.invalid.push(Failed {
                id: (*id).to_owned(),
                kind: FailureKind::Missing,
                reason: "missing from the answer".into(),
            });
            continue;
        };
        let problem = if !taxonomy.contains(&item.category, &item.subcategory) {
            Some(format!(
                "{} / {} is not in the taxonomy",
                item.category, item.subcategory
            ))
        } else if !(0.0..=1.0).contains(&item.confidence) || item.confidence.is_nan() {
            Some(format!("confidence {} is outside 0..1", item.confidence))
        } else if item.merchant.trim().is_empty() {
            Some("empty merchant".into())
        } else {
            None
        };
        match problem {
            Some(reason) => checked.invalid.push(Failed {
                id: item.id,
                kind: FailureKind::Rejected,
                reason,
            }),
            None => checked.valid.push((
                item.id,
                EnrichmentFields {
                    category: item.category,
                    subcategory: item.subcategory,
                    merchant: item.merchant.trim().to_owned(),
                    merchant_type: item.merchant_type,
                    essential: item.essential,
                    payment_method: item.payment_method.filter(|p| !p.trim().is_empty()),
                    confidence: item.confidence as f32,
                },
            )),
        }
    }
    Ok(checked)
}

/// Enriches transactions with one provider.
///
/// ```
/// # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
/// use std::sync::Arc;
/// use llm_enrich::testkit::Simulator;
/// use llm_enrich::{Direction, Enricher, MemoryCache, ProviderKind, TransactionInput};
/// use rust_decimal::Decimal;
///
/// let sim = Simulator::start(ProviderKind::Anthropic).await;
/// let enricher = Enricher::new(sim.provider()).cache(Arc::new(MemoryCache::new()));
/// let items = [TransactionInput::new("t1", "TESCO STORES 2041", Decimal::new(3450, 2), "GBP", Direction::Debit)];
/// let report = enricher.enrich(&items).await?;
/// assert_eq!(report.enrichments[0].fields.category, "Groceries");
/// # Ok(()) }
/// ```
pub struct Enricher {
    answerer: Answerer,
    taxonomy: Taxonomy,
    /// [`PROMPT_VERSION`] and a fingerprint of the prompt and schema of `taxonomy`.
    prompt_version: String,
    cache: Option<Arc<dyn Cache>>,
    batch_size: usize,
}

/// Output tokens one enrichment takes, generously (ids, names, JSON punctuation).
const TOKENS_PER_ITEM: u32 = 90;

impl Enricher {
    /// An enricher using `provider`, the default taxonomy and prices, batches of 50, no cache, no budget.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let taxonomy = Taxonomy::default();
        Enricher {
            answerer: Answerer::new(provider),
            prompt_version: prompt_version(&taxonomy),
            taxonomy,
            cache: None,
            batch_size: 50,
        }
    }

    /// Uses `taxonomy`.
    pub fn taxonomy(mut self, taxonomy: Taxonomy) -> Self {
        self.prompt_version = prompt_version(&taxonomy);
        self.taxonomy = taxonomy;
        self
    }

    /// Caches answers in `cache`; a hit makes no request.
    pub fn cache(mut self, cache: Arc<dyn Cache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The largest batch to send (it is lowered to what the provider's output limit allows).
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.max(1);
        self
    }

    /// Prices to account costs with.
    pub fn prices(mut self, prices: PriceTable) -> Self {
        self.answerer.prices = prices;
        self
    }

    /// Stops before a request that could take the cost of all of this
    /// enricher's requests past `dollars` (over every [`enrich`](Self::enrich)
    /// call, not each). To share a budget with a
    /// [`ReceiptExtractor`](crate::ReceiptExtractor) or other enrichers, use
    /// [`shared_budget`](Self::shared_budget).
    pub fn budget(self, dollars: Decimal) -> Self {
        self.shared_budget(Arc::new(Budget::new(dollars)))
    }

    /// Checks every request against `budget`, which other enrichers and
    /// extractors of the same run may hold too.
    pub fn shared_budget(mut self, budget: Arc<Budget>) -> Self {
        self.answerer.budget = Some(budget);
        self
    }

    /// The batch size in force: the configured one, lowered to fit the provider's output and input limits.
    pub fn effective_batch_size(&self) -> usize {
        let limits = self.answerer.provider.limits();
        let by_output = (limits.max_output_tokens / TOKENS_PER_ITEM).max(1) as usize;
        // The instructions and schema take about 1,500 tokens; a transaction about 60.
        let by_input = (limits.max_input_tokens.saturating_sub(1_500) / 60).max(1) as usize;
        self.batch_size.min(by_output).min(by_input)
    }

    fn key(&self, item: &TransactionInput) -> CacheKey {
        let provider = &self.answerer.provider;
        CacheKey::of(
            item,
            &self.prompt_version,
            provider.kind(),
            provider.model(),
        )
    }

    async fn split_cached<'a>(
        &self,
        items: &'a [TransactionInput],
    ) -> (Vec<Enrichment>, Vec<&'a TransactionInput>) {
        let mut hits = Vec::new();
        let mut misses = Vec::new();
        for item in items {
            let cached = match &self.cache {
                Some(cache) => cache.get(&self.key(item)).await,
                None => None,
            };
            match cached {
                Some(fields) => hits.push(Enrichment {
                    id: item.id.clone(),
                    fields,
                    from_cache: true,
                }),
                None => misses.push(item),
            }
        }
        (hits, misses)
    }

    /// What a run over `items` would take, without sending anything.
    pub async fn estimate(&self, items: &[TransactionInput]) -> Estimate {
        let (hits, misses) = self.split_cached(items).await;
        let size = self.effective_batch_size();
        let mut estimate = Estimate {
            cached: hits.len(),
            requests: 0,
            input_tokens: 0,
            max_output_tokens: 0,
            max_cost: None,
        };
        // What the budget holds: the most each request's input can be billed for.
        let mut max_input = 0;
        for batch in misses.chunks(size) {
            let request = build_request(
                &self.taxonomy,
                batch,
                TOKENS_PER_ITEM * batch.len() as u32 + 200,
            );
            estimate.requests += 1;
            let input = estimate_request_tokens(&request);
            estimate.input_tokens += input;
            max_input += max_input_tokens(input);
            estimate.max_output_tokens += u64::from(
                request
                    .max_output_tokens
                    .min(self.answerer.provider.limits().max_output_tokens),
            );
        }
        estimate.max_cost = self
            .answerer
            .prices
            .get(self.answerer.provider.model())
            .map(|p| {
                p.cost(Usage {
                    input_tokens: max_input,
                    output_tokens: estimate.max_output_tokens,
                })
            });
        estimate
    }

    /// Enriches `items`: cache first, then batches; answers are validated and
    /// mapped by id; ids missing or invalid in an answer are retried alone; a
    /// cut-short answer makes the batch split in two. Errors that stop the run
    /// (authentication, quota, rate limits past the retry policy) are returned;
    /// the budget stops the run with the rest listed in `unprocessed`.
    pub async fn enrich(&self, items: &[TransactionInput]) -> Result<EnrichReport> {
        let mut report = EnrichReport::default();
        let (hits, misses) = self.split_cached(items).await;
        report.cache_hits = hits.len();
        let mut answered: HashMap<String, Enrichment> =
            hits.into_iter().map(|e| (e.id.clone(), e)).collect();

        let mut size = self.effective_batch_size();
        let mut queue: std::collections::VecDeque<Vec<&TransactionInput>> =
            misses.chunks(size).map(|c| c.to_vec()).collect();
        let mut alone: Vec<&TransactionInput> = Vec::new();
        while let Some(batch) = queue.pop_front() {
            match self.run_batch(&batch, &mut report).await {
                Ok(BatchOutcome::Done(checked)) => {
                    Self::keep(checked.valid, &mut answered);
                    let retry: HashSet<String> =
                        checked.invalid.into_iter().map(|f| f.id).collect();
                    alone.extend(batch.iter().filter(|i| retry.contains(&i.id)));
                }
                Ok(BatchOutcome::Truncated) if batch.len() > 1 => {
                    size = (batch.len() / 2).max(1);
                    tracing::info!(
                        size,
                        "answer cut short: splitting the batch and lowering the batch size"
                    );
                    let (a, b) = batch.split_at(batch.len() / 2);
                    queue.push_front(b.to_vec());
                    queue.push_front(a.to_vec());
                    // Batches not yet sent take the lower size too.
                    let rest: Vec<&TransactionInput> = queue.drain(2..).flatten().collect();
                    queue.extend(rest.chunks(size).map(|c| c.to_vec()));
                }
                Ok(BatchOutcome::Truncated) => report.failed.push(Failed {
                    id: batch[0].id.clone(),
                    kind: FailureKind::Truncated,
                    reason: "the answer was cut short even for one transaction".into(),
                }),
                Err(Error::BudgetExceeded { .. }) => {
                    report
                        .unprocessed
                        .extend(batch.iter().map(|i| i.id.clone()));
                    report
                        .unprocessed
                        .extend(queue.drain(..).flatten().map(|i| i.id.clone()));
                }
                Err(Error::InvalidAnswer { detail, .. }) => {
                    tracing::warn!(%detail, "batch answer invalid after repair; retrying its transactions alone");
                    alone.extend(batch.iter().copied());
                }
                Err(other) => return Err(other),
            }
        }
        for item in alone {
            if !report.unprocessed.is_empty() {
                report.unprocessed.push(item.id.clone());
                continue;
            }
            match self.run_batch(&[item], &mut report).await {
                Ok(BatchOutcome::Done(checked)) => {
                    report.failed.extend(checked.invalid);
                    Self::keep(checked.valid, &mut answered);
                }
                Ok(BatchOutcome::Truncated) => report.failed.push(Failed {
                    id: item.id.clone(),
                    kind: FailureKind::Truncated,
                    reason: "the answer was cut short".into(),
                }),
                Err(Error::BudgetExceeded { .. }) => report.unprocessed.push(item.id.clone()),
                Err(Error::InvalidAnswer { detail, .. }) => report.failed.push(Failed {
                    id: item.id.clone(),
                    kind: FailureKind::InvalidAnswer,
                    reason: detail,
                }),
                Err(other) => return Err(other),
            }
        }
        report.enrichments = items
            .iter()
            .filter_map(|i| answered.get(&i.id).cloned())
            .collect();
        Ok(report)
    }

    fn keep(valid: Vec<(String, EnrichmentFields)>, answered: &mut HashMap<String, Enrichment>) {
        for (id, fields) in valid {
            answered.insert(
                id.clone(),
                Enrichment {
                    id,
                    fields,
                    from_cache: false,
                },
            );
        }
    }

    async fn run_batch(
        &self,
        batch: &[&TransactionInput],
        report: &mut EnrichReport,
    ) -> Result<BatchOutcome> {
        let request = build_request(
            &self.taxonomy,
            batch,
            TOKENS_PER_ITEM * batch.len() as u32 + 200,
        );
        let ids: Vec<&str> = batch.iter().map(|i| i.id.as_str()).collect();
        let taxonomy = &self.taxonomy;
        let outcome = self
            .answerer
            .answer(&request, &mut report.spend, |text| {
                check_answer(text, &ids, taxonomy).map_err(AnswerError::Shape)
            })
            .await?;
        let Some(checked) = outcome else {
            return Ok(BatchOutcome::Truncated);
        };
        if let Some(cache) = &self.cache {
            let inputs: HashMap<&str, &TransactionInput> =
                batch.iter().map(|i| (i.id.as_str(), *i)).collect();
            for (id, fields) in &checked.valid {
                if let Some(item) = inputs.get(id.as_str()) {
                    cache.put(self.key(item), fields.clone()).await;
                }
            }
        }
        Ok(BatchOutcome::Done(checked))
    }
}

enum BatchOutcome {
    Done(CheckedBatch),
    Truncated,
}

/// [`PROMPT_VERSION`] and a fingerprint of what the prompt and schema say
/// for `taxonomy`: the instructions, the taxonomy's text and the schema's
/// category list all change answers, so all change the cache key.
fn prompt_version(taxonomy: &Taxonomy) -> String {
    let request = build_request(taxonomy, &[], 0);
    let fingerprint = crate::cache::fnv1a(
        crate::cache::fnv1a(crate::cache::FNV_OFFSET, request.system.as_bytes()),
        request.schema.to_string().as_bytes(),
    );
    format!("{PROMPT_VERSION}-{fingerprint:016x}")
}
