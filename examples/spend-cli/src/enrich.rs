//! `spend enrich`, `spend rules` and `spend categorise`: categories,
//! merchants and essential-or-not for every transaction.

use std::io::Write;

use anyhow::{Context, bail};
use spend_core::enrich::{
    EnrichOptions, LlmSettings, PersonalEdit, enrich_user, estimate_user, find_transaction, fits,
    merchant_name, parse_rule, put_rule, set_by_person,
};
use spend_core::model::Rule;

use crate::table;

/// Arguments of `spend enrich`.
#[derive(clap::Args)]
pub struct EnrichArgs {
    /// Say what would go to the LLM and what it could cost; send nothing.
    #[arg(long)]
    estimate: bool,
    /// The LLM for what rules and matches leave: anthropic, openai, gemini,
    /// deepseek or ollama (default: `[llm]` in spend.toml, or none).
    #[arg(long)]
    provider: Option<String>,
    /// The model (default: the provider's, or `[llm] model`).
    #[arg(long)]
    model: Option<String>,
    /// The most the whole run may spend on the LLM, in US dollars.
    #[arg(long)]
    budget: Option<String>,
    /// Ask the LLM again about transactions it answered before.
    #[arg(long)]
    redo: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Queue the run for `spend worker` (which uses `[llm]` of its settings)
    /// instead of categorising here.
    #[arg(long, conflicts_with_all = ["estimate", "provider", "model", "budget", "redo"])]
    background: bool,
}

/// Arguments of `spend rules`.
#[derive(clap::Subcommand)]
pub enum RulesCommand {
    /// Add a rule (or replace the one of the same name).
    Add {
        /// The rule's name.
        name: String,
        /// Conditions: `description~TEXT merchant=NAME amount=10..50 amount>=10
        /// amount<=50 account=ID direction=in|out` (all must hold).
        #[arg(long)]
        when: String,
        /// Actions: `category=NAME merchant=NAME essential=yes|no tag=NAME`.
        #[arg(long)]
        then: String,
        /// Its place in the order (1 = first); default: last.
        #[arg(long)]
        position: Option<usize>,
    },
    /// List the rules in the order they apply.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a rule.
    Remove {
        /// The rule's name.
        name: String,
    },
    /// Show which transactions a stored rule (or one given with --when) fits.
    Test {
        /// A stored rule's name.
        name: Option<String>,
        /// Conditions to try instead of a stored rule's.
        #[arg(long)]
        when: Option<String>,
        /// At most this many listed.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Apply the rules (and matches and the shipped table) now, without an LLM.
    Apply {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `spend categorise`.
#[derive(clap::Args)]
pub struct CategoriseArgs {
    /// The transaction's id (from `spend transactions --json`).
    id: String,
    /// Its account, when two accounts have a transaction with this id.
    #[arg(long)]
    account: Option<String>,
    /// The category.
    #[arg(long)]
    category: Option<String>,
    /// The merchant's name.
    #[arg(long)]
    merchant: Option<String>,
    /// yes (essential) or no (discretionary).
    #[arg(long)]
    essential: Option<String>,
    /// A tag (repeatable; replaces the tags there were).
    #[arg(long = "tag")]
    tags: Vec<String>,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Runs `spend enrich`.
pub fn run(args: EnrichArgs) -> anyhow::Result<bool> {
    if args.background {
        return crate::jobs::background(spend_core::jobs::Pass::Enrich, args.json);
    }
    runtime()?.block_on(async {
        let (settings, spend) = crate::store_app::open_with_settings().await?;
        let mut llm = match (&args.provider, settings.llm) {
            (Some(name), _) => Some(LlmSettings::named(name)),
            (None, configured) => configured,
        };
        if let (Some(model), Some(llm)) = (&args.model, llm.as_mut()) {
            llm.model = Some(model.clone());
        }
        let mut options = EnrichOptions::new().redo_llm(args.redo);
        if let Some(llm) = &llm {
            options = options.provider(llm.provider()?);
            options.budget = llm.budget()?;
        }
        if let Some(budget) = &args.budget {
            options.budget = Some(
                budget
                    .parse()
                    .with_context(|| format!("--budget {budget:?} is not an amount of dollars"))?,
            );
        }
        let user = spend.user.as_ref();
        let mut out = std::io::stdout().lock();
        if args.estimate {
            let estimate = estimate_user(user, &options).await?;
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&estimate)?)?;
                return Ok(true);
            }
            writeln!(
                out,
                "{} transactions settled without an LLM; {} would go to the LLM",
                estimate.settled_without_llm, estimate.to_llm
            )?;
            match estimate.llm {
                Some(e) => writeln!(
                    out,
                    "{}: {} cached, {} requests, about {} input tokens, at most {} output tokens, at most {}",
                    e.model,
                    e.cached,
                    e.requests,
                    e.input_tokens,
                    e.max_output_tokens,
                    e.max_cost.map_or("an unknown cost (no price for this model)".to_owned(), |c| format!("${c}"))
                )?,
                None => writeln!(out, "no LLM configured: pass --provider or set [llm] in spend.toml")?,
            }
            return Ok(true);
        }
        let bar = crate::progress::counter("llm");
        let report = enrich_user(user, &options, |p| bar(p.done as u64, p.total as u64)).await?;
        print_report(&mut out, &report, args.json, llm.is_some())?;
        Ok(report.failed.is_empty())
    })
}

fn print_report(
    out: &mut impl Write,
    report: &spend_core::enrich::EnrichReport,
    json: bool,
    llm: bool,
) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(report)?)?;
        return Ok(());
    }
    let rows = vec![
        vec!["yours (kept)".to_owned(), report.by_person.to_string()],
        vec!["your rules".to_owned(), report.by_rule.to_string()],
        vec!["matches".to_owned(), report.by_match.to_string()],
        vec![
            "shipped merchant table".to_owned(),
            report.by_shipped_table.to_string(),
        ],
        vec![
            "llm".to_owned(),
            format!(
                "{} ({} from the cache, {} kept from before)",
                report.by_llm, report.llm_cached, report.llm_kept
            ),
        ],
        vec!["undecided".to_owned(), report.undecided.to_string()],
    ];
    table::print(
        out,
        &["DECIDED BY", "TRANSACTIONS"],
        &rows,
        &["TRANSACTIONS"],
    )?;
    writeln!(
        out,
        "{} transactions; {} written, {} changed, {} unchanged; {} LLM requests, ${}",
        report.transactions,
        report.written.inserted,
        report.written.updated,
        report.written.unchanged,
        report.llm_requests,
        report.llm_cost
    )?;
    if report.undecided > 0 && !llm {
        writeln!(
            out,
            "no LLM configured for the rest: pass --provider or set [llm] in spend.toml"
        )?;
    }
    for f in &report.failed {
        eprintln!(
            "failed: {}/{}/{}: {}",
            f.transaction.source, f.transaction.account_id, f.transaction.id, f.reason
        );
    }
    Ok(())
}

/// Runs `spend rules ...`.
pub fn rules(command: RulesCommand) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let user = spend.user.as_ref();
        let mut out = std::io::stdout().lock();
        let mut rules = user.rules().await?;
        match command {
            RulesCommand::Add {
                name,
                when,
                then,
                position,
            } => {
                let rule = parse_rule(&name, &when, &then)?;
                let placed = put_rule(user, rule, position).await?;
                writeln!(
                    out,
                    "rule {name:?} {} at position {}; `spend rules apply` applies it",
                    if placed.replaced { "replaced" } else { "added" },
                    placed.position
                )?;
            }
            RulesCommand::List { json } => {
                if json {
                    for r in &rules {
                        writeln!(out, "{}", serde_json::to_string(r)?)?;
                    }
                } else {
                    let rows: Vec<Vec<String>> = rules
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            vec![
                                (i + 1).to_string(),
                                r.id.clone(),
                                describe_when(r),
                                describe_then(r),
                            ]
                        })
                        .collect();
                    table::print(&mut out, &["#", "NAME", "WHEN", "THEN"], &rows, &["#"])?;
                }
            }
            RulesCommand::Remove { name } => {
                let before = rules.len();
                rules.retain(|r| r.id != name);
                if rules.len() == before {
                    bail!("no rule called {name:?} (see `spend rules list`)");
                }
                user.replace_rules(&rules).await?;
                writeln!(out, "rule {name:?} removed")?;
            }
            RulesCommand::Test { name, when, limit } => {
                let rule = match (name, when) {
                    (_, Some(when)) => parse_rule("test", &when, "tag=test")?,
                    (Some(name), None) => {
                        rules.into_iter().find(|r| r.id == name).with_context(|| {
                            format!("no rule called {name:?} (see `spend rules list`)")
                        })?
                    }
                    (None, None) => bail!("name a rule, or give --when"),
                };
                let fitting: Vec<_> = user
                    .all_transactions()
                    .await?
                    .into_iter()
                    .filter(|t| {
                        fits(
                            &rule,
                            t,
                            merchant_name(&t.description, t.merchant.as_deref()).as_deref(),
                        )
                    })
                    .collect();
                let rows: Vec<Vec<String>> = fitting
                    .iter()
                    .take(limit)
                    .map(|t| {
                        vec![
                            t.date.to_string(),
                            t.amount.to_string(),
                            t.description.clone(),
                            t.id.clone(),
                        ]
                    })
                    .collect();
                table::print(
                    &mut out,
                    &["DATE", "AMOUNT", "DESCRIPTION", "ID"],
                    &rows,
                    &["AMOUNT"],
                )?;
                writeln!(out, "{} transactions fit {:?}", fitting.len(), rule.id)?;
            }
            RulesCommand::Apply { json } => {
                let report = enrich_user(user, &EnrichOptions::new(), |_| {}).await?;
                print_report(&mut out, &report, json, true)?;
            }
        }
        Ok(())
    })
}

fn describe_when(r: &Rule) -> String {
    let w = &r.when;
    let mut parts = Vec::new();
    if let Some(d) = &w.description {
        parts.push(format!("description~{d}"));
    }
    if let Some(m) = &w.merchant {
        parts.push(format!("merchant={m}"));
    }
    let major = |m: i64| format!("{}.{:02}", m / 100, m % 100);
    match (w.min_minor, w.max_minor) {
        (Some(lo), Some(hi)) => parts.push(format!("amount={}..{}", major(lo), major(hi))),
        (Some(lo), None) => parts.push(format!("amount>={}", major(lo))),
        (None, Some(hi)) => parts.push(format!("amount<={}", major(hi))),
        (None, None) => {}
    }
    if let Some(a) = &w.account {
        parts.push(format!("account={a}"));
    }
    if let Some(d) = w.direction {
        parts.push(format!(
            "direction={}",
            if d == spend_core::model::Direction::In {
                "in"
            } else {
                "out"
            }
        ));
    }
    parts.join(" ")
}

fn describe_then(r: &Rule) -> String {
    let t = &r.then;
    let mut parts = Vec::new();
    if let Some(c) = &t.category {
        parts.push(format!("category={c}"));
    }
    if let Some(m) = &t.merchant {
        parts.push(format!("merchant={m}"));
    }
    if let Some(e) = t.essential {
        parts.push(format!("essential={}", if e { "yes" } else { "no" }));
    }
    parts.extend(t.tags.iter().map(|tag| format!("tag={tag}")));
    parts.join(" ")
}

/// Runs `spend categorise`.
pub fn categorise(args: CategoriseArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let spend = crate::store_app::open().await?;
        let user = spend.user.as_ref();
        let tx = &find_transaction(user, &args.id, args.account.as_deref())
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "{e} (see `spend transactions --json`; --account names the account)"
                )
            })?;
        let essential = args
            .essential
            .as_deref()
            .map(|e| match e.to_lowercase().as_str() {
                "yes" | "true" | "essential" => Ok(true),
                "no" | "false" | "discretionary" => Ok(false),
                other => Err(anyhow::anyhow!("--essential is yes or no, not {other:?}")),
            })
            .transpose()?;
        let edit = PersonalEdit {
            category: args.category,
            merchant: args.merchant,
            essential,
            tags: (!args.tags.is_empty()).then_some(args.tags),
        };
        if edit == PersonalEdit::default() {
            bail!("nothing to set: give --category, --merchant, --essential or --tag");
        }
        let saved = set_by_person(user, &tx.key(), edit).await?;
        println!(
            "{} {} {}: {} / {} / {} (yours: enrichment will keep it)",
            tx.date,
            tx.amount,
            tx.description,
            saved.category.unwrap_or_default(),
            saved.merchant.unwrap_or_default(),
            match saved.essential {
                Some(true) => "essential",
                Some(false) => "discretionary",
                None => "-",
            }
        );
        Ok(())
    })
}
