//! Queries: transaction search with keyset pagination, spending sums, orders.

use serde::{Deserialize, Serialize};
use time::Date;

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// This page.
    pub items: Vec<T>,
    /// Pass to the query's `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// Which transactions, newest first. Every filter is optional.
///
/// ```
/// use spend_core::store::TransactionQuery;
/// let q = TransactionQuery::default()
///     .account("acc-1")
///     .between(time::macros::date!(2026 - 01 - 01), time::macros::date!(2026 - 03 - 31))
///     .amount_between(-5000, -100)
///     .text("tesco")
///     .limit(50);
/// assert_eq!(q.limit, 50);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionQuery {
    /// One account's (`account_id`).
    pub account: Option<String>,
    /// On or after this day.
    pub from: Option<Date>,
    /// On or before this day.
    pub to: Option<Date>,
    /// Description or merchant contains this (case-insensitive).
    pub text: Option<String>,
    /// Amount in minor units at least this (signed).
    pub min_minor: Option<i64>,
    /// Amount in minor units at most this (signed).
    pub max_minor: Option<i64>,
    /// In this currency.
    pub currency: Option<String>,
    /// In this category.
    pub category: Option<String>,
    /// With this status (`pending`, `booked`).
    pub status: Option<String>,
    /// The cursor from the previous page.
    pub after: Option<String>,
    /// Page size (default 100).
    pub limit: u32,
}

impl Default for TransactionQuery {
    fn default() -> Self {
        TransactionQuery {
            account: None,
            from: None,
            to: None,
            text: None,
            min_minor: None,
            max_minor: None,
            currency: None,
            category: None,
            status: None,
            after: None,
            limit: 100,
        }
    }
}

impl TransactionQuery {
    /// Only this account's.
    pub fn account(mut self, id: &str) -> Self {
        self.account = Some(id.to_owned());
        self
    }
    /// Only between these days (inclusive).
    pub fn between(mut self, from: Date, to: Date) -> Self {
        self.from = Some(from);
        self.to = Some(to);
        self
    }
    /// Only these whose description or merchant contains `text`.
    pub fn text(mut self, text: &str) -> Self {
        self.text = Some(text.to_owned());
        self
    }
    /// Only amounts between these minor units (inclusive, signed).
    pub fn amount_between(mut self, min: i64, max: i64) -> Self {
        self.min_minor = Some(min);
        self.max_minor = Some(max);
        self
    }
    /// Only this category.
    pub fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self
    }
    /// Only this status (`pending`, `booked`).
    pub fn status(mut self, status: &str) -> Self {
        self.status = Some(status.to_owned());
        self
    }
    /// Only this currency.
    pub fn currency(mut self, code: &str) -> Self {
        self.currency = Some(code.to_owned());
        self
    }
    /// The page after this cursor.
    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.after = cursor;
        self
    }
    /// At most this many a page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
}

/// What to group spending by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Calendar month (`2026-03`).
    Month,
    /// Category: enrichment's, else the bank's (empty when none).
    Category,
    /// Merchant: enrichment's, else the bank's, else the description.
    Merchant,
    /// Account id.
    Account,
    /// `essential`, `discretionary`, or empty when undecided.
    Essential,
    /// `in` (money in) or `out` (money out).
    Direction,
}

/// Sums of transaction amounts, grouped by one or more [`Grouping`]s (and
/// always by currency: amounts in different currencies are never added).
///
/// ```
/// use spend_core::store::{Grouping, SpendQuery};
/// let q = SpendQuery::by(&[Grouping::Month, Grouping::Category]).outgoing();
/// assert!(q.outgoing_only);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendQuery {
    /// The groupings, in order.
    pub group_by: Vec<Grouping>,
    /// On or after this day.
    pub from: Option<Date>,
    /// On or before this day.
    pub to: Option<Date>,
    /// Only money out (negative amounts).
    pub outgoing_only: bool,
    /// Only money in (positive amounts).
    #[serde(default)]
    pub incoming_only: bool,
}

impl SpendQuery {
    /// Grouped by `groups`, over everything.
    pub fn by(groups: &[Grouping]) -> Self {
        SpendQuery {
            group_by: groups.to_vec(),
            from: None,
            to: None,
            outgoing_only: false,
            incoming_only: false,
        }
    }
    /// Only between these days (inclusive).
    pub fn between(mut self, from: Date, to: Date) -> Self {
        self.from = Some(from);
        self.to = Some(to);
        self
    }
    /// Only money out.
    pub fn outgoing(mut self) -> Self {
        self.outgoing_only = true;
        self
    }
    /// Only money in.
    pub fn incoming(mut self) -> Self {
        self.incoming_only = true;
        self
    }
}

/// One group's sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpendRow {
    /// The group's values, one per grouping, in the query's order.
    pub keys: Vec<String>,
    /// The currency.
    pub currency: String,
    /// The signed sum in minor units.
    pub total_minor: i64,
    /// How many transactions.
    pub count: i64,
}

/// Which orders, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderQuery {
    /// Only this source's (`sp-api`, `amazon-business`, ...).
    pub source: Option<String>,
    /// On or after this day.
    pub from: Option<Date>,
    /// On or before this day.
    pub to: Option<Date>,
    /// At most this many (0: no limit).
    pub limit: u32,
}
