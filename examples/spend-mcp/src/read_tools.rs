//! The tools that only read: search, summaries, reports, matches, status and
//! why a message was or was not read as a receipt.

use std::collections::HashMap;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::tool;
use rmcp::tool_router;
use rust_decimal::Decimal;
use spend_core::analytics::{HuquqInputs, Period, Report, ReportOptions};
use spend_core::jobs::{JobFilter, JobQueue, JobState};
use spend_core::model::{Money, Transaction, TransactionRef};
use spend_core::store::{Grouping, OrderQuery, SpendQuery, TransactionQuery};

use crate::server::{SpendMcp, document_uri, email_uri};
use crate::types::*;

/// Tool failures are results a person can act on (`isError`) in these
/// words: every tool returns `Result<Json<T>, String>` (spelled out, so the
/// macro sees `Json` and declares the output schema).
pub(crate) fn failed(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

pub(crate) fn day(text: &str, field: &str) -> Result<time::Date, String> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("{field} must be a day as YYYY-MM-DD, not {text:?}"))
}

pub(crate) fn period(text: Option<&str>) -> Result<Period, String> {
    Period::parse(text.unwrap_or("last-12-months"), today()).map_err(failed)
}

fn limit(asked: Option<u32>) -> Result<usize, String> {
    match asked.unwrap_or(50) {
        n @ 1..=200 => Ok(n as usize),
        n => Err(format!("limit must be 1 to 200, not {n}")),
    }
}

/// Minor units from a signed decimal in major units (two decimals).
fn minor_of(amount: f64, field: &str) -> Result<i64, String> {
    let value = Decimal::try_from(amount).map_err(|_| format!("{field} is not an amount"))?;
    let scaled = (value * Decimal::ONE_HUNDRED).round();
    i64::try_from(scaled).map_err(|_| format!("{field} is too large"))
}

fn money_text(minor: i64, currency: &str) -> String {
    match spend_core::model::Currency::new(currency) {
        Ok(c) => Money::new(minor, c).to_decimal().to_string(),
        Err(_) => minor.to_string(),
    }
}

impl SpendMcp {
    /// The store's job queue, opened once (a store that keeps no jobs says so).
    pub(crate) async fn job_queue(&self) -> Result<&JobQueue, String> {
        self.jobs
            .get_or_try_init(|| JobQueue::open(self.spend.store.as_ref()))
            .await
            .map_err(failed)
    }

    /// Transactions with what enrichment decided and what they paid for.
    async fn shown(&self, items: Vec<Transaction>) -> Result<Vec<TransactionOut>, String> {
        let user = self.spend.user.as_ref();
        let enriched: HashMap<TransactionRef, _> = user
            .enrichments()
            .await
            .map_err(failed)?
            .into_iter()
            .map(|e| (e.transaction.clone(), e))
            .collect();
        let mut paid_for = spend_core::matching::paid_for(user).await.map_err(failed)?;
        Ok(items
            .into_iter()
            .map(|t| {
                let key = t.key();
                let e = enriched.get(&key);
                TransactionOut {
                    id: t.id.clone(),
                    account_id: t.account_id.clone(),
                    source: t.source.clone(),
                    date: t.date.to_string(),
                    amount: t.amount.to_decimal().to_string(),
                    currency: t.amount.currency().code().to_owned(),
                    description: t.description.clone(),
                    merchant: e.and_then(|e| e.merchant.clone()).or(t.merchant.clone()),
                    category: e.and_then(|e| e.category.clone()).or(t.category.clone()),
                    essential: e.and_then(|e| e.essential),
                    categorised_by: e.map(|e| e.source.as_str().to_owned()),
                    status: t.status.to_string(),
                    paid_for: paid_for.remove(&key).unwrap_or_default(),
                }
            })
            .collect())
    }

    async fn build_report(&self, args: &ReportArgs) -> Result<Report, String> {
        let mut options = ReportOptions::new(period(args.period.as_deref())?);
        if let Some(c) = &args.currency {
            options = options.currency(c);
        }
        let report = Report::build(self.spend.user.as_ref(), &options)
            .await
            .map_err(failed)?;
        match &args.gold_price_per_gram {
            None => Ok(report),
            Some(price) => {
                let e = report.exponent;
                let optional = |v: &Option<String>, field| {
                    v.as_deref()
                        .map_or(Ok(0), |v| HuquqInputs::amount(field, v, e))
                        .map_err(failed)
                };
                let inputs = HuquqInputs {
                    gold_price_per_gram: HuquqInputs::amount("gold_price_per_gram", price, e)
                        .map_err(failed)?,
                    exempt: optional(&args.exempt, "exempt")?,
                    paid: optional(&args.paid, "paid")?,
                    carried_in: optional(&args.carried_in, "carried_in")?,
                };
                report.with_huquq(&inputs).map_err(failed)
            }
        }
    }
}

#[tool_router(router = read_tools, vis = "pub(crate)")]
impl SpendMcp {
    /// Search transactions by text, dates, amount, category and account, newest first, with each one's category, merchant and what it paid for. Pages with `cursor`.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn search_transactions(
        &self,
        Parameters(args): Parameters<SearchTransactions>,
    ) -> Result<Json<TransactionPage>, String> {
        let mut query = TransactionQuery::default().limit(limit(args.limit)? as u32);
        query.text = args.text.filter(|t| !t.trim().is_empty());
        query.from = args.from.as_deref().map(|d| day(d, "from")).transpose()?;
        query.to = args.to.as_deref().map(|d| day(d, "to")).transpose()?;
        query.min_minor = args
            .min_amount
            .map(|a| minor_of(a, "min_amount"))
            .transpose()?;
        query.max_minor = args
            .max_amount
            .map(|a| minor_of(a, "max_amount"))
            .transpose()?;
        query.category = args.category;
        query.account = args.account;
        query.after = args.cursor;
        let page = self.spend.user.transactions(&query).await.map_err(failed)?;
        Ok(Json(TransactionPage {
            items: self.shown(page.items).await?,
            next_cursor: page.next,
        }))
    }

    /// Search orders (Amazon SP-API, Amazon Business) by text in the merchant or items, source and dates, with items, shipments and charges.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn search_orders(
        &self,
        Parameters(args): Parameters<SearchOrders>,
    ) -> Result<Json<Orders>, String> {
        let n = limit(args.limit)?;
        let query = OrderQuery {
            source: args.source,
            from: args.from.as_deref().map(|d| day(d, "from")).transpose()?,
            to: args.to.as_deref().map(|d| day(d, "to")).transpose()?,
            limit: 0,
        };
        let text = args.text.map(|t| t.to_lowercase());
        let found: Vec<_> = self
            .spend
            .user
            .orders(&query)
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|o| {
                text.as_ref().is_none_or(|t| {
                    o.merchant.to_lowercase().contains(t)
                        || o.id.to_lowercase().contains(t)
                        || o.items.iter().any(|i| i.title.to_lowercase().contains(t))
                })
            })
            .collect();
        let total = found.len();
        let items = found
            .into_iter()
            .take(n)
            .map(|mut o| {
                o.raw = None;
                serde_json::to_value(o).map_err(failed)
            })
            .collect::<Result<_, _>>()?;
        Ok(Json(Orders { items, total }))
    }

    /// Search receipts read from email by merchant, vendor or order id, and kind (receipt, refund, shipping, cancellation).
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn search_receipts(
        &self,
        Parameters(args): Parameters<SearchReceipts>,
    ) -> Result<Json<Receipts>, String> {
        let n = limit(args.limit)?;
        let text = args.text.map(|t| t.to_lowercase());
        let found: Vec<_> = self
            .spend
            .user
            .receipts(args.kind.as_deref())
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|r| {
                text.as_ref().is_none_or(|t| {
                    [r.merchant.as_deref(), r.vendor.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|m| m.to_lowercase().contains(t))
                        || r.order_ids.iter().any(|o| o.to_lowercase().contains(t))
                })
            })
            .collect();
        let total = found.len();
        let items = found
            .into_iter()
            .take(n)
            .map(|r| {
                let mut v = serde_json::to_value(&r).map_err(failed)?;
                v["resource"] = serde_json::json!(email_uri(&r.mailbox, &r.message_id));
                Ok::<_, String>(v)
            })
            .collect::<Result<_, _>>()?;
        Ok(Json(Receipts { items, total }))
    }

    /// List stored documents (PDF invoices and other attachments), of one message or by file name; each has a resource URI to read it.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn search_documents(
        &self,
        Parameters(args): Parameters<SearchDocuments>,
    ) -> Result<Json<Documents>, String> {
        let text = args.text.map(|t| t.to_lowercase());
        let items = self
            .spend
            .user
            .documents(None)
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|d| {
                args.message_id.as_ref().is_none_or(|m| {
                    d.message_id.trim_matches(['<', '>']) == m.trim_matches(['<', '>'])
                })
            })
            .filter(|d| {
                text.as_ref().is_none_or(|t| {
                    d.filename
                        .as_deref()
                        .unwrap_or(&d.name)
                        .to_lowercase()
                        .contains(t)
                })
            })
            .take(200)
            .map(|d| {
                let mut v = serde_json::to_value(&d).map_err(failed)?;
                v["resource"] = serde_json::json!(document_uri(&d.sha256));
                Ok::<_, String>(v)
            })
            .collect::<Result<_, _>>()?;
        Ok(Json(Documents { items }))
    }

    /// Spending and income summed in SQL over a period, grouped by month, category, merchant, account, essential or direction (currencies apart).
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn spending_summary(
        &self,
        Parameters(args): Parameters<SpendingSummary>,
    ) -> Result<Json<Summary>, String> {
        let period = period(args.period.as_deref())?;
        let groups = args
            .group_by
            .iter()
            .map(|g| match g.as_str() {
                "month" => Ok(Grouping::Month),
                "category" => Ok(Grouping::Category),
                "merchant" => Ok(Grouping::Merchant),
                "account" => Ok(Grouping::Account),
                "essential" => Ok(Grouping::Essential),
                "direction" => Ok(Grouping::Direction),
                other => Err(format!(
                    "group_by: {other:?} is not one of month, category, merchant, account, essential, direction"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if groups.is_empty() {
            return Err("group_by needs at least one of month, category, merchant, account, essential, direction".into());
        }
        let mut query = SpendQuery::by(&groups).between(period.from, period.to);
        query.outgoing_only = args.outgoing_only;
        let rows = self.spend.user.spend(&query).await.map_err(failed)?;
        Ok(Json(Summary {
            from: period.from.to_string(),
            to: period.to.to_string(),
            rows: rows
                .into_iter()
                .map(|r| SummaryRow {
                    total: money_text(r.total_minor, &r.currency),
                    keys: r.keys,
                    currency: r.currency,
                    count: r.count,
                })
                .collect(),
        }))
    }

    /// The whole report for a period: spending by category per month, top merchants, accounts, essential vs discretionary, income vs spending, trends, recurring payments, and Huqúqu'lláh when a gold price is given. Amounts in minor units.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn report(
        &self,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<Json<Document>, String> {
        let report = self.build_report(&args).await?;
        Ok(Json(Document {
            currency: Some(report.currency.clone()),
            data: serde_json::to_value(&report).map_err(failed)?,
        }))
    }

    /// Recurring payments (subscriptions and bills found in the transactions, and the bank's standing orders and direct debits) with their next expected date and amount.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn recurring_payments(
        &self,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<Json<Document>, String> {
        let report = self.build_report(&args).await?;
        Ok(Json(Document {
            currency: Some(report.currency.clone()),
            data: serde_json::to_value(&report.recurring).map_err(failed)?,
        }))
    }

    /// Essential and discretionary spending per month over a period.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn essential_vs_discretionary(
        &self,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<Json<Document>, String> {
        let report = self.build_report(&args).await?;
        Ok(Json(Document {
            currency: Some(report.currency.clone()),
            data: serde_json::to_value(&report.essential_by_month).map_err(failed)?,
        }))
    }

    /// Huqúqu'lláh for a period, line by line: 19% of the increase in wealth (income less necessary expenses and exempt purchases) in whole units of 19 mithqáls of gold. Needs gold_price_per_gram.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn huququllah(
        &self,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<Json<Document>, String> {
        if args.gold_price_per_gram.is_none() {
            return Err("gold_price_per_gram is needed: the price of one gram of gold in the report's currency".into());
        }
        let report = self.build_report(&args).await?;
        Ok(Json(Document {
            currency: Some(report.currency.clone()),
            data: serde_json::to_value(&report.huququllah).map_err(failed)?,
        }))
    }

    /// Matches between charges and orders, receipts or purchases, with each part's score and why it won over the runner-up. Filter by state; pages with `cursor`.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn list_matches(
        &self,
        Parameters(args): Parameters<ListMatches>,
    ) -> Result<Json<MatchPage>, String> {
        let n = limit(args.limit)?;
        if let Some(state) = &args.state
            && !["suggested", "automatic", "confirmed", "declined"].contains(&state.as_str())
        {
            return Err(format!(
                "state must be suggested, automatic, confirmed or declined, not {state:?}"
            ));
        }
        let start: usize = match &args.cursor {
            Some(c) => c
                .parse()
                .map_err(|_| format!("not a cursor of list_matches: {c:?}"))?,
            None => 0,
        };
        let all: Vec<_> = self
            .spend
            .user
            .matches()
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|m| args.state.as_ref().is_none_or(|s| m.state.as_str() == s))
            .collect();
        let end = (start + n).min(all.len());
        let items = all[start.min(end)..end]
            .iter()
            .map(|m| MatchOut {
                id: spend_core::matching::match_id(m),
                state: m.state.to_string(),
                score: m.score,
                transaction: m.explanation["transaction"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                target: m.explanation["target"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                explanation: m.explanation.clone(),
            })
            .collect();
        Ok(Json(MatchPage {
            items,
            next_cursor: (end < all.len()).then(|| end.to_string()),
        }))
    }

    /// Connected sources (banks, mailboxes, Amazon) with their status, and the last sync runs' summaries (rows, calls, retries, 429s, time waiting).
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn connections(
        &self,
        Parameters(_): Parameters<Nothing>,
    ) -> Result<Json<Document>, String> {
        let user = self.spend.user.as_ref();
        let connections: Vec<_> = user
            .connections()
            .await
            .map_err(failed)?
            .into_iter()
            .map(|c| serde_json::json!({ "provider": c.provider, "name": c.name, "status": c.status.as_str(), "settings": c.settings }))
            .collect();
        let runs = user.sync_runs(20).await.map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::json!({ "connections": connections, "last_runs": runs }),
        }))
    }

    /// The person's categorisation rules, in the order they apply.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn list_rules(
        &self,
        Parameters(_): Parameters<Nothing>,
    ) -> Result<Json<Document>, String> {
        let rules = self.spend.user.rules().await.map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(rules).map_err(failed)?,
        }))
    }

    /// What an enrichment run would settle without an LLM, what would go to the LLM, and its worst-case cost, before anything is sent.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn estimate_enrichment(
        &self,
        Parameters(_): Parameters<Nothing>,
    ) -> Result<Json<Document>, String> {
        let options = self.enrich_options(None)?;
        let estimate = spend_core::enrich::estimate_user(self.spend.user.as_ref(), &options)
            .await
            .map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(estimate).map_err(failed)?,
        }))
    }

    /// This person's background jobs (queued with `queue_work` or `spend ... --background`, run by `spend worker`), newest first: each one's kind, target, state (queued, running, retrying, done, failed), progress, attempts, rows written, and the error in the provider's words.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn jobs(&self, Parameters(args): Parameters<ListJobs>) -> Result<Json<Document>, String> {
        let queue = self.job_queue().await?;
        let mut filter = JobFilter::default()
            .user(self.spend.user.user_id().0)
            .limit(limit(args.limit)? as u32);
        if let Some(state) = &args.state {
            filter = filter.state(
                state
                    .parse::<JobState>()
                    .map_err(|e| format!("state: {e}"))?,
            );
        }
        let jobs = queue.list(&filter).await.map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::json!({ "jobs": jobs }),
        }))
    }

    /// Health and what the store holds: backend, counts of accounts, transactions, orders, receipts, emails, matches by state, and the last sync.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn status(&self, Parameters(_): Parameters<Nothing>) -> Result<Json<Document>, String> {
        let user = self.spend.user.as_ref();
        let by_state = user.matches().await.map_err(failed)?.into_iter().fold(
            std::collections::BTreeMap::<String, usize>::new(),
            |mut acc, m| {
                *acc.entry(m.state.to_string()).or_default() += 1;
                acc
            },
        );
        let counts = user.counts().await.map_err(failed)?;
        let data = serde_json::json!({
            "healthy": true,
            "store": self.spend.store.backend(),
            "user": self.settings.user,
            "accounts": counts.accounts,
            "transactions": counts.transactions,
            "mandates": counts.mandates,
            "orders": counts.orders,
            "apple_purchases": counts.apple_purchases,
            "receipts": counts.receipts,
            "emails": counts.emails,
            "documents": counts.documents,
            "matches": by_state,
            "enriched": counts.enrichments,
            "last_sync": user.sync_runs(1).await.map_err(failed)?.first(),
        });
        Ok(Json(Document {
            currency: None,
            data,
        }))
    }

    /// What changed since a day: new transactions (count, money in and out per currency, the largest), and the sync runs since.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn what_changed(
        &self,
        Parameters(args): Parameters<WhatChanged>,
    ) -> Result<Json<Document>, String> {
        let since = day(&args.since, "since")?;
        let user = self.spend.user.as_ref();
        let sums = user
            .spend(&SpendQuery::by(&[Grouping::Direction]).between(since, today()))
            .await
            .map_err(failed)?;
        let largest = user
            .transactions(
                &TransactionQuery::default()
                    .between(since, today())
                    .limit(10_000),
            )
            .await
            .map_err(failed)?
            .items;
        let mut largest: Vec<_> = largest
            .into_iter()
            .filter(|t| t.amount.minor() < 0)
            .collect();
        largest.sort_by_key(|t| t.amount.minor());
        largest.truncate(10);
        let runs: Vec<_> = user
            .sync_runs(50)
            .await
            .map_err(failed)?
            .into_iter()
            .filter(|r| r.started_at.date() >= since)
            .collect();
        let data = serde_json::json!({
            "since": since.to_string(),
            "money": sums.iter().map(|r| serde_json::json!({
                "direction": r.keys[0], "currency": r.currency,
                "total": money_text(r.total_minor, &r.currency), "count": r.count
            })).collect::<Vec<_>>(),
            "largest_outgoing": self.shown(largest).await?,
            "sync_runs": runs,
        });
        Ok(Json(Document {
            currency: None,
            data,
        }))
    }

    /// Why a stored message was or was not read as a receipt: the pre-filter's kind, reason and confidence, whether the sender is verified, and each receipt field with the stage that found it and its confidence; the stored receipt beside it.
    #[tool(annotations(
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn explain_email(
        &self,
        Parameters(args): Parameters<ExplainEmail>,
    ) -> Result<Json<Document>, String> {
        let user = self.spend.user.as_ref();
        let email = user
            .emails_with_message_id(&args.message_id)
            .await
            .map_err(failed)?
            .into_iter()
            .find(|e| args.mailbox.as_ref().is_none_or(|m| *m == e.mailbox));
        let email = email
            .ok_or_else(|| format!("no stored message has the Message-ID {:?}", args.message_id))?;
        let raw = self.spend.archive.raw(&email).await.map_err(failed)?;
        let parsed = receipt_parsers::parse(&raw);
        let stored = user
            .receipts(None)
            .await
            .map_err(failed)?
            .into_iter()
            .find(|r| r.mailbox == email.mailbox && r.message_id == email.message_id);
        let data = serde_json::json!({
            "mailbox": email.mailbox,
            "message_id": email.message_id,
            "from": email.from,
            "subject": email.subject,
            "resource": email_uri(&email.mailbox, &email.message_id),
            "pipeline": match &parsed {
                Ok(p) => serde_json::to_value(p).map_err(failed)?,
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            },
            "stored_receipt": stored,
        });
        Ok(Json(Document {
            currency: None,
            data,
        }))
    }
}
