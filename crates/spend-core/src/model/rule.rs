//! A person's categorisation rules.

use serde::{Deserialize, Serialize};

/// Money in or money out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Money in (a positive amount: income, refunds).
    In,
    /// Money out (a negative amount).
    Out,
}

/// One rule: when a transaction fits [`Rule::when`], enrichment sets what
/// [`Rule::then`] says, before any match or LLM is consulted. Natural key:
/// its id. Rules apply in order; the first that fits decides.
///
/// ```
/// use spend_core::model::{Direction, Rule, RuleAction, RuleCondition};
/// let rule = Rule {
///     id: "rent".into(),
///     when: RuleCondition { description: Some("LANDLORD".into()), direction: Some(Direction::Out), ..Default::default() },
///     then: RuleAction { category: Some("Housing".into()), essential: Some(true), ..Default::default() },
/// };
/// assert_eq!(rule.then.category.as_deref(), Some("Housing"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's name, unique per user.
    pub id: String,
    /// What a transaction must look like (every condition given must hold).
    pub when: RuleCondition,
    /// What the rule decides.
    pub then: RuleAction,
}

/// A rule's conditions; the ones left `None` do not constrain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCondition {
    /// The bank's description contains this (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The merchant (the normalised name enrichment gives, or the bank's)
    /// is this (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    /// The amount's size (ignoring its sign) is at least this, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_minor: Option<i64>,
    /// The amount's size (ignoring its sign) is at most this, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_minor: Option<i64>,
    /// On this account (`account_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Money in or out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

/// What a rule sets; the fields left empty are left to later stages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAction {
    /// The category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The merchant's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    /// Essential (true) or discretionary (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    /// Tags to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}
