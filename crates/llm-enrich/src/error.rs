//! Typed errors that say which provider failed and what to do.

use std::time::Duration;

use rust_decimal::Decimal;

use crate::ProviderKind;

/// Everything an LLM call or an enrichment run can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key was refused.
    #[error("{provider}: authentication failed ({message}); {hint}")]
    Auth {
        /// Which provider.
        provider: ProviderKind,
        /// The provider's message.
        message: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// The account has no credit or quota left (not a transient limit).
    #[error(
        "{provider}: quota or credit exhausted ({message}); top up or raise the limit in the provider's console"
    )]
    Quota {
        /// Which provider.
        provider: ProviderKind,
        /// The provider's message.
        message: String,
    },
    /// Still rate limited or overloaded after the retries the policy allowed.
    #[error("{provider}: rate limited or overloaded ({message}){}", retry_after.map(|d| format!("; retry after {d:?}")).unwrap_or_default())]
    RateLimited {
        /// Which provider.
        provider: ProviderKind,
        /// The provider's message.
        message: String,
        /// How long the provider asked us to wait.
        retry_after: Option<Duration>,
    },
    /// Any other error answer.
    #[error("{provider}: HTTP {status}: {message}")]
    Api {
        /// Which provider.
        provider: ProviderKind,
        /// HTTP status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The answer was not valid JSON of the expected shape, even after one repair attempt.
    #[error("{provider}: the answer does not match the schema: {detail}")]
    InvalidAnswer {
        /// Which provider.
        provider: ProviderKind,
        /// What was wrong.
        detail: String,
    },
    /// A field of the answer broke a rule (an impossible date such as
    /// `2024-02-31`, an amount that is not a number), even after one repair
    /// attempt.
    #[error("{provider}: the answer's {field} {value:?} {reason}")]
    InvalidField {
        /// Which provider.
        provider: ProviderKind,
        /// The field, as the schema names it (`date`, `line_items[2].total`).
        field: String,
        /// The value the model gave.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The model refused to answer.
    #[error("{provider}: the model refused: {reason}")]
    Refused {
        /// Which provider.
        provider: ProviderKind,
        /// The refusal text.
        reason: String,
    },
    /// The next request would take the run past its budget; nothing was sent.
    #[error(
        "budget of {budget} would be exceeded: spent {spent}, the next request may cost up to {next}"
    )]
    BudgetExceeded {
        /// The run's budget.
        budget: Decimal,
        /// Spent so far, with the worst case of requests still in flight.
        spent: Decimal,
        /// The next request's worst-case cost.
        next: Decimal,
    },
    /// A budget is set but the model's price is unknown, so the cost cannot be bounded.
    #[error("no price for model {model}: add it to the price table to run with a budget")]
    UnknownPrice {
        /// The model.
        model: String,
    },
    /// The HTTP stack failed below the provider's answer (transport, timeout).
    #[error("{provider}: {source}")]
    Http {
        /// Which provider.
        provider: ProviderKind,
        /// The stack's error.
        #[source]
        source: spend_http::Error,
    },
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
