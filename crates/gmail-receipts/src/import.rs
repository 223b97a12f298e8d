//! Runs messages through the receipt pipeline and counts what it found.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use receipt_parsers::{Kind, Parsed, Pipeline};

use crate::pdf::{PdfAttachment, PdfLimits, pdf_attachments, pdf_text};
use crate::{MailMessage, SourceError};

/// One message read: what the pipeline made of it and the PDFs it carried
/// (their bytes, for the blob store).
#[derive(Debug, Clone)]
pub struct Imported {
    /// The pipeline's result.
    pub parsed: Parsed,
    /// PDF attachments, read or not.
    pub pdfs: Vec<PdfAttachment>,
}

fn seconds<S: serde::Serializer>(elapsed: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(elapsed.as_secs_f64())
}

/// What a run saw and found. Serialises with `elapsed` in seconds.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportStats {
    /// Messages read.
    pub messages: u64,
    /// Bytes read.
    pub bytes: u64,
    /// PDF attachments found.
    pub pdfs: u64,
    /// Receipts (kind `receipt`).
    pub receipts: u64,
    /// Messages by kind (`receipt`, `refund`, `shipping`, `marketing`, ...).
    pub by_kind: BTreeMap<String, u64>,
    /// Receipts, refunds and cancellations by the stage that read their total
    /// (`vendor`, `schema_org`, `pattern`, `pdf`).
    pub by_method: BTreeMap<String, u64>,
    /// Receipts by vendor key (`unknown` when no vendor parser applied).
    pub by_vendor: BTreeMap<String, u64>,
    /// Messages that were not receipts, by the pre-filter's reason.
    pub rejected: BTreeMap<String, u64>,
    /// Errors by stage (`source`, `parse`, `pdf`).
    pub errors: BTreeMap<String, u64>,
    /// Time spent.
    #[serde(rename = "seconds", serialize_with = "seconds")]
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
    pdf_limits: PdfLimits,
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
            pdf_limits: PdfLimits::default(),
            stats: ImportStats::default(),
            started: Instant::now(),
        }
    }

    /// Whose `Authentication-Results` verify senders from now on (the
    /// mailbox's receiving server: `mx.google.com` for Gmail).
    pub fn set_trust(&mut self, trust: receipt_parsers::auth::Trust) {
        self.pipeline.set_trust(trust);
    }

    /// Sets the caps on reading each PDF attachment.
    pub fn pdf_limits(mut self, limits: PdfLimits) -> Self {
        self.pdf_limits = limits;
        self
    }

    /// Parses one message, counting it; `None` when it is not a message at all.
    ///
    /// PDF attachments are always returned; their text is read only when the
    /// email alone does not give a receipt with a total (the PDF stage).
    pub fn import(&mut self, message: &MailMessage) -> Option<Imported> {
        self.stats.messages += 1;
        self.stats.bytes += message.raw.len() as u64;
        let mut parsed = match self.pipeline.parse(&message.raw) {
            Ok(p) => p,
            Err(_) => {
                bump(&mut self.stats.errors, "parse");
                return None;
            }
        };
        let pdfs = pdf_attachments(&message.raw);
        self.stats.pdfs += pdfs.len() as u64;
        let complete = parsed.receipt.as_ref().is_some_and(|r| r.total.is_some());
        if !complete && !pdfs.is_empty() && parsed.kind != Kind::Marketing {
            let mut texts = Vec::new();
            for pdf in &pdfs {
                match pdf_text(pdf.bytes.clone(), self.pdf_limits) {
                    Ok(text) => texts.push(text),
                    Err(_) => bump(&mut self.stats.errors, "pdf"),
                }
            }
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            if let Ok(read) = self.pipeline.parse_with_documents(&message.raw, &texts) {
                parsed = read;
            }
        }
        self.count(&parsed);
        Some(Imported { parsed, pdfs })
    }

    fn count(&mut self, parsed: &Parsed) {
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
                    receipt.vendor.as_deref().unwrap_or("unknown"),
                );
            }
            (_, Kind::Receipt) => {}
            _ => bump(&mut self.stats.rejected, &parsed.reason),
        }
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
