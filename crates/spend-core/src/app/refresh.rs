//! Syncing a person's connections, and the whole refresh the main job and
//! the MCP workflow run: every source synced side by side, then matching,
//! then categorisation over what the store now holds.

use futures_util::future::join_all;
use serde::Serialize;

use super::{AppError, ProviderApps, Spend, SyncSettings};
use crate::enrich::{EnrichOptions, EnrichReport, enrich_user};
use crate::matching::{MatchOptions, MatchReport, match_user};
use crate::model::Connection;
use crate::sources::{Source, SourceError};
use crate::sync::{Progress, SyncError, SyncOutcome};

/// A connection that could not be synced before any call was made, and why
/// (no app configured for its provider, unreadable settings, a missing secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRun {
    /// `provider:name`.
    pub source: String,
    /// What to do about it.
    pub reason: String,
}

/// The sources built from a person's connections.
#[derive(Default)]
pub struct SourcePlan {
    /// Ready to sync.
    pub sources: Vec<Box<dyn Source>>,
    /// Not runnable, each with its reason.
    pub not_run: Vec<NotRun>,
}

impl std::fmt::Debug for SourcePlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourcePlan")
            .field(
                "sources",
                &self.sources.iter().map(|s| s.id()).collect::<Vec<_>>(),
            )
            .field("not_run", &self.not_run)
            .finish()
    }
}

/// One source's sync: what it did, or its error in the provider's words.
#[derive(Debug)]
pub struct SourceSync {
    /// The source's id.
    pub source: String,
    /// The outcome.
    pub result: Result<SyncOutcome, SyncError>,
}

impl Serialize for SourceSync {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("SourceSync", 3)?;
        out.serialize_field("source", &self.source)?;
        match &self.result {
            Ok(outcome) => {
                out.serialize_field("status", "ok")?;
                out.serialize_field("outcome", outcome)?;
            }
            Err(e) => {
                out.serialize_field("status", "failed")?;
                out.serialize_field("error", &e.to_string())?;
            }
        }
        out.end()
    }
}

/// What [`Spend::refresh`] does besides syncing.
#[derive(Clone, Default)]
pub struct RefreshOptions {
    /// Only these connections: a provider (`truelayer`) or one connection
    /// (`gmail:alex@example.org`); all when empty.
    pub only: Vec<String>,
    /// The sync's window and presence.
    pub sync: SyncSettings,
    /// Matching's options.
    pub matching: MatchOptions,
    /// Categorisation's options (the LLM and its budget; without an LLM,
    /// what rules, matches and the merchant table cannot settle stays undecided).
    pub enrich: EnrichOptions,
}

/// What a refresh did.
#[derive(Debug, Serialize)]
pub struct Refreshed {
    /// Each source's sync.
    pub syncs: Vec<SourceSync>,
    /// Connections that could not be synced.
    pub not_run: Vec<NotRun>,
    /// Matching over everything stored.
    pub matched: MatchReport,
    /// Categorisation over everything stored.
    pub enriched: EnrichReport,
}

impl Refreshed {
    /// Whether every connection synced.
    pub fn all_synced(&self) -> bool {
        self.not_run.is_empty() && self.syncs.iter().all(|s| s.result.is_ok())
    }
}

pub(crate) fn selected(connection: &Connection, only: &[String]) -> bool {
    let id = format!("{}:{}", connection.provider, connection.name);
    only.is_empty() || only.iter().any(|f| *f == connection.provider || *f == id)
}

fn missing(app: &str) -> String {
    match app {
        "truelayer" => "set TRUELAYER_CLIENT_ID and TRUELAYER_CLIENT_SECRET".into(),
        "google" => "set GOOGLE_CLIENT_ID (and GOOGLE_CLIENT_SECRET)".into(),
        _ => "set LWA_CLIENT_ID and LWA_CLIENT_SECRET".into(),
    }
}

impl Spend {
    /// A source for every stored connection that `only` selects (all when
    /// empty; a provider name or `provider:name`). A connection that cannot
    /// be built is listed in [`SourcePlan::not_run`] with its reason; the
    /// others still sync.
    ///
    /// ```no_run
    /// # async fn run(spend: spend_core::app::Spend) -> Result<(), spend_core::app::AppError> {
    /// use spend_core::app::ProviderApps;
    /// let plan = spend.sources(&ProviderApps::from_env()?, &[], &Default::default()).await?;
    /// for skipped in &plan.not_run {
    ///     eprintln!("{}: {}", skipped.source, skipped.reason);
    /// }
    /// let synced = spend.sync_sources(plan.sources, |_| |_: &spend_core::sync::Progress| {}).await;
    /// # Ok(()) }
    /// ```
    pub async fn sources(
        &self,
        apps: &ProviderApps,
        only: &[String],
        options: &SyncSettings,
    ) -> Result<SourcePlan, AppError> {
        let mut plan = SourcePlan::default();
        for c in self.user.connections().await? {
            if !selected(&c, only) {
                continue;
            }
            let id = format!("{}:{}", c.provider, c.name);
            let built: Result<Box<dyn Source>, String> = match c.provider.as_str() {
                "truelayer" => match &apps.truelayer {
                    Some(app) => self
                        .truelayer_source(app, &c.name, options)
                        .map(|s| Box::new(s) as Box<dyn Source>)
                        .map_err(|e| e.to_string()),
                    None => Err(missing("truelayer")),
                },
                "gmail" => match &apps.google {
                    Some(app) => self
                        .gmail_source(app, &c.name, options)
                        .await
                        .map(|s| Box::new(s) as Box<dyn Source>)
                        .map_err(|e| e.to_string()),
                    None => Err(missing("google")),
                },
                #[cfg(feature = "imap")]
                "imap" => self
                    .imap_source(&c, options)
                    .await
                    .map(|s| Box::new(s) as Box<dyn Source>)
                    .map_err(|e| e.to_string()),
                "amazon-business" => match &apps.amazon {
                    Some(app) => self
                        .amazon_business_source(app, &c.name, &apps.amazon_business_region)
                        .await
                        .map(|s| Box::new(s) as Box<dyn Source>)
                        .map_err(|e| e.to_string()),
                    None => Err(missing("amazon")),
                },
                "sp-api" => match &apps.amazon {
                    Some(app) => self
                        .sp_api_source(app, &c.name)
                        .await
                        .map(|s| Box::new(s) as Box<dyn Source>)
                        .map_err(|e| e.to_string()),
                    None => Err(missing("amazon")),
                },
                other => Err(format!("spend cannot sync {other} connections")),
            };
            match built {
                Ok(source) => plan.sources.push(source),
                Err(reason) => plan.not_run.push(NotRun { source: id, reason }),
            }
        }
        Ok(plan)
    }

    /// Runs `sources` side by side to their ends, each with the progress
    /// reporter `reporter` makes for it. A revoked consent marks its
    /// connection as needing re-authorisation; one source failing does not
    /// stop the others.
    pub async fn sync_sources<R>(
        &self,
        sources: Vec<Box<dyn Source>>,
        reporter: impl Fn(&str) -> R,
    ) -> Vec<SourceSync>
    where
        R: FnMut(&Progress) + Send,
    {
        let engine = self.engine();
        let runs = sources.into_iter().map(|mut source| {
            let mut report = reporter(source.id());
            let engine = engine.clone();
            async move {
                let result = engine.run(source.as_mut(), &mut report).await;
                SourceSync {
                    source: source.id().to_owned(),
                    result,
                }
            }
        });
        let synced = join_all(runs).await;
        for s in &synced {
            if let Err(SyncError::Source {
                error: SourceError::NeedsReauthorisation { provider, name, .. },
                ..
            }) = &s.result
            {
                // Best effort: the error itself is reported either way.
                let _ = self.needs_reauthorisation(provider, name).await;
            }
        }
        synced
    }

    /// The main job: syncs every selected connection, then matches charges
    /// to orders and receipts, then categorises, over everything stored.
    /// Sync failures are reported in the result, not returned as errors:
    /// matching and categorisation still run over what the store holds.
    pub async fn refresh<R>(
        &self,
        apps: &ProviderApps,
        options: &RefreshOptions,
        reporter: impl Fn(&str) -> R,
    ) -> Result<Refreshed, AppError>
    where
        R: FnMut(&Progress) + Send,
    {
        let plan = self.sources(apps, &options.only, &options.sync).await?;
        let syncs = self.sync_sources(plan.sources, reporter).await;
        let matched = match_user(self.user.as_ref(), &options.matching).await?;
        let enriched = enrich_user(self.user.as_ref(), &options.enrich, |_| {}).await?;
        Ok(Refreshed {
            syncs,
            not_run: plan.not_run,
            matched,
            enriched,
        })
    }
}
