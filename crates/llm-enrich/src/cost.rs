//! What answers cost: a price table, per-run accounting and a budget.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::Usage;

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
    /// The worst-case cost, when the model's price is known.
    pub max_cost: Option<Decimal>,
}

/// Rough token count of `text` (about four characters a token for English).
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}
