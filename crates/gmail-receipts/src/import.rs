//! Runs messages through the receipt pipeline and counts what it found.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use receipt_parsers::{Kind, Parsed, Pipeline};

use crate::{MailMessage, SourceError};

/// What a run saw and found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportStats {
    /// Messages read.
    pub messages: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Receipts (kind `receipt`).
    pub receipts: u64,
    /// Messages by kind (`receipt`, `refund`, `shipping`, `marketing`, ...).
    pub by_kind: BTreeMap<String, u64>,
    /// Receipts, refunds and cancellations by the stage that read them (`vendor`, `schema_org`, `pattern`).
    pub by_method: BTreeMap<String, u64>,
    /// Receipts by vendor key (`unknown` when no vendor parser applied).
    pub by_vendor: BTreeMap<String, u64>,
    /// Messages that were not receipts, by the pre-filter's reason.
    pub rejected: BTreeMap<String, u64>,
    /// Errors by stage (`source`, `parse`).
    pub errors: BTreeMap<String, u64>,
    /// Time spent.
    pub elapsed: Duration,
}

impl ImportStats {
    /// Messages per second over the run.
    pub fn messages_per_second(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    *map.entry(key.to_owned()).or_default() += 1;
}

fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Parses messages and keeps [`ImportStats`]; hand each result to `on_parsed`
/// to store it.
pub struct Importer {
    pipeline: Pipeline,
    stats: ImportStats,
    started: Instant,
}

impl Default for Importer {
    fn default() -> Self {
        Importer::new(Pipeline::default())
    }
}

impl Importer {
    /// An importer over `pipeline`.
    pub fn new(pipeline: Pipeline) -> Self {
        Importer {
            pipeline,
            stats: ImportStats::default(),
            started: Instant::now(),
        }
    }

    /// Parses one message, counting it; `None` when it is not a message at all.
    pub fn import(&mut self, message: &MailMessage) -> Option<Parsed> {
        self.stats.messages += 1;
        self.stats.bytes += message.raw.len() as u64;
        let parsed = match self.pipeline.parse(&message.raw) {
            Ok(p) => p,
            Err(_) => {
                bump(&mut self.stats.errors, "parse");
                return None;
            }
        };
        let kind = kind_name(parsed.kind);
        bump(&mut self.stats.by_kind, &kind);
        match (&parsed.receipt, parsed.kind) {
            (Some(receipt), Kind::Receipt | Kind::Refund | Kind::Cancellation) => {
                if parsed.kind == Kind::Receipt {
                    self.stats.receipts += 1;
                }
                let method = receipt
                    .method()
                    .and_then(|m| serde_json::to_value(m).ok())
                    .and_then(|v| v.as_str().map(str::to_owned));
                bump(
                    &mut self.stats.by_method,
                    method.as_deref().unwrap_or("none"),
                );
                bump(
                    &mut self.stats.by_vendor,
                    receipt.vendor.unwrap_or("unknown"),
                );
            }
            (_, Kind::Receipt) => {}
            _ => bump(&mut self.stats.rejected, &parsed.reason),
        }
        Some(parsed)
    }

    /// Counts a message a source could not yield.
    pub fn source_error(&mut self, _error: &SourceError) {
        bump(&mut self.stats.errors, "source");
    }

    /// The statistics so far.
    pub fn stats(&self) -> ImportStats {
        ImportStats {
            elapsed: self.started.elapsed(),
            ..self.stats.clone()
        }
    }
}
