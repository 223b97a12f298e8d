//! CAMT.053 (ISO 20022 bank-to-customer statements), versions .02 to .13:
//! elements are found by local name, so the namespace's version does not
//! matter. Booked entries only; the amount's sign comes from `CdtDbtInd`
//! (a reversal turns it over); the counterparty and the remittance text
//! make the description.

use std::collections::HashMap;

use roxmltree::Node;
use rust_decimal::Decimal;

use super::text::fingerprint;
use super::{FileError, FileFormat, ReadFile};
use crate::model::{Account, AccountKind, Currency, Money, Transaction};
use crate::store::Batch;

/// The source name transactions from CAMT.053 files are stored under.
const SOURCE: &str = "camt053";

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn path<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    names.iter().try_fold(node, |n, name| child(n, name))
}

fn text_of(node: Option<Node<'_, '_>>) -> Option<String> {
    node.and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// `Dt` or `DtTm` under `node` (`BookgDt`, `ValDt`), as a day.
fn day(node: Option<Node<'_, '_>>) -> Option<time::Date> {
    let node = node?;
    let text = text_of(child(node, "Dt").and_then(|d| child(d, "DtTm").or(Some(d))))
        .or_else(|| text_of(child(node, "DtTm")))?;
    super::text::day_iso(&text)
}

/// A party's name: `Nm` directly or under `Pty` (.08 and later).
fn party_name(node: Option<Node<'_, '_>>) -> Option<String> {
    let node = node?;
    text_of(child(node, "Nm")).or_else(|| text_of(path(node, &["Pty", "Nm"])))
}

fn line_of(doc: &roxmltree::Document<'_>, node: Node<'_, '_>) -> u64 {
    u64::from(doc.text_pos_at(node.range().start).row)
}

pub(crate) fn read(name: &str, text: &str) -> Result<ReadFile, FileError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        FileError::at(
            name,
            Some(u64::from(e.pos().row)),
            None,
            format!("not well-formed XML: {e}"),
        )
    })?;
    let statements: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Stmt")
        .collect();
    if statements.is_empty() {
        return Err(FileError::at(
            name,
            None,
            Some("Stmt"),
            "a CAMT.053 document with no statement",
        ));
    }
    let mut batch = Batch::default();
    let mut skipped = Vec::new();
    for stmt in statements {
        let acct = child(stmt, "Acct");
        let account_id = acct
            .and_then(|a| {
                text_of(path(a, &["Id", "IBAN"]))
                    .or_else(|| text_of(path(a, &["Id", "Othr", "Id"])))
            })
            .ok_or_else(|| {
                FileError::at(
                    name,
                    Some(line_of(&doc, stmt)),
                    Some("Acct/Id"),
                    "a statement names no account",
                )
            })?;
        let account_currency = acct.and_then(|a| text_of(child(a, "Ccy")));
        let mut seen = HashMap::new();
        let mut currency_of_account = None;
        for entry in stmt
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "Ntry")
        {
            let line = line_of(&doc, entry);
            let at = |column: &str, detail: String| {
                FileError::at(name, Some(line), Some(column), detail)
            };
            let status = child(entry, "Sts")
                .and_then(|s| text_of(child(s, "Cd")).or_else(|| text_of(Some(s))));
            if status.as_deref().is_some_and(|s| s != "BOOK") {
                skipped.push(format!(
                    "{name}:{line}: entry {} is not booked",
                    status.unwrap_or_default()
                ));
                continue;
            }
            let amt = child(entry, "Amt").ok_or_else(|| at("Amt", "is missing".into()))?;
            let code = amt
                .attribute("Ccy")
                .map(str::to_owned)
                .or_else(|| account_currency.clone())
                .ok_or_else(|| at("Amt", "has no currency".into()))?;
            let currency = Currency::new(&code).map_err(|e| at("Amt", e.to_string()))?;
            currency_of_account.get_or_insert(currency);
            let value_text = text_of(Some(amt)).unwrap_or_default();
            let value = Decimal::from_str_exact(&value_text)
                .map_err(|_| at("Amt", format!("{value_text:?} is not an amount")))?;
            let debit = match text_of(child(entry, "CdtDbtInd")).as_deref() {
                Some("DBIT") => true,
                Some("CRDT") => false,
                other => {
                    return Err(at(
                        "CdtDbtInd",
                        format!("{other:?} is neither CRDT nor DBIT"),
                    ));
                }
            };
            let reversal = text_of(child(entry, "RvslInd")).as_deref() == Some("true");
            let signed = if debit != reversal { -value } else { value };
            let money =
                Money::from_decimal(signed, currency).map_err(|e| at("Amt", e.to_string()))?;
            let date = day(child(entry, "BookgDt"))
                .or_else(|| day(child(entry, "ValDt")))
                .ok_or_else(|| at("BookgDt", "has no date".into()))?;
            let details: Vec<Node<'_, '_>> = entry
                .descendants()
                .filter(|n| n.is_element() && n.tag_name().name() == "TxDtls")
                .collect();
            let counterparty = details.iter().find_map(|d| {
                let parties = child(*d, "RltdPties")?;
                if debit {
                    party_name(child(parties, "Cdtr"))
                } else {
                    party_name(child(parties, "Dbtr"))
                }
            });
            let remittance: Vec<String> = details
                .iter()
                .flat_map(|d| {
                    d.descendants()
                        .filter(|n| n.is_element() && n.tag_name().name() == "Ustrd")
                        .filter_map(|n| text_of(Some(n)))
                        .collect::<Vec<_>>()
                })
                .collect();
            let remittance = if remittance.is_empty() {
                text_of(child(entry, "AddtlNtryInf"))
            } else {
                Some(remittance.join(" "))
            };
            let description = match (&counterparty, &remittance) {
                (Some(c), Some(r)) => format!("{c} {r}"),
                (Some(c), None) => c.clone(),
                (None, Some(r)) => r.clone(),
                (None, None) => String::new(),
            };
            let reference = text_of(child(entry, "AcctSvcrRef"))
                .or_else(|| text_of(child(entry, "NtryRef")))
                .or_else(|| {
                    details
                        .iter()
                        .find_map(|d| text_of(path(*d, &["Refs", "AcctSvcrRef"])))
                });
            let id = match reference {
                Some(r) => r,
                None => fingerprint(
                    &[
                        &account_id,
                        &date.to_string(),
                        &money.minor().to_string(),
                        &description,
                    ],
                    &mut seen,
                ),
            };
            let mut tx = Transaction::new(SOURCE, &account_id, &id, date, money, &description);
            tx.merchant = counterparty;
            tx.raw = Some(serde_json::json!({
                "line": line,
                "counterparty_iban": details.iter().find_map(|d| {
                    let parties = child(*d, "RltdPties")?;
                    text_of(path(parties, &[if debit { "CdtrAcct" } else { "DbtrAcct" }, "Id", "IBAN"]))
                }),
                "remittance": remittance,
                "bank_code": text_of(path(entry, &["BkTxCd", "Domn", "Cd"])).or_else(|| text_of(path(entry, &["BkTxCd", "Prtry", "Cd"]))),
            }));
            batch.transactions.push(tx);
        }
        let currency = account_currency
            .as_deref()
            .and_then(|c| Currency::new(c).ok())
            .or(currency_of_account)
            .unwrap_or(Currency::EUR);
        let mut account = Account::new(SOURCE, &account_id, AccountKind::Bank, currency);
        account.number_hint = Some(format!(
            "****{}",
            &account_id[account_id.len().saturating_sub(4)..]
        ));
        batch.accounts.push(account);
    }
    Ok(ReadFile {
        name: name.to_owned(),
        format: FileFormat::Camt053,
        variant: doc
            .root_element()
            .tag_name()
            .namespace()
            .and_then(|ns| ns.rsplit(':').next())
            .map(str::to_owned),
        batch,
        skipped,
        item_amounts: Default::default(),
    })
}
