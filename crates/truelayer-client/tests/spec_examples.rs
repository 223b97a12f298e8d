//! Contract test: every example in TrueLayer's two spec files deserializes
//! into this crate's typed models.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde_json::Value;
use truelayer_client::models::*;

fn spec(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs/truelayer")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn resolve<'a>(spec: &'a Value, node: &'a Value) -> (&'a Value, Option<String>) {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let name = pointer.rsplit('/').next().map(str::to_owned);
            (
                spec.pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling {reference}")),
                name,
            )
        }
        None => (node, None),
    }
}

fn check<T: DeserializeOwned>(value: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(value.clone())
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Which model an operation's answer with `status` is.
fn model_check(operation: &str, status: &str, media: &str, value: &Value) -> Result<(), String> {
    if media == "application/problem+json" {
        return check::<Problem>(value);
    }
    match (operation, status) {
        ("GetMe", "200") => check::<Results<Me>>(value),
        ("GetInfo", "200") => check::<Results<Info>>(value),
        ("GetAccounts" | "GetAccount", "200") => check::<Results<Account>>(value),
        ("GetAccountBalance", "200") => check::<Results<AccountBalance>>(value),
        (
            "GetAccountTransactions"
            | "GetAccountPendingTransactions"
            | "GetCardTransactions"
            | "GetCardPendingTransactions",
            "200",
        ) => check::<Results<Transaction>>(value),
        ("GetAccountStandingOrders", "200") => check::<Results<StandingOrder>>(value),
        ("GetAccountDirectDebits", "200") => check::<Results<DirectDebit>>(value),
        ("GetCards" | "GetCard", "200") => check::<Results<Card>>(value),
        ("GetCardBalance", "200") => check::<Results<CardBalance>>(value),
        ("GetBatchResults", "200") => check::<BatchResults>(value),
        ("ExtendConnection", "200") => check::<ExtendResponse>(value),
        ("GenerateAccessToken", "200") => check::<TokenResponse>(value),
        ("GenerateDirectBankAuthLink" | "GenerateReauthLink", "200") => check::<AuthLink>(value),
        ("GenerateDebugId" | "DeleteDebugId", "200") => check::<DebugId>(value),
        ("GetProviders", "200") => check::<Vec<Provider>>(value),
        (_, "202") => check::<AsyncResponse>(value),
        _ => check::<ErrorBody>(value),
    }
}

#[test]
fn every_spec_example_deserializes() {
    let mut total = 0;
    let mut failures = Vec::new();
    for file in ["data-api-v1.json", "auth-api.json"] {
        let spec = spec(file);
        let mut seen = BTreeSet::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(operation) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                for (status, response) in op["responses"].as_object().unwrap() {
                    let (response, _) = resolve(&spec, response);
                    let Some(content) = response.get("content").and_then(Value::as_object) else {
                        continue;
                    };
                    for (media, body) in content {
                        let examples = body
                            .get("examples")
                            .and_then(Value::as_object)
                            .into_iter()
                            .flatten();
                        let inline = body.get("example").map(|e| ("example".to_owned(), e));
                        for (name, example) in examples.map(|(n, e)| (n.clone(), e)).chain(inline) {
                            let (example, component) = resolve(&spec, example);
                            let value = example.get("value").unwrap_or(example);
                            // An example shared by several operations is checked against each.
                            let key = component
                                .clone()
                                .unwrap_or_else(|| format!("{operation}/{status}/{name}"));
                            if seen.insert(key.clone()) {
                                total += 1;
                            }
                            if let Err(e) = model_check(operation, status, media, value) {
                                failures
                                    .push(format!("{file} {method} {path} {status} {key}: {e}"));
                            }
                        }
                    }
                }
            }
        }
        // Examples declared in components but not referenced by any response.
        let components = spec
            .pointer("/components/examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten();
        for (name, example) in components {
            if seen.contains(name) {
                continue;
            }
            total += 1;
            let value = example.get("value").unwrap_or(example);
            let result = if value.get("trace_id").is_some() {
                check::<Problem>(value)
            } else {
                check::<ErrorBody>(value)
            };
            if let Err(e) = result {
                failures.push(format!(
                    "{file} components/examples/{name} (unreferenced): {e}"
                ));
            }
        }
    }
    let passed = total - failures.len().min(total);
    println!("truelayer spec examples: {passed}/{total}");
    assert!(
        failures.is_empty(),
        "examples that failed:\n{}",
        failures.join("\n")
    );
    assert!(
        total >= 37,
        "expected at least the 37 response examples the spec lists, found {total}"
    );
}

#[test]
fn spec_examples_keep_exact_amounts_and_offsets() {
    let spec = spec("data-api-v1.json");
    let value = &spec["components"]["examples"]["GetAccountTransactions200Response"]["value"];
    let page: Results<Transaction> = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(page.results[0].amount.to_string(), "-2.99");
    assert_eq!(
        page.results[0].transaction_category,
        TransactionCategory::Purchase
    );
    assert_eq!(page.results[1].running_balance, None);

    let value = &spec["components"]["examples"]["GetAccountDirectDebits200Response"]["value"];
    let page: Results<DirectDebit> = serde_json::from_value(value.clone()).unwrap();
    let at = page.results[0].timestamp.parse().unwrap();
    assert_eq!(at.offset().whole_hours(), 1, "the +01:00 offset is kept");
    assert_eq!(
        page.results[1].previous_payment_amount.unwrap().to_string(),
        "4.99"
    );

    // The spec's own typo stays readable: the text is kept even when it cannot be parsed.
    let value = &spec["components"]["examples"]["GetCardBalance200Response"]["value"];
    let page: Results<CardBalance> = serde_json::from_value(value.clone()).unwrap();
    let stamp = page.results[0].update_timestamp.as_ref().unwrap();
    assert_eq!(stamp.as_str(), "2017-02-247T17:29:24.740802Z");
    assert!(stamp.parse().is_none());
}

#[test]
fn unknown_enum_values_are_kept() {
    let json = r#"{"transaction_id":"t","timestamp":"2024-01-01T00:00:00Z","description":"X","amount":"1.10",
        "currency":"CHF","transaction_type":"REVERSAL","transaction_category":"CRYPTO"}"#;
    let t: Transaction = serde_json::from_str(json).unwrap();
    assert_eq!(
        t.transaction_type,
        TransactionType::Unrecognised("REVERSAL".into())
    );
    assert_eq!(t.transaction_category.as_str(), "CRYPTO");
    assert_eq!(t.amount.to_string(), "1.10");
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(back["transaction_category"], "CRYPTO");
}
