//! Cost accounting, the budget, the estimate, and answer validation.

use std::sync::Arc;

use llm_enrich::testkit::Simulator;
use llm_enrich::transactions::check_answer;
use llm_enrich::{
    Budget, Direction, Enricher, Error, Price, PriceTable, ProviderKind, ReceiptExtractor,
    Taxonomy, TransactionInput, Usage,
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
    let email = "From: orders@shop.example\nOrder #A-1001\nTotal: £12.50";
    // Each email's worst case (every output token) is about $0.011 and its
    // real cost about $0.001: a budget of $0.015 holds a few emails, not
    // every one of them as a budget per email would.
    let budget = Arc::new(Budget::new(Decimal::new(15, 3)));
    let extractor = ReceiptExtractor::new(sim.provider())
        .prices(priced("claude-haiku-4-5"))
        .shared_budget(budget.clone());
    let mut sent = 0;
    let mut spent = Decimal::ZERO;
    let refusal = loop {
        match extractor.extract(email).await {
            Ok(found) => {
                sent += 1;
                spent += found.spend.cost;
            }
            Err(error) => break error,
        }
        assert!(sent < 50, "the budget never stopped the run");
    };
    assert!(
        matches!(refusal, Error::BudgetExceeded { budget: limit, .. } if limit == budget.limit()),
        "{refusal:?}"
    );
    assert!(sent >= 2, "more than one email fits: {sent}");
    assert_eq!(sim.requests(), sent, "nothing sent for the refused email");
    assert_eq!(
        budget.spent(),
        spent,
        "every email's cost is on the one budget"
    );
    assert!(budget.spent() <= budget.limit());
    assert_eq!(budget.held(), Decimal::ZERO, "nothing left held");

    // Another extractor sharing the budget is refused too, without sending.
    let other = ReceiptExtractor::new(sim.provider())
        .prices(priced("claude-haiku-4-5"))
        .shared_budget(budget.clone());
    let err = other.extract(email).await.unwrap_err();
    assert!(matches!(err, Error::BudgetExceeded { .. }), "{err:?}");
    assert_eq!(sim.requests(), sent);
    // The categoriser takes the same budget: it spends what is left and stops.
    let before = budget.spent();
    let report = Enricher::new(sim.provider())
        .batch_size(10)
        .prices(priced("claude-haiku-4-5"))
        .shared_budget(budget.clone())
        .enrich(&many(40))
        .await
        .unwrap();
    assert!(
        !report.unprocessed.is_empty(),
        "stopped by the shared budget"
    );
    assert_eq!(budget.spent(), before + report.spend.cost);
    assert!(budget.spent() <= budget.limit());
}

#[tokio::test]
async fn gemini_thinking_tokens_are_counted_as_output() {
    let sim = Simulator::start(ProviderKind::Gemini).await;
    let prices = priced("gemini-flash-latest");
    let email = "From: orders@shop.example\nOrder #A-1001\nTotal: £12.50";
    let extractor = ReceiptExtractor::new(sim.provider()).prices(prices.clone());
    let plain = extractor.extract(email).await.unwrap().spend;

    sim.set_thinking_tokens(700);
    let budget = Arc::new(Budget::new(Decimal::ONE));
    let extractor = ReceiptExtractor::new(sim.provider())
        .prices(prices)
        .shared_budget(budget.clone());
    let thought = extractor.extract(email).await.unwrap().spend;
    assert_eq!(thought.usage.input_tokens, plain.usage.input_tokens);
    assert_eq!(
        thought.usage.output_tokens,
        plain.usage.output_tokens + 700,
        "thoughtsTokenCount is output"
    );
    // Billed as output: 700 tokens at $5 a million.
    assert_eq!(thought.cost - plain.cost, Decimal::new(35, 4));
    assert_eq!(budget.spent(), thought.cost);
}

#[tokio::test]
async fn a_hard_budget_is_never_exceeded_when_the_estimate_runs_low() {
    // A long email whose input dominates the cost, and a tokenizer that
    // splits three times finer than the four characters a token the
    // estimate assumes: the simulator reports (and counts) three times the
    // estimate. Checking the budget with the estimate as it is would send
    // requests that cost three times what was checked.
    let mut email = String::from("From: orders@shop.example\nOrder #A-1001\nTotal: £12.50\n");
    while email.len() < 40_000 {
        email.push_str("1x Widget 0042-XZ  £0.99  SKU 88213-44  qty 1  VAT 20%\n");
    }
    let mut used_counts = false;
    for kind in [
        ProviderKind::Gemini,
        ProviderKind::Anthropic,
        ProviderKind::OpenAi,
    ] {
        for limit in ["0.2", "0.3", "0.5", "0.8", "1.0", "1.3"] {
            let sim = Simulator::start(kind).await;
            sim.set_input_token_ratio(3.0);
            let provider = sim.provider();
            let mut prices = PriceTable::empty();
            prices.set(provider.model(), Price::per_million("10.00", "0.10"));
            let budget = Arc::new(Budget::new(limit.parse().unwrap()));
            let extractor = ReceiptExtractor::new(provider)
                .prices(prices)
                .shared_budget(budget.clone());
            let mut sent = 0;
            for _ in 0..10 {
                match extractor.extract(&email).await {
                    Ok(_) => sent += 1,
                    Err(Error::BudgetExceeded { .. }) => break,
                    Err(other) => panic!("{kind} {limit}: {other}"),
                }
                assert!(
                    budget.spent() <= budget.limit(),
                    "{kind} {limit}: spent {} after {sent} emails",
                    budget.spent()
                );
            }
            assert!(
                budget.spent() <= budget.limit(),
                "{kind} {limit}: spent {}",
                budget.spent()
            );
            assert_eq!(sim.requests(), sent, "{kind} {limit}");
            used_counts |= sim.count_requests() > 0;
            if limit == "1.3" {
                assert!(
                    sent >= 2,
                    "{kind}: the budget is used, not refused outright"
                );
            }
        }
    }
    assert!(
        used_counts,
        "near the limit the providers' counts were asked"
    );
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
