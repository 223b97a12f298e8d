//! Analytics: where the money went. Spending by period, category, merchant
//! and account; income against spending; month-over-month trends; recurring
//! payments with their next date and amount; essential against discretionary;
//! and Huqúqu'lláh, calculated exactly and shown line by line.
//!
//! The sums run in SQL in the store ([`UserStore::spend`](crate::store::UserStore::spend)),
//! grouped by what enrichment decided ([`crate::enrich`]); a [`Report`]
//! gathers them for a period and one currency, serialises to JSON and renders
//! as a self-contained HTML page with charts ([`Report::to_html`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use spend_core::analytics::{HuquqInputs, Period, Report, ReportOptions};
//! use spend_core::store::{SqliteStore, Store};
//! let store = SqliteStore::in_memory().await?;
//! let me = store.user(store.ensure_user("me").await?);
//! let today = time::macros::date!(2026 - 12 - 03);
//! let options = ReportOptions::new(Period::last_12_months(today))
//!     .huquq(HuquqInputs { gold_price_per_gram: 10_500, ..Default::default() });
//! let report = Report::build(me.as_ref(), &options).await?;
//! assert_eq!(report.months.len(), 13); // December 2025 (from the 4th) to December 2026
//! assert!(report.to_html().contains("<svg") || report.to_html().contains("spend-data"));
//! # Ok(()) }
//! ```

mod html;
mod huququllah;
mod period;
mod recurring;
mod report;

pub use huququllah::{HuquqCalculation, HuquqInputs, HuquqLine, UNIT_CENTIGRAMS, huququllah};
pub use period::Period;
pub use recurring::{Cadence, Recurring, recurring_payments};
pub use report::{
    AccountFlow, CategorySpend, EssentialMonth, IncomeMonth, MerchantSpend, RecurringLine, Report,
    ReportOptions, Trend, UNCATEGORISED,
};

use crate::store::StoreError;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A period that cannot be read.
    #[error(
        "not a period: {0:?} (use YYYY, YYYY-MM, YYYY-Qn, FROM..TO, last-12-months, this-year or last-year)"
    )]
    Period(String),
    /// An input that cannot be used.
    #[error("{0}")]
    Input(String),
}
