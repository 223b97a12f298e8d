//! Categorises a few transactions and extracts a receipt.
//!
//! Runs against the in-process simulator of the provider named by
//! `LLM_PROVIDER` (anthropic, openai, gemini, deepseek, ollama; default
//! anthropic). With that provider's key in the environment
//! (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, `GEMINI_API_KEY`, `DEEPSEEK_API_KEY`;
//! `OLLAMA_URL` for Ollama) it calls the real API instead:
//!
//! ```sh
//! cargo run -p llm-enrich --features testkit --example categorise
//! LLM_PROVIDER=gemini GEMINI_API_KEY=... cargo run -p llm-enrich --features testkit --example categorise
//! ```

use std::sync::Arc;

use llm_enrich::testkit::Simulator;
use llm_enrich::{
    Anthropic, Config, DeepSeek, Direction, Enricher, Gemini, Ollama, OpenAi, Provider,
    ProviderKind, ReceiptExtractor, TransactionInput,
};
use rust_decimal::Decimal;

fn real(kind: ProviderKind) -> Option<anyhow::Result<Arc<dyn Provider>>> {
    let wrap = |r: llm_enrich::Result<Arc<dyn Provider>>| r.map_err(anyhow::Error::from);
    Some(match kind {
        ProviderKind::Anthropic => {
            wrap(Anthropic::from_env(Config::new())?.map(|p| Arc::new(p) as _))
        }
        ProviderKind::OpenAi => wrap(OpenAi::from_env(Config::new())?.map(|p| Arc::new(p) as _)),
        ProviderKind::Gemini => wrap(Gemini::from_env(Config::new())?.map(|p| Arc::new(p) as _)),
        ProviderKind::DeepSeek => {
            wrap(DeepSeek::from_env(Config::new())?.map(|p| Arc::new(p) as _))
        }
        ProviderKind::Ollama => {
            let url = std::env::var("OLLAMA_URL").ok()?;
            wrap(Ollama::new(Config::new().base_url(url)).map(|p| Arc::new(p) as _))
        }
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let kind = match std::env::var("LLM_PROVIDER")
        .as_deref()
        .unwrap_or("anthropic")
    {
        "anthropic" => ProviderKind::Anthropic,
        "openai" => ProviderKind::OpenAi,
        "gemini" => ProviderKind::Gemini,
        "deepseek" => ProviderKind::DeepSeek,
        "ollama" => ProviderKind::Ollama,
        other => anyhow::bail!("unknown LLM_PROVIDER {other:?}"),
    };
    let _sim;
    let provider = match real(kind) {
        Some(provider) => provider?,
        None => {
            let sim = Simulator::start(kind).await;
            println!("No credentials for {kind}: using its simulator.\n");
            let provider = sim.provider();
            _sim = sim;
            provider
        }
    };

    let transactions = [
        ("1", "TESCO STORES 2041", 3450, Direction::Debit),
        ("2", "UBER *TRIP HELP.UBER.COM", 1320, Direction::Debit),
        ("3", "NETFLIX.COM", 1099, Direction::Debit),
        ("4", "EE LIMITED DD", 2500, Direction::Debit),
        ("5", "ACME LTD SALARY", 285_000, Direction::Credit),
    ]
    .map(|(id, d, p, dir)| TransactionInput::new(id, d, Decimal::new(p, 2), "GBP", dir));

    let enricher = Enricher::new(provider.clone());
    let estimate = enricher.estimate(&transactions).await;
    println!(
        "{} ({}): {} request(s), at most ${}",
        kind,
        provider.model(),
        estimate.requests,
        estimate
            .max_cost
            .map(|c| c.round_dp(6).to_string())
            .unwrap_or_else(|| "?".into())
    );
    let report = enricher.enrich(&transactions).await?;
    for t in &transactions {
        let Some(e) = report.enrichments.iter().find(|e| e.id == t.id) else {
            println!("  {:<28} (no answer)", t.description);
            continue;
        };
        let f = &e.fields;
        println!(
            "  {:<28} {:<14} / {:<22} {:<22} essential={} ({:.2})",
            t.description, f.category, f.subcategory, f.merchant, f.essential, f.confidence
        );
    }
    println!(
        "  {} tokens in, {} out, ${}\n",
        report.spend.usage.input_tokens,
        report.spend.usage.output_tokens,
        report.spend.cost.round_dp(6)
    );

    let email = "From: Orders <orders@shop.example>\nSubject: Your order A-1001\n\nThanks for your order!\nOrder #A-1001\nSubtotal: £40.00\nTotal: £42.50\n";
    let found = ReceiptExtractor::new(provider).extract(email).await?;
    println!(
        "receipt: {:?} total {} {} order {:?}",
        found.receipt.merchant,
        found.receipt.total.unwrap_or_default(),
        found.receipt.currency.unwrap_or_default(),
        found.receipt.order_ids
    );
    Ok(())
}
