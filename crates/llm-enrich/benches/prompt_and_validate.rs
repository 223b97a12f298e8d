//! Prompt building and answer validation for 10,000 transactions (no network).
//!
//! `cargo bench -p llm-enrich --bench prompt_and_validate` prints transactions per second.

use std::time::{Duration, Instant};

use llm_enrich::transactions::{build_request, check_answer};
use llm_enrich::{Direction, Taxonomy, TransactionInput};
use rust_decimal::Decimal;
use serde_json::json;

const TRANSACTIONS: usize = 10_000;
const BATCH: usize = 50;
const ROUNDS: usize = 5;

fn main() {
    let taxonomy = Taxonomy::default();
    let merchants = [
        "TESCO STORES 2041",
        "UBER *TRIP HELP.UBER.COM",
        "AMZNMKTPLACE AMAZON.CO.UK",
        "PRET A MANGER KINGS X",
    ];
    let items: Vec<TransactionInput> = (0..TRANSACTIONS)
        .map(|i| {
            let mut t = TransactionInput::new(
                format!("tx-{i:06}"),
                merchants[i % 4],
                Decimal::new(1_000 + i as i64, 2),
                "GBP",
                Direction::Debit,
            );
            t.date = Some("2026-11-20".into());
            t
        })
        .collect();
    // What a model would answer for each batch, built once.
    let answers: Vec<String> = items
        .chunks(BATCH)
        .map(|batch| {
            let results: Vec<_> = batch
                .iter()
                .map(|t| json!({"id": t.id, "category": "Groceries", "subcategory": "Supermarket", "merchant": "Tesco",
                                "merchant_type": "supermarket", "essential": true, "payment_method": "card", "confidence": 0.9}))
                .collect();
            json!({ "results": results }).to_string()
        })
        .collect();

    let mut build_best = Duration::MAX;
    let mut check_best = Duration::MAX;
    let mut prompt_bytes = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        prompt_bytes = 0;
        for batch in items.chunks(BATCH) {
            let refs: Vec<&TransactionInput> = batch.iter().collect();
            let request = build_request(&taxonomy, &refs, 5_000);
            prompt_bytes += request.system.len() + request.user.len();
            std::hint::black_box(request);
        }
        build_best = build_best.min(started.elapsed());

        let started = Instant::now();
        let mut valid = 0;
        for (batch, answer) in items.chunks(BATCH).zip(&answers) {
            let ids: Vec<&str> = batch.iter().map(|t| t.id.as_str()).collect();
            valid += check_answer(answer, &ids, &taxonomy)
                .expect("valid answer")
                .valid
                .len();
        }
        assert_eq!(valid, TRANSACTIONS);
        check_best = check_best.min(started.elapsed());
    }
    let rate = |d: Duration| TRANSACTIONS as f64 / d.as_secs_f64();
    println!("llm-enrich: {TRANSACTIONS} transactions in batches of {BATCH}, best of {ROUNDS}");
    println!(
        "  prompt building   : {:>10.0} transactions/s ({:.1} ms, {:.1} MB of prompt)",
        rate(build_best),
        build_best.as_secs_f64() * 1e3,
        prompt_bytes as f64 / 1e6
    );
    println!(
        "  answer validation : {:>10.0} transactions/s ({:.1} ms)",
        rate(check_best),
        check_best.as_secs_f64() * 1e3
    );
}
