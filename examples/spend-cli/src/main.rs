//! `spend`: the command line.

mod imap;
mod import;
mod parse;
mod sources;

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
    /// Import a mailbox export (mbox, Maildir or a folder of .eml files) or
    /// an IMAP mailbox: every message through the receipt pipeline and the
    /// PDF stage, with a summary of what was found.
    Import(import::Args),
}

fn main() -> anyhow::Result<()> {
    let outcome = match Cli::parse().command {
        Command::Parse(args) => parse::run(args),
        Command::Import(args) => import::run(args),
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
