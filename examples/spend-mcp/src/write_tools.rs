//! The tools that change data or cost money: present only with `--allow-writes`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use spend_core::app::{NotRun, RefreshOptions, SourceSync, SyncSettings};
use spend_core::enrich::{
    EnrichOptions, PersonalEdit, enrich_user, find_transaction, parse_rule, put_rule, set_by_person,
};
use spend_core::jobs::{JobQueue, Pass, Queued};
use spend_core::matching::{Decision, MatchOptions, decide, match_id, match_user};

use spend_core::sources::files::ImportOptions;
use spend_core::sync::Progress;

use crate::read_tools::failed;
use crate::server::SpendMcp;
use crate::types::*;

impl SpendMcp {
    /// The LLM from the settings (none: rules, matches and the merchant table only).
    pub(crate) fn enrich_options(&self, budget: Option<&str>) -> Result<EnrichOptions, String> {
        let mut options = EnrichOptions::new();
        if let Some(llm) = &self.settings.llm {
            options = options.provider(llm.provider().map_err(failed)?);
            options.budget = llm.budget().map_err(failed)?;
        } else if let Some(simulated) = &self.simulated_llm {
            options = options.provider(simulated.clone());
        }
        if let Some(budget) = budget {
            options.budget = Some(
                budget
                    .trim()
                    .parse()
                    .map_err(|_| format!("budget_usd {budget:?} is not an amount of dollars"))?,
            );
        }
        Ok(options)
    }

    fn sync_settings(&self, since: Option<&str>) -> Result<SyncSettings, String> {
        Ok(SyncSettings {
            since: since
                .map(|s| crate::read_tools::day(s, "since"))
                .transpose()?,
            // The assistant acts for a person at the keyboard, not on a schedule.
            present: Some(std::net::IpAddr::from([127, 0, 0, 1])),
        })
    }

    async fn queue_pass(&self, queue: &JobQueue, pass: Pass) -> Result<Queued, String> {
        self.spend.enqueue_pass(queue, pass).await.map_err(failed)
    }

    async fn decide(&self, id: &str, decision: Decision) -> Result<Json<Document>, String> {
        let decided = decide(self.spend.user.as_ref(), id, decision)
            .await
            .map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::json!({
                "id": match_id(&decided),
                "state": decided.state.as_str(),
                "transaction": decided.explanation["transaction"],
                "target": decided.explanation["target"],
            }),
        }))
    }
}

#[tool_router(router = write_tools, vis = "pub(crate)")]
impl SpendMcp {
    /// Match every charge to the order, receipt or purchase behind it (one-to-one, explained); with dry_run, only say what would be matched.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn run_matching(
        &self,
        Parameters(args): Parameters<RunMatching>,
    ) -> Result<Json<Document>, String> {
        let options = MatchOptions {
            dry_run: args.dry_run,
            ..MatchOptions::default()
        };
        let report = match_user(self.spend.user.as_ref(), &options)
            .await
            .map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(report).map_err(failed)?,
        }))
    }

    /// Confirm a match: it stays, and the merchant's alias is learned from it.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn confirm_match(
        &self,
        Parameters(args): Parameters<MatchId>,
    ) -> Result<Json<Document>, String> {
        self.decide(&args.id, Decision::Confirm).await
    }

    /// Decline a match: the pair is never proposed again.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn decline_match(
        &self,
        Parameters(args): Parameters<MatchId>,
    ) -> Result<Json<Document>, String> {
        self.decide(&args.id, Decision::Decline).await
    }

    /// Categorise every transaction: the person's edits, their rules, matches, the merchant table, then the configured LLM for the rest only (this may cost money; budget_usd caps it).
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = true
    ))]
    async fn enrich(&self, Parameters(args): Parameters<Enrich>) -> Result<Json<Document>, String> {
        let options = self.enrich_options(args.budget_usd.as_deref())?;
        let report = enrich_user(self.spend.user.as_ref(), &options, |_| {})
            .await
            .map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(report).map_err(failed)?,
        }))
    }

    /// Set a transaction's category, merchant, essential-or-not or tags as the person says; enrichment never overwrites it.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn set_category(
        &self,
        Parameters(args): Parameters<SetCategory>,
    ) -> Result<Json<Document>, String> {
        let user = self.spend.user.as_ref();
        let tx = find_transaction(user, &args.transaction_id, args.account_id.as_deref())
            .await
            .map_err(|e| format!("{e} (see search_transactions; account_id names the account)"))?;
        let edit = PersonalEdit {
            category: args.category,
            merchant: args.merchant,
            essential: args.essential,
            tags: args.tags,
        };
        if edit == PersonalEdit::default() {
            return Err("nothing to set: give category, merchant, essential or tags".into());
        }
        let saved = set_by_person(user, &tx.key(), edit).await.map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(saved).map_err(failed)?,
        }))
    }

    /// Add a categorisation rule (or replace the one of the same name), applied before any match or LLM from the next enrichment on.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn add_rule(
        &self,
        Parameters(args): Parameters<AddRule>,
    ) -> Result<Json<Document>, String> {
        let rule = parse_rule(&args.name, &args.when, &args.then).map_err(failed)?;
        let user = self.spend.user.as_ref();
        put_rule(user, rule.clone(), None).await.map_err(failed)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(rule).map_err(failed)?,
        }))
    }

    /// Sync connected sources (banks, mailboxes, Amazon) into the store, side by side; each source's outcome (rows new, updated, unchanged, calls, retries, 429s, seconds) or its error in the provider's words. Calls the providers' APIs.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = true
    ))]
    async fn sync(&self, Parameters(args): Parameters<SyncArgs>) -> Result<Json<Document>, String> {
        let options = self.sync_settings(args.since.as_deref())?;
        let only = args.sources.unwrap_or_default();
        let plan = self
            .spend
            .sources(&self.apps, &only, &options)
            .await
            .map_err(failed)?;
        let synced = self
            .spend
            .sync_sources(plan.sources, |_| |_: &Progress| {})
            .await;
        nothing_synced(&synced, &plan.not_run, &only)?;
        Ok(Json(Document {
            currency: None,
            data: serde_json::json!({ "synced": synced, "not_run": plan.not_run }),
        }))
    }

    /// The whole refresh: sync every connected source (or those named), then match charges to orders and receipts, then categorise (the configured LLM for what rules, matches and the merchant table leave; budget_usd caps it). Calls the providers' APIs and may cost money.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = true
    ))]
    async fn refresh(
        &self,
        Parameters(args): Parameters<RefreshArgs>,
    ) -> Result<Json<Document>, String> {
        let only = args.sources.unwrap_or_default();
        let options = RefreshOptions {
            only: only.clone(),
            sync: self.sync_settings(args.since.as_deref())?,
            matching: MatchOptions::default(),
            enrich: self.enrich_options(args.budget_usd.as_deref())?,
        };
        let refreshed = self
            .spend
            .refresh(&self.apps, &options, |_| |_: &Progress| {})
            .await
            .map_err(failed)?;
        nothing_synced(&refreshed.syncs, &refreshed.not_run, &only)?;
        let mut data = serde_json::to_value(&refreshed).map_err(failed)?;
        // The proposals themselves are for `list_matches`, page by page.
        if let Some(matched) = data["matched"].as_object_mut() {
            matched.remove("proposals");
        }
        Ok(Json(Document {
            currency: None,
            data,
        }))
    }

    /// Queue work for the background workers (`spend worker`, any number of them on the store) instead of doing it here: syncs (one job per connection), imports of history files, matching, categorisation or re-parsing. Returns each job's id and target; `jobs` shows how they are doing.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn queue_work(
        &self,
        Parameters(args): Parameters<QueueWork>,
    ) -> Result<Json<Document>, String> {
        let import = matches!(args.work, Work::Import);
        if args.sources.is_some() && !matches!(args.work, Work::Sync) {
            return Err("sources is for work \"sync\" only".into());
        }
        if !import
            && (args.paths.is_some()
                || args.account.is_some()
                || args.map.is_some()
                || args.currency.is_some())
        {
            return Err("paths, account, map and currency are for work \"import\" only".into());
        }
        let queue = self.job_queue().await?;
        let queued = match args.work {
            Work::Sync => {
                let only = args.sources.unwrap_or_default();
                self.spend
                    .enqueue_syncs(queue, &only)
                    .await
                    .map_err(failed)?
            }
            Work::Import => {
                let paths = args.paths.unwrap_or_default();
                if paths.is_empty() {
                    return Err("import needs paths: name the files to import".into());
                }
                let options = import_options(args.account, args.map.as_deref(), args.currency)?;
                self.spend
                    .enqueue_imports(queue, &paths, &options)
                    .await
                    .map_err(failed)?
            }
            Work::Match => vec![self.queue_pass(queue, Pass::Match).await?],
            Work::Enrich => vec![self.queue_pass(queue, Pass::Enrich).await?],
            Work::Reparse => vec![self.queue_pass(queue, Pass::Reparse).await?],
        };
        Ok(Json(Document {
            currency: None,
            data: serde_json::json!({ "queued": queued }),
        }))
    }

    /// Import history files from the server's machine: each recognised from its content (Amazon order history, refunds and export zip, Apple purchase history, OFX/QFX, QIF, CAMT.053, banks' CSV exports) and stored whole or not at all; a broken file is reported with its line and column and the others still import.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn import_files(
        &self,
        Parameters(args): Parameters<ImportFiles>,
    ) -> Result<Json<Document>, String> {
        if args.paths.is_empty() {
            return Err("paths is empty: name the files to import".into());
        }
        let options = import_options(args.account, args.map.as_deref(), args.currency)?;
        let paths: Vec<std::path::PathBuf> = args.paths.iter().map(Into::into).collect();
        let done = self.spend.import_files(&paths, &options).await;
        if done.iter().all(|f| f.error.is_some()) {
            let errors: Vec<&str> = done.iter().filter_map(|f| f.error.as_deref()).collect();
            return Err(format!("nothing imported: {}", errors.join("; ")));
        }
        Ok(Json(Document {
            currency: None,
            data: serde_json::to_value(done).map_err(failed)?,
        }))
    }
}

/// How to read history files, from a tool's arguments.
fn import_options(
    account: Option<String>,
    map: Option<&str>,
    currency: Option<String>,
) -> Result<ImportOptions, String> {
    Ok(ImportOptions {
        account,
        mapping: map
            .map(|m| m.parse().map_err(|e| format!("map: {e}")))
            .transpose()?,
        currency,
    })
}

/// An error when no source ran at all: no connection, or none could sync.
fn nothing_synced(
    synced: &[SourceSync],
    not_run: &[NotRun],
    only: &[String],
) -> Result<(), String> {
    if synced.iter().any(|s| s.result.is_ok()) {
        return Ok(());
    }
    let mut reasons: Vec<String> = not_run
        .iter()
        .map(|n| format!("{}: {}", n.source, n.reason))
        .collect();
    reasons.extend(synced.iter().filter_map(|s| {
        s.result
            .as_ref()
            .err()
            .map(|e| format!("{}: {e}", s.source))
    }));
    if reasons.is_empty() {
        return Err(match only {
            [] => "no connections: connect a bank, mailbox or Amazon account with `spend connect` first".into(),
            _ => format!("no connection is called {} (see `connections`)", only.join(" or ")),
        });
    }
    Err(format!("nothing synced: {}", reasons.join("; ")))
}
