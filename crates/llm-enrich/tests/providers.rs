//! Each provider, through its simulator: success, rate limits, overload,
//! malformed answers, missing ids, truncation and authentication failure.

use std::sync::Arc;

use llm_enrich::testkit::{Fault, Simulator};
use llm_enrich::{
    Direction, Enricher, Error, MemoryCache, ProviderKind, ReceiptExtractor, TransactionInput,
};
use rust_decimal::Decimal;

const ALL: [ProviderKind; 5] = [
    ProviderKind::Anthropic,
    ProviderKind::OpenAi,
    ProviderKind::Gemini,
    ProviderKind::DeepSeek,
    ProviderKind::Ollama,
];

fn items() -> Vec<TransactionInput> {
    [
        ("a1", "TESCO STORES 2041", 3450, Direction::Debit),
        ("a2", "UBER *TRIP HELP.UBER.COM", 1320, Direction::Debit),
        ("a3", "NETFLIX.COM", 1099, Direction::Debit),
        ("a4", "ACME LTD SALARY", 285_000, Direction::Credit),
        ("a5", "ZZ UNKNOWN SHOP", 500, Direction::Debit),
    ]
    .into_iter()
    .map(|(id, d, p, dir)| TransactionInput::new(id, d, Decimal::new(p, 2), "GBP", dir))
    .collect()
}

#[tokio::test]
async fn every_provider_enriches_and_maps_by_id() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        let report = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let by_id = |id: &str| {
            report
                .enrichments
                .iter()
                .find(|e| e.id == id)
                .unwrap()
                .fields
                .clone()
        };
        assert_eq!(report.enrichments.len(), 5, "{kind}");
        assert_eq!(by_id("a1").category, "Groceries", "{kind}");
        assert_eq!(by_id("a1").merchant, "Tesco", "{kind}");
        assert!(by_id("a1").essential, "{kind}");
        assert_eq!(by_id("a2").subcategory, "Taxi & ride hailing", "{kind}");
        assert_eq!(by_id("a4").category, "Income", "{kind}");
        assert_eq!(by_id("a5").category, "Other", "{kind}");
        assert_eq!(report.spend.requests, 1, "{kind}: one batch");
        assert!(
            report.spend.usage.input_tokens > 0 && report.spend.usage.output_tokens > 0,
            "{kind}: usage read"
        );
        assert!(report.failed.is_empty(), "{kind}");
    }
}

#[tokio::test]
async fn every_provider_extracts_a_receipt() {
    let email = "From: Orders <orders@shop.example>\nSubject: Your order\n\nOrder #A-1001 confirmed\nSubtotal: £10.00\nTotal: £1,012.50\n";
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        let found = ReceiptExtractor::new(sim.provider())
            .extract(email)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            found.receipt.total,
            Some(Decimal::new(101_250, 2)),
            "{kind}: exact total"
        );
        assert_eq!(found.receipt.currency.as_deref(), Some("GBP"), "{kind}");
        assert_eq!(found.receipt.order_ids, ["A-1001"], "{kind}");
        assert_eq!(found.receipt.merchant.as_deref(), Some("Shop"), "{kind}");
    }
}

#[tokio::test]
async fn rate_limits_and_overload_are_retried() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            1,
        );
        sim.inject(Fault::Overloaded, 1);
        let started = std::time::Instant::now();
        let report = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(report.enrichments.len(), 5, "{kind}");
        assert_eq!(sim.requests(), 3, "{kind}: 429, overloaded, then success");
        assert!(
            started.elapsed() >= std::time::Duration::from_secs(1),
            "{kind}: Retry-After honoured"
        );
    }
}

#[tokio::test]
async fn persistent_rate_limiting_is_a_typed_error() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(
            Fault::RateLimited {
                retry_after_secs: 0,
            },
            10,
        );
        let err = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap_err();
        match err {
            Error::RateLimited { provider, .. } => assert_eq!(provider, kind),
            other => panic!("{kind}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_malformed_answer_gets_one_repair() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(Fault::MalformedJson, 1);
        let report = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap();
        assert_eq!(report.enrichments.len(), 5, "{kind}");
        assert_eq!(
            report.spend.requests, 2,
            "{kind}: the answer and its repair"
        );
        let repair = sim.last_request().unwrap().to_string();
        assert!(
            repair.contains("could not be used"),
            "{kind}: the repair names the problem"
        );
    }
}

#[tokio::test]
async fn a_malformed_answer_twice_is_a_typed_error_for_receipts() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(Fault::MalformedJson, 2);
        let err = ReceiptExtractor::new(sim.provider())
            .extract("Total: £5.00")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidAnswer { provider, .. } if provider == kind),
            "{kind}: {err:?}"
        );
    }
}

#[tokio::test]
async fn missing_ids_are_retried_alone() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(Fault::MissingIds(2), 1);
        let report = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap();
        assert_eq!(report.enrichments.len(), 5, "{kind}");
        assert_eq!(
            report.spend.requests, 3,
            "{kind}: one batch, then each missing id alone"
        );
        let last = sim.last_request().unwrap().to_string();
        assert!(
            last.contains("a5") && !last.contains("a1"),
            "{kind}: the retry carries only the missing id"
        );
    }
}

#[tokio::test]
async fn a_cut_short_answer_splits_the_batch() {
    let sim = Simulator::start(ProviderKind::OpenAi).await;
    sim.inject(Fault::Truncated, 1);
    let report = Enricher::new(sim.provider())
        .enrich(&items())
        .await
        .unwrap();
    assert_eq!(report.enrichments.len(), 5);
    assert_eq!(
        report.spend.requests, 3,
        "the cut batch, then its two halves"
    );
}

#[tokio::test]
async fn authentication_failures_are_typed_and_say_what_to_do() {
    for kind in ALL {
        let sim = Simulator::start(kind).await;
        sim.inject(Fault::Unauthorized, 1);
        let err = Enricher::new(sim.provider())
            .enrich(&items())
            .await
            .unwrap_err();
        let Error::Auth { provider, hint, .. } = &err else {
            panic!("{kind}: {err:?}")
        };
        assert_eq!(*provider, kind);
        assert!(!hint.is_empty());
        assert_eq!(sim.requests(), 1, "{kind}: an auth failure is not retried");
    }
    // A wrong key, answered as each provider does (Gemini: 400 INVALID_ARGUMENT).
    for kind in [
        ProviderKind::Anthropic,
        ProviderKind::OpenAi,
        ProviderKind::Gemini,
        ProviderKind::DeepSeek,
    ] {
        let sim = Simulator::start(kind).await;
        let err = Enricher::new(sim.provider_with_key("wrong"))
            .enrich(&items())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{kind}: {err:?}");
        assert!(
            err.to_string().contains(kind.as_str()),
            "the message names the provider: {err}"
        );
    }
}

#[tokio::test]
async fn a_cache_hit_makes_no_request() {
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let cache = Arc::new(MemoryCache::new());
    let enricher = Enricher::new(sim.provider()).cache(cache.clone());
    enricher.enrich(&items()).await.unwrap();
    assert_eq!(sim.requests(), 1);
    // Same descriptions (store numbers differ), new ids: all from the cache.
    let again: Vec<_> = items()
        .into_iter()
        .map(|mut i| {
            i.id = format!("b-{}", i.id);
            i.description = i.description.replace("2041", "3392");
            i
        })
        .collect();
    let report = enricher.enrich(&again).await.unwrap();
    assert_eq!(sim.requests(), 1, "no request for cached descriptions");
    assert_eq!(report.cache_hits, 5);
    assert!(
        report
            .enrichments
            .iter()
            .all(|e| e.from_cache && e.id.starts_with("b-"))
    );
    assert_eq!(cache.len(), 5);
}

#[tokio::test]
async fn answers_invalid_after_repair_are_typed_failures_not_losses() {
    use llm_enrich::FailureKind;
    let sim = Simulator::start(ProviderKind::DeepSeek).await;
    // The batch answer and its repair are malformed, then so is the first
    // transaction's own answer and its repair: that one fails, typed; the rest succeed.
    sim.inject(Fault::MalformedJson, 4);
    let report = Enricher::new(sim.provider())
        .enrich(&items())
        .await
        .unwrap();
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].id, "a1");
    assert_eq!(report.failed[0].kind, FailureKind::InvalidAnswer);
    assert_eq!(report.enrichments.len(), 4);
    assert_eq!(report.spend.requests, 2 + 2 + 4);
}

#[tokio::test]
async fn an_extraction_becomes_a_pipeline_receipt_marked_as_llm() {
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let found = ReceiptExtractor::new(sim.provider())
        .extract("From: Orders <orders@shop.example>\nOrder #B-2002\nTotal: €7.25\n")
        .await
        .unwrap();
    let receipt = found.receipt.to_receipt();
    let total = receipt.total.clone().unwrap();
    assert_eq!(total.source, receipt_parsers::Method::Llm);
    assert_eq!(
        (total.value.amount.to_string(), total.value.currency.0),
        ("7.25".into(), "EUR")
    );
    assert_eq!(receipt.order_id_values(), ["B-2002"]);
}
