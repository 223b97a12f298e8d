//! Cost accounting, the budget, the estimate, and answer validation.

use llm_enrich::testkit::Simulator;
use llm_enrich::transactions::check_answer;
use llm_enrich::{
    Direction, Enricher, Error, Price, PriceTable, ProviderKind, ReceiptExtractor, Spend, Taxonomy,
    TransactionInput, Usage,
};
use rust_decimal::Decimal;

fn many(n: usize) -> Vec<TransactionInput> {
    (0..n)
        .map(|i| {
            TransactionInput::new(
                format!("t{i}"),
                format!("SHOP NUMBER {i} LONDON"),
                Decimal::new(1000 + i as i64, 2),
                "GBP",
                Direction::Debit,
            )
        })
        .collect()
}

fn priced(model: &str) -> PriceTable {
    let mut prices = PriceTable::empty();
    prices.set(model, Price::per_million("1.00", "5.00"));
    prices
}

#[tokio::test]
async fn cost_is_accounted_from_reported_usage() {
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let report = Enricher::new(sim.provider())
        .prices(priced("claude-haiku-4-5"))
        .enrich(&many(3))
        .await
        .unwrap();
    let expected = Price::per_million("1.00", "5.00").cost(report.spend.usage);
    assert_eq!(report.spend.cost, expected);
    assert!(report.spend.cost > Decimal::ZERO);
}

#[tokio::test]
async fn the_budget_stops_before_it_would_be_exceeded() {
    let sim = Simulator::start(ProviderKind::OpenAi).await;
    let enricher = Enricher::new(sim.provider())
        .batch_size(10)
        .prices(priced("gpt-5-mini"));
    let estimate = enricher.estimate(&many(40)).await;
    assert_eq!(estimate.requests, 4);
    // The budget covers the first batch's worst case exactly: it is sent; after
    // it, what was spent plus the next worst case is over, so the run stops.
    let first = enricher.estimate(&many(10)).await.max_cost.unwrap();
    let report = enricher.budget(first).enrich(&many(40)).await.unwrap();
    assert_eq!(sim.requests(), 1, "stopped before the second request");
    assert_eq!(report.enrichments.len(), 10);
    assert_eq!(report.unprocessed.len(), 30);
    assert!(report.spend.cost > Decimal::ZERO && report.spend.cost <= first);

    // Below one request's worst case nothing is sent at all.
    let sim = Simulator::start(ProviderKind::OpenAi).await;
    let enricher = Enricher::new(sim.provider())
        .batch_size(10)
        .prices(priced("gpt-5-mini"));
    let report = enricher
        .budget(first / Decimal::TWO)
        .enrich(&many(40))
        .await
        .unwrap();
    assert_eq!(sim.requests(), 0);
    assert_eq!(report.unprocessed.len(), 40);
}

#[tokio::test]
async fn one_budget_holds_across_the_emails_of_a_run() {
    let sim = Simulator::start(ProviderKind::Anthropic).await;
    let prices = priced("claude-haiku-4-5");
    let email = "From: orders@shop.example\nOrder #A-1001\nTotal: £12.50";
    // The budget is one email's worst case (every output token used).
    let request = ReceiptExtractor::new(sim.provider()).build_request(email);
    let input = [&request.system, &request.user, &request.schema.to_string()]
        .iter()
        .map(|t| llm_enrich::cost::estimate_tokens(t))
        .sum::<u64>();
    let output = request
        .max_output_tokens
        .min(sim.provider().limits().max_output_tokens);
    let worst = Price::per_million("1.00", "5.00").cost(Usage {
        input_tokens: input,
        output_tokens: u64::from(output),
    });
    let extractor = ReceiptExtractor::new(sim.provider())
        .prices(prices)
        .budget(worst);
    // Each email as a run of its own fits, every time.
    for _ in 0..3 {
        extractor.extract(email).await.unwrap();
    }
    assert_eq!(sim.requests(), 3);
    // One run over several emails: after the first, what it spent plus the
    // next one's worst case is over, so nothing more is sent.
    let mut run = Spend::default();
    extractor.extract_within(email, &mut run).await.unwrap();
    assert!(run.cost > Decimal::ZERO);
    let err = extractor.extract_within(email, &mut run).await.unwrap_err();
    assert!(
        matches!(err, Error::BudgetExceeded { spent, next, .. } if spent == run.cost && next == worst),
        "{err:?}"
    );
    assert_eq!(sim.requests(), 4, "nothing sent for the second");
    assert_eq!(run.requests, 1);
}

#[tokio::test]
async fn a_budget_without_a_price_is_refused_up_front() {
    let sim = Simulator::start(ProviderKind::Ollama).await;
    let err = Enricher::new(sim.provider())
        .prices(PriceTable::empty())
        .budget(Decimal::ONE)
        .enrich(&many(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownPrice { ref model } if model == "llama3.1:8b"),
        "{err:?}"
    );
    assert_eq!(sim.requests(), 0);
}

#[tokio::test]
async fn the_estimate_counts_cache_hits_and_fits_the_batch_to_the_output_limit() {
    let sim = Simulator::start(ProviderKind::Ollama).await;
    // Ollama's default output limit (4096 tokens) holds 45 answers of ~90 tokens.
    let enricher = Enricher::new(sim.provider()).batch_size(200);
    assert_eq!(enricher.effective_batch_size(), 45);
    let estimate = enricher.estimate(&many(100)).await;
    assert_eq!(estimate.requests, 3);
    assert_eq!(estimate.cached, 0);
    assert!(estimate.input_tokens > 1000);
    assert_eq!(estimate.max_cost, None, "no price for a local model");
    assert_eq!(sim.requests(), 0, "estimating sends nothing");
}

#[test]
fn answers_are_checked_against_the_taxonomy_and_mapped_by_id() {
    let taxonomy = Taxonomy::default();
    let answer = r#"{"results": [
        {"id": "b", "category": "Groceries", "subcategory": "Supermarket", "merchant": "Tesco", "merchant_type": "supermarket", "essential": true, "payment_method": "card", "confidence": 0.9},
        {"id": "a", "category": "Groceries", "subcategory": "Fuel", "merchant": "Shell", "merchant_type": "fuel", "essential": true, "payment_method": null, "confidence": 0.9},
        {"id": "c", "category": "Transport", "subcategory": "Fuel", "merchant": "BP", "merchant_type": "fuel", "essential": true, "payment_method": null, "confidence": 1.7},
        {"id": "zz", "category": "Other", "subcategory": "Uncategorised", "merchant": "?", "merchant_type": "?", "essential": false, "payment_method": null, "confidence": 0.1}
    ]}"#;
    let checked = check_answer(answer, &["a", "b", "c", "d"], &taxonomy).unwrap();
    assert_eq!(checked.valid.len(), 1);
    assert_eq!(checked.valid[0].0, "b", "mapped by id, not by position");
    let reasons: Vec<(&str, &str)> = checked
        .invalid
        .iter()
        .map(|f| (f.id.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons[0].0 == "a" && reasons[0].1.contains("not in the taxonomy"));
    assert!(reasons[1].0 == "c" && reasons[1].1.contains("confidence"));
    assert!(reasons[2].0 == "d" && reasons[2].1.contains("missing"));
    assert!(check_answer("not json", &["a"], &taxonomy).is_err());
    assert!(check_answer(r#"{"results": "nope"}"#, &["a"], &taxonomy).is_err());
}

#[test]
fn prices_are_exact() {
    let cost = Price::per_million("0.25", "2.00").cost(Usage {
        input_tokens: 1_234,
        output_tokens: 567,
    });
    assert_eq!(cost.to_string(), "0.0014425");
}
