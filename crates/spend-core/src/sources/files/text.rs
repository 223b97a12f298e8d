//! What every history file needs: bytes to text (UTF-8, with or without a
//! BOM, else Windows-1252 as older bank exports are), CSV rows found by
//! header name with their line numbers, and the amounts and dates written
//! the ways exports write them.

use std::collections::HashMap;

use rust_decimal::Decimal;
use time::Date;

use super::FileError;

/// The file's text: UTF-8 (a BOM dropped), or Windows-1252 when it is not
/// UTF-8 (Nationwide's `£` is the single byte 0xA3).
pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Values exports write where there is none.
fn placeholder(value: &str) -> bool {
    matches!(
        value,
        "" | "Not Available" | "Not Applicable" | "N/A" | "n/a" | "-"
    )
}

/// A CSV file read whole: its header (names trimmed, BOM gone) and rows
/// with the line each starts on.
pub(crate) struct Csv {
    /// The file, for errors.
    pub file: String,
    /// Header name to column.
    columns: HashMap<String, usize>,
    /// The header's line.
    pub header_line: u64,
    /// Rows and their first lines.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Csv {
    /// Reads `text` whose header is the first row for which `is_header`
    /// holds (preambles before it are skipped; the first row when `None`).
    pub fn read(
        file: &str,
        text: &str,
        is_header: Option<&dyn Fn(&csv::StringRecord) -> bool>,
    ) -> Result<Csv, FileError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut header: Option<(u64, csv::StringRecord)> = None;
        let mut rows = Vec::new();
        // Lines counted up to each record's first byte (the reader's own
        // line numbers lag a record behind).
        let (mut counted_to, mut line) = (0usize, 1u64);
        let bytes = text.as_bytes();
        let mut line_of = |mut byte: usize| {
            // A record's position is where the one before it ended: its
            // first byte is after the line breaks.
            while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
                byte += 1;
            }
            if byte > counted_to {
                line += bytes[counted_to..byte]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                counted_to = byte;
            }
            line
        };
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line());
                FileError::at(file, line, None, format!("not CSV: {e}"))
            })?;
            let line = line_of(record.position().map_or(0, |p| p.byte() as usize));
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            match &header {
                None => {
                    if is_header.is_none_or(|f| f(&record)) {
                        header = Some((line, record));
                    }
                }
                Some(_) => rows.push((line, record)),
            }
        }
        let (header_line, header) =
            header.ok_or_else(|| FileError::at(file, None, None, "no header row"))?;
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim().trim_start_matches('\u{feff}').to_owned(), i))
            .collect();
        Ok(Csv {
            file: file.to_owned(),
            columns,
            header_line,
            rows,
        })
    }

    /// Reads `text` that has no header row: every row is data, its columns
    /// named by `names` in order (line numbers stay the file's own).
    pub fn headerless(file: &str, text: &str, names: &[&str]) -> Result<Csv, FileError> {
        // A header line the text does not have, so line 1 is the first row.
        let with_header = format!("{}\n{text}", names.join(","));
        let mut csv = Csv::read(file, &with_header, None)?;
        csv.header_line = 0;
        for (line, _) in &mut csv.rows {
            *line -= 1;
        }
        Ok(csv)
    }

    /// The header's names.
    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// Fails unless every one of `names` is a column.
    pub fn require(&self, names: &[&str]) -> Result<(), FileError> {
        let missing: Vec<&str> = names.iter().copied().filter(|n| !self.has(n)).collect();
        match missing.as_slice() {
            [] => Ok(()),
            _ => Err(FileError::at(
                &self.file,
                Some(self.header_line),
                None,
                format!("missing column(s) {}", missing.join(", ")),
            )),
        }
    }

    /// A row's cells, by column name.
    pub fn row<'a>(&'a self, line: u64, record: &'a csv::StringRecord) -> Row<'a> {
        Row {
            csv: self,
            line,
            record,
        }
    }
}

/// One row of a [`Csv`], its cells found by column name.
pub(crate) struct Row<'a> {
    csv: &'a Csv,
    /// The line it starts on.
    pub line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// An error at this row, in `column`.
    pub fn error(&self, column: &str, detail: impl Into<String>) -> FileError {
        FileError::at(&self.csv.file, Some(self.line), Some(column), detail)
    }

    /// The cell, trimmed; `None` when empty or a placeholder.
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = *self.csv.columns.get(column)?;
        let value = self.record.get(i)?.trim();
        (!placeholder(value)).then_some(value)
    }

    /// The cell, which must have a value.
    pub fn need(&self, column: &str) -> Result<&str, FileError> {
        self.get(column)
            .ok_or_else(|| self.error(column, "is empty"))
    }

    /// An amount in the cell (see [`amount`]).
    pub fn amount(&self, column: &str) -> Result<Option<Decimal>, FileError> {
        self.get(column)
            .map(|v| amount(v).ok_or_else(|| self.error(column, format!("{v:?} is not an amount"))))
            .transpose()
    }

    /// The header's names, in order.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<(&String, &usize)> = self.csv.columns.iter().collect();
        names.sort_by_key(|(_, i)| **i);
        names.into_iter().map(|(n, _)| n.as_str())
    }

    /// The row's cells, for keeping whole.
    pub fn raw(&self) -> serde_json::Value {
        let mut names: Vec<(&String, &usize)> = self.csv.columns.iter().collect();
        names.sort_by_key(|(_, i)| **i);
        serde_json::Value::Object(
            names
                .into_iter()
                .filter_map(|(name, i)| {
                    let v = self.record.get(*i)?;
                    Some((name.clone(), serde_json::Value::String(v.to_owned())))
                })
                .collect(),
        )
    }
}

/// An amount as exports write it: `12.89`, `'-0.68'` (Excel's text guard),
/// `£1,252.70`, `$0.00`, `-1,144.77`, `(5.00)`; `None` when it is none of them.
pub(crate) fn amount(text: &str) -> Option<Decimal> {
    let mut t = text.trim().trim_matches('\'').trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner;
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest;
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest;
    }
    let t = t.trim_start_matches(['£', '$', '€', '¥']).trim();
    // A negative sign may follow the symbol (`£-5.00`).
    let (t, negative) = match t.strip_prefix('-') {
        Some(rest) => (rest, !negative),
        None => (t, negative),
    };
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    if !thousands_grouped(t) {
        return None;
    }
    let value = Decimal::from_str_exact(&t.replace(',', "")).ok()?;
    Some(if negative { -value } else { value })
}

/// Whether the commas in the whole part are thousands separators
/// (`1,252.70`, `1,495`), not a decimal comma or a typo (`19,99.9`).
fn thousands_grouped(t: &str) -> bool {
    let whole = t.split('.').next().unwrap_or(t);
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    !t.split_once('.').is_some_and(|(_, f)| f.contains(','))
        && (!whole.contains(',') || (1..=3).contains(&first.len()))
        && groups.all(|g| g.len() == 3)
}

/// A day written `DD/MM/YYYY` (UK banks).
pub(crate) fn day_dmy(text: &str) -> Option<Date> {
    let mut parts = text.trim().split(['/', '-', '.']);
    let d: u8 = parts.next()?.trim().parse().ok()?;
    let m: u8 = parts.next()?.trim().parse().ok()?;
    let y: i32 = parts.next()?.trim().parse().ok()?;
    let y = if y < 100 { 2000 + y } else { y };
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// A day written `MM/DD/YYYY` or `MM/DD/YY` (Amazon's older files).
pub(crate) fn day_mdy(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('/');
    let m: u8 = parts.next()?.trim().parse().ok()?;
    let d: u8 = parts.next()?.trim().parse().ok()?;
    let y: i32 = parts.next()?.split_whitespace().next()?.parse().ok()?;
    let y = if y < 100 { 2000 + y } else { y };
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// A day written `YYYY-MM-DD`, alone or starting a timestamp.
pub(crate) fn day_iso(text: &str) -> Option<Date> {
    let t = text.trim();
    let y: i32 = t.get(0..4)?.parse().ok()?;
    if t.get(4..5)? != "-" || t.get(7..8)? != "-" {
        return None;
    }
    let m: u8 = t.get(5..7)?.parse().ok()?;
    let d: u8 = t.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// A day written `02 Oct 2025` or `05 March 2010` (Nationwide).
pub(crate) fn day_named_month(text: &str) -> Option<Date> {
    let mut parts = text.split_whitespace();
    let d: u8 = parts.next()?.parse().ok()?;
    let month = parts.next()?.to_ascii_lowercase();
    let y: i32 = parts.next()?.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = MONTHS.iter().position(|p| month.starts_with(p))? as u8 + 1;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// A stable id for a row that has none: the hash of what identifies it and
/// its occurrence among identical rows of the same file (two coffees of the
/// same price on one day stay two, and an overlapping export gives them the
/// same ids again).
pub(crate) fn fingerprint(parts: &[&str], seen: &mut HashMap<String, u32>) -> String {
    let key = parts.join("\u{1f}");
    let n = seen.entry(key.clone()).or_default();
    *n += 1;
    let digest = blob_store::sha256_hex(format!("{key}\u{1f}{n}").as_bytes());
    format!("fp-{}", &digest[..20])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_exports_write_them() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(amount("'-0.68'"), Some(d("-0.68")));
        assert_eq!(amount("£1,252.70"), Some(d("1252.70")));
        assert_eq!(amount("$0.00"), Some(d("0.00")));
        assert_eq!(amount("-1,144.77"), Some(d("-1144.77")));
        assert_eq!(amount("(5.00)"), Some(d("-5.00")));
        assert_eq!(amount("£-5.00"), Some(d("-5.00")));
        assert_eq!(amount("'1,495'"), Some(d("1495")));
        assert_eq!(amount("lots"), None);
        assert_eq!(amount("19,99.9"), None, "not thousands");
        assert_eq!(amount("1.000,50"), None, "a decimal comma is not guessed");
        assert_eq!(amount("12,345,678.00"), Some(d("12345678.00")));
        assert_eq!(amount(""), None);
    }

    #[test]
    fn days_as_exports_write_them() {
        let d = time::macros::date!(2025 - 10 - 02);
        assert_eq!(day_dmy("02/10/2025"), Some(d));
        assert_eq!(day_mdy("10/02/2025 22:32:48 UTC"), Some(d));
        assert_eq!(day_mdy("10/02/25"), Some(d));
        assert_eq!(day_iso("2025-10-02T13:00:59.799Z"), Some(d));
        assert_eq!(day_named_month("02 Oct 2025"), Some(d));
        assert_eq!(
            day_named_month("05 March 2010"),
            Some(time::macros::date!(2010 - 03 - 05))
        );
        assert_eq!(day_dmy("31/02/2025"), None);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_windows_1252() {
        assert_eq!(decode(b"\xA3120.00"), "£120.00");
        assert_eq!(decode("\u{feff}\"Website\"".as_bytes()), "\"Website\"");
    }
}
#[cfg(test)]
mod line_numbers {
    #[test]
    fn rows_know_their_lines() {
        let csv = super::Csv::read("f", "a,b\r\n1,2\r\n3,4\r\n", None).unwrap();
        let lines: Vec<u64> = csv.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!((csv.header_line, lines), (1, vec![2, 3]));
    }
}
