//! `spend`: the command line.

mod connect;
mod demo;
mod enrich;
mod import;
mod import_files;
mod jobs;
mod list;
mod matching;
mod parse;
mod progress;
mod report;
mod sources;
mod store_app;
mod sync;
mod table;

use clap::{Parser, Subcommand};

/// Gathers a person's spending data.
#[derive(Parser)]
#[command(name = "spend", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse receipt emails: .eml files, .mbox files (every message),
    /// directories (recursively) and bare .html bodies.
    Parse(parse::Args),
    /// Import history files (Amazon's order history and its export zip,
    /// OFX/QFX, QIF, CAMT.053, banks' CSV exports), each recognised from
    /// its content and stored whole or not at all; or a mailbox export
    /// (mbox, Maildir, a folder of .eml files) or an IMAP mailbox through
    /// the receipt pipeline.
    Import(import::Args),
    /// Start simulated providers in-process, connect them, sync everything
    /// into the store and show what it holds (no credentials needed).
    Demo(demo::Args),
    /// Connect a provider (its secret goes into the vault).
    #[command(subcommand)]
    Connect(connect::Args),
    /// Sync every connected source (or the ones named) into the store.
    Sync(sync::Args),
    /// List stored transactions, newest first.
    Transactions(list::TransactionArgs),
    /// List stored receipts.
    Receipts(list::ListArgs),
    /// List stored orders.
    Orders(list::ListArgs),
    /// Tie each charge to the order, receipt or purchase behind it; or
    /// confirm or decline one match (`spend match confirm ID`).
    Match(matching::MatchArgs),
    /// List matches with their explanations.
    Matches(matching::MatchesArgs),
    /// Run the current receipt parsers over every stored email again.
    Reparse {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Queue the run for `spend worker` instead of parsing here.
        #[arg(long)]
        background: bool,
    },
    /// Categorise every transaction: your edits, your rules, matches, the
    /// shipped merchant table, then an LLM for the rest only.
    Enrich(enrich::EnrichArgs),
    /// Your categorisation rules: add, list, remove, test, apply.
    #[command(subcommand)]
    Rules(enrich::RulesCommand),
    /// Set a transaction's category, merchant or essential-or-not yourself
    /// (enrichment never overwrites it).
    Categorise(enrich::CategoriseArgs),
    /// Where the money went: by category, merchant and month, essential vs
    /// discretionary, recurring payments, Huqúqu'lláh; tables, JSON or HTML.
    Report(report::ReportArgs),
    /// Run queued jobs (syncs, imports) until stopped; start as many as
    /// you like, on any machine that reaches the store.
    Worker(jobs::WorkerArgs),
    /// Queued, running and finished jobs, with their progress and errors.
    Jobs(jobs::JobsArgs),
    /// Recurring syncs kept in the store (run by `spend worker`).
    #[command(subcommand)]
    Schedule(jobs::ScheduleCommand),
    /// List connections and their status.
    Connections {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A run that reported failures (already printed) exits non-zero.
fn exit_unless(ok: bool) -> anyhow::Result<()> {
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let outcome = match Cli::parse().command {
        Command::Parse(args) => parse::run(args),
        Command::Import(args) => import::run(args).and_then(exit_unless),
        Command::Demo(args) => demo::run(args).and_then(exit_unless),
        Command::Sync(args) => sync::run(args).and_then(exit_unless),
        Command::Connect(args) => connect::run(args),
        Command::Transactions(args) => list::transactions(args),
        Command::Receipts(args) => list::receipts(args),
        Command::Orders(args) => list::orders(args),
        Command::Match(args) => matching::run(args),
        Command::Matches(args) => matching::list(args),
        Command::Enrich(args) => enrich::run(args).and_then(exit_unless),
        Command::Rules(command) => enrich::rules(command),
        Command::Categorise(args) => enrich::categorise(args),
        Command::Report(args) => report::run(args),
        Command::Reparse { json, background } if background => {
            jobs::background(spend_core::jobs::Pass::Reparse, json).map(|_| ())
        }
        Command::Reparse { json, .. } => list::reparse(json),
        Command::Worker(args) => jobs::worker(args),
        Command::Jobs(args) => jobs::list(args),
        Command::Schedule(command) => jobs::schedule(command),
        Command::Connections { json } => list::connections(json),
    };
    match outcome {
        // A closed pipe (`spend parse ... | head`) is the reader's choice, not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}
