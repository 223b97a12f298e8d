//! Model records to row values and back, once for both backends.

use serde::{Serialize, de::DeserializeOwned};
use time::Date;
use time::macros::format_description;

use super::{Param, Table, from_millis, millis};
use crate::model::{
    Account, AccountKind, ApplePurchase, Checkpoint, Connection, ConnectionStatus, Currency,
    Document, Email, Enrichment, EnrichmentSource, Mandate, MandateKind, Match, MatchState, Money,
    Order, Receipt, SyncRun, Transaction, TransactionRef, TransactionStatus,
};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

/// Reads one column of a result row (implemented per backend).
pub(crate) trait Get {
    fn table(&self) -> &'static str;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn real(&self, col: &str) -> Result<f64>;

    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        serde_json::from_str(&self.text(col)?)
            .map_err(|e| StoreError::corrupt(self.table(), format!("{col}: {e}")))
    }
    fn opt_json(&self, col: &str) -> Result<Option<serde_json::Value>> {
        self.opt_text(col)?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| StoreError::corrupt(self.table(), format!("{col}: {e}")))
    }
    fn date(&self, col: &str) -> Result<Date> {
        parse_date(&self.text(col)?)
            .map_err(|e| StoreError::corrupt(self.table(), format!("{col}: {e}")))
    }
    fn opt_date(&self, col: &str) -> Result<Option<Date>> {
        self.opt_text(col)?
            .map(|s| parse_date(&s))
            .transpose()
            .map_err(|e| StoreError::corrupt(self.table(), format!("{col}: {e}")))
    }
    fn currency(&self, col: &str) -> Result<Currency> {
        Currency::new(&self.text(col)?).map_err(|e| StoreError::corrupt(self.table(), e))
    }
    fn money(&self, minor: &str, currency: &str) -> Result<Option<Money>> {
        match (self.opt_int(minor)?, self.opt_text(currency)?) {
            (Some(m), Some(c)) => Ok(Some(Money::new(
                m,
                Currency::new(&c).map_err(|e| StoreError::corrupt(self.table(), e))?,
            ))),
            _ => Ok(None),
        }
    }
    fn instant(&self, col: &str) -> Result<Option<time::OffsetDateTime>> {
        self.opt_int(col)?.map(from_millis).transpose()
    }
}

pub(crate) fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

pub(crate) fn parse_date(s: &str) -> std::result::Result<Date, time::error::Parse> {
    Date::parse(s, format_description!("[year]-[month]-[day]"))
}

fn json(v: &impl Serialize) -> String {
    // Serialising model types (plain data) cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

fn opt_json(v: &Option<serde_json::Value>) -> Param {
    Param::OptText(v.as_ref().map(json))
}

/// Text as stored: Postgres `text` cannot hold NUL (SQLite can), and a NUL
/// from a hostile mail header must not stop a sync, so it becomes U+FFFD.
fn clean(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{fffd}")
    } else {
        s.to_owned()
    }
}

fn t(s: &str) -> Param {
    Param::Text(clean(s))
}

fn ot(s: &Option<String>) -> Param {
    Param::OptText(s.as_deref().map(clean))
}

pub(crate) const ACCOUNTS: Table = Table {
    name: "accounts",
    key: &["source", "account_id"],
    columns: &[
        "kind",
        "currency",
        "name",
        "provider",
        "number_hint",
        "balance_minor",
        "raw",
    ],
    derived: &[],
};

pub(crate) fn account_row(a: &Account) -> Vec<Param> {
    vec![
        t(&a.source),
        t(&a.id),
        t(a.kind.as_str()),
        t(a.currency.code()),
        ot(&a.name),
        ot(&a.provider),
        ot(&a.number_hint),
        Param::OptInt(a.balance.map(|m| m.minor())),
        opt_json(&a.raw),
    ]
}

pub(crate) fn account(r: &impl Get) -> Result<Account> {
    let currency = r.currency("currency")?;
    Ok(Account {
        source: r.text("source")?,
        id: r.text("account_id")?,
        kind: AccountKind::from(r.text("kind")?.as_str()),
        currency,
        name: r.opt_text("name")?,
        provider: r.opt_text("provider")?,
        number_hint: r.opt_text("number_hint")?,
        balance: r.opt_int("balance_minor")?.map(|m| Money::new(m, currency)),
        raw: r.opt_json("raw")?,
    })
}

pub(crate) const TRANSACTIONS: Table = Table {
    name: "transactions",
    key: &["source", "account_id", "tx_id"],
    columns: &[
        "status",
        "date",
        "month",
        "ts_ms",
        "amount_minor",
        "currency",
        "description",
        "merchant",
        "category",
        "provider_id",
        "balance_minor",
        "raw",
        "report_category",
        "report_merchant",
    ],
    // The report's category and merchant are the bank's until enrichment
    // decides them; a source's new data never overwrites enrichment's.
    derived: &[
        (
            "report_category",
            "CASE WHEN transactions.eff_category <> '' THEN transactions.eff_category ELSE excluded.report_category END",
        ),
        (
            "report_merchant",
            "COALESCE(transactions.eff_merchant, excluded.report_merchant)",
        ),
    ],
};

pub(crate) fn transaction_row(x: &Transaction) -> Vec<Param> {
    let date = format_date(x.date);
    vec![
        t(&x.source),
        t(&x.account_id),
        t(&x.id),
        t(x.status.as_str()),
        Param::Text(date.clone()),
        Param::Text(date[..7.min(date.len())].to_owned()),
        Param::OptInt(x.timestamp.map(millis)),
        Param::Int(x.amount.minor()),
        t(x.amount.currency().code()),
        t(&x.description),
        ot(&x.merchant),
        Param::Text(x.category.clone().unwrap_or_default()),
        ot(&x.provider_id),
        Param::OptInt(x.running_balance.map(|m| m.minor())),
        opt_json(&x.raw),
        // `report_category` and `report_merchant` as a source writes them:
        // the bank's category, and its merchant or else the description.
        Param::Text(x.category.clone().unwrap_or_default()),
        Param::Text(x.merchant.clone().unwrap_or_else(|| x.description.clone())),
    ]
}

pub(crate) fn transaction(r: &impl Get) -> Result<Transaction> {
    let currency = r.currency("currency")?;
    Ok(Transaction {
        source: r.text("source")?,
        account_id: r.text("account_id")?,
        id: r.text("tx_id")?,
        status: TransactionStatus::from(r.text("status")?.as_str()),
        date: r.date("date")?,
        timestamp: r.instant("ts_ms")?,
        amount: Money::new(r.int("amount_minor")?, currency),
        description: r.text("description")?,
        merchant: r.opt_text("merchant")?,
        category: Some(r.text("category")?).filter(|c| !c.is_empty()),
        provider_id: r.opt_text("provider_id")?,
        running_balance: r.opt_int("balance_minor")?.map(|m| Money::new(m, currency)),
        raw: r.opt_json("raw")?,
    })
}

pub(crate) const ORDERS: Table = Table {
    name: "orders",
    key: &["source", "order_id"],
    columns: &[
        "ordered_on",
        "ordered_ms",
        "merchant",
        "status",
        "total_minor",
        "currency",
        "items",
        "shipments",
        "charges",
        "raw",
    ],
    derived: &[],
};

pub(crate) fn order_row(o: &Order) -> Vec<Param> {
    vec![
        t(&o.source),
        t(&o.id),
        Param::Text(format_date(o.ordered_on)),
        Param::OptInt(o.ordered_at.map(millis)),
        t(&o.merchant),
        ot(&o.status),
        Param::OptInt(o.total.map(|m| m.minor())),
        Param::OptText(o.total.map(|m| m.currency().code().to_owned())),
        Param::Text(json(&o.items)),
        Param::Text(json(&o.shipments)),
        Param::Text(json(&o.charges)),
        opt_json(&o.raw),
    ]
}

pub(crate) fn order(r: &impl Get) -> Result<Order> {
    Ok(Order {
        source: r.text("source")?,
        id: r.text("order_id")?,
        ordered_on: r.date("ordered_on")?,
        ordered_at: r.instant("ordered_ms")?,
        merchant: r.text("merchant")?,
        status: r.opt_text("status")?,
        total: r.money("total_minor", "currency")?,
        items: r.json("items")?,
        shipments: r.json("shipments")?,
        charges: r.json("charges")?,
        raw: r.opt_json("raw")?,
    })
}

pub(crate) const APPLE: Table = Table {
    name: "apple_purchases",
    key: &["order_id"],
    columns: &["purchased_on", "total_minor", "currency", "items", "raw"],
    derived: &[],
};

pub(crate) fn apple_row(a: &ApplePurchase) -> Vec<Param> {
    vec![
        t(&a.order_id),
        Param::Text(format_date(a.purchased_on)),
        Param::OptInt(a.total.map(|m| m.minor())),
        Param::OptText(a.total.map(|m| m.currency().code().to_owned())),
        Param::Text(json(&a.items)),
        opt_json(&a.raw),
    ]
}

pub(crate) fn apple(r: &impl Get) -> Result<ApplePurchase> {
    Ok(ApplePurchase {
        order_id: r.text("order_id")?,
        purchased_on: r.date("purchased_on")?,
        total: r.money("total_minor", "currency")?,
        items: r.json("items")?,
        raw: r.opt_json("raw")?,
    })
}

pub(crate) const MANDATES: Table = Table {
    name: "mandates",
    key: &["source", "account_id", "mandate_id"],
    columns: &[
        "kind",
        "payee",
        "reference",
        "frequency",
        "status",
        "next_on",
        "next_minor",
        "previous_on",
        "previous_minor",
        "currency",
        "raw",
    ],
    derived: &[],
};

pub(crate) fn mandate_row(m: &Mandate) -> Vec<Param> {
    let currency = m.next_amount.or(m.previous_amount).map(|a| a.currency());
    // One currency a mandate: an amount in another one is not stored as if it were in this one.
    let minor = |a: Option<Money>| {
        a.filter(|a| Some(a.currency()) == currency)
            .map(|a| a.minor())
    };
    vec![
        t(&m.source),
        t(&m.account_id),
        t(&m.id),
        t(m.kind.as_str()),
        t(&m.payee),
        ot(&m.reference),
        ot(&m.frequency),
        ot(&m.status),
        Param::OptText(m.next_on.map(format_date)),
        Param::OptInt(minor(m.next_amount)),
        Param::OptText(m.previous_on.map(format_date)),
        Param::OptInt(minor(m.previous_amount)),
        Param::OptText(currency.map(|c| c.code().to_owned())),
        opt_json(&m.raw),
    ]
}

pub(crate) fn mandate(r: &impl Get) -> Result<Mandate> {
    Ok(Mandate {
        source: r.text("source")?,
        account_id: r.text("account_id")?,
        id: r.text("mandate_id")?,
        kind: MandateKind::from(r.text("kind")?.as_str()),
        payee: r.text("payee")?,
        reference: r.opt_text("reference")?,
        frequency: r.opt_text("frequency")?,
        status: r.opt_text("status")?,
        next_on: r.opt_date("next_on")?,
        next_amount: r.money("next_minor", "currency")?,
        previous_on: r.opt_date("previous_on")?,
        previous_amount: r.money("previous_minor", "currency")?,
        raw: r.opt_json("raw")?,
    })
}

pub(crate) const EMAILS: Table = Table {
    name: "emails",
    key: &["mailbox", "message_id"],
    columns: &[
        "source_id",
        "from_addr",
        "subject",
        "date_ms",
        "raw_key",
        "raw_size",
        "raw_sha256",
        "labels",
    ],
    derived: &[],
};

pub(crate) fn email_row(e: &Email) -> Vec<Param> {
    vec![
        t(&e.mailbox),
        t(&e.message_id),
        t(&e.source_id),
        ot(&e.from),
        ot(&e.subject),
        Param::OptInt(e.date.map(millis)),
        t(&e.raw_key),
        Param::Int(e.raw_size),
        t(&e.raw_sha256),
        Param::Text(json(&e.labels)),
    ]
}

pub(crate) fn email(r: &impl Get) -> Result<Email> {
    Ok(Email {
        mailbox: r.text("mailbox")?,
        message_id: r.text("message_id")?,
        source_id: r.text("source_id")?,
        from: r.opt_text("from_addr")?,
        subject: r.opt_text("subject")?,
        date: r.instant("date_ms")?,
        raw_key: r.text("raw_key")?,
        raw_size: r.int("raw_size")?,
        raw_sha256: r.text("raw_sha256")?,
        labels: r.json("labels")?,
    })
}

pub(crate) const RECEIPTS: Table = Table {
    name: "receipts",
    key: &["mailbox", "message_id"],
    columns: &[
        "kind",
        "vendor",
        "merchant",
        "date",
        "total_minor",
        "currency",
        "order_ids",
        "parsed",
    ],
    derived: &[],
};

pub(crate) fn receipt_row(x: &Receipt) -> Vec<Param> {
    vec![
        t(&x.mailbox),
        t(&x.message_id),
        t(&x.kind),
        ot(&x.vendor),
        ot(&x.merchant),
        Param::OptText(x.date.map(format_date)),
        Param::OptInt(x.total.map(|m| m.minor())),
        Param::OptText(x.total.map(|m| m.currency().code().to_owned())),
        Param::Text(json(&x.order_ids)),
        Param::Text(json(&x.parsed)),
    ]
}

pub(crate) fn receipt(r: &impl Get) -> Result<Receipt> {
    Ok(Receipt {
        mailbox: r.text("mailbox")?,
        message_id: r.text("message_id")?,
        kind: r.text("kind")?,
        vendor: r.opt_text("vendor")?,
        merchant: r.opt_text("merchant")?,
        date: r.opt_date("date")?,
        total: r.money("total_minor", "currency")?,
        order_ids: r.json("order_ids")?,
        parsed: r.json("parsed")?,
    })
}

pub(crate) const DOCUMENTS: Table = Table {
    name: "documents",
    key: &["mailbox", "message_id", "part"],
    columns: &[
        "filename",
        "content_type",
        "size",
        "sha256",
        "blob_key",
        "name",
    ],
    derived: &[],
};

pub(crate) fn document_row(d: &Document) -> Vec<Param> {
    vec![
        t(&d.mailbox),
        t(&d.message_id),
        Param::Int(d.part),
        ot(&d.filename),
        t(&d.content_type),
        Param::Int(d.size),
        t(&d.sha256),
        t(&d.blob_key),
        t(&d.name),
    ]
}

pub(crate) fn document(r: &impl Get) -> Result<Document> {
    Ok(Document {
        mailbox: r.text("mailbox")?,
        message_id: r.text("message_id")?,
        part: r.int("part")?,
        filename: r.opt_text("filename")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        sha256: r.text("sha256")?,
        blob_key: r.text("blob_key")?,
        name: r.text("name")?,
    })
}

pub(crate) const MATCHES: Table = Table {
    name: "matches",
    key: &["tx_source", "tx_account", "tx_id", "target_key"],
    columns: &["target", "state", "score", "explanation"],
    derived: &[],
};

fn tx_ref(x: &TransactionRef) -> [Param; 3] {
    [t(&x.source), t(&x.account_id), t(&x.id)]
}

fn read_tx_ref(r: &impl Get) -> Result<TransactionRef> {
    Ok(TransactionRef {
        source: r.text("tx_source")?,
        account_id: r.text("tx_account")?,
        id: r.text("tx_id")?,
    })
}

pub(crate) fn match_row(m: &Match) -> Vec<Param> {
    let mut row = tx_ref(&m.transaction).to_vec();
    row.extend([
        Param::Text(m.target.key()),
        Param::Text(json(&m.target)),
        t(m.state.as_str()),
        Param::Real(m.score),
        Param::Text(json(&m.explanation)),
    ]);
    row
}

pub(crate) fn a_match(r: &impl Get) -> Result<Match> {
    Ok(Match {
        transaction: read_tx_ref(r)?,
        target: r.json("target")?,
        state: MatchState::from(r.text("state")?.as_str()),
        score: r.real("score")?,
        explanation: r.json("explanation")?,
    })
}

pub(crate) const ENRICHMENTS: Table = Table {
    name: "enrichments",
    key: &["tx_source", "tx_account", "tx_id"],
    columns: &[
        "category",
        "merchant",
        "essential",
        "source",
        "confidence",
        "tags",
    ],
    derived: &[],
};

pub(crate) fn enrichment_row(e: &Enrichment) -> Vec<Param> {
    let mut row = tx_ref(&e.transaction).to_vec();
    row.extend([
        ot(&e.category),
        ot(&e.merchant),
        Param::OptInt(e.essential.map(i64::from)),
        t(e.source.as_str()),
        Param::Real(e.confidence),
        Param::Text(json(&e.tags)),
    ]);
    row
}

pub(crate) fn enrichment(r: &impl Get) -> Result<Enrichment> {
    Ok(Enrichment {
        transaction: read_tx_ref(r)?,
        category: r.opt_text("category")?,
        merchant: r.opt_text("merchant")?,
        essential: r.opt_int("essential")?.map(|v| v != 0),
        source: EnrichmentSource::from(r.text("source")?.as_str()),
        confidence: r.real("confidence")?,
        tags: r.json("tags")?,
    })
}

pub(crate) fn connection(r: &impl Get) -> Result<Connection> {
    Ok(Connection {
        provider: r.text("provider")?,
        name: r.text("name")?,
        status: ConnectionStatus::from(r.text("status")?.as_str()),
        settings: r.json("settings")?,
    })
}

pub(crate) fn checkpoint(r: &impl Get) -> Result<Checkpoint> {
    Ok(Checkpoint {
        source: r.text("source")?,
        value: r.json("value")?,
        updated_at: from_millis(r.int("updated_ms")?)?,
    })
}

pub(crate) fn sync_run(r: &impl Get) -> Result<SyncRun> {
    Ok(SyncRun {
        id: r.int("id")?,
        source: r.text("source")?,
        started_at: from_millis(r.int("started_ms")?)?,
        finished_at: r.instant("finished_ms")?,
        status: r.text("status")?,
        summary: r.json("summary")?,
    })
}

pub(crate) fn json_text(v: &serde_json::Value) -> String {
    json(v)
}
