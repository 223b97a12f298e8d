//! `spend sync`: every connected source into the store, with progress and a
//! summary; one source failing does not stop the others.

use std::io::Write;
use std::net::IpAddr;

use anyhow::Context;
use futures_util::future::join_all;
use spend_core::app::{AmazonApp, GoogleApp, Spend, SyncSettings, TrueLayerApp};
use spend_core::sources::{Source, SourceError};
use spend_core::sync::{SyncError, SyncOutcome};
use truelayer_client::{ClientCredentials, Environment};

use crate::progress::Bars;
use crate::table;

/// Arguments of `spend sync`.
#[derive(clap::Args)]
pub struct Args {
    /// Only these sources: a provider (`truelayer`, `gmail`) or one connection (`gmail:alex@example.org`).
    sources: Vec<String>,
    /// Fetch from this day (YYYY-MM-DD) instead of from the last sync.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// You are here: TrueLayer's unattended allowance (4 calls a day) does not apply.
    #[arg(long)]
    present: bool,
    /// Your IP address for `--present` (TrueLayer's X-PSU-IP).
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    psu_ip: IpAddr,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// The providers' apps from the environment.
pub struct Apps {
    /// TrueLayer, when `TRUELAYER_CLIENT_ID` and `TRUELAYER_CLIENT_SECRET` are set.
    pub truelayer: Option<TrueLayerApp>,
    /// Google, when `GOOGLE_CLIENT_ID` is set.
    pub google: Option<GoogleApp>,
    /// Amazon's SP-API, when `LWA_CLIENT_ID` and `LWA_CLIENT_SECRET` are set
    /// (`SP_API_REGION`, `SP_API_MARKETPLACE`, default the UK).
    pub amazon: Option<AmazonApp>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Apps {
    /// Reads the environment.
    pub fn from_env() -> anyhow::Result<Apps> {
        let truelayer = match (env("TRUELAYER_CLIENT_ID"), env("TRUELAYER_CLIENT_SECRET")) {
            (Some(id), Some(secret)) => Some(TrueLayerApp {
                environment: match (
                    env("SPEND_TRUELAYER_AUTH_URL"),
                    env("SPEND_TRUELAYER_DATA_URL"),
                ) {
                    // Another auth server and Data API (a proxy, a simulator).
                    (Some(auth), Some(data)) => Environment::Custom {
                        auth: auth.parse().context("SPEND_TRUELAYER_AUTH_URL")?,
                        data: data.parse().context("SPEND_TRUELAYER_DATA_URL")?,
                    },
                    _ if env("TRUELAYER_ENV").as_deref() == Some("live") => Environment::Live,
                    _ => Environment::Sandbox,
                },
                credentials: ClientCredentials::new(id, secret),
            }),
            _ => None,
        };
        let google = match env("GOOGLE_CLIENT_ID") {
            Some(id) => {
                // Installed apps redirect to a loopback port of their choosing.
                let mut oauth =
                    gmail_receipts::google::GoogleOAuth::builder(id, "http://127.0.0.1:0/");
                if let Some(secret) = env("GOOGLE_CLIENT_SECRET") {
                    oauth = oauth.client_secret(secret);
                }
                // Another OAuth server and API root (a proxy, a simulator).
                if let (Some(auth), Some(token), Some(revoke)) = (
                    env("SPEND_GOOGLE_AUTH_URL"),
                    env("SPEND_GOOGLE_TOKEN_URL"),
                    env("SPEND_GOOGLE_REVOKE_URL"),
                ) {
                    oauth = oauth.endpoints(gmail_receipts::google::GoogleEndpoints::at(
                        &auth, &token, &revoke,
                    )?);
                }
                Some(GoogleApp {
                    oauth: oauth.build()?,
                    base_url: env("SPEND_GMAIL_API_URL"),
                })
            }
            None => None,
        };
        let amazon = match amazon_sp_client::LwaCredentials::from_env() {
            Some(credentials) => Some(AmazonApp {
                // Another token endpoint and API root (a proxy, a simulator).
                endpoint: match env("SPEND_SP_API_URL") {
                    Some(url) => {
                        amazon_sp_client::Endpoint::Custom(url.parse().context("SPEND_SP_API_URL")?)
                    }
                    None => amazon_sp_client::Endpoint::from_env(),
                },
                lwa: match env("SPEND_LWA_TOKEN_URL") {
                    Some(url) => amazon_sp_client::LwaClient::with_token_url(
                        credentials,
                        url.parse().context("SPEND_LWA_TOKEN_URL")?,
                    )?,
                    None => amazon_sp_client::LwaClient::new(credentials)?,
                },
                marketplace: env("SP_API_MARKETPLACE")
                    .unwrap_or_else(|| amazon_sp_client::Marketplace::UK.to_owned()),
                rate_limiter: None,
            }),
            None => None,
        };
        Ok(Apps {
            truelayer,
            google,
            amazon,
        })
    }
}

/// Builds a source for every connection `filter` selects (all when empty).
pub async fn sources(
    spend: &Spend,
    apps: &Apps,
    filter: &[String],
    options: &SyncSettings,
) -> anyhow::Result<(Vec<Box<dyn Source>>, Vec<(String, anyhow::Error)>)> {
    let mut out: Vec<Box<dyn Source>> = Vec::new();
    let mut missing = Vec::new();
    for c in spend.user.connections().await? {
        let id = format!("{}:{}", c.provider, c.name);
        if !filter.is_empty() && !filter.iter().any(|f| f == &c.provider || f == &id) {
            continue;
        }
        match c.provider.as_str() {
            "truelayer" => match &apps.truelayer {
                Some(app) => out.push(Box::new(spend.truelayer_source(app, &c.name, options)?)),
                None => missing.push((
                    id,
                    anyhow::anyhow!("set TRUELAYER_CLIENT_ID and TRUELAYER_CLIENT_SECRET"),
                )),
            },
            "gmail" => match &apps.google {
                Some(app) => out.push(Box::new(spend.gmail_source(app, &c.name, options).await?)),
                None => missing.push((
                    id,
                    anyhow::anyhow!("set GOOGLE_CLIENT_ID (and GOOGLE_CLIENT_SECRET)"),
                )),
            },
            "imap" => out.push(Box::new(spend.imap_source(&c, options).await?)),
            "amazon-business" => match &apps.amazon {
                Some(app) => {
                    let region = env("AMAZON_BUSINESS_REGION").unwrap_or_else(|| "UK".to_owned());
                    out.push(Box::new(
                        spend.amazon_business_source(app, &c.name, &region).await?,
                    ))
                }
                None => missing.push((
                    id,
                    anyhow::anyhow!("set LWA_CLIENT_ID and LWA_CLIENT_SECRET"),
                )),
            },
            "sp-api" => match &apps.amazon {
                Some(app) => out.push(Box::new(spend.sp_api_source(app, &c.name).await?)),
                None => missing.push((
                    id,
                    anyhow::anyhow!("set LWA_CLIENT_ID and LWA_CLIENT_SECRET"),
                )),
            },
            other => missing.push((
                id,
                anyhow::anyhow!("spend sync cannot sync {other} connections yet"),
            )),
        }
    }
    Ok((out, missing))
}

/// Runs `sources` side by side, each with a progress bar. A revoked consent
/// marks its connection as needing re-authorisation.
pub async fn run_all(
    spend: &Spend,
    sources: Vec<Box<dyn Source>>,
) -> Vec<(String, Result<SyncOutcome, SyncError>)> {
    let bars = Bars::new();
    let engine = spend.engine();
    let runs = sources.into_iter().map(|mut source| {
        let mut report = bars.source(source.id());
        let engine = engine.clone();
        async move {
            let id = source.id().to_owned();
            let result = engine.run(source.as_mut(), &mut report).await;
            (id, result)
        }
    });
    let results = join_all(runs).await;
    for (_, result) in &results {
        if let Err(SyncError::Source {
            error: SourceError::NeedsReauthorisation { provider, name, .. },
            ..
        }) = result
        {
            // Best effort: the error itself is reported either way.
            let _ = spend.needs_reauthorisation(provider, name).await;
        }
    }
    results
}

/// Prints the summary; returns whether every source succeeded.
pub fn summarise(
    results: &[(String, Result<SyncOutcome, SyncError>)],
    failed_early: &[(String, anyhow::Error)],
    json: bool,
) -> anyhow::Result<bool> {
    let mut ok = failed_early.is_empty();
    let mut out = std::io::stdout().lock();
    if json {
        let mut rows = Vec::new();
        for (source, result) in results {
            rows.push(match result {
                Ok(o) => serde_json::json!({"source": source, "status": "ok", "outcome": o}),
                Err(e) => {
                    ok = false;
                    serde_json::json!({"source": source, "status": "failed", "error": e.to_string()})
                }
            });
        }
        for (source, e) in failed_early {
            rows.push(serde_json::json!({"source": source, "status": "failed", "error": format!("{e:#}")}));
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ok);
    }
    let mut rows = Vec::new();
    for (source, result) in results {
        match result {
            Ok(o) => {
                let w = &o.written;
                let kinds = [
                    w.accounts,
                    w.transactions,
                    w.orders,
                    w.emails,
                    w.receipts,
                    w.documents,
                ];
                let sum =
                    |f: fn(&spend_core::store::Upserted) -> u64| kinds.iter().map(f).sum::<u64>();
                rows.push(vec![
                    source.clone(),
                    "ok".into(),
                    o.pages.to_string(),
                    sum(|u| u.inserted).to_string(),
                    sum(|u| u.updated).to_string(),
                    sum(|u| u.unchanged).to_string(),
                    w.removed.to_string(),
                    o.skipped.len().to_string(),
                    o.calls.requests.to_string(),
                    o.calls.retries.to_string(),
                    o.calls.throttled.to_string(),
                    format!("{:.1}", o.elapsed.as_secs_f64()),
                ]);
            }
            Err(e) => {
                ok = false;
                rows.push(status_only(source, "failed"));
                eprintln!("error: {e}");
            }
        }
    }
    for (source, e) in failed_early {
        rows.push(status_only(source, "not run"));
        eprintln!("error: {source}: {e:#}");
    }
    table::print(&mut out, &HEADERS, &rows, &HEADERS[2..])?;
    Ok(ok)
}

/// The summary's columns (all but the first two right-aligned).
const HEADERS: [&str; 12] = [
    "SOURCE",
    "STATUS",
    "PAGES",
    "NEW",
    "UPDATED",
    "UNCHANGED",
    "REMOVED",
    "SKIPPED",
    "CALLS",
    "RETRIES",
    "429S",
    "SECONDS",
];

/// A summary row with only the source and its status.
fn status_only(source: &str, status: &str) -> Vec<String> {
    let mut row = vec![String::new(); HEADERS.len()];
    row[0] = source.to_owned();
    row[1] = status.to_owned();
    row
}

/// Parses a YYYY-MM-DD date.
pub fn parse_day(text: &str, flag: &str) -> anyhow::Result<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .with_context(|| format!("{flag} {text:?} is not a YYYY-MM-DD date"))
}

/// Runs `spend sync`.
pub fn run(args: Args) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let spend = crate::store_app::open().await?;
        let options = SyncSettings {
            since: args
                .since
                .as_deref()
                .map(|s| parse_day(s, "--since"))
                .transpose()?,
            present: args.present.then_some(args.psu_ip),
        };
        let apps = Apps::from_env()?;
        let (sources, missing) = sources(&spend, &apps, &args.sources, &options).await?;
        if sources.is_empty() && missing.is_empty() {
            eprintln!("No connections: `spend demo` shows the whole thing on simulated providers.");
            return Ok(true);
        }
        let results = run_all(&spend, sources).await;
        summarise(&results, &missing, args.json)
    })
}
