//! What enrichment adds to a transaction.

use serde::{Deserialize, Serialize};

use super::{TransactionRef, open_enum};

/// Who decided an enrichment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EnrichmentSource {
    /// A user rule.
    Rule,
    /// What a matched order or receipt said.
    Match,
    /// An LLM.
    Llm,
    /// The person, by hand.
    User,
    /// A value this version does not know.
    Other(String),
}
open_enum!(EnrichmentSource { Rule => "rule", Match => "match", Llm => "llm", User => "user" });

/// A transaction's category and merchant as enrichment decided them.
/// Natural key: the transaction (one enrichment each; a newer one replaces it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// The transaction.
    pub transaction: TransactionRef,
    /// Its category.
    pub category: Option<String>,
    /// The normalised merchant.
    pub merchant: Option<String>,
    /// Essential (true) or discretionary (false), when decided.
    pub essential: Option<bool>,
    /// Who decided.
    pub source: EnrichmentSource,
    /// How sure, 0 to 1.
    pub confidence: f64,
    /// Labels a rule or the person added (`holiday`, `work`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}
