//! OFX bank and card statements: 1.x (SGML, leaf tags left open) and 2.x
//! (XML), QFX and QBO alike. One tokenizer reads both: a tag followed by
//! text is a value, a tag followed by a tag opens an aggregate.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::text::fingerprint;
use super::{FileError, FileFormat, ReadFile};
use crate::model::{Account, AccountKind, Currency, Money, Transaction};
use crate::store::Batch;

/// The source name transactions from OFX files are stored under.
const SOURCE: &str = "ofx";

/// Whether the text is OFX (its header, or a bare `<OFX>` body).
pub(crate) fn looks_like(head: &str) -> bool {
    let start = &head[..head.len().min(1024)];
    start.starts_with("OFXHEADER")
        || start.starts_with("<OFX>")
        || start.contains("<?OFX")
        || (start.starts_with("<?xml") && start.to_ascii_uppercase().contains("<OFX>"))
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// A statement's context while its transactions are read.
#[derive(Default)]
struct Statement {
    currency: Option<String>,
    account: Option<String>,
    bank: Option<String>,
    card: bool,
    kind: Option<String>,
    balance: Option<String>,
    transactions: Vec<(u64, BTreeMap<String, String>)>,
}

/// The line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> u64 {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count() as u64
        + 1
}

pub(crate) fn read(name: &str, text: &str) -> Result<ReadFile, FileError> {
    let upper_start = text
        .find("<OFX>")
        .or_else(|| text.find("<ofx>"))
        .ok_or_else(|| FileError::at(name, None, None, "OFX header but no <OFX> element"))?;
    let variant = if text[..upper_start].contains("<?xml") || text[..upper_start].contains("<?OFX")
    {
        "xml"
    } else {
        "sgml"
    };
    let mut statements: Vec<Statement> = Vec::new();
    let mut current: Option<Statement> = None;
    let mut transaction: Option<(u64, BTreeMap<String, String>)> = None;
    let mut pos = upper_start;
    while let Some(lt) = text[pos..].find('<') {
        let tag_start = pos + lt + 1;
        let Some(gt) = text[tag_start..].find('>') else {
            break;
        };
        let tag = text[tag_start..tag_start + gt].trim().to_ascii_uppercase();
        let value_start = tag_start + gt + 1;
        let value_end = text[value_start..]
            .find('<')
            .map_or(text.len(), |i| value_start + i);
        let value = text[value_start..value_end].trim();
        pos = value_end;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(closed) = tag.strip_prefix('/') {
            match closed {
                "STMTTRN" => {
                    if let (Some(t), Some(s)) = (transaction.take(), current.as_mut()) {
                        s.transactions.push(t);
                    }
                }
                "STMTRS" | "CCSTMTRS" => {
                    if let Some(s) = current.take() {
                        statements.push(s);
                    }
                }
                _ => {}
            }
            continue;
        }
        match tag.as_str() {
            "STMTRS" | "CCSTMTRS" => {
                if let Some(s) = current.take() {
                    statements.push(s);
                }
                current = Some(Statement {
                    card: tag == "CCSTMTRS",
                    ..Statement::default()
                });
            }
            "STMTTRN" => {
                if let (Some(t), Some(s)) = (transaction.take(), current.as_mut()) {
                    s.transactions.push(t);
                }
                transaction = Some((line_at(text, tag_start), BTreeMap::new()));
            }
            _ if value.is_empty() => {}
            _ => {
                let value = unescape(value);
                if let Some((_, fields)) = transaction.as_mut() {
                    fields.entry(tag).or_insert(value);
                } else if let Some(s) = current.as_mut() {
                    match tag.as_str() {
                        "CURDEF" => s.currency = Some(value),
                        "ACCTID" => s.account = Some(value),
                        "BANKID" => s.bank = Some(value),
                        "ACCTTYPE" => s.kind = Some(value),
                        "BALAMT" if s.balance.is_none() => s.balance = Some(value),
                        _ => {}
                    }
                }
            }
        }
    }
    if let Some(s) = current.take() {
        statements.push(s);
    }
    if statements.is_empty() {
        return Err(FileError::at(
            name,
            None,
            None,
            "OFX without a bank or card statement",
        ));
    }
    let mut batch = Batch::default();
    for s in statements {
        let code = s.currency.as_deref().unwrap_or("USD");
        let currency = Currency::new(code)
            .map_err(|e| FileError::at(name, None, Some("CURDEF"), e.to_string()))?;
        let account_id = s.account.clone().ok_or_else(|| {
            FileError::at(name, None, Some("ACCTID"), "a statement names no account")
        })?;
        let kind = if s.card || s.kind.as_deref() == Some("CREDITLINE") {
            AccountKind::Card
        } else {
            AccountKind::Bank
        };
        let mut account = Account::new(SOURCE, &account_id, kind, currency);
        account.provider = s.bank.clone();
        account.name = s.kind.clone();
        account.number_hint = Some(format!(
            "****{}",
            &account_id[account_id.len().saturating_sub(4)..]
        ));
        account.balance = s.balance.as_deref().and_then(|b| money(b, currency));
        batch.accounts.push(account);
        let mut seen = HashMap::new();
        for (line, fields) in s.transactions {
            let field = |f: &str| fields.get(f).map(String::as_str);
            let at = |column: &str, detail: String| {
                FileError::at(name, Some(line), Some(column), detail)
            };
            let posted = field("DTPOSTED").ok_or_else(|| at("DTPOSTED", "is missing".into()))?;
            let date = ofx_day(posted)
                .ok_or_else(|| at("DTPOSTED", format!("{posted:?} is not an OFX date")))?;
            let text_amount = field("TRNAMT").ok_or_else(|| at("TRNAMT", "is missing".into()))?;
            let amount = money(text_amount, currency).ok_or_else(|| {
                at(
                    "TRNAMT",
                    format!("{text_amount:?} is not an amount in {code}"),
                )
            })?;
            let description = field("NAME")
                .or(field("MEMO"))
                .or(field("PAYEE"))
                .unwrap_or("")
                .to_owned();
            let id = match field("FITID") {
                Some(fitid) => fitid.to_owned(),
                None => fingerprint(
                    &[
                        &account_id,
                        &date.to_string(),
                        &amount.minor().to_string(),
                        &description,
                    ],
                    &mut seen,
                ),
            };
            let mut tx = Transaction::new(SOURCE, &account_id, &id, date, amount, &description);
            tx.raw = Some(serde_json::to_value(&fields).unwrap_or_default());
            batch.transactions.push(tx);
        }
    }
    Ok(ReadFile {
        name: name.to_owned(),
        format: FileFormat::Ofx,
        variant: Some(variant.into()),
        batch,
        skipped: Vec::new(),
        item_amounts: Default::default(),
    })
}

/// An OFX amount: `-6.60`, and the decimal comma some banks write (`-70,00`).
fn money(text: &str, currency: Currency) -> Option<Money> {
    let t = text.trim();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.replace(',', "")
    };
    let d = Decimal::from_str_exact(&t).ok()?;
    Money::from_decimal(d, currency).ok()
}

/// The day of an OFX date (`20090401`, `20090401122017.000[-5:EST]`): the
/// day the bank wrote, whatever the time and zone after it.
fn ofx_day(text: &str) -> Option<time::Date> {
    let digits = text.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = digits[..4].parse().ok()?;
    let m: u8 = digits[4..6].parse().ok()?;
    let d: u8 = digits[6..8].parse().ok()?;
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}
