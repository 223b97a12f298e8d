//! `spend import`: a mailbox export or an IMAP mailbox through the receipt
//! pipeline (with the PDF stage), PDFs kept in a local blob folder, a
//! summary at the end.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use blob_store::{BlobStore, LocalStore, Metadata, put_content};
use gmail_receipts::sources::SourceKind;
use gmail_receipts::sources::imap::ImapConfig;
use gmail_receipts::{Imported, Importer, MailMessage, SourceError};
use tokio::runtime::Runtime;

use crate::imap::{ImapMessages, PASSWORD_VAR};

/// Where `spend import` reads from.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    /// A file or folder.
    File(SourceKind),
    /// An IMAP server.
    Imap,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("imap") {
            return Ok(Format::Imap);
        }
        s.parse().map(Format::File).map_err(|_| {
            format!("unknown mailbox format {s:?}: expected mbox, maildir, eml or imap")
        })
    }
}

/// Arguments of `spend import`.
#[derive(clap::Args)]
pub struct Args {
    /// The mailbox format: mbox, maildir, eml (a folder of .eml files) or
    /// imap (read-only, over TLS; the app password comes from SPEND_IMAP_PASSWORD).
    format: Format,
    /// The mbox file or the folder; for imap, the server's host name.
    path: String,
    /// IMAP: the user name.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// IMAP: the mailbox to read (all of Gmail is `[Gmail]/All Mail`).
    #[arg(long, value_name = "NAME", default_value = "INBOX")]
    mailbox: String,
    /// IMAP: the port (implicit TLS).
    #[arg(long, default_value_t = 993)]
    port: u16,
    /// IMAP: trust exactly the CA certificates in this PEM file (a self-hosted server).
    #[arg(long, value_name = "PEM")]
    ca: Option<PathBuf>,
    /// IMAP: only mail received on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Keep PDF attachments in this folder, as
    /// documents/sha256/{ab}/{cd}/{hash}.pdf: stored by content, so the same bytes are stored once
    /// and same-named attachments never overwrite each other.
    #[arg(long, value_name = "DIR")]
    blobs: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const PROGRESS_EVERY: u64 = 10_000;

struct Blobs {
    store: LocalStore,
    stored: u64,
    already: u64,
}

impl Blobs {
    fn keep(
        &mut self,
        runtime: &Runtime,
        message: &MailMessage,
        imported: Imported,
    ) -> anyhow::Result<()> {
        let receipt = imported.parsed.receipt.as_ref();
        let message_id = imported.parsed.message_id.as_deref().unwrap_or(&message.id);
        let merchant = receipt.and_then(|r| r.merchant.as_ref().map(|m| m.value.clone()));
        for (n, pdf) in imported.pdfs.into_iter().enumerate() {
            let name = pdf
                .filename
                .clone()
                .unwrap_or_else(|| format!("attachment-{}.pdf", n + 1));
            // Stored by content: two same-named attachments never overwrite each
            // other and the same PDF in two mails is stored once.
            let mut metadata = Metadata::for_bytes(&pdf.bytes, "application/pdf")
                .filename(name)
                .message_id(message_id);
            if let Some(merchant) = &merchant {
                metadata = metadata.merchant(merchant.clone());
            }
            let store: &dyn BlobStore = &self.store;
            let outcome =
                runtime.block_on(put_content(store, "documents", ".pdf", pdf.bytes, metadata))?;
            if outcome.uploaded {
                self.stored += 1;
            } else {
                self.already += 1;
            }
        }
        Ok(())
    }
}

fn imap_config(args: &Args) -> anyhow::Result<ImapConfig> {
    let user = args
        .user
        .clone()
        .context("spend import imap needs --user NAME")?;
    let password = std::env::var(PASSWORD_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .with_context(|| format!("spend import imap reads the app password from {PASSWORD_VAR}"))?;
    let mut config = ImapConfig::new(&args.path, user, password)
        .port(args.port)
        .mailbox(&args.mailbox);
    if let Some(ca) = &args.ca {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        config = config.root_certificates_pem(pem);
    }
    if let Some(since) = &args.since {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(since, &format)
            .with_context(|| format!("--since {since:?} is not a YYYY-MM-DD date"))?;
        config = config.since(date);
    }
    Ok(config)
}

/// Every message through the importer, PDFs into the blob folder.
fn import_all(
    messages: impl Iterator<Item = Result<MailMessage, SourceError>>,
    importer: &mut Importer,
    mut blobs: Option<&mut Blobs>,
    runtime: &Runtime,
) -> anyhow::Result<()> {
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
        if let (Some(blobs), Some(imported)) = (blobs.as_deref_mut(), imported)
            && !imported.pdfs.is_empty()
        {
            blobs.keep(runtime, &message, imported)?;
        }
    }
    Ok(())
}

/// Runs `spend import`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut blobs = args.blobs.as_ref().map(|dir| Blobs {
        store: LocalStore::new(dir),
        stored: 0,
        already: 0,
    });
    let mut importer = Importer::default();
    match args.format {
        Format::File(kind) => {
            let messages = kind
                .open(args.path.as_ref())
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.path))?;
            import_all(messages, &mut importer, blobs.as_mut(), &runtime)?;
        }
        Format::Imap => {
            let mut messages = ImapMessages::open(&runtime, imap_config(&args)?)?;
            import_all(&mut messages, &mut importer, blobs.as_mut(), &runtime)?;
            if let Some(error) = messages.fatal {
                return Err(error.into());
            }
            if let Some(checkpoint) = messages.checkpoint {
                eprintln!(
                    "read {} to UID {} (UIDVALIDITY {})",
                    args.mailbox, checkpoint.last_uid, checkpoint.uid_validity
                );
            }
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
