//! Banks' CSV exports: presets recognised by their header rows (Monzo,
//! Starling, Barclays, Lloyds/Halifax/Bank of Scotland, Nationwide,
//! Revolut; HSBC UK's rows without a header), or a mapping the person gives for any other.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::text::{Csv, Row, day_dmy, day_iso, day_mdy, day_named_month, fingerprint};
use super::{FileError, FileFormat, ImportOptions, ReadFile};
use crate::model::{Account, AccountKind, Currency, Money, Transaction};
use crate::store::Batch;

/// The source name transactions from bank CSV files are stored under.
const SOURCE: &str = "csv";

/// Which way a CSV's amounts point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sign {
    /// Money out is negative (most exports).
    #[default]
    OutNegative,
    /// Money out is positive (card statements that list charges).
    OutPositive,
}

/// How days are written in a mapped CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayOrder {
    /// `31/01/2026` (UK banks).
    #[default]
    DayFirst,
    /// `01/31/2026`.
    MonthFirst,
    /// `2026-01-31`.
    Iso,
}

/// Which columns of a CSV hold what, for exports no preset knows.
///
/// ```
/// use spend_core::sources::files::CsvMapping;
/// let map: CsvMapping = "date=Posted,amount=Value,description=Details,days=dmy".parse().unwrap();
/// assert_eq!(map.date, "Posted");
/// assert!("date=Posted".parse::<CsvMapping>().is_err(), "an amount column is needed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CsvMapping {
    /// The day's column.
    pub date: String,
    /// The signed amount's column (or `paid_out` and `paid_in`).
    pub amount: Option<String>,
    /// Money out, unsigned.
    pub paid_out: Option<String>,
    /// Money in, unsigned.
    pub paid_in: Option<String>,
    /// The description's column.
    pub description: String,
    /// The bank's id of each row, when there is one.
    pub id: Option<String>,
    /// The currency's column, when there is one.
    pub currency: Option<String>,
    /// How days are written.
    pub days: DayOrder,
    /// Which way amounts point.
    pub sign: Sign,
}

impl FromStr for CsvMapping {
    type Err = String;

    /// `date=COL,amount=COL,description=COL` (or `out=COL,in=COL` for two
    /// unsigned columns), optionally `id=COL`, `currency=COL`,
    /// `days=dmy|mdy|iso` and `sign=out-negative|out-positive`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut map = CsvMapping::default();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not KEY=COLUMN"))?;
            let value = value.trim().to_owned();
            match key.trim() {
                "date" => map.date = value,
                "amount" => map.amount = Some(value),
                "out" | "paid_out" => map.paid_out = Some(value),
                "in" | "paid_in" => map.paid_in = Some(value),
                "description" => map.description = value,
                "id" => map.id = Some(value),
                "currency" => map.currency = Some(value),
                "days" => {
                    map.days = match value.as_str() {
                        "dmy" => DayOrder::DayFirst,
                        "mdy" => DayOrder::MonthFirst,
                        "iso" | "ymd" => DayOrder::Iso,
                        other => return Err(format!("days={other}: expected dmy, mdy or iso")),
                    }
                }
                "sign" => {
                    map.sign = match value.as_str() {
                        "out-negative" => Sign::OutNegative,
                        "out-positive" => Sign::OutPositive,
                        other => {
                            return Err(format!(
                                "sign={other}: expected out-negative or out-positive"
                            ));
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "unknown key {other:?} (date, amount, out, in, description, id, currency, days, sign)"
                    ));
                }
            }
        }
        if map.date.is_empty() {
            return Err("date=COLUMN is needed".into());
        }
        if map.amount.is_none() && map.paid_out.is_none() && map.paid_in.is_none() {
            return Err("amount=COLUMN (or out=COLUMN,in=COLUMN) is needed".into());
        }
        if map.description.is_empty() {
            return Err("description=COLUMN is needed".into());
        }
        Ok(map)
    }
}

/// A preset: how one bank's export is read.
struct Preset {
    name: &'static str,
    /// Columns whose presence recognises it.
    signature: &'static [&'static str],
    read: fn(&Row<'_>, &mut Line) -> Result<Keep, FileError>,
}

/// One transaction's parts as a preset reads them.
#[derive(Default)]
struct Line {
    date: Option<time::Date>,
    amount: Option<Decimal>,
    description: String,
    id: Option<String>,
    currency: Option<String>,
    account: Option<String>,
    category: Option<String>,
    balance: Option<Decimal>,
}

/// How one row becomes a [`Line`].
type ReadLine = dyn Fn(&Row<'_>, &mut Line) -> Result<Keep, FileError>;

enum Keep {
    Yes,
    No(String),
}

fn dmy(row: &Row<'_>, column: &str) -> Result<time::Date, FileError> {
    let v = row.need(column)?;
    day_dmy(v).ok_or_else(|| row.error(column, format!("{v:?} is not a DD/MM/YYYY date")))
}

fn out_in(row: &Row<'_>, out: &str, paid_in: &str) -> Result<Decimal, FileError> {
    let o = row.amount(out)?.unwrap_or_default().abs();
    let i = row.amount(paid_in)?.unwrap_or_default().abs();
    Ok(i - o)
}

const PRESETS: &[Preset] = &[
    Preset {
        name: "monzo",
        signature: &[
            "Transaction ID",
            "Date",
            "Time",
            "Name",
            "Amount",
            "Currency",
        ],
        read: |row, l| {
            l.id = Some(row.need("Transaction ID")?.to_owned());
            l.date = Some(dmy(row, "Date")?);
            l.amount = row.amount("Amount")?;
            l.description = row
                .get("Name")
                .or(row.get("Description"))
                .unwrap_or_default()
                .to_owned();
            l.currency = row.get("Currency").map(str::to_owned);
            l.category = row.get("Category").map(str::to_owned);
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "monzo",
        signature: &["id", "created", "amount", "currency", "description"],
        read: |row, l| {
            l.id = Some(row.need("id")?.to_owned());
            let created = row.need("created")?;
            l.date = Some(
                day_iso(created)
                    .ok_or_else(|| row.error("created", format!("{created:?} is not a date")))?,
            );
            // The 2018 export wrote pounds (`-10`), like the later ones.
            l.amount = row.amount("amount")?;
            l.description = row.get("description").unwrap_or_default().to_owned();
            l.currency = row.get("currency").map(str::to_owned);
            l.category = row.get("category").map(str::to_owned);
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "starling",
        signature: &["Date", "Counter Party", "Reference", "Type"],
        read: |row, l| {
            l.date = Some(dmy(row, "Date")?);
            let (amount_column, currency) = row
                .columns_starting("Amount (")
                .ok_or_else(|| row.error("Amount (GBP)", "is missing"))?;
            l.amount = row.amount(&amount_column)?;
            l.currency = Some(currency);
            l.description = row.get("Counter Party").unwrap_or_default().to_owned();
            l.category = row.get("Spending Category").map(str::to_owned);
            if let Some((balance, _)) = row.columns_starting("Balance (") {
                l.balance = row.amount(&balance)?;
            }
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "barclays",
        signature: &["Number", "Date", "Account", "Amount", "Subcategory", "Memo"],
        read: |row, l| {
            l.date = Some(dmy(row, "Date")?);
            l.amount = row.amount("Amount")?;
            // `ASDA PETROL           ON 13 SEP          BDC`: the padding goes.
            l.description = row
                .get("Memo")
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            l.account = row.get("Account").map(str::to_owned);
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "lloyds",
        signature: &[
            "Transaction Date",
            "Transaction Type",
            "Sort Code",
            "Account Number",
            "Debit Amount",
            "Credit Amount",
        ],
        read: |row, l| {
            l.date = Some(dmy(row, "Transaction Date")?);
            l.amount = Some(out_in(row, "Debit Amount", "Credit Amount")?);
            l.description = row
                .get("Transaction Description")
                .unwrap_or_default()
                .to_owned();
            // `'30-00-00`: Excel's text guard goes.
            let sort_code = row
                .get("Sort Code")
                .unwrap_or_default()
                .trim_start_matches('\'');
            l.account = Some(
                format!(
                    "{sort_code} {}",
                    row.get("Account Number").unwrap_or_default()
                )
                .trim()
                .to_owned(),
            );
            l.balance = row.amount("Balance")?;
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "nationwide",
        signature: &[
            "Date",
            "Transaction type",
            "Description",
            "Paid out",
            "Paid in",
            "Balance",
        ],
        read: |row, l| {
            let v = row.need("Date")?;
            l.date = Some(day_named_month(v).ok_or_else(|| {
                row.error("Date", format!("{v:?} is not a date like 02 Oct 2025"))
            })?);
            l.amount = Some(out_in(row, "Paid out", "Paid in")?);
            l.description = row
                .get("Description")
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            l.balance = row.amount("Balance")?;
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "nationwide",
        signature: &["Date", "Transactions", "Debits", "Credits", "Balance"],
        read: |row, l| {
            let v = row.need("Date")?;
            l.date = Some(day_named_month(v).ok_or_else(|| {
                row.error("Date", format!("{v:?} is not a date like 05 May 2011"))
            })?);
            l.amount = Some(out_in(row, "Debits", "Credits")?);
            l.description = row
                .get("Transactions")
                .unwrap_or_default()
                .trim_end_matches(['.', ' '])
                .to_owned();
            l.balance = row.amount("Balance")?;
            Ok(Keep::Yes)
        },
    },
    Preset {
        name: "revolut",
        signature: &[
            "Type",
            "Product",
            "Started Date",
            "Completed Date",
            "Description",
            "Amount",
            "Fee",
            "Currency",
            "State",
        ],
        read: |row, l| {
            let state = row.get("State").unwrap_or_default();
            if !state.eq_ignore_ascii_case("completed") {
                return Ok(Keep::No(format!("{state} (not completed)")));
            }
            let v = row
                .get("Completed Date")
                .or(row.get("Started Date"))
                .unwrap_or_default();
            l.date = Some(
                day_iso(v)
                    .ok_or_else(|| row.error("Completed Date", format!("{v:?} is not a date")))?,
            );
            let fee = row.amount("Fee")?.unwrap_or_default();
            l.amount = row.amount("Amount")?.map(|a| a - fee.abs());
            l.description = row.get("Description").unwrap_or_default().to_owned();
            l.currency = row.get("Currency").map(str::to_owned);
            l.balance = row.amount("Balance")?;
            Ok(Keep::Yes)
        },
    },
];

/// HSBC UK: rows with no header (see [`HSBC_COLUMNS`]), signed amounts.
const HSBC: Preset = Preset {
    name: "hsbc",
    signature: HSBC_COLUMNS,
    read: |row, l| {
        l.date = Some(dmy(row, "Date")?);
        l.amount = row.amount("Amount")?;
        l.description = row.get("Description").unwrap_or_default().to_owned();
        Ok(Keep::Yes)
    },
};

impl Row<'_> {
    /// The first column whose name starts with `prefix` (`Amount (EUR)`),
    /// and what its parentheses hold.
    fn columns_starting(&self, prefix: &str) -> Option<(String, String)> {
        self.column_names()
            .find(|c| c.starts_with(prefix))
            .map(|c| {
                (
                    c.to_owned(),
                    c[prefix.len()..].trim_end_matches(')').to_owned(),
                )
            })
    }
}

fn mapped(map: &CsvMapping, row: &Row<'_>, l: &mut Line) -> Result<Keep, FileError> {
    let v = row.need(&map.date)?;
    let day = match map.days {
        DayOrder::DayFirst => day_dmy(v),
        DayOrder::MonthFirst => day_mdy(v),
        DayOrder::Iso => day_iso(v),
    };
    l.date =
        Some(day.ok_or_else(|| {
            row.error(&map.date, format!("{v:?} is not a date ({:?})", map.days))
        })?);
    let amount = match (&map.amount, &map.paid_out, &map.paid_in) {
        (Some(a), _, _) => row.amount(a)?,
        (None, out, paid_in) => {
            let o = match out {
                Some(c) => row.amount(c)?.unwrap_or_default().abs(),
                None => Decimal::ZERO,
            };
            let i = match paid_in {
                Some(c) => row.amount(c)?.unwrap_or_default().abs(),
                None => Decimal::ZERO,
            };
            Some(i - o)
        }
    };
    l.amount = amount.map(|a| if map.sign == Sign::OutPositive { -a } else { a });
    l.description = row.get(&map.description).unwrap_or_default().to_owned();
    l.id = map
        .id
        .as_deref()
        .and_then(|c| row.get(c))
        .map(str::to_owned);
    l.currency = map
        .currency
        .as_deref()
        .and_then(|c| row.get(c))
        .map(str::to_owned);
    Ok(Keep::Yes)
}

/// The columns of HSBC UK's export, which has no header row:
/// `01/03/2026,GROCERY STORE,-25.50`.
const HSBC_COLUMNS: &[&str] = &["Date", "Description", "Amount"];

/// Whether the text is rows of day (DD/MM/YYYY), description and signed
/// amount with no header, as HSBC UK exports them.
fn is_headerless_hsbc(text: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .is_some_and(|r| {
            r.len() == 3
                && day_dmy(r[0].trim()).is_some()
                && super::text::amount(r[2].trim()).is_some()
        })
}

pub(crate) fn read(name: &str, text: &str, options: &ImportOptions) -> Result<ReadFile, FileError> {
    if options.mapping.is_none() && is_headerless_hsbc(text) {
        let csv = Csv::headerless(name, text, HSBC_COLUMNS)?;
        return read_rows(name, &csv, "hsbc".into(), &HSBC.read, options);
    }
    // The header is the first row naming a date column (Nationwide puts
    // account lines before it).
    let is_header = |r: &csv::StringRecord| {
        r.iter().any(|c| {
            let c = c.trim().trim_start_matches('\u{feff}');
            c == "Date"
                || c == "Transaction Date"
                || c == "created"
                || c == "Started Date"
                || options.mapping.as_ref().is_some_and(|m| m.date == c)
        })
    };
    let csv = Csv::read(name, text, Some(&is_header)).map_err(|mut e| {
        if e.detail == "no header row" {
            e.detail = "not a format spend reads: no known header (Amazon, OFX, QIF, CAMT.053, or a bank's CSV); for another CSV give --map date=...,amount=...,description=...".into();
        }
        e
    })?;
    let (preset_name, reader): (String, Box<ReadLine>) = match &options.mapping {
        Some(map) => {
            let mut needed = vec![map.date.as_str(), map.description.as_str()];
            needed.extend(map.amount.as_deref());
            needed.extend(map.paid_out.as_deref());
            needed.extend(map.paid_in.as_deref());
            csv.require(&needed)?;
            let map = map.clone();
            (
                "mapped".into(),
                Box::new(move |row: &Row<'_>, l: &mut Line| mapped(&map, row, l)),
            )
        }
        None => {
            // The preset whose columns the header has most of: all of
            // them, or a clear error naming the ones missing.
            let (present, preset) = PRESETS
                    .iter()
                    .map(|p| (p.signature.iter().filter(|c| csv.has(c)).count(), p))
                    .max_by_key(|(n, p)| (*n, usize::MAX - p.signature.len()))
                    .filter(|(n, _)| *n >= 3)
                    .ok_or_else(|| {
                        FileError::at(
                            name,
                            Some(csv.header_line),
                            None,
                            "a CSV no preset knows (Monzo, Starling, Barclays, Lloyds/Halifax, Nationwide, Revolut, HSBC): give --map date=...,amount=...,description=...",
                        )
                    })?;
            if present < preset.signature.len() {
                csv.require(preset.signature).map_err(|mut e| {
                    e.detail = format!("{} (a {} export?)", e.detail, preset.name);
                    e
                })?;
            }
            (preset.name.into(), Box::new(preset.read))
        }
    };
    read_rows(name, &csv, preset_name, &reader, options)
}

/// The transactions of `csv`'s rows, each read by `reader`.
fn read_rows(
    name: &str,
    csv: &Csv,
    preset_name: String,
    reader: &ReadLine,
    options: &ImportOptions,
) -> Result<ReadFile, FileError> {
    let default_code = options.currency.as_deref().unwrap_or("GBP");
    let mut batch = Batch::default();
    let mut skipped = Vec::new();
    let mut seen = HashMap::new();
    let mut accounts: Vec<(String, Currency)> = Vec::new();
    for (line, record) in &csv.rows {
        let row = csv.row(*line, record);
        let mut l = Line::default();
        if let Keep::No(why) = reader(&row, &mut l)? {
            skipped.push(format!("{name}:{line}: {why}"));
            continue;
        }
        let date = l.date.ok_or_else(|| row.error("date", "is empty"))?;
        let Some(amount) = l.amount else {
            skipped.push(format!("{name}:{line}: no amount"));
            continue;
        };
        let code = l.currency.as_deref().unwrap_or(default_code);
        let currency = Currency::new(code).map_err(|e| row.error("currency", e.to_string()))?;
        let money = Money::from_decimal(amount, currency)
            .map_err(|e| row.error("amount", e.to_string()))?;
        let account = options
            .account
            .clone()
            .or(l.account.clone())
            .unwrap_or_else(|| preset_name.clone());
        let id = match l.id.clone() {
            Some(id) => id,
            None => fingerprint(
                &[
                    &account,
                    &date.to_string(),
                    &money.minor().to_string(),
                    &l.description,
                ],
                &mut seen,
            ),
        };
        let mut tx = Transaction::new(SOURCE, &account, &id, date, money, &l.description);
        tx.category = l.category.clone();
        tx.running_balance = l
            .balance
            .and_then(|b| Money::from_decimal(b, currency).ok());
        tx.raw = Some(row.raw());
        if !accounts.iter().any(|(a, _)| *a == account) {
            accounts.push((account.clone(), currency));
        }
        batch.transactions.push(tx);
    }
    batch.accounts = accounts
        .into_iter()
        .map(|(a, c)| {
            let mut account = Account::new(SOURCE, &a, AccountKind::Bank, c);
            account.provider = Some(preset_name.clone());
            account
        })
        .collect();
    Ok(ReadFile {
        name: name.to_owned(),
        format: FileFormat::BankCsv,
        variant: Some(preset_name),
        batch,
        skipped,
        item_amounts: Default::default(),
    })
}
