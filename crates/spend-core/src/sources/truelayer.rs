//! TrueLayer: accounts, cards, balances, settled and pending transactions,
//! standing orders and direct debits.

use futures_util::future::BoxFuture;
use rust_decimal::Decimal;
use time::{Date, Duration, OffsetDateTime};
use truelayer_client::DataClient;
use truelayer_client::models as tl;

use super::{Page, Source, SourceError};
use crate::model::{
    Account, AccountKind, Checkpoint, Currency, Mandate, MandateKind, Money, Transaction,
    TransactionRef, TransactionStatus,
};
use crate::store::{Batch, TransactionQuery, UserStore};

/// The model's source name for TrueLayer rows.
pub const SOURCE: &str = "truelayer";

/// TrueLayer's allowance of calls a day to each endpoint without `X-PSU-IP`.
pub const UNATTENDED_PER_DAY: i64 = 4;

#[derive(Debug, Clone)]
struct Task {
    id: String,
    kind: AccountKind,
}

/// One TrueLayer connection as a source. The first page is the accounts and
/// cards with their balances; then one page an account: its settled
/// transactions from the last sync (less an overlap, for late postings) to
/// today, and its pending ones, which replace the pending rows stored before
/// (a pending transaction that settled under a new id is not doubled).
pub struct TrueLayerSource {
    id: String,
    connection: String,
    data: DataClient,
    overlap: Duration,
    first_sync: Duration,
    since: Option<Date>,
    today: Date,
    present: bool,
    tasks: Option<Vec<Task>>,
    next: usize,
}

/// Options for a [`TrueLayerSource`].
#[derive(Debug)]
pub struct TrueLayerSourceBuilder {
    connection: String,
    data: DataClient,
    overlap: Duration,
    first_sync: Duration,
    since: Option<Date>,
    today: Option<Date>,
    present: bool,
}

impl TrueLayerSourceBuilder {
    /// How far each sync reaches back before the last one (default 10 days).
    pub fn overlap(mut self, days: i64) -> Self {
        self.overlap = Duration::days(days.max(0));
        self
    }
    /// Fetch from this day, whatever the checkpoint says.
    pub fn since(mut self, day: Option<Date>) -> Self {
        self.since = day;
        self
    }
    /// The history a first sync fetches (default 2 years, TrueLayer's usual reach).
    pub fn first_sync_days(mut self, days: i64) -> Self {
        self.first_sync = Duration::days(days.max(1));
        self
    }
    /// Whether the person is present (the client sends `X-PSU-IP`). When not,
    /// each sync takes one of TrueLayer's 4 unattended calls a day per
    /// endpoint from a count kept in the store, shared by every process.
    pub fn present(mut self, present: bool) -> Self {
        self.present = present;
        self
    }
    /// The day the sync runs to (default: today, UTC).
    pub fn today(mut self, day: Date) -> Self {
        self.today = Some(day);
        self
    }
    /// The source.
    pub fn build(self) -> TrueLayerSource {
        TrueLayerSource {
            id: format!("{SOURCE}:{}", self.connection),
            connection: self.connection,
            data: self.data,
            overlap: self.overlap,
            first_sync: self.first_sync,
            since: self.since,
            today: self
                .today
                .unwrap_or_else(|| OffsetDateTime::now_utc().date()),
            present: self.present,
            tasks: None,
            next: 0,
        }
    }
}

impl TrueLayerSource {
    /// A source for the connection called `connection`, reading through `data`
    /// (built with the connection's vault-backed token store; call
    /// `user_present` on it when the person is there).
    pub fn builder(connection: &str, data: DataClient) -> TrueLayerSourceBuilder {
        TrueLayerSourceBuilder {
            connection: connection.to_owned(),
            data,
            overlap: Duration::days(10),
            first_sync: Duration::days(730),
            since: None,
            today: None,
            present: false,
        }
    }

    fn reauth(&self, e: truelayer_client::Error) -> SourceError {
        match e {
            truelayer_client::Error::ReauthorisationNeeded { error, description } => {
                SourceError::NeedsReauthorisation {
                    provider: SOURCE.into(),
                    name: self.connection.clone(),
                    detail: format!("{error}: {}", description.unwrap_or_default()),
                }
            }
            other => SourceError::TrueLayer(other),
        }
    }

    async fn accounts_page(&mut self) -> Result<Page, SourceError> {
        let mut accounts = Vec::new();
        let mut tasks = Vec::new();
        let listed = self.data.accounts().list().await;
        // A card-only provider answers 501 for accounts (and a bank without cards for cards).
        let bank = match listed {
            Ok(a) => a,
            Err(e) if is_not_supported(&e) => Vec::new(),
            Err(e) => return Err(self.reauth(e)),
        };
        for a in bank {
            let Some(id) = a.account_id.clone() else {
                continue;
            };
            let currency = currency(a.currency.as_str())?;
            let balance = match self.data.accounts().balance(&id).await {
                Ok(b) => b.first().map(|b| money(b.current, currency)).transpose()?,
                Err(e) if is_not_supported(&e) => None,
                Err(e) => return Err(self.reauth(e)),
            };
            let mut account = Account::new(SOURCE, &id, AccountKind::Bank, currency)
                .display_name(&a.display_name);
            account.provider = a.provider.display_name.clone();
            account.number_hint = a.account_number.number.clone().map(|n| last4(&n));
            account.balance = balance;
            account.raw = serde_json::to_value(&a).ok();
            accounts.push(account);
            tasks.push(Task {
                id,
                kind: AccountKind::Bank,
            });
        }
        let cards = match self.data.cards().list().await {
            Ok(c) => c,
            Err(e) if is_not_supported(&e) => Vec::new(),
            Err(e) => return Err(self.reauth(e)),
        };
        for c in cards {
            let Some(id) = c.account_id.clone() else {
                continue;
            };
            let currency = currency(c.currency.as_ref().map_or("GBP", |c| c.as_str()))?;
            let balance = match self.data.cards().balance(&id).await {
                Ok(b) => b.first().map(|b| money(b.current, currency)).transpose()?,
                Err(e) if is_not_supported(&e) => None,
                Err(e) => return Err(self.reauth(e)),
            };
            let mut account = Account::new(SOURCE, &id, AccountKind::Card, currency);
            account.name = c.display_name.clone();
            account.provider = c.provider.as_ref().and_then(|p| p.display_name.clone());
            account.number_hint = c.partial_card_number.clone();
            account.balance = balance;
            account.raw = serde_json::to_value(&c).ok();
            accounts.push(account);
            tasks.push(Task {
                id,
                kind: AccountKind::Card,
            });
        }
        let total = tasks.len() as u64 + 1;
        self.tasks = Some(tasks);
        Ok(Page {
            batch: Batch::default().accounts(accounts),
            done: 1,
            total: Some(total),
            ..Page::default()
        })
    }

    async fn account_page(
        &self,
        user: &dyn UserStore,
        task: &Task,
        from: Date,
    ) -> Result<Page, SourceError> {
        // The pending rows stored before: the window reaches back to the
        // oldest of them, so one that settles dated before the window is
        // fetched settled in the same page that removes it.
        let mut stored_pending = Vec::new();
        let mut cursor = None;
        loop {
            let query = TransactionQuery::default()
                .account(&task.id)
                .status("pending")
                .limit(1000)
                .after(cursor);
            let found = user.transactions(&query).await?;
            stored_pending.extend(found.items.into_iter().filter(|t| t.source == SOURCE));
            match found.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let from = stored_pending
            .iter()
            .map(|t| t.date)
            .min()
            .map_or(from, |oldest| oldest.min(from));
        let (settled, pending) = match task.kind {
            AccountKind::Card => (
                self.data
                    .cards()
                    .transactions(&task.id)
                    .from(from)
                    .to(self.today)
                    .await,
                self.data.cards().pending_transactions(&task.id).await,
            ),
            _ => (
                self.data
                    .accounts()
                    .transactions(&task.id)
                    .from(from)
                    .to(self.today)
                    .await,
                self.data.accounts().pending_transactions(&task.id).await,
            ),
        };
        let settled = settled.map_err(|e| self.reauth(e))?;
        let pending = match pending {
            Ok(p) => p,
            Err(e) if is_not_supported(&e) => Vec::new(),
            Err(e) => return Err(self.reauth(e)),
        };
        let mut rows = Vec::with_capacity(settled.len() + pending.len());
        let mut seen = std::collections::HashMap::new();
        // A transaction the model cannot hold (an unknown currency, no
        // readable date) is reported and skipped; the rest of the page lands.
        let mut skipped = Vec::new();
        let listed = settled
            .iter()
            .map(|t| (t, TransactionStatus::Booked))
            .chain(pending.iter().map(|t| (t, TransactionStatus::Pending)));
        for (t, status) in listed {
            match transaction(&task.id, t, status, &mut seen) {
                Ok(row) => rows.push(row),
                Err(e) => skipped.push(format!("account {}: {e}", task.id)),
            }
        }
        // Pending rows stored before and no longer pending have settled (under
        // a new id, which the settled list brings) or dropped: remove them.
        let fresh: std::collections::HashSet<&str> = rows
            .iter()
            .filter(|t| t.status == TransactionStatus::Pending)
            .map(|t| t.id.as_str())
            .collect();
        let removed: Vec<TransactionRef> = stored_pending
            .iter()
            .filter(|t| !fresh.contains(t.id.as_str()))
            .map(Transaction::key)
            .collect();
        let mandates = match task.kind {
            AccountKind::Bank => self.mandates(&task.id).await?,
            _ => Vec::new(),
        };
        Ok(Page {
            batch: Batch::default()
                .transactions(rows)
                .mandates(mandates)
                .remove(removed),
            skipped,
            ..Page::default()
        })
    }

    /// The account's standing orders and direct debits (none where the
    /// provider does not support the endpoint).
    async fn mandates(&self, account_id: &str) -> Result<Vec<Mandate>, SourceError> {
        let standing = match self.data.accounts().standing_orders(account_id).await {
            Ok(s) => s,
            Err(e) if is_not_supported(&e) => Vec::new(),
            Err(e) => return Err(self.reauth(e)),
        };
        let debits = match self.data.accounts().direct_debits(account_id).await {
            Ok(d) => d,
            Err(e) if is_not_supported(&e) => Vec::new(),
            Err(e) => return Err(self.reauth(e)),
        };
        let mut out = Vec::with_capacity(standing.len() + debits.len());
        for so in &standing {
            out.push(standing_order(account_id, so)?);
        }
        for dd in &debits {
            out.push(direct_debit(account_id, dd)?);
        }
        Ok(out)
    }
}

fn optional_money(
    amount: Option<Decimal>,
    currency_code: Option<&str>,
) -> Result<Option<Money>, SourceError> {
    match (amount, currency_code) {
        (Some(a), Some(c)) => Ok(Some(money(a.abs(), currency(c)?)?)),
        (Some(a), None) => Ok(Some(money(a.abs(), Currency::GBP)?)),
        _ => Ok(None),
    }
}

/// A standing order in the model. TrueLayer gives no id: the key is a
/// fingerprint of what identifies the instruction (payee, reference, first
/// payment), so the same order synced again is the same row.
fn standing_order(account_id: &str, so: &tl::StandingOrder) -> Result<Mandate, SourceError> {
    let payee = so.payee.clone().unwrap_or_default();
    let first = so
        .first_payment_date
        .as_ref()
        .map(|t| t.as_str().to_owned());
    let seed = format!(
        "{payee}\u{1f}{}\u{1f}{}",
        so.reference.as_deref().unwrap_or(""),
        first.as_deref().unwrap_or("")
    );
    let id = format!(
        "so:{}",
        blob_store::sha256_hex(seed.as_bytes())
            .get(..24)
            .unwrap_or_default()
    );
    let code = so.currency.as_ref().map(|c| c.as_str());
    let mut m = Mandate::new(SOURCE, account_id, &id, MandateKind::StandingOrder, &payee);
    m.reference = so.reference.clone();
    m.frequency = Some(so.frequency.clone());
    m.status = so.status.as_ref().map(|s| s.as_str().to_owned());
    m.next_on = so.next_payment_date.as_ref().and_then(|t| t.date());
    m.next_amount = optional_money(so.next_payment_amount, code)?;
    m.raw = serde_json::to_value(so).ok();
    Ok(m)
}

fn direct_debit(account_id: &str, dd: &tl::DirectDebit) -> Result<Mandate, SourceError> {
    let code = dd.currency.as_ref().map(|c| c.as_str());
    let mut m = Mandate::new(
        SOURCE,
        account_id,
        &dd.direct_debit_id,
        MandateKind::DirectDebit,
        &dd.name,
    );
    m.reference = Some(dd.meta.provider_mandate_identification.clone()).filter(|r| !r.is_empty());
    m.status = dd.status.as_ref().map(|s| s.as_str().to_owned());
    m.previous_on = dd
        .previous_payment_timestamp
        .as_ref()
        .and_then(|t| t.date());
    m.previous_amount = optional_money(dd.previous_payment_amount, code)?;
    m.raw = serde_json::to_value(dd).ok();
    Ok(m)
}

fn is_not_supported(e: &truelayer_client::Error) -> bool {
    e.to_string().contains("endpoint_not_supported")
}

fn last4(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    format!("****{}", &digits[digits.len().saturating_sub(4)..])
}

fn currency(code: &str) -> Result<Currency, SourceError> {
    Currency::new(code).map_err(|e| SourceError::Invalid(format!("TrueLayer sent {e}")))
}

fn money(amount: Decimal, currency: Currency) -> Result<Money, SourceError> {
    Money::from_decimal(amount, currency)
        .map_err(|e| SourceError::Invalid(format!("TrueLayer sent {e}")))
}

/// A TrueLayer transaction in the model (amounts signed by its type: out is
/// negative, whatever sign the provider used). Its id is the
/// `normalised_provider_transaction_id` (stable across TrueLayer's own id
/// changes), else the provider's id, else a fingerprint of what it says;
/// pending ones are kept apart (`pending:` + TrueLayer's id) since they
/// settle under another id.
fn transaction(
    account: &str,
    t: &tl::Transaction,
    status: TransactionStatus,
    seen: &mut std::collections::HashMap<String, u32>,
) -> Result<Transaction, SourceError> {
    let currency = currency(t.currency.as_str())?;
    // The model's sign is the person's: money out is negative. Card
    // providers send purchases as positive DEBITs; the type says which way.
    let signed = match t.transaction_type {
        tl::TransactionType::Debit => -t.amount.abs(),
        tl::TransactionType::Credit => t.amount.abs(),
        _ => t.amount,
    };
    let amount = money(signed, currency)?;
    let date = t.timestamp.date().ok_or_else(|| {
        SourceError::Invalid(format!(
            "TrueLayer transaction {} has no readable date",
            t.transaction_id
        ))
    })?;
    let id = if status == TransactionStatus::Pending {
        format!("pending:{}", t.transaction_id)
    } else if let Some(n) = t
        .normalised_provider_transaction_id
        .clone()
        .filter(|n| !n.is_empty())
    {
        n
    } else if let Some(p) = t.provider_transaction_id.clone().filter(|p| !p.is_empty()) {
        format!("provider:{p}")
    } else {
        let seed = format!(
            "{date}|{}|{}|{}",
            t.amount,
            t.currency.as_str(),
            t.description
        );
        {
            // Identical transactions on one day (two bus fares) are told
            // apart by their order in the bank's list, so neither is lost.
            let base = format!(
                "fp:{}",
                blob_store::sha256_hex(seed.as_bytes())
                    .get(..24)
                    .unwrap_or_default()
            );
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        }
    };
    let mut tx =
        Transaction::new(SOURCE, account, &id, date, amount, &t.description).status(status);
    tx.timestamp = t.timestamp.parse();
    tx.merchant = t.merchant_name.clone();
    tx.category = t
        .transaction_classification
        .first()
        .map(|c| c.to_lowercase());
    tx.provider_id = Some(t.transaction_id.clone());
    tx.running_balance = t
        .running_balance
        .as_ref()
        .and_then(|b| b.amount)
        .map(|a| money(a, currency))
        .transpose()?;
    tx.raw = serde_json::to_value(t).ok();
    Ok(tx)
}

impl Source for TrueLayerSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn next_page<'a>(
        &'a mut self,
        user: &'a dyn UserStore,
        checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>> {
        Box::pin(async move {
            let value = checkpoint.map(|c| c.value.clone()).unwrap_or_default();
            let parse = |key: &str| {
                value[key]
                    .as_str()
                    .and_then(|d| crate::store::parse_date(d).ok())
            };
            let synced_to = parse("synced_to");
            // A run that stopped part way (same target day) skips the accounts it finished.
            let resuming = parse("run_to") == Some(self.today);
            let mut done: Vec<String> = if resuming {
                serde_json::from_value(value["done"].clone()).unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut page = if self.tasks.is_none() {
                if !self.present {
                    // Spent allowance: stop before calling, rather than ride
                    // TrueLayer's 429 (which is final for the day).
                    let key = format!("{}:unattended", self.id);
                    if user
                        .take_allowance(&key, self.today, UNATTENDED_PER_DAY)
                        .await?
                        .is_none()
                    {
                        return Err(SourceError::AllowanceSpent {
                            source_id: self.id.clone(),
                            limit: UNATTENDED_PER_DAY,
                            hint: "run again with --present while you are here".into(),
                        });
                    }
                }
                self.accounts_page().await?
            } else {
                let tasks = self.tasks.clone().unwrap_or_default();
                let Some(task) = tasks
                    .iter()
                    .skip(self.next)
                    .find(|t| !done.contains(&t.id))
                    .cloned()
                else {
                    return Ok(None);
                };
                self.next = tasks
                    .iter()
                    .position(|t| t.id == task.id)
                    .map_or(tasks.len(), |i| i + 1);
                let from = self
                    .since
                    .or(synced_to.map(|d| d - self.overlap))
                    .unwrap_or(self.today - self.first_sync);
                let page = self.account_page(user, &task, from).await?;
                done.push(task.id.clone());
                Page {
                    done: done.len() as u64 + 1,
                    total: Some(tasks.len() as u64 + 1),
                    ..page
                }
            };
            let all_done = self
                .tasks
                .as_ref()
                .is_some_and(|t| t.iter().all(|t| done.contains(&t.id)));
            page.checkpoint = if all_done {
                serde_json::json!({ "synced_to": crate::store::format_date(self.today) })
            } else {
                serde_json::json!({
                    "synced_to": synced_to.map(crate::store::format_date),
                    "run_to": crate::store::format_date(self.today),
                    "done": done,
                })
            };
            Ok(Some(page))
        })
    }
}
