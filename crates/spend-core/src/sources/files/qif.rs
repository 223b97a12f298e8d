//! QIF (Quicken Interchange Format): `!Type:Bank`, `Cash`, `CCard`,
//! `Oth A` and `Oth L` sections of `D`/`T`/`P`/`M`/`L` records ended by `^`;
//! lists (`!Type:Cat`, `Class`, `Memorized`) and investment sections are
//! passed over. Day order comes from `!Option:MDY`/`DMY`, else from the
//! file's own dates (a first part above 12 means day first), else month
//! first as Quicken writes.

use std::collections::HashMap;

use super::text::{amount, fingerprint};
use super::{FileError, FileFormat, ImportOptions, ReadFile};
use crate::model::{Account, AccountKind, Currency, Money, Transaction};
use crate::store::Batch;

/// The source name transactions from QIF files are stored under.
const SOURCE: &str = "qif";

/// Whether the text starts like a QIF file.
pub(crate) fn looks_like(head: &str) -> bool {
    let first = head
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    first.starts_with("!type:") || first.starts_with("!option:") || first == "!account"
}

/// The parts of a QIF date (`1/15'24`, `1/ 7' 0`, `23/10/2013`,
/// `10.18.23`, `2026-01-15`): the two leading numbers, the year, and
/// whether it was an ISO date.
fn parts(text: &str) -> Option<(u32, u32, i32)> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(iso) = super::text::day_iso(&t) {
        return Some((
            u32::from(u8::from(iso.month())),
            u32::from(iso.day()),
            iso.year() + 10_000,
        ));
    }
    let apostrophe = t.contains('\'');
    let mut it = t.split(['/', '\'', '.', '-']);
    let a: u32 = it.next()?.parse().ok()?;
    let b: u32 = it.next()?.parse().ok()?;
    let y_text = it.next()?;
    let y: i32 = y_text.parse().ok()?;
    let year = match (y_text.len(), apostrophe) {
        (4, _) => y,
        // Quicken's apostrophe marks this century.
        (_, true) => 2000 + y,
        _ if y < 50 => 2000 + y,
        _ => 1900 + y,
    };
    Some((a, b, year))
}

fn to_day(p: (u32, u32, i32), day_first: bool) -> Option<time::Date> {
    let (a, b, year) = p;
    if year > 10_000 {
        // An ISO date: month and day already in place.
        return time::Date::from_calendar_date(
            year - 10_000,
            time::Month::try_from(a as u8).ok()?,
            b as u8,
        )
        .ok();
    }
    let (d, m) = if day_first { (a, b) } else { (b, a) };
    time::Date::from_calendar_date(
        year,
        time::Month::try_from(u8::try_from(m).ok()?).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()
}

#[derive(Default)]
struct Record {
    line: u64,
    date: Option<(u64, String)>,
    amount: Option<(u64, String)>,
    payee: Option<String>,
    memo: Option<String>,
    category: Option<String>,
    number: Option<String>,
}

pub(crate) fn read(name: &str, text: &str, options: &ImportOptions) -> Result<ReadFile, FileError> {
    let mut records: Vec<(String, Record)> = Vec::new();
    let mut option_day_first: Option<bool> = None;
    let mut in_transactions = false;
    let mut in_account = false;
    let mut account_name: Option<String> = None;
    let mut current = Record::default();
    let mut started = false;
    let mut skipped = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        if let Some(header) = l.strip_prefix('!') {
            let header = header.trim().to_ascii_lowercase();
            in_account = header == "account";
            match header.as_str() {
                "option:mdy" => option_day_first = Some(false),
                "option:dmy" => option_day_first = Some(true),
                _ if header.starts_with("type:") => {
                    let kind = header["type:".len()..].trim();
                    in_transactions = matches!(kind, "bank" | "cash" | "ccard" | "oth a" | "oth l");
                    if !in_transactions && !matches!(kind, "cat" | "class" | "memorized") {
                        skipped.push(format!(
                            "{name}:{line}: section !Type:{kind} holds no bank transactions"
                        ));
                    }
                }
                _ => {}
            }
            continue;
        }
        let (code, value) = l.split_at(l.char_indices().nth(1).map_or(l.len(), |(i, _)| i));
        if in_account {
            match code {
                "N" => account_name = Some(value.trim().to_owned()),
                "^" => in_account = false,
                _ => {}
            }
            continue;
        }
        if !in_transactions {
            continue;
        }
        if !started {
            current = Record {
                line,
                ..Record::default()
            };
            started = true;
        }
        let value = value.trim().to_owned();
        match code {
            "D" => current.date = Some((line, value)),
            "T" => current.amount = Some((line, value)),
            "U" if current.amount.is_none() => current.amount = Some((line, value)),
            "P" => current.payee = Some(value),
            "M" => current.memo = Some(value),
            "L" => current.category = Some(value),
            "N" => current.number = Some(value),
            "^" => {
                let account = options
                    .account
                    .clone()
                    .or_else(|| account_name.clone())
                    .unwrap_or_else(|| SOURCE.to_owned());
                records.push((account, std::mem::take(&mut current)));
                started = false;
            }
            // Splits, addresses, cleared flags: the total is in T.
            _ => {}
        }
    }
    // A last record without its closing `^`.
    if started && (current.date.is_some() || current.amount.is_some()) {
        let account = options
            .account
            .clone()
            .or(account_name)
            .unwrap_or_else(|| SOURCE.to_owned());
        records.push((account, current));
    }
    if records.is_empty() {
        return Err(FileError::at(
            name,
            None,
            None,
            "QIF without bank, cash or card transactions",
        ));
    }
    // Day first when the file says so, or when a date cannot be month first.
    let day_first = option_day_first.unwrap_or_else(|| {
        records
            .iter()
            .filter_map(|(_, r)| r.date.as_ref().and_then(|(_, d)| parts(d)))
            .any(|(a, _, year)| year < 10_000 && a > 12)
    });
    let code = options.currency.as_deref().unwrap_or("GBP");
    let currency =
        Currency::new(code).map_err(|e| FileError::at(name, None, None, e.to_string()))?;
    let mut batch = Batch::default();
    let mut accounts: Vec<String> = Vec::new();
    let mut seen = HashMap::new();
    for (account, r) in records {
        let (date_line, date_text) = r.date.ok_or_else(|| {
            FileError::at(
                name,
                Some(r.line),
                Some("D"),
                "a transaction without a date",
            )
        })?;
        let date = parts(&date_text)
            .and_then(|p| to_day(p, day_first))
            .ok_or_else(|| {
                FileError::at(
                    name,
                    Some(date_line),
                    Some("D"),
                    format!("{date_text:?} is not a date"),
                )
            })?;
        let (amount_line, amount_text) = r.amount.ok_or_else(|| {
            FileError::at(
                name,
                Some(r.line),
                Some("T"),
                "a transaction without an amount",
            )
        })?;
        let value = amount(&amount_text).ok_or_else(|| {
            FileError::at(
                name,
                Some(amount_line),
                Some("T"),
                format!("{amount_text:?} is not an amount"),
            )
        })?;
        let money = Money::from_decimal(value, currency)
            .map_err(|e| FileError::at(name, Some(amount_line), Some("T"), e.to_string()))?;
        let description = r
            .payee
            .clone()
            .or_else(|| r.memo.clone())
            .unwrap_or_default();
        let id = fingerprint(
            &[
                &account,
                &date.to_string(),
                &money.minor().to_string(),
                &description,
                r.memo.as_deref().unwrap_or(""),
            ],
            &mut seen,
        );
        let mut tx = Transaction::new(SOURCE, &account, &id, date, money, &description);
        // A transfer (`[Savings]`) names an account, not a category.
        tx.category = r.category.clone().filter(|c| !c.starts_with('['));
        tx.raw = Some(serde_json::json!({
            "D": date_text, "T": amount_text, "P": r.payee, "M": r.memo, "L": r.category, "N": r.number,
        }));
        if !accounts.contains(&account) {
            accounts.push(account.clone());
        }
        batch.transactions.push(tx);
    }
    batch.accounts = accounts
        .iter()
        .map(|a| Account::new(SOURCE, a, AccountKind::Bank, currency))
        .collect();
    Ok(ReadFile {
        name: name.to_owned(),
        format: FileFormat::Qif,
        variant: Some(
            if day_first {
                "day-first"
            } else {
                "month-first"
            }
            .into(),
        ),
        batch,
        skipped,
        item_amounts: Default::default(),
    })
}
