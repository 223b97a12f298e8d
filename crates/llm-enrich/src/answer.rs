//! Getting one valid structured answer: the budget hold, the request, cost
//! accounting, and one repair attempt when the answer cannot be used.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::cost::{
    Budget, Hold, PriceTable, estimate_request_tokens, max_input_tokens, with_margin,
};
use crate::{Completion, CompletionRequest, Error, Provider, Result, Usage};

/// Requests, tokens and cost of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    /// Requests made (repairs and retries of single items included).
    pub requests: u32,
    /// Tokens used (output includes thinking tokens, which are billed as output).
    pub usage: Usage,
    /// Cost in US dollars (zero when the model's price is unknown).
    pub cost: Decimal,
}

/// Why an answer cannot be used. The repair request tells the model this;
/// when the repaired answer still has the problem it becomes
/// [`Error::InvalidAnswer`] (shape) or [`Error::InvalidField`] (a field).
///
/// ```
/// use llm_enrich::AnswerError;
/// let problem = llm_enrich::receipt::check_answer(
///     r#"{"kind": "receipt", "merchant": null, "order_ids": [], "date": "2024-02-31", "currency": null,
///         "total": null, "subtotal": null, "tax": null, "shipping": null, "discount": null,
///         "line_items": [], "payment_method": null, "original_order_id": null, "confidence": 0.9}"#,
/// ).unwrap_err();
/// assert!(matches!(problem, AnswerError::Field { ref field, .. } if field == "date"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// The text is not JSON of the schema's shape.
    #[error("{0}")]
    Shape(String),
    /// A field's value breaks a rule the schema cannot express (a calendar
    /// date, a decimal number, an ISO code).
    #[error("{field} {value:?} {reason}")]
    Field {
        /// The field, as the schema names it (`date`, `line_items[2].total`).
        field: String,
        /// The value the model gave.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Counts from a provider's count endpoint are its tokenizer's, but
/// Anthropic documents its count as an estimate that may differ slightly
/// from what the message is billed: 5% more is held.
const COUNT_MARGIN_PERMILLE: u64 = 1_050;

pub(crate) struct Answerer {
    pub provider: Arc<dyn Provider>,
    pub prices: PriceTable,
    pub budget: Option<Arc<Budget>>,
}

impl Answerer {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Answerer {
            provider,
            prices: PriceTable::default(),
            budget: None,
        }
    }

    /// The most output tokens `request` may produce.
    fn max_output(&self, request: &CompletionRequest) -> u64 {
        u64::from(
            request
                .max_output_tokens
                .min(self.provider.limits().max_output_tokens),
        )
    }

    /// Holds the worst case of `request` on the budget, or refuses it.
    ///
    /// Far from the limit, the bound of the estimate ([`max_input_tokens`])
    /// is held and nothing extra is asked. Near it, the provider's own count
    /// is asked for where it has one and held with a small margin, so a
    /// request that fits is not refused for the bound's slack; without a
    /// count the bound stands, and the limit is never crossed either way.
    async fn hold(&self, request: &CompletionRequest, estimate: u64) -> Result<Option<Hold<'_>>> {
        let Some(budget) = self.budget.as_deref() else {
            return Ok(None);
        };
        let model = self.provider.model();
        let price = self.prices.get(model).ok_or_else(|| Error::UnknownPrice {
            model: model.to_owned(),
        })?;
        let output = self.max_output(request);
        let worst = |input_tokens: u64| {
            price.cost(Usage {
                input_tokens,
                output_tokens: output,
            })
        };
        let refused = |spent: Decimal, next: Decimal| Error::BudgetExceeded {
            budget: budget.limit(),
            spent,
            next,
        };
        let bound = max_input_tokens(estimate);
        // Every output token is held whatever the count says, so when even
        // that does not fit there is no point asking for a count.
        if worst(0) > budget.remaining() {
            return Err(refused(budget.committed(), worst(bound)));
        }
        if let Ok(hold) = budget.hold(worst(bound)) {
            return Ok(Some(hold));
        }
        let input = match self.provider.count_tokens(request).await {
            Ok(Some(counted)) => with_margin(counted, COUNT_MARGIN_PERMILLE),
            Ok(None) => bound,
            Err(error) => {
                tracing::debug!(%error, "token count failed; the bound of the estimate stands");
                bound
            }
        };
        let next = worst(input);
        budget
            .hold(next)
            .map(Some)
            .map_err(|spent| refused(spent, next))
    }

    async fn send(&self, request: &CompletionRequest, spend: &mut Spend) -> Result<Completion> {
        let estimate = estimate_request_tokens(request);
        let hold = self.hold(request, estimate).await?;
        let completion = match self.provider.complete(request).await {
            Ok(completion) => completion,
            Err(error) => {
                // An answer that came but could not be used (a refusal, no
                // tool call) was billed with a usage we never saw, and one
                // we stopped waiting for may have been: the budget keeps
                // their worst case. Error answers cost nothing and release it.
                let billed = match &error {
                    Error::Refused { .. } | Error::InvalidAnswer { .. } => true,
                    Error::Http { source, .. } => timed_out(source),
                    _ => false,
                };
                if billed && let Some(hold) = hold {
                    let held = hold.amount();
                    hold.settle(held);
                    spend.requests += 1;
                    spend.cost += held;
                }
                return Err(error);
            }
        };
        spend.requests += 1;
        spend.usage += completion.usage;
        let price = self.prices.get(self.provider.model());
        let cost = match (&hold, price) {
            // Some OpenAI-compatible servers report no usage: with a budget,
            // the worst case held is the only bound there is.
            (Some(hold), _) if completion.usage == Usage::default() => {
                tracing::warn!(
                    "the provider reported no token usage; the budget counts the worst case"
                );
                hold.amount()
            }
            (_, Some(price)) => price.cost(completion.usage),
            (_, None) => Decimal::ZERO,
        };
        if let Some(hold) = hold {
            hold.settle(cost);
        }
        spend.cost += cost;
        Ok(completion)
    }

    /// Sends `request` and checks the answer with `check`. `Ok(None)` when the
    /// answer was cut short at the output limit. An answer `check` rejects gets
    /// one repair request; a second failure is [`Error::InvalidAnswer`] or,
    /// for a field, [`Error::InvalidField`].
    pub async fn answer<T>(
        &self,
        request: &CompletionRequest,
        spend: &mut Spend,
        check: impl Fn(&str) -> std::result::Result<T, AnswerError>,
    ) -> Result<Option<T>> {
        let completion = self.send(request, spend).await?;
        if completion.truncated {
            return Ok(None);
        }
        let problem = match check(&completion.content) {
            Ok(value) => return Ok(Some(value)),
            Err(problem) => problem,
        };
        tracing::debug!(%problem, "the answer cannot be used; asking for a repair");
        let repair = CompletionRequest {
            user: format!(
                "{}\n\nYour previous answer could not be used: {problem}\nPrevious answer:\n{}\n\n\
                 Answer again with JSON that follows the schema exactly.",
                request.user, completion.content
            ),
            ..request.clone()
        };
        let repaired = self.send(&repair, spend).await?;
        if repaired.truncated {
            return Ok(None);
        }
        let provider = self.provider.kind();
        check(&repaired.content)
            .map(Some)
            .map_err(|problem| match problem {
                AnswerError::Shape(detail) => Error::InvalidAnswer { provider, detail },
                AnswerError::Field {
                    field,
                    value,
                    reason,
                } => Error::InvalidField {
                    provider,
                    field,
                    value,
                    reason,
                },
            })
    }
}

/// Whether the HTTP stack stopped waiting for an answer (the provider may
/// still have produced it, and billed it).
fn timed_out(error: &spend_http::Error) -> bool {
    match error {
        spend_http::Error::Timeout(_) => true,
        spend_http::Error::RetriesExhausted { last, .. } => timed_out(last),
        spend_http::Error::Transport(error) => error.is_timeout(),
        _ => false,
    }
}
