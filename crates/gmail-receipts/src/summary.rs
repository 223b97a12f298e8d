//! [`ImportStats`] as the summary table a person reads at the end of a run.

use std::collections::BTreeMap;
use std::fmt;

use crate::ImportStats;

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn section(f: &mut fmt::Formatter<'_>, title: &str, map: &BTreeMap<String, u64>) -> fmt::Result {
    if map.is_empty() {
        return Ok(());
    }
    writeln!(f, "{title}")?;
    // Largest first, then by name, so the table reads the same on every run.
    let mut rows: Vec<(&String, &u64)> = map.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (key, count) in rows {
        writeln!(f, "{count:>10}  {key}")?;
    }
    Ok(())
}

/// A table: totals, then receipts by method and vendor, messages by kind,
/// rejections by reason and errors by stage.
///
/// ```
/// let mut stats = gmail_receipts::ImportStats::default();
/// stats.messages = 2;
/// stats.receipts = 1;
/// let table = stats.to_string();
/// assert!(table.contains("messages"));
/// assert!(table.contains("receipts"));
/// ```
impl fmt::Display for ImportStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let totals = [
            ("messages", self.messages.to_string()),
            ("receipts", self.receipts.to_string()),
            ("pdf attachments", self.pdfs.to_string()),
            ("bytes", size(self.bytes)),
            ("seconds", format!("{:.2}", self.elapsed.as_secs_f64())),
            ("messages/s", format!("{:.0}", self.messages_per_second())),
        ];
        for (name, value) in totals {
            writeln!(f, "{value:>10}  {name}")?;
        }
        section(f, "receipts by method", &self.by_method)?;
        section(f, "receipts by vendor", &self.by_vendor)?;
        section(f, "messages by kind", &self.by_kind)?;
        section(f, "rejected by reason", &self.rejected)?;
        section(f, "errors by stage", &self.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
