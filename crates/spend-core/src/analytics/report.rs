//! The report: where the money went over a period, in one currency.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::huququllah::{HuquqCalculation, HuquqInputs, huququllah};
use super::recurring::Recurring;
use super::{AnalyticsError, Period};
use crate::store::{Grouping, SpendQuery, SpendRow, UserStore};

/// Categories that are not spending: money in, and money moved between
/// one's own accounts.
const INCOME: &str = "Income";
const TRANSFERS: &str = "Transfers";
/// How a transaction without a category is shown.
pub const UNCATEGORISED: &str = "Uncategorised";

/// What to report on.
///
/// ```
/// use spend_core::analytics::{Period, ReportOptions};
/// let today = time::macros::date!(2026 - 12 - 03);
/// let options = ReportOptions::new(Period::last_12_months(today)).currency("GBP").top_merchants(5);
/// assert_eq!(options.top_merchants, 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The days covered.
    pub period: Period,
    /// The currency (default: the one with the most transactions in the period).
    pub currency: Option<String>,
    /// How many merchants to list (default 10).
    pub top_merchants: usize,
    /// Huqúqu'lláh inputs; without them it is not calculated.
    pub huquq: Option<HuquqInputs>,
}

impl ReportOptions {
    /// A report over `period`.
    pub fn new(period: Period) -> Self {
        ReportOptions {
            period,
            currency: None,
            top_merchants: 10,
            huquq: None,
        }
    }
    /// Only this currency's transactions.
    pub fn currency(mut self, code: &str) -> Self {
        self.currency = Some(code.to_uppercase());
        self
    }
    /// List this many merchants.
    pub fn top_merchants(mut self, n: usize) -> Self {
        self.top_merchants = n;
        self
    }
    /// Calculate Huqúqu'lláh with these inputs.
    pub fn huquq(mut self, inputs: HuquqInputs) -> Self {
        self.huquq = Some(inputs);
        self
    }
}

/// One category's spending: per month (in the period's order) and in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategorySpend {
    /// The category.
    pub category: String,
    /// Spending per month (refunds deducted), positive minor units.
    pub by_month: Vec<i64>,
    /// The period's total.
    pub total: i64,
}

/// A merchant's spending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantSpend {
    /// The merchant.
    pub merchant: String,
    /// Spending, positive minor units.
    pub total: i64,
    /// Payments.
    pub count: i64,
}

/// An account's money in and out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountFlow {
    /// The account id.
    pub account: String,
    /// Money in, positive minor units.
    pub money_in: i64,
    /// Money out, positive minor units.
    pub money_out: i64,
}

/// A month's essential and discretionary spending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EssentialMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Spending marked essential.
    pub essential: i64,
    /// Spending marked discretionary.
    pub discretionary: i64,
    /// Spending not marked either way.
    pub unclassified: i64,
}

/// A month's income and spending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncomeMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Money in categorised as income (or not categorised).
    pub income: i64,
    /// Spending (refunds deducted).
    pub spending: i64,
}

/// A category's last whole month against the month before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The category.
    pub category: String,
    /// The month compared (`YYYY-MM`): the period's last whole month.
    pub month: String,
    /// The period's last month's spending.
    pub last: i64,
    /// The month before's.
    pub previous: i64,
    /// `last - previous`.
    pub change: i64,
    /// The change in percent of `previous` (none when `previous` is zero).
    pub change_percent: Option<f64>,
}

/// A recurring payment as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecurringLine {
    /// Who is paid.
    pub merchant: String,
    /// `weekly`, `monthly`, `quarterly`, `yearly`.
    pub cadence: String,
    /// The typical amount.
    pub amount: i64,
    /// Its cost over an average month.
    pub monthly_equivalent: i64,
    /// Payments seen.
    pub count: usize,
    /// The last payment's day.
    pub last_date: Option<String>,
    /// When the next is expected.
    pub next_date: Option<String>,
    /// `detected`, `standing_order` or `direct_debit`.
    pub source: String,
}

impl From<&Recurring> for RecurringLine {
    fn from(r: &Recurring) -> Self {
        RecurringLine {
            merchant: r.merchant.clone(),
            cadence: r.cadence.as_str().to_owned(),
            amount: r.amount,
            monthly_equivalent: r.cadence.monthly_equivalent(r.amount),
            count: r.count,
            last_date: r.last_date.map(crate::store::format_date),
            next_date: r.next_date.map(crate::store::format_date),
            source: r.source.clone(),
        }
    }
}

/// Where the money went over a period, in one currency. Amounts are minor
/// units; spending is positive. Serialises to the JSON the HTML report draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// A title for people.
    pub title: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// The currency.
    pub currency: String,
    /// Its exponent (2 for GBP).
    pub exponent: u8,
    /// Other currencies with transactions in the period (reported apart).
    pub other_currencies: Vec<String>,
    /// The months covered, `YYYY-MM`.
    pub months: Vec<String>,
    /// Total spending.
    pub spending: i64,
    /// Total income.
    pub income: i64,
    /// Spending by category, largest first.
    pub categories: Vec<CategorySpend>,
    /// The largest merchants.
    pub top_merchants: Vec<MerchantSpend>,
    /// Money in and out per account.
    pub accounts: Vec<AccountFlow>,
    /// Essential and discretionary spending per month.
    pub essential_by_month: Vec<EssentialMonth>,
    /// Income and spending per month.
    pub income_spending: Vec<IncomeMonth>,
    /// Each category's last month against the one before.
    pub trends: Vec<Trend>,
    /// Recurring payments.
    pub recurring: Vec<RecurringLine>,
    /// Huqúqu'lláh, when its inputs were given.
    pub huququllah: Option<HuquqCalculation>,
}

impl Report {
    /// Builds the report from the store: three grouped sums in SQL, and the
    /// transactions of the period and the year before it for recurring payments.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use spend_core::analytics::{Period, Report, ReportOptions};
    /// use spend_core::model::{Money, Transaction};
    /// use spend_core::store::{Batch, SqliteStore, Store};
    /// use time::macros::date;
    /// let store = SqliteStore::in_memory().await?;
    /// let me = store.user(store.ensure_user("me").await?);
    /// me.write(Batch::default().transactions(vec![
    ///     Transaction::new("truelayer", "acc-1", "t1", date!(2026 - 03 - 02), Money::parse("-34.50", "GBP")?, "TESCO STORES 2041"),
    ///     Transaction::new("truelayer", "acc-1", "t2", date!(2026 - 03 - 25), Money::parse("3200.00", "GBP")?, "ACME LTD SALARY"),
    /// ])).await?;
    /// let report = Report::build(me.as_ref(), &ReportOptions::new(Period::parse("2026-03", date!(2026 - 12 - 03))?)).await?;
    /// assert_eq!((report.spending, report.income), (3450, 320_000));
    /// # Ok(()) }
    /// ```
    pub async fn build(
        user: &dyn UserStore,
        options: &ReportOptions,
    ) -> Result<Report, AnalyticsError> {
        let period = options.period;
        let months = period.months();
        // Money out and money in apart: each sum then reads the report index
        // in its own order, with no sort.
        let by = SpendQuery::by(&[Grouping::Month, Grouping::Category, Grouping::Essential])
            .between(period.from, period.to);
        let mut rows = Vec::new();
        for (query, direction) in [(by.clone().outgoing(), "out"), (by.incoming(), "in")] {
            for mut row in user.spend(&query).await? {
                row.keys.push(direction.to_owned());
                rows.push(row);
            }
        }
        let currency = match &options.currency {
            Some(c) => c.clone(),
            None => main_currency(&rows).unwrap_or_else(|| "GBP".to_owned()),
        };
        let mut others: Vec<String> = rows
            .iter()
            .map(|r| r.currency.clone())
            .filter(|c| *c != currency)
            .collect();
        others.sort();
        others.dedup();
        let exponent = crate::model::Currency::new(&currency)
            .map_err(|e| AnalyticsError::Input(e.to_string()))?
            .exponent();
        let month_index: HashMap<&str, usize> = months
            .iter()
            .enumerate()
            .map(|(i, m)| (m.as_str(), i))
            .collect();

        let mut by_category: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut essential: Vec<EssentialMonth> = months
            .iter()
            .map(|m| EssentialMonth {
                month: m.clone(),
                essential: 0,
                discretionary: 0,
                unclassified: 0,
            })
            .collect();
        let mut flow: Vec<IncomeMonth> = months
            .iter()
            .map(|m| IncomeMonth {
                month: m.clone(),
                income: 0,
                spending: 0,
            })
            .collect();
        for row in rows.iter().filter(|r| r.currency == currency) {
            let [month, category, class, direction] = &row.keys[..] else {
                continue;
            };
            let Some(&i) = month_index.get(month.as_str()) else {
                continue;
            };
            match kind(category, direction) {
                Kind::Transfer => {}
                Kind::Income => flow[i].income += row.total_minor,
                Kind::Spending => {
                    let spent = -row.total_minor;
                    flow[i].spending += spent;
                    let name = if category.is_empty() {
                        UNCATEGORISED
                    } else {
                        category.as_str()
                    };
                    by_category
                        .entry(name.to_owned())
                        .or_insert_with(|| vec![0; months.len()])[i] += spent;
                    let e = &mut essential[i];
                    match class.as_str() {
                        "essential" => e.essential += spent,
                        "discretionary" => e.discretionary += spent,
                        _ => e.unclassified += spent,
                    }
                }
            }
        }
        let mut categories: Vec<CategorySpend> = by_category
            .into_iter()
            .map(|(category, by_month)| CategorySpend {
                total: by_month.iter().sum(),
                category,
                by_month,
            })
            .filter(|c| c.by_month.iter().any(|v| *v != 0))
            .collect();
        categories.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| a.category.cmp(&b.category))
        });
        // A month the period ends inside of is not compared: it is not over.
        let ends_a_month = (period.to + time::Duration::days(1)).day() == 1;
        let whole = months.len() - usize::from(!ends_a_month);
        let trends = trends(&categories, &months, whole);

        let merchants = user
            .spend(
                &SpendQuery::by(&[Grouping::Merchant, Grouping::Category, Grouping::Direction])
                    .between(period.from, period.to),
            )
            .await?;
        let mut by_merchant: HashMap<String, (i64, i64)> = HashMap::new();
        for row in merchants.iter().filter(|r| r.currency == currency) {
            if let [merchant, category, direction] = &row.keys[..]
                && kind(category, direction) == Kind::Spending
            {
                let entry = by_merchant.entry(merchant.clone()).or_default();
                entry.0 -= row.total_minor;
                entry.1 += if direction == "out" { row.count } else { 0 };
            }
        }
        let mut top_merchants: Vec<MerchantSpend> = by_merchant
            .into_iter()
            .map(|(merchant, (total, count))| MerchantSpend {
                merchant,
                total,
                count,
            })
            .filter(|m| m.total > 0)
            .collect();
        top_merchants.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| a.merchant.cmp(&b.merchant))
        });
        top_merchants.truncate(options.top_merchants);

        let account_rows = user
            .spend(
                &SpendQuery::by(&[Grouping::Account, Grouping::Direction])
                    .between(period.from, period.to),
            )
            .await?;
        let mut accounts: BTreeMap<String, AccountFlow> = BTreeMap::new();
        for row in account_rows.iter().filter(|r| r.currency == currency) {
            if let [account, direction] = &row.keys[..] {
                let a = accounts
                    .entry(account.clone())
                    .or_insert_with(|| AccountFlow {
                        account: account.clone(),
                        money_in: 0,
                        money_out: 0,
                    });
                if direction == "in" {
                    a.money_in += row.total_minor;
                } else {
                    a.money_out -= row.total_minor;
                }
            }
        }

        let recurring = recurring_in(user, &period, &currency).await?;
        let income: i64 = flow.iter().map(|m| m.income).sum();
        let spending: i64 = flow.iter().map(|m| m.spending).sum();
        let report = Report {
            title: format!("Spending {} to {}", period.from, period.to),
            from: crate::store::format_date(period.from),
            to: crate::store::format_date(period.to),
            currency,
            exponent,
            other_currencies: others,
            months,
            spending,
            income,
            categories,
            top_merchants,
            accounts: accounts.into_values().collect(),
            essential_by_month: essential,
            income_spending: flow,
            trends,
            recurring,
            huququllah: None,
        };
        match &options.huquq {
            Some(inputs) => report.with_huquq(inputs),
            None => Ok(report),
        }
    }

    /// Adds the Huqúqu'lláh calculation on this report's income and
    /// essential spending (amounts in `inputs` in this report's currency).
    pub fn with_huquq(mut self, inputs: &HuquqInputs) -> Result<Report, AnalyticsError> {
        let necessary: i64 = self.essential_by_month.iter().map(|m| m.essential).sum();
        self.huququllah = Some(huququllah(self.income.max(0), necessary.max(0), inputs)?);
        Ok(self)
    }

    /// The report as one self-contained HTML file (styles and scripts
    /// inline, nothing fetched) whose charts draw in any browser.
    pub fn to_html(&self) -> String {
        super::html::render(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Income,
    Spending,
    Transfer,
}

/// Income is money in categorised as income, or not categorised at all;
/// money in under a spending category is a refund, which lowers that
/// category's spending.
fn kind(category: &str, direction: &str) -> Kind {
    match (category, direction) {
        (TRANSFERS, _) => Kind::Transfer,
        (INCOME, _) | ("", "in") => Kind::Income,
        _ => Kind::Spending,
    }
}

fn main_currency(rows: &[SpendRow]) -> Option<String> {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for r in rows {
        *counts.entry(r.currency.as_str()).or_default() += r.count;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(c, _)| c.to_owned())
}

/// Each category's month `whole - 1` against the month before it.
fn trends(categories: &[CategorySpend], months: &[String], whole: usize) -> Vec<Trend> {
    if whole < 2 {
        return Vec::new();
    }
    let mut out: Vec<Trend> = categories
        .iter()
        .filter(|c| whole <= c.by_month.len())
        .map(|c| {
            let (last, previous) = (c.by_month[whole - 1], c.by_month[whole - 2]);
            Trend {
                category: c.category.clone(),
                month: months[whole - 1].clone(),
                last,
                previous,
                change: last - previous,
                change_percent: (previous != 0)
                    .then(|| 100.0 * (last - previous) as f64 / previous as f64),
            }
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.change.abs()));
    out
}

/// Recurring payments seen up to the period's end (looking a year before
/// its start, so a quarterly payment is found), in `currency`. Candidates
/// come from a monthly count per merchant in SQL (seen in three months or
/// more, never more than six times in a month), so only their payments are read.
async fn recurring_in(
    user: &dyn UserStore,
    period: &Period,
    currency: &str,
) -> Result<Vec<RecurringLine>, AnalyticsError> {
    let since = period.from - time::Duration::days(366);
    let monthly = user
        .spend(
            &SpendQuery::by(&[Grouping::Merchant, Grouping::Month])
                .between(since, period.to)
                .outgoing(),
        )
        .await?;
    let mut seen: HashMap<&str, (usize, i64)> = HashMap::new();
    for row in monthly.iter().filter(|r| r.currency == currency) {
        let entry = seen.entry(row.keys[0].as_str()).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(row.count);
    }
    let mut candidates: Vec<String> = seen
        .into_iter()
        .filter(|(_, (months, most))| *months >= 3 && *most <= 6)
        .map(|(name, _)| name.to_owned())
        .collect();
    candidates.sort();
    let payments = user.payments_to(&candidates, since, period.to).await?;
    let mandates = user.mandates().await?;
    Ok(super::recurring::recurring_among(
        payments
            .iter()
            .filter(|(_, t)| t.amount.currency().code() == currency)
            .map(|(name, t)| (name.clone(), t)),
        &mandates,
    )
    .iter()
    .filter(|r| r.currency == currency)
    .map(RecurringLine::from)
    .collect())
}
