//! Getting one valid structured answer: the budget check, the request, cost
//! accounting, and one repair attempt when the answer is not valid JSON of the schema.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::cost::{PriceTable, estimate_tokens};
use crate::{CompletionRequest, Error, Provider, Result, Usage};

/// Requests, tokens and cost of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    /// Requests made (repairs and retries of single items included).
    pub requests: u32,
    /// Tokens used.
    pub usage: Usage,
    /// Cost in US dollars (zero when the model's price is unknown).
    pub cost: Decimal,
}

pub(crate) struct Answerer {
    pub provider: Arc<dyn Provider>,
    pub prices: PriceTable,
    pub budget: Option<Decimal>,
}

impl Answerer {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Answerer {
            provider,
            prices: PriceTable::default(),
            budget: None,
        }
    }

    fn check_budget(&self, request: &CompletionRequest, spend: &Spend) -> Result<()> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let model = self.provider.model();
        let price = self.prices.get(model).ok_or_else(|| Error::UnknownPrice {
            model: model.to_owned(),
        })?;
        let input = estimate_tokens(&request.system)
            + estimate_tokens(&request.user)
            + estimate_tokens(&request.schema.to_string());
        let output = u64::from(
            request
                .max_output_tokens
                .min(self.provider.limits().max_output_tokens),
        );
        let next = price.cost(Usage {
            input_tokens: input,
            output_tokens: output,
        });
        if spend.cost + next > budget {
            return Err(Error::BudgetExceeded {
                budget,
                spent: spend.cost,
                next,
            });
        }
        Ok(())
    }

    async fn send(
        &self,
        request: &CompletionRequest,
        spend: &mut Spend,
    ) -> Result<crate::Completion> {
        self.check_budget(request, spend)?;
        let completion = self.provider.complete(request).await?;
        spend.requests += 1;
        spend.usage += completion.usage;
        if let Some(price) = self.prices.get(self.provider.model()) {
            spend.cost += price.cost(completion.usage);
        }
        Ok(completion)
    }

    /// Sends `request` and checks the answer with `check`. `Ok(None)` when the
    /// answer was cut short at the output limit. An answer `check` rejects gets
    /// one repair request; a second failure is [`Error::InvalidAnswer`].
    pub async fn answer<T>(
        &self,
        request: &CompletionRequest,
        spend: &mut Spend,
        check: impl Fn(&str) -> std::result::Result<T, String>,
    ) -> Result<Option<T>> {
        let completion = self.send(request, spend).await?;
        if completion.truncated {
            return Ok(None);
        }
        let problem = match check(&completion.content) {
            Ok(value) => return Ok(Some(value)),
            Err(problem) => problem,
        };
        tracing::debug!(%problem, "answer does not match the schema; asking for a repair");
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
        check(&repaired.content)
            .map(Some)
            .map_err(|detail| Error::InvalidAnswer {
                provider: self.provider.kind(),
                detail,
            })
    }
}
