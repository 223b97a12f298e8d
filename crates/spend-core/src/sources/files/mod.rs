//! History files as sources: Amazon's and Apple's purchase histories and
//! banks' statements (OFX/QFX, QIF, CAMT.053, CSV), recognised by what they
//! hold (their header row or structure), never by their names. A file is
//! one page, so it is stored whole or not at all; importing it again, or an
//! export that overlaps it, changes nothing (every row has a natural key:
//! the file's own id, or a fingerprint of the row and its occurrence).

mod already_stored;
mod amazon;
mod apple;
mod bank_csv;
mod camt;
mod grouped;
mod ofx;
mod qif;
mod text;

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::future::BoxFuture;

pub use bank_csv::{CsvMapping, Sign};

use super::{Page, Source, SourceError};
use crate::model::{Checkpoint, Money};
use crate::store::{Batch, UserStore};

/// Why a file (or a row of it) cannot be imported: the file, the line and
/// the column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {detail}", line.map(|l| format!(":{l}")).unwrap_or_default(), column.as_ref().map(|c| format!(": column {c:?}")).unwrap_or_default())]
pub struct FileError {
    /// The file (a zip's entry as `export.zip!Retail.OrderHistory.1.csv`).
    pub file: String,
    /// The line (from 1), when one is at fault.
    pub line: Option<u64>,
    /// The column, when one is at fault.
    pub column: Option<String>,
    /// What is wrong.
    pub detail: String,
}

impl FileError {
    pub(crate) fn at(
        file: &str,
        line: Option<u64>,
        column: Option<&str>,
        detail: impl Into<String>,
    ) -> FileError {
        FileError {
            file: file.to_owned(),
            line,
            column: column.map(str::to_owned),
            detail: detail.into(),
        }
    }
}

/// What a file holds, as recognised from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileFormat {
    /// Amazon's "Request your data" `Retail.OrderHistory` CSV.
    AmazonOrderHistory,
    /// Amazon's `Retail.OrdersReturned.Payments` CSV (refunds).
    AmazonRefunds,
    /// Amazon's older Order History Report: items.
    AmazonItemsReport,
    /// Amazon's older Order History Report: orders and shipments.
    AmazonOrdersReport,
    /// Amazon's older Order History Report: refunds.
    AmazonRefundsReport,
    /// Amazon's `Digital Items.csv` (Kindle, apps, Prime fees).
    AmazonDigitalItems,
    /// Amazon's `Digital Orders.csv` (recognised; holds no money).
    AmazonDigitalOrders,
    /// Amazon's `Digital Orders Monetary.csv` (what each digital item cost).
    AmazonDigitalMonetary,
    /// Amazon's `Retail.CustomerReturns` (recognised; holds no money).
    AmazonReturns,
    /// Apple's purchase history from the privacy export.
    ApplePurchases,
    /// OFX 1.x (SGML) or 2.x (XML), QFX and QBO included.
    Ofx,
    /// Quicken Interchange Format.
    Qif,
    /// ISO 20022 bank-to-customer statement.
    Camt053,
    /// A bank's CSV export (a preset, or the mapping given).
    BankCsv,
}

impl FileFormat {
    /// Whether the format amends records that another file stores (and so
    /// is imported after the others named with it).
    pub fn amends_others(self) -> bool {
        matches!(self, FileFormat::AmazonDigitalMonetary)
    }
}

impl std::fmt::Display for FileFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileFormat::AmazonOrderHistory => "Amazon order history",
            FileFormat::AmazonRefunds => "Amazon refunds",
            FileFormat::AmazonItemsReport => "Amazon items report",
            FileFormat::AmazonRefundsReport => "Amazon refunds report",
            FileFormat::AmazonDigitalItems => "Amazon digital items",
            FileFormat::AmazonOrdersReport => "Amazon orders report",
            FileFormat::AmazonDigitalOrders => "Amazon digital orders",
            FileFormat::AmazonDigitalMonetary => "Amazon digital order amounts",
            FileFormat::AmazonReturns => "Amazon returns",
            FileFormat::ApplePurchases => "Apple purchases",
            FileFormat::Ofx => "OFX",
            FileFormat::Qif => "QIF",
            FileFormat::Camt053 => "CAMT.053",
            FileFormat::BankCsv => "bank CSV",
        })
    }
}

/// How to read the files: what their content does not say.
///
/// It travels with a background import's job, so a worker reads the file as
/// the person who queued it asked:
///
/// ```
/// use spend_core::sources::files::ImportOptions;
/// let options = ImportOptions {
///     account: Some("joint".into()),
///     mapping: Some("date=Posted,amount=Value,description=Details".parse().unwrap()),
///     ..Default::default()
/// };
/// let json = serde_json::to_string(&options).unwrap();
/// assert_eq!(serde_json::from_str::<ImportOptions>(&json).unwrap(), options);
/// assert!(ImportOptions::default().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// The account the transactions belong to: for formats that name none
    /// (QIF, most CSV exports; default the format's or preset's name), or to
    /// file a statement under an account already stored (a TrueLayer
    /// account's id), whose transactions are then recognised, not stored twice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A CSV mapping for exports no preset knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping: Option<CsvMapping>,
    /// The currency of files that do not say (QIF, some CSVs); default GBP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl ImportOptions {
    /// Whether nothing is set (every file says all that is needed).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One file read: what it was recognised as and the rows it holds.
#[derive(Debug, Clone)]
pub struct ReadFile {
    /// The file (a zip's entry as `export.zip!name`).
    pub name: String,
    /// What it was recognised as (and, for bank CSVs, the preset).
    pub format: FileFormat,
    /// The preset or dialect, when there is one (`monzo`, `sgml`).
    pub variant: Option<String>,
    /// The rows.
    pub batch: Batch,
    /// Rows of the file that hold no money and were passed over, with why.
    pub skipped: Vec<String>,
    /// What was charged per item id, amending the stored orders that hold
    /// those items (Amazon's `Digital Orders Monetary.csv`, which names
    /// items but not their orders).
    pub item_amounts: BTreeMap<String, Money>,
}

/// Recognises and reads one file's bytes (`name` only for messages).
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ReadFile, FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(FileError::at(
            name,
            None,
            None,
            "a zip archive: read it with read_path, which imports each file inside",
        ));
    }
    let text = text::decode(bytes);
    let head = text.trim_start();
    if ofx::looks_like(head) {
        return file_under(ofx::read(name, &text)?, options);
    }
    if head.starts_with("<?xml") || head.starts_with("<Document") {
        if head.contains("camt.053") || head.contains("BkToCstmrStmt") {
            return file_under(camt::read(name, &text)?, options);
        }
        return Err(FileError::at(
            name,
            None,
            None,
            "XML, but neither OFX nor CAMT.053",
        ));
    }
    if qif::looks_like(head) {
        return qif::read(name, &text, options);
    }
    if apple::looks_like(head.lines().next().unwrap_or_default()) {
        return apple::read(name, &text, options);
    }
    if let Some(read) = amazon::read(name, &text)? {
        return Ok(read);
    }
    bank_csv::read(name, &text, options)
}

/// Files a statement's transactions under the account the person named
/// (one they already have, such as a TrueLayer account's id) instead of the
/// statement's own account number.
fn file_under(mut read: ReadFile, options: &ImportOptions) -> Result<ReadFile, FileError> {
    let Some(account) = &options.account else {
        return Ok(read);
    };
    if read.batch.accounts.len() > 1 {
        return Err(FileError::at(
            &read.name,
            None,
            None,
            format!(
                "the file holds {} accounts' statements: --account can name only one",
                read.batch.accounts.len()
            ),
        ));
    }
    for a in &mut read.batch.accounts {
        a.id = account.clone();
    }
    for t in &mut read.batch.transactions {
        t.account_id = account.clone();
    }
    Ok(read)
}

/// Reads a file, or every file inside a zip (an Amazon export as
/// downloaded): each entry that is a format spend reads, the others listed
/// as passed over.
pub fn read_path(path: &Path, options: &ImportOptions) -> Result<Vec<ReadFile>, FileError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| FileError::at(&name, None, None, e.to_string()))?;
    read_all(&name, &bytes, options)
}

/// Reads a file's bytes, or every file inside a zip's.
fn read_all(name: &str, bytes: &[u8], options: &ImportOptions) -> Result<Vec<ReadFile>, FileError> {
    let name = name.to_owned();
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(vec![read_bytes(&name, bytes, options)?]);
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| FileError::at(&name, None, None, format!("not a readable zip: {e}")))?;
    let mut out = Vec::new();
    let mut passed_over = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| FileError::at(&name, None, None, format!("zip entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let inner_name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("entry {i}"));
        let entry_name = format!("{name}!{inner_name}");
        let mut inner = Vec::with_capacity(entry.size() as usize);
        std::io::Read::read_to_end(&mut entry, &mut inner)
            .map_err(|e| FileError::at(&entry_name, None, None, e.to_string()))?;
        match read_bytes(&entry_name, &inner, options) {
            Ok(read) => out.push(read),
            // An export holds many files spend has no use for.
            Err(e) => passed_over.push(format!("{entry_name}: {}", e.detail)),
        }
    }
    out.sort_by_key(|r| r.format.amends_others());
    match out.first_mut() {
        Some(first) => first.skipped.extend(passed_over),
        None => {
            return Err(FileError::at(
                &name,
                None,
                None,
                "no file inside is a format spend reads",
            ));
        }
    }
    Ok(out)
}

/// A history file as a [`Source`]: one page holding the whole file (so it
/// is stored whole or not at all), its checkpoint the file's digest.
#[derive(Debug)]
pub struct FileSource {
    id: String,
    read: Option<ReadFile>,
    digest: String,
}

impl FileSource {
    /// A source for a file already read.
    pub fn new(read: ReadFile, digest: &str) -> FileSource {
        FileSource {
            id: format!("file:{}", read.name),
            read: Some(read),
            digest: digest.to_owned(),
        }
    }

    /// Reads `path` (every importable file inside a zip) into sources.
    pub fn open(path: &Path, options: &ImportOptions) -> Result<Vec<FileSource>, FileError> {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| FileError::at(&name, None, None, e.to_string()))?;
        FileSource::from_bytes(&name, &bytes, options)
    }

    /// Reads a file's bytes (every importable file inside a zip's) into
    /// sources. Each order's raw record names the file by its SHA-256 and
    /// the lines it came from, so it can be read again from the file kept.
    pub fn from_bytes(
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Vec<FileSource>, FileError> {
        FileSource::from_bytes_digested(name, bytes, &blob_store::sha256_hex(bytes), options)
    }

    /// [`from_bytes`](Self::from_bytes) when the bytes' SHA-256 is known.
    pub fn from_bytes_digested(
        name: &str,
        bytes: &[u8],
        digest: &str,
        options: &ImportOptions,
    ) -> Result<Vec<FileSource>, FileError> {
        Ok(read_all(name, bytes, options)?
            .into_iter()
            .map(|mut read| {
                let raws = read
                    .batch
                    .orders
                    .iter_mut()
                    .map(|o| &mut o.raw)
                    .chain(read.batch.apple_purchases.iter_mut().map(|a| &mut a.raw));
                for raw in raws {
                    if let Some(serde_json::Value::Object(raw)) = raw.as_mut() {
                        raw.insert(
                            "file_sha256".into(),
                            serde_json::Value::String(digest.to_owned()),
                        );
                    }
                }
                FileSource::new(read, digest)
            })
            .collect())
    }

    /// What the file was recognised as.
    pub fn format(&self) -> Option<FileFormat> {
        self.read.as_ref().map(|r| r.format)
    }

    /// The bank preset or dialect, when there is one.
    pub fn variant(&self) -> Option<String> {
        self.read.as_ref().and_then(|r| r.variant.clone())
    }
}

impl Source for FileSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn next_page<'a>(
        &'a mut self,
        user: &'a dyn UserStore,
        _checkpoint: Option<&'a Checkpoint>,
    ) -> BoxFuture<'a, Result<Option<Page>, SourceError>> {
        Box::pin(async move {
            let Some(read) = self.read.take() else {
                return Ok(None);
            };
            let mut batch = read.batch;
            // A refunds file and an order history file each hold part of an
            // order: whichever comes second keeps what the first stored.
            amazon::merge_stored(user, &mut batch.orders).await?;
            let mut skipped = read.skipped;
            let (amended, missing) = amazon::amend_items(user, &read.item_amounts).await?;
            batch.orders.extend(amended);
            if !missing.is_empty() {
                skipped.push(format!(
                    "{}: {} items are in no stored digital order (import Digital Items.csv, then this file again): {}",
                    read.name,
                    missing.len(),
                    missing.join(", ")
                ));
            }
            skipped.extend(already_stored::drop(user, &mut batch).await?);
            let rows = batch.transactions.len() + batch.orders.len() + batch.apple_purchases.len();
            Ok(Some(Page {
                batch,
                checkpoint: serde_json::json!({ "sha256": self.digest, "format": read.format, "variant": read.variant }),
                done: rows as u64,
                total: Some(rows as u64),
                bytes: 0,
                skipped,
            }))
        })
    }
}
