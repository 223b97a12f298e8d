//! The matcher's parameters: the parts' weights and the two thresholds.
//! How the thresholds were calibrated is in the [module docs](super).

use serde::Serialize;

/// Weights and thresholds.
///
/// ```
/// use spend_core::matching::MatchParams;
/// let strict = MatchParams { automatic: 0.95, ..MatchParams::default() };
/// assert!(strict.automatic > strict.suggest);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MatchParams {
    /// Weight of the amount part.
    pub weight_amount: f64,
    /// Weight of the date part.
    pub weight_date: f64,
    /// Weight of the merchant part.
    pub weight_merchant: f64,
    /// Weight of the currency part.
    pub weight_currency: f64,
    /// Weight of the reference part (a bonus: the total is capped at 1).
    pub weight_reference: f64,
    /// A pair scoring at least this is suggested.
    pub suggest: f64,
    /// A pair scoring at least this, with no rival within `margin`, is made automatically.
    pub automatic: f64,
    /// The tie gate: a rival within this of the winner leaves it a suggestion.
    pub margin: f64,
    /// The merchant part an automatic match needs (unless a reference matched).
    pub automatic_merchant: f64,
}

impl Default for MatchParams {
    /// The calibrated defaults (see the module docs).
    fn default() -> Self {
        MatchParams {
            weight_amount: 0.4,
            weight_date: 0.2,
            weight_merchant: 0.3,
            weight_currency: 0.1,
            weight_reference: 0.15,
            suggest: 0.6,
            automatic: 0.8,
            margin: 0.05,
            automatic_merchant: 0.85,
        }
    }
}
