//! The cache answers only the question it was asked: a transaction that
//! differs in anything the model is told (amount, currency, context, hint)
//! or is asked of another provider, model, prompt or taxonomy is asked
//! again; the same input, under any id, is not.

use std::sync::Arc;

use llm_enrich::testkit::Simulator;
use llm_enrich::{Direction, Enricher, MemoryCache, ProviderKind, Taxonomy, TransactionInput};
use rust_decimal::Decimal;

fn amazon(id: &str, pence: i64) -> TransactionInput {
    TransactionInput::new(
        id,
        "AMAZON.CO.UK*2K4RT51X4",
        Decimal::new(pence, 2),
        "GBP",
        Direction::Debit,
    )
}

#[tokio::test]
async fn what_changes_the_answer_changes_the_key() {
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let cache = Arc::new(MemoryCache::new());
    let enricher = Enricher::new(sim.provider()).cache(cache.clone());
    let asked = |report: &llm_enrich::EnrichReport| report.cache_hits == 0;

    let first = enricher.enrich(&[amazon("t1", 1299)]).await.unwrap();
    assert!(asked(&first));
    assert_eq!(sim.requests(), 1);

    // The same input under another id (and written 12.990): from the cache.
    let mut same = amazon("t2", 1299);
    same.amount = Decimal::new(12_990, 3);
    let again = enricher.enrich(&[same]).await.unwrap();
    assert_eq!(again.cache_hits, 1);
    assert!(again.enrichments[0].from_cache);
    assert_eq!(sim.requests(), 1, "the same input hits");

    // Each of these differs in one thing the model is told: each is asked.
    let with = |id: &str, change: fn(&mut TransactionInput)| {
        let mut item = amazon(id, 1299);
        change(&mut item);
        item
    };
    let variants = [
        amazon("a", 1350),   // another amount, same order of magnitude
        amazon("b", 49_900), // another order of magnitude
        with("c", |t| t.currency = "EUR".into()),
        with("d", |t| {
            t.context = Some("The Rust Programming Language (paperback)".into())
        }),
        with("e", |t| t.context = Some("Yorkshire Tea 240 bags".into())),
        with("f", |t| t.merchant_hint = Some("Amazon Marketplace".into())),
        with("g", |t| t.direction = Direction::Credit),
    ];
    for (n, variant) in variants.into_iter().enumerate() {
        let report = enricher
            .enrich(std::slice::from_ref(&variant))
            .await
            .unwrap();
        assert!(asked(&report), "{variant:?} shared a cache entry");
        assert_eq!(sim.requests(), 2 + n, "{variant:?}");
    }
    assert_eq!(cache.len(), 8);

    // Another taxonomy is another prompt.
    let mine = Taxonomy::new([
        ("Shopping", &["General merchandise"][..]),
        ("Other", &["Uncategorised"][..]),
    ]);
    let requests = sim.requests();
    let report = Enricher::new(sim.provider())
        .cache(cache.clone())
        .taxonomy(mine)
        .enrich(&[amazon("t3", 1299)])
        .await
        .unwrap();
    assert!(asked(&report));
    assert_eq!(sim.requests(), requests + 1);
}

#[tokio::test]
async fn another_provider_or_model_is_asked_again() {
    let cache = Arc::new(MemoryCache::new());
    // Two providers serving a model of the same name (an OpenAI-compatible
    // server and DeepSeek, say) answer in different modes.
    let openai = Simulator::start(ProviderKind::OpenAi).await;
    let deepseek = Simulator::start(ProviderKind::DeepSeek).await;
    let named = |sim: &Simulator, model: &str| {
        sim.provider_with(Simulator::API_KEY, sim.config().model(model))
    };
    let items = [amazon("t1", 1299)];
    Enricher::new(named(&openai, "shared-name"))
        .cache(cache.clone())
        .enrich(&items)
        .await
        .unwrap();
    assert_eq!(openai.requests(), 1);

    let report = Enricher::new(named(&deepseek, "shared-name"))
        .cache(cache.clone())
        .enrich(&items)
        .await
        .unwrap();
    assert_eq!(
        report.cache_hits, 0,
        "another provider's answer is not reused"
    );
    assert_eq!(deepseek.requests(), 1);

    let report = Enricher::new(named(&openai, "another-model"))
        .cache(cache.clone())
        .enrich(&items)
        .await
        .unwrap();
    assert_eq!(report.cache_hits, 0, "another model's answer is not reused");
    assert_eq!(openai.requests(), 2);

    // Each asked once: asked again, all three hit.
    for provider in [
        named(&openai, "shared-name"),
        named(&deepseek, "shared-name"),
        named(&openai, "another-model"),
    ] {
        let report = Enricher::new(provider)
            .cache(cache.clone())
            .enrich(&items)
            .await
            .unwrap();
        assert_eq!(report.cache_hits, 1);
    }
    assert_eq!(openai.requests() + deepseek.requests(), 3);
}
