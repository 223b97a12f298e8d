//! `spend match` and `spend matches`: tie charges to what they paid for,
//! list the matches with their explanations, confirm or decline one.

use std::io::Write;

use spend_core::matching::{Decision, MatchOptions, decide, match_id, match_user};
use spend_core::model::{Match, MatchState};

use crate::table;

/// Arguments of `spend match`.
#[derive(clap::Args)]
pub struct MatchArgs {
    #[command(subcommand)]
    decision: Option<DecisionCommand>,
    /// Show what would be matched; store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Queue the run for `spend worker` instead of matching here.
    #[arg(long, conflicts_with = "dry_run")]
    background: bool,
}

#[derive(clap::Subcommand)]
enum DecisionCommand {
    /// This match is right: keep it, and learn the merchant's alias from it.
    Confirm {
        /// The match's id (or its first characters), from `spend matches`.
        id: String,
    },
    /// This match is wrong: never propose the pair again.
    Decline {
        /// The match's id (or its first characters), from `spend matches`.
        id: String,
    },
}

/// Arguments of `spend matches`.
#[derive(clap::Args)]
pub struct MatchesArgs {
    /// Only this state: suggested, automatic, confirmed or declined.
    #[arg(long)]
    state: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// One JSON object per line (with the full explanation).
    #[arg(long)]
    json: bool,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn text<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
}

fn rows<'a>(
    matches: impl Iterator<Item = (String, &'a MatchState, f64, &'a serde_json::Value)>,
) -> Vec<Vec<String>> {
    matches
        .map(|(id, state, score, why)| {
            vec![
                id,
                state.to_string(),
                format!("{score:.2}"),
                text(why, &["transaction"]).to_owned(),
                text(why, &["target"]).to_owned(),
                text(why, &["decision"]).to_owned(),
            ]
        })
        .collect()
}

const HEADER: &[&str] = &["ID", "STATE", "SCORE", "CHARGE", "FOR", "WHY"];

/// Runs `spend match`.
pub fn run(args: MatchArgs) -> anyhow::Result<()> {
    if args.background && args.decision.is_none() {
        return crate::jobs::background(spend_core::jobs::Pass::Match, args.json).map(|_| ());
    }
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let user = spend.user.as_ref();
        let mut out = std::io::stdout().lock();
        if let Some(command) = args.decision {
            let (id, decision) = match command {
                DecisionCommand::Confirm { id } => (id, Decision::Confirm),
                DecisionCommand::Decline { id } => (id, Decision::Decline),
            };
            let decided = decide(user, &id, decision).await?;
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&decided)?)?;
            } else {
                writeln!(
                    out,
                    "{} {}: {} -> {}",
                    match_id(&decided),
                    decided.state,
                    text(&decided.explanation, &["transaction"]),
                    text(&decided.explanation, &["target"])
                )?;
            }
            return Ok(());
        }
        let report = match_user(
            user,
            &MatchOptions {
                dry_run: args.dry_run,
                ..MatchOptions::default()
            },
        )
        .await?;
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
            return Ok(());
        }
        writeln!(
            out,
            "{} charges, {} orders/receipts/purchases: {} matched automatically, {} suggested, {} confirmed kept, {} earlier proposals withdrawn (matcher {} ms){}\n",
            report.charges,
            report.candidates,
            report.automatic,
            report.suggested,
            report.confirmed,
            report.withdrawn,
            report.matcher_ms,
            if args.dry_run { "; dry run, nothing stored" } else { "" }
        )?;
        let explained: Vec<serde_json::Value> = report
            .proposals
            .iter()
            .map(|p| p.explanation.to_json())
            .collect();
        let suggested = report
            .proposals
            .iter()
            .zip(&explained)
            .filter(|(p, _)| p.state == MatchState::Suggested)
            .map(|(p, why)| {
                let m = Match {
                    transaction: p.transaction.clone(),
                    target: p.target.clone(),
                    state: p.state.clone(),
                    score: p.score,
                    explanation: serde_json::Value::Null,
                };
                (match_id(&m), &p.state, p.score, why)
            });
        let rows = rows(suggested);
        if !rows.is_empty() {
            writeln!(out, "Suggestions to confirm or decline (`spend match confirm ID`):")?;
            table::print(&mut out, HEADER, &rows, &["SCORE"])?;
        }
        Ok(())
    })
}

/// Runs `spend matches`.
pub fn list(args: MatchesArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let state = args.state.as_deref().map(MatchState::from);
        if let Some(MatchState::Other(s)) = &state {
            anyhow::bail!("--state {s:?}: expected suggested, automatic, confirmed or declined");
        }
        let mut matches = spend.user.matches().await?;
        matches.retain(|m| state.as_ref().is_none_or(|s| &m.state == s));
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
        matches.truncate(args.limit);
        let mut out = std::io::stdout().lock();
        if args.json {
            for m in &matches {
                let mut v = serde_json::to_value(m)?;
                v["id"] = serde_json::Value::String(match_id(m));
                writeln!(out, "{v}")?;
            }
            return Ok(());
        }
        let rows = rows(
            matches
                .iter()
                .map(|m| (match_id(m), &m.state, m.score, &m.explanation)),
        );
        table::print(&mut out, HEADER, &rows, &["SCORE"])?;
        Ok(())
    })
}
