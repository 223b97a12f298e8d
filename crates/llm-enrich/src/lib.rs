//! Categorise bank transactions and extract receipts with Anthropic, OpenAI,
//! Gemini, DeepSeek or Ollama.
//!
//! Thin clients of our own on [`spend_http`] (retries honouring `Retry-After`
//! on 429, 5xx and 529; typed errors that name the provider and what to do),
//! not a general LLM framework:
//!
//! - [`Provider`]: one structured completion (system prompt, user content, JSON
//!   schema), implemented on each provider's current wire format: [`Anthropic`]
//!   (forced tool use), [`OpenAi`] (`response_format: json_schema`, strict; also
//!   any OpenAI-compatible server), [`Gemini`] (`responseSchema`), [`DeepSeek`]
//!   (JSON mode) and [`Ollama`] (`format` schema).
//! - [`Enricher`]: batches of transactions -> category, subcategory, clean
//!   merchant, merchant type, essential or not, payment method, confidence;
//!   validated and mapped by id, missing ids retried alone, one repair attempt
//!   for invalid JSON, batch size fitted to the provider and halved when an
//!   answer is cut short, a [`Cache`], a [`Budget`], and an [`Estimate`] before running.
//! - [`ReceiptExtractor`]: email text -> receipt fields, with the same checks
//!   (dates the calendar has, decimal amounts, ISO currencies).
//! - [`Budget`]: one cap for a whole run, shared by enrichers and extractors;
//!   each request's worst case is held before it is sent (input counted by
//!   the provider near the limit, where it can; output in full), so the cap
//!   is not crossed.
//! - `testkit` (feature): simulators of the five APIs that check each request
//!   against the documented shape, with error injection.
//!
//! ```
//! # #[tokio::main] async fn main() -> llm_enrich::Result<()> {
//! use llm_enrich::testkit::Simulator;
//! use llm_enrich::{Direction, Enricher, ProviderKind, TransactionInput};
//! use rust_decimal::Decimal;
//!
//! let sim = Simulator::start(ProviderKind::Gemini).await; // or Anthropic::new(key, Config::new())
//! let report = Enricher::new(sim.provider())
//!     .enrich(&[TransactionInput::new("t1", "UBER *TRIP HELP.UBER.COM", Decimal::new(1320, 2), "GBP", Direction::Debit)])
//!     .await?;
//! assert_eq!(report.enrichments[0].fields.merchant, "Uber");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod answer;
mod cache;
pub mod cost;
mod error;
pub mod provider;
pub mod receipt;
mod taxonomy;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod transactions;

pub use answer::{AnswerError, Spend};
pub use cache::{Cache, CacheKey, MemoryCache};
pub use cost::{Budget, Estimate, Price, PriceTable};
pub use error::{Error, Result};
pub use provider::{
    Anthropic, Completion, CompletionRequest, Config, DeepSeek, Gemini, Limits, Ollama, OpenAi,
    Provider, ProviderKind, Usage,
};
pub use receipt::{ExtractedReceipt, Extraction, LineItem, ReceiptExtractor, ReceiptKind};
pub use taxonomy::{Category, Taxonomy};
pub use transactions::{
    Direction, EnrichReport, Enricher, Enrichment, EnrichmentFields, Failed, FailureKind,
    TransactionInput,
};

pub use secrecy::SecretString;
