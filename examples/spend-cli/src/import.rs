//! `spend import`: a mailbox export or an IMAP mailbox through the receipt
//! pipeline (with the PDF stage) into the store: raw mail and PDFs in the
//! blob folder, emails and receipts in the database; a summary at the end.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gmail_receipts::sources::SourceKind;
use gmail_receipts::sources::imap::ImapConfig;
use spend_core::app::{Settings, Spend};
use spend_core::sources::files::ImportOptions;
use spend_core::sources::{ImapSource, MailboxFiles, Source};

use crate::progress::Bars;

/// The environment variable the app password is read from (never an
/// argument: arguments show in `ps`).
pub const PASSWORD_VAR: &str = "SPEND_IMAP_PASSWORD";

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
    /// History files to import, recognised from their content (Amazon's
    /// order history and refunds, and its export zip; OFX/QFX, QIF,
    /// CAMT.053; banks' CSV exports); or a mailbox: `mbox FILE`,
    /// `maildir DIR`, `eml DIR`, or `imap HOST` (read-only, over TLS; the
    /// app password comes from SPEND_IMAP_PASSWORD).
    #[arg(required = true, value_name = "FILE")]
    sources: Vec<String>,
    /// History files: the account the transactions belong to, for formats
    /// that name none (QIF, most CSV exports), or an account already stored
    /// (a TrueLayer account's id, see `spend transactions --json`): the
    /// statement's transactions that its feed holds already are not stored twice.
    #[arg(long, value_name = "NAME")]
    account: Option<String>,
    /// History files: the columns of a CSV no preset knows, as
    /// `date=COL,amount=COL,description=COL` (or `out=COL,in=COL`), with
    /// `days=dmy|mdy|iso`, `sign=out-negative|out-positive`, `id=COL`,
    /// `currency=COL`.
    #[arg(long, value_name = "MAPPING")]
    map: Option<spend_core::sources::files::CsvMapping>,
    /// History files: the currency of files that do not say (QIF, some CSVs).
    #[arg(long, value_name = "CODE")]
    currency: Option<String>,
    /// IMAP: the user name.
    #[arg(long)]
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
    /// Keep raw mail and PDF attachments in this folder instead of the
    /// configured one (PDFs as documents/sha256/{ab}/{cd}/{hash}.pdf: stored
    /// by content, so the same bytes are stored once and same-named
    /// attachments never overwrite each other).
    #[arg(long, value_name = "DIR")]
    blobs: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// History files (read with --account, --currency and --map as given),
    /// mbox exports, Maildirs and .eml folders: keep them in the blob store
    /// and queue their imports for `spend worker` instead of importing here.
    #[arg(long)]
    background: bool,
    /// With --background: wait for the jobs to end, and fail if one fails.
    #[arg(long, requires = "background")]
    wait: bool,
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
    let mut config = ImapConfig::new(&args.sources[1], user, password)
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

/// Runs `spend import`: history files, or a mailbox. Returns whether
/// everything imported.
pub fn run(args: Args) -> anyhow::Result<bool> {
    let first = args.sources[0].as_str();
    let mailbox = match first.parse::<Format>() {
        Ok(format) => Some(format),
        // A word that is no file: a mailbox format misspelt.
        Err(e) if !Path::new(first).exists() && !first.contains(['/', '.']) => anyhow::bail!(e),
        Err(_) => None,
    };
    match mailbox {
        Some(Format::File(kind)) if args.background => {
            anyhow::ensure!(
                args.sources.len() == 2,
                "spend import {first} takes one path, not {}",
                args.sources.len() - 1
            );
            let path = Path::new(&args.sources[1]);
            crate::jobs::background_mailbox(kind, path, args.wait, args.json)
        }
        Some(_) if args.background => anyhow::bail!(
            "--background takes history files, mbox exports, Maildirs and .eml folders; \
             an IMAP mailbox syncs as a connection (`spend connect imap`, then \
             `spend sync --background imap`)"
        ),
        Some(format) => {
            anyhow::ensure!(
                args.sources.len() == 2,
                "spend import {first} takes one path (or host), not {}",
                args.sources.len() - 1
            );
            import_mailbox(format, &args)?;
            Ok(true)
        }
        None => {
            let options = ImportOptions {
                account: args.account.clone(),
                mapping: args.map.clone(),
                currency: args.currency.clone(),
            };
            if args.background {
                crate::jobs::background_import(&args.sources, &options, args.wait, args.json)
            } else {
                crate::import_files::run(&args.sources, &options, args.json)
            }
        }
    }
}

/// Every message through the receipt pipeline and into the store (raw
/// mail, email rows, receipts, PDFs by content), page by page with
/// checkpoints, so an interrupted import resumes.
fn import_mailbox(format: Format, args: &Args) -> anyhow::Result<()> {
    let path = args.sources[1].as_str();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut settings = Settings::load()?;
        if let Some(dir) = &args.blobs {
            settings.blobs = dir.clone();
        }
        let spend = Spend::open(&settings).await?;
        let mut source: Box<dyn Source> = match format {
            Format::File(kind) => Box::new(
                MailboxFiles::open(kind, path.as_ref(), spend.archive.clone())
                    .with_context(|| format!("cannot open {path}"))?,
            ),
            Format::Imap => {
                let config = imap_config(args)?;
                let id = format!("{}@{}/{}", args.user.clone().unwrap_or_default(), path, args.mailbox);
                Box::new(ImapSource::new(&id, config, spend.archive.clone()))
            }
        };
        let bars = Bars::new();
        let mut report = bars.source(source.id());
        let outcome = spend.engine().run(source.as_mut(), &mut report).await?;
        for skipped in &outcome.skipped {
            eprintln!("skipped: {skipped}");
        }
        if let Some(checkpoint) = spend.user.checkpoint(source.id()).await?
            && let Some(imap) = checkpoint.value.get("imap").filter(|v| !v.is_null())
        {
            eprintln!("read {} to UID {} (UIDVALIDITY {})", args.mailbox, imap["last_uid"], imap["uid_validity"]);
        }
        let stats = spend.archive.stats();
        let mut out = std::io::stdout().lock();
        let w = &outcome.written;
        if args.json {
            let mut value = serde_json::to_value(&stats)?;
            value["stored"] = serde_json::json!({"emails": w.emails, "receipts": w.receipts, "documents": w.documents});
            writeln!(out, "{value}")?;
        } else {
            write!(out, "{}", stats.import)?;
            writeln!(
                out,
                "{:>10}  pdfs stored\n{:>10}  pdfs already stored\n{:>10}  emails stored ({} new, {} updated, {} unchanged) in {}",
                stats.pdfs_stored,
                stats.pdfs_already_stored,
                w.emails.inserted + w.emails.updated + w.emails.unchanged,
                w.emails.inserted,
                w.emails.updated,
                w.emails.unchanged,
                crate::store_app::redact(&settings.store),
            )?;
        }
        // What could be read is stored; what could not makes the exit non-zero.
        anyhow::ensure!(
            outcome.skipped.is_empty(),
            "{} of {path} could not be read (listed above as skipped)",
            match outcome.skipped.len() {
                1 => "1 message or file".to_owned(),
                n => format!("{n} messages or files"),
            }
        );
        Ok(())
    })
}
