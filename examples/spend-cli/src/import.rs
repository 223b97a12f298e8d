//! `spend import`: a mailbox export through the receipt pipeline (with the
//! PDF stage), PDFs kept in a local blob folder, a summary at the end.

use std::io::Write;
use std::path::PathBuf;

use blob_store::{BlobStore, LocalStore, Metadata, put_dedup, receipt_key};
use gmail_receipts::sources::SourceKind;
use gmail_receipts::{Imported, Importer, MailMessage};

/// Arguments of `spend import`.
#[derive(clap::Args)]
pub struct Args {
    /// The mailbox format: mbox, maildir or eml (a folder of .eml files).
    format: SourceKind,
    /// The mbox file or the folder.
    path: PathBuf,
    /// Keep PDF attachments in this folder, as
    /// {year}/{month}/{day}/{message id}/{file name}; the same bytes are stored once.
    #[arg(long, value_name = "DIR")]
    blobs: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const PROGRESS_EVERY: u64 = 10_000;

struct Blobs {
    store: LocalStore,
    runtime: tokio::runtime::Runtime,
    stored: u64,
    already: u64,
}

impl Blobs {
    fn keep(&mut self, message: &MailMessage, imported: Imported) -> anyhow::Result<()> {
        let receipt = imported.parsed.receipt.as_ref();
        let date = receipt
            .and_then(|r| r.date.as_ref().map(|d| d.value))
            .or(imported.parsed.sent)
            .or_else(|| {
                let millis = message.internal_date?;
                time::OffsetDateTime::from_unix_timestamp(millis / 1000)
                    .ok()
                    .map(|t| t.date())
            })
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
        let message_id = imported.parsed.message_id.as_deref().unwrap_or(&message.id);
        let merchant = receipt.and_then(|r| r.merchant.as_ref().map(|m| m.value.clone()));
        for (n, pdf) in imported.pdfs.into_iter().enumerate() {
            let name = pdf
                .filename
                .clone()
                .unwrap_or_else(|| format!("attachment-{}.pdf", n + 1));
            let key = receipt_key(date, message_id, &name);
            let mut metadata = Metadata::for_bytes(&pdf.bytes, "application/pdf")
                .filename(name)
                .message_id(message_id);
            if let Some(merchant) = &merchant {
                metadata = metadata.merchant(merchant.clone());
            }
            let store: &dyn BlobStore = &self.store;
            let outcome = self
                .runtime
                .block_on(put_dedup(store, &key, pdf.bytes, metadata))?;
            if outcome.uploaded {
                self.stored += 1;
            } else {
                self.already += 1;
            }
        }
        Ok(())
    }
}

/// Runs `spend import`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let messages = args
        .format
        .open(&args.path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.path.display()))?;
    let mut blobs = match &args.blobs {
        Some(dir) => Some(Blobs {
            store: LocalStore::new(dir),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            stored: 0,
            already: 0,
        }),
        None => None,
    };
    let mut importer = Importer::default();
    let mut stderr = std::io::stderr();
    let mut seen: u64 = 0;
    for message in messages {
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            writeln!(stderr, "... {seen} messages")?;
        }
        let message = match message {
            Ok(m) => m,
            Err(e) => {
                writeln!(stderr, "skipped: {e}")?;
                importer.source_error(&e);
                continue;
            }
        };
        let imported = importer.import(&message);
        if let (Some(blobs), Some(imported)) = (blobs.as_mut(), imported)
            && !imported.pdfs.is_empty()
        {
            blobs.keep(&message, imported)?;
        }
    }
    let stats = importer.stats();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let mut value = serde_json::to_value(&stats)?;
        if let Some(b) = &blobs {
            value["pdfs_stored"] = b.stored.into();
            value["pdfs_already_stored"] = b.already.into();
        }
        writeln!(out, "{value}")?;
    } else {
        write!(out, "{stats}")?;
        match &blobs {
            Some(b) => writeln!(
                out,
                "{:>10}  pdfs stored\n{:>10}  pdfs already stored",
                b.stored, b.already
            )?,
            None if stats.pdfs > 0 => {
                writeln!(out, "(PDFs were not kept: add --blobs DIR to keep them)")?
            }
            None => {}
        }
    }
    Ok(())
}
