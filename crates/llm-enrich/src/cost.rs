//! What answers cost: a price table, per-run accounting and a budget.

use std::collections::HashMap;
use std::sync::Mutex;

use rust_decimal::Decimal;

use crate::{CompletionRequest, Usage};

/// A model's price in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    /// Per million input tokens.
    pub input_per_million: Decimal,
    /// Per million output tokens.
    pub output_per_million: Decimal,
}

impl Price {
    /// A price from dollars per million input and output tokens (`"1.00"`, `"5.00"`).
    ///
    /// # Panics
    /// If either text is not a decimal number (prices are written by the programmer).
    pub fn per_million(input: &str, output: &str) -> Self {
        Price {
            input_per_million: input.parse().expect("a decimal price"),
            output_per_million: output.parse().expect("a decimal price"),
        }
    }

    /// The cost of `usage`.
    pub fn cost(&self, usage: Usage) -> Decimal {
        let million = Decimal::from(1_000_000u32);
        (Decimal::from(usage.input_tokens) * self.input_per_million
            + Decimal::from(usage.output_tokens) * self.output_per_million)
            / million
    }
}

/// Prices by model. The defaults are list prices of the default models when
/// this crate was released; set your own with [`PriceTable::set`].
///
/// ```
/// use llm_enrich::{Price, PriceTable, Usage};
///
/// let mut prices = PriceTable::default();
/// prices.set("my-finetune", Price::per_million("0.50", "1.50"));
/// let cost = prices.get("my-finetune").unwrap().cost(Usage { input_tokens: 2_000_000, output_tokens: 0 });
/// assert_eq!(cost.normalize().to_string(), "1");
/// ```
#[derive(Debug, Clone)]
pub struct PriceTable {
    prices: HashMap<String, Price>,
}

impl Default for PriceTable {
    fn default() -> Self {
        let mut table = PriceTable {
            prices: HashMap::new(),
        };
        table.set("claude-haiku-4-5", Price::per_million("1.00", "5.00"));
        table.set("claude-sonnet-4-5", Price::per_million("3.00", "15.00"));
        table.set("gpt-5-mini", Price::per_million("0.25", "2.00"));
        table.set("gpt-4.1-mini", Price::per_million("0.40", "1.60"));
        table.set("gemini-flash-latest", Price::per_million("0.30", "2.50"));
        table.set("deepseek-chat", Price::per_million("0.28", "0.42"));
        table
    }
}

impl PriceTable {
    /// An empty table.
    pub fn empty() -> Self {
        PriceTable {
            prices: HashMap::new(),
        }
    }

    /// Sets `model`'s price.
    pub fn set(&mut self, model: impl Into<String>, price: Price) {
        self.prices.insert(model.into(), price);
    }

    /// `model`'s price.
    pub fn get(&self, model: &str) -> Option<Price> {
        self.prices.get(model).copied()
    }
}

/// An estimate of a run before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// Items answered from the cache (free).
    pub cached: usize,
    /// Requests the run will make (before retries).
    pub requests: usize,
    /// Input tokens, estimated from text length.
    pub input_tokens: u64,
    /// The most output tokens the requests allow.
    pub max_output_tokens: u64,
    /// The worst-case cost, when the model's price is known: the most input
    /// tokens the requests can be billed for ([`max_input_tokens`]) and every
    /// output token allowed. A budget of this much lets every request the
    /// estimate counts go (repairs and retries of single items aside).
    pub max_cost: Option<Decimal>,
}

/// Rough token count of `text` (about four characters a token for English).
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

/// Rough input token count of `request`: its instructions, content and schema.
pub fn estimate_request_tokens(request: &CompletionRequest) -> u64 {
    estimate_tokens(&request.system)
        + estimate_tokens(&request.user)
        + estimate_tokens(&request.schema.to_string())
}

/// Tokens a provider adds to a request of its own: Anthropic's tool-use
/// system prompt is up to 346, the others' message framing a few.
pub const PROVIDER_OVERHEAD_TOKENS: u64 = 512;

/// The most input tokens a request whose length-based estimate
/// ([`estimate_request_tokens`]) is `estimate` can be billed for. Every
/// tokenizer in use makes a token of at least one byte of text (byte-level
/// BPE, SentencePiece with byte fallback), and the estimate is a quarter
/// of the bytes, so four times it, with the providers' own additions, is a
/// bound. Budgets hold this much unless the provider counted the request.
///
/// ```
/// assert_eq!(llm_enrich::cost::max_input_tokens(1_000), 4_512);
/// ```
pub fn max_input_tokens(estimate: u64) -> u64 {
    estimate
        .saturating_mul(4)
        .saturating_add(PROVIDER_OVERHEAD_TOKENS)
}

/// `tokens` with a margin of `permille` thousandths, rounded up.
pub(crate) fn with_margin(tokens: u64, permille: u64) -> u64 {
    tokens.saturating_mul(permille).div_ceil(1_000)
}

/// A cap on what a run may spend, in US dollars, shared by everything that
/// sends requests in the run: give one `Arc<Budget>` to an [`Enricher`] and
/// a [`ReceiptExtractor`] (or to several, on several tasks) and it holds for
/// all of their requests together.
///
/// The limit is hard: before a request is sent, its worst case is held,
/// and the request is refused with [`Error::BudgetExceeded`] (nothing sent)
/// when what was spent plus what is held would go over the limit. The
/// worst case is every output token allowed plus the most input tokens the
/// request can be billed for: [`max_input_tokens`] of the length-based
/// estimate while that fits, and near the limit the provider's own count
/// (Anthropic, Gemini) with 5% more, so the last requests of a run are not
/// refused for the estimate's slack. When the answer comes, the hold
/// becomes what it really cost. Requests in flight at the same time cannot
/// together go over the limit.
///
/// ```
/// # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
/// use std::sync::Arc;
/// use llm_enrich::testkit::Simulator;
/// use llm_enrich::{Budget, ProviderKind, ReceiptExtractor};
///
/// let sim = Simulator::start(ProviderKind::Anthropic).await;
/// let budget = Arc::new(Budget::new("1.00".parse().unwrap()));
/// let extractor = ReceiptExtractor::new(sim.provider()).shared_budget(budget.clone());
/// for email in ["Order #1\nTotal: £5.00", "Order #2\nTotal: £7.50"] {
///     extractor.extract(email).await?;
/// }
/// assert!(budget.spent() > rust_decimal::Decimal::ZERO && budget.spent() <= budget.limit());
/// # Ok(()) }
/// ```
///
/// [`Enricher`]: crate::Enricher
/// [`ReceiptExtractor`]: crate::ReceiptExtractor
/// [`Error::BudgetExceeded`]: crate::Error::BudgetExceeded
#[derive(Debug)]
pub struct Budget {
    limit: Decimal,
    ledger: Mutex<Ledger>,
}

#[derive(Debug, Default)]
struct Ledger {
    spent: Decimal,
    held: Decimal,
}

impl Budget {
    /// A budget of `limit` dollars, nothing spent.
    pub fn new(limit: Decimal) -> Self {
        Budget {
            limit,
            ledger: Mutex::new(Ledger::default()),
        }
    }

    /// The limit.
    pub fn limit(&self) -> Decimal {
        self.limit
    }

    /// What the answers received so far cost.
    pub fn spent(&self) -> Decimal {
        self.ledger().spent
    }

    /// What is held for requests in flight (their worst case).
    pub fn held(&self) -> Decimal {
        self.ledger().held
    }

    /// What is left for new requests: the limit less what was spent and what is held.
    pub fn remaining(&self) -> Decimal {
        let ledger = self.ledger();
        (self.limit - ledger.spent - ledger.held).max(Decimal::ZERO)
    }

    /// What is spent and held together.
    pub(crate) fn committed(&self) -> Decimal {
        let ledger = self.ledger();
        ledger.spent + ledger.held
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // The ledger is two numbers updated together; a panic elsewhere
        // cannot leave them half-written, so a poisoned lock is still good.
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds `amount` for a request about to be sent, when it fits. `Err`
    /// carries what is spent and held (for the error's message).
    pub(crate) fn hold(&self, amount: Decimal) -> Result<Hold<'_>, Decimal> {
        let mut ledger = self.ledger();
        let committed = ledger.spent + ledger.held;
        if committed + amount > self.limit {
            return Err(committed);
        }
        ledger.held += amount;
        Ok(Hold {
            budget: self,
            amount,
            open: true,
        })
    }
}

/// The worst case of one request in flight, held on a [`Budget`]. Settled
/// with what the answer cost; released if dropped unsettled (the request
/// failed before an answer, or the future was dropped).
#[derive(Debug)]
pub(crate) struct Hold<'a> {
    budget: &'a Budget,
    amount: Decimal,
    open: bool,
}

impl Hold<'_> {
    /// The amount held.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// Replaces the hold by what the request cost.
    pub fn settle(mut self, cost: Decimal) {
        self.open = false;
        let mut ledger = self.budget.ledger();
        ledger.held -= self.amount;
        ledger.spent += cost;
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        if self.open {
            self.budget.ledger().held -= self.amount;
        }
    }
}
