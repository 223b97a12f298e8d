//! The tools' arguments and results: what their input and output schemas say.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Arguments of `search_transactions`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchTransactions {
    /// Words the description or merchant contains (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// On or after this day (YYYY-MM-DD).
    #[serde(default)]
    pub from: Option<String>,
    /// On or before this day (YYYY-MM-DD).
    #[serde(default)]
    pub to: Option<String>,
    /// Amount at least this (signed, major units: -50 is 50 out).
    #[serde(default)]
    pub min_amount: Option<f64>,
    /// Amount at most this (signed, major units).
    #[serde(default)]
    pub max_amount: Option<f64>,
    /// In this category (as enrichment or the bank named it).
    #[serde(default)]
    pub category: Option<String>,
    /// On this account (its id).
    #[serde(default)]
    pub account: Option<String>,
    /// At most this many (1-200, default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One transaction as the tools show it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TransactionOut {
    /// Its id (use with `set_category`).
    pub id: String,
    /// The account's id.
    pub account_id: String,
    /// Where it came from (`truelayer`).
    pub source: String,
    /// The day (YYYY-MM-DD).
    pub date: String,
    /// The signed amount (negative: money out), as a decimal string.
    pub amount: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// The bank's description.
    pub description: String,
    /// The merchant (enrichment's, else the bank's).
    pub merchant: Option<String>,
    /// The category (enrichment's, else the bank's).
    pub category: Option<String>,
    /// Essential (true), discretionary (false), or undecided.
    pub essential: Option<bool>,
    /// Who decided the category: rule, match, llm or user.
    pub categorised_by: Option<String>,
    /// `pending` or `booked`.
    pub status: String,
    /// What it paid for: its matched orders and receipts.
    pub paid_for: Vec<String>,
}

/// A page of transactions.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TransactionPage {
    /// This page, newest first.
    pub items: Vec<TransactionOut>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Arguments of `search_orders`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchOrders {
    /// Words the merchant or an item's title contains (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// Only this source's (`sp-api`, `amazon-business`).
    #[serde(default)]
    pub source: Option<String>,
    /// On or after this day (YYYY-MM-DD).
    #[serde(default)]
    pub from: Option<String>,
    /// On or before this day (YYYY-MM-DD).
    #[serde(default)]
    pub to: Option<String>,
    /// At most this many (1-200, default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Orders found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Orders {
    /// The orders, newest first (with items, shipments and charges).
    pub items: Vec<serde_json::Value>,
    /// How many matched before the limit.
    pub total: usize,
}

/// Arguments of `search_receipts`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchReceipts {
    /// Words the merchant, vendor or an order id contains (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// Only this kind (`receipt`, `refund`, `shipping`, `cancellation`).
    #[serde(default)]
    pub kind: Option<String>,
    /// At most this many (1-200, default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Receipts found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Receipts {
    /// The receipts, each with its mailbox and message id (use with `explain_email`).
    pub items: Vec<serde_json::Value>,
    /// How many matched before the limit.
    pub total: usize,
}

/// Arguments of `search_documents`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchDocuments {
    /// Only the documents of this message (its Message-ID).
    #[serde(default)]
    pub message_id: Option<String>,
    /// Words the file name contains (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
}

/// Documents (PDF invoices and other attachments) found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Documents {
    /// Each with its `resource` URI to read it.
    pub items: Vec<serde_json::Value>,
}

/// Arguments of `spending_summary`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendingSummary {
    /// YYYY, YYYY-MM, YYYY-Qn, FROM..TO, last-12-months, this-year or last-year (default last-12-months).
    #[serde(default)]
    pub period: Option<String>,
    /// What to group by, in order: month, category, merchant, account, essential, direction.
    pub group_by: Vec<String>,
    /// Only money out.
    #[serde(default)]
    pub outgoing_only: bool,
}

/// One group's sum.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SummaryRow {
    /// The group's values, one per `group_by`.
    pub keys: Vec<String>,
    /// The currency.
    pub currency: String,
    /// The signed total, as a decimal string.
    pub total: String,
    /// How many transactions.
    pub count: i64,
}

/// Sums grouped as asked.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Summary {
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// The groups.
    pub rows: Vec<SummaryRow>,
}

/// Arguments of `report` (and `recurring_payments`, `huququllah`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportArgs {
    /// YYYY, YYYY-MM, YYYY-Qn, FROM..TO, last-12-months, this-year or last-year (default last-12-months).
    #[serde(default)]
    pub period: Option<String>,
    /// The currency (default: the one most transactions are in).
    #[serde(default)]
    pub currency: Option<String>,
    /// The price of gold per gram in that currency (a decimal string): calculates Huqúqu'lláh.
    #[serde(default)]
    pub gold_price_per_gram: Option<String>,
    /// Exempt purchases (residence, needed furnishings), a decimal string.
    #[serde(default)]
    pub exempt: Option<String>,
    /// Huqúqu'lláh already paid for the period, a decimal string.
    #[serde(default)]
    pub paid: Option<String>,
    /// What the last calculation carried forward, a decimal string.
    #[serde(default)]
    pub carried_in: Option<String>,
}

/// A JSON document the tool produced (a report, a calculation, a list).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Document {
    /// Amounts in it are integers in minor units of `currency` (2 decimals for GBP) unless named otherwise.
    pub currency: Option<String>,
    /// The document.
    pub data: serde_json::Value,
}

/// Arguments of `list_matches`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListMatches {
    /// Only this state: suggested, automatic, confirmed or declined.
    #[serde(default)]
    pub state: Option<String>,
    /// At most this many (1-200, default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One match, explained.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MatchOut {
    /// Its id (use with `confirm_match`, `decline_match`).
    pub id: String,
    /// suggested, automatic, confirmed or declined.
    pub state: String,
    /// The overall score, 0 to 1.
    pub score: f64,
    /// The charge.
    pub transaction: String,
    /// What it paid for.
    pub target: String,
    /// Each part's score and why it won over the runner-up.
    pub explanation: serde_json::Value,
}

/// A page of matches.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MatchPage {
    /// This page.
    pub items: Vec<MatchOut>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// No arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

/// Arguments of `what_changed`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatChanged {
    /// Since this day (YYYY-MM-DD).
    pub since: String,
}

/// Arguments of `explain_email`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainEmail {
    /// The message's Message-ID (with or without angle brackets).
    pub message_id: String,
    /// Its mailbox, when two mailboxes hold the message.
    #[serde(default)]
    pub mailbox: Option<String>,
}

/// Arguments of `confirm_match` and `decline_match`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchId {
    /// The match's id (or its first characters), from `list_matches`.
    pub id: String,
}

/// Arguments of `run_matching`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunMatching {
    /// Propose but store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Arguments of `enrich`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrich {
    /// The most the run may spend on the LLM, in US dollars (a decimal string).
    #[serde(default)]
    pub budget_usd: Option<String>,
}

/// Arguments of `sync`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncArgs {
    /// Only these connections: a provider (`truelayer`, `gmail`, `imap`, `sp-api`, `amazon-business`) or one connection (`gmail:alex@example.org`, as `connections` lists them); all when absent.
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// Fetch from this day (YYYY-MM-DD) instead of from the last sync.
    #[serde(default)]
    pub since: Option<String>,
}

/// Arguments of `refresh`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshArgs {
    /// Only these connections (as for `sync`); all when absent.
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// Fetch from this day (YYYY-MM-DD) instead of from the last sync.
    #[serde(default)]
    pub since: Option<String>,
    /// The most categorisation may spend on the LLM, in US dollars (a decimal string).
    #[serde(default)]
    pub budget_usd: Option<String>,
}

/// Arguments of `import_files`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFiles {
    /// Paths on the server's machine: Amazon's order history (or its export zip), Apple's purchase history, OFX/QFX, QIF, CAMT.053 or a bank's CSV export; each recognised from its content.
    pub paths: Vec<String>,
    /// The account the transactions belong to (for QIF and CSV files), or a stored account's id (a TrueLayer account) to file a statement under without doubling its feed.
    #[serde(default)]
    pub account: Option<String>,
    /// The columns of a CSV no preset knows: `date=COL,amount=COL,description=COL` (or `out=COL,in=COL`), with `days=dmy|mdy|iso`, `sign=out-negative|out-positive`.
    #[serde(default)]
    pub map: Option<String>,
    /// The currency of files that do not say (QIF, some CSVs).
    #[serde(default)]
    pub currency: Option<String>,
}

/// Arguments of `set_category`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCategory {
    /// The transaction's id (from `search_transactions`).
    pub transaction_id: String,
    /// Its account, when two accounts have a transaction with this id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The category.
    #[serde(default)]
    pub category: Option<String>,
    /// The merchant's name.
    #[serde(default)]
    pub merchant: Option<String>,
    /// Essential (true) or discretionary (false).
    #[serde(default)]
    pub essential: Option<bool>,
    /// Tags (replacing any there were).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// Arguments of `add_rule`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRule {
    /// The rule's name (a rule of the same name is replaced).
    pub name: String,
    /// Conditions: `description~TEXT merchant=NAME amount=10..50 amount>=10 amount<=50 account=ID direction=in|out`.
    pub when: String,
    /// Actions: `category=NAME merchant=NAME essential=yes|no tag=NAME`.
    pub then: String,
}

/// Arguments of `jobs`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListJobs {
    /// Only this state: queued, running, retrying, done or failed.
    #[serde(default)]
    pub state: Option<String>,
    /// At most this many, newest first (1-200, default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Work `queue_work` hands to the background workers.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// Sync each connection (or those `sources` names), one job each.
    Sync,
    /// Import the history files `paths` names, one job each.
    Import,
    /// Match charges to orders and receipts.
    Match,
    /// Categorise transactions.
    Enrich,
    /// Parse every kept email again with today's parsers.
    Reparse,
}

/// Arguments of `queue_work`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueWork {
    /// What to queue.
    pub work: Work,
    /// sync: the connections (a provider, or `provider:name`); all when absent.
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// import: history files on the server's machine (kept in the blob store, where every worker reads them).
    #[serde(default)]
    pub paths: Option<Vec<String>>,
    /// import: the account the transactions belong to (QIF and CSV files).
    #[serde(default)]
    pub account: Option<String>,
    /// import: the columns of a CSV no preset knows, as for `import_files`.
    #[serde(default)]
    pub map: Option<String>,
    /// import: the currency of files that do not say.
    #[serde(default)]
    pub currency: Option<String>,
}
