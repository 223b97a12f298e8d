//! `spend demo`, `spend sync` and the listing commands end to end, each run
//! with a data folder of its own (the embedded default: SQLite file, blob
//! folder and key file in it).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spend-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spend(data: &Path, args: &[&str], user: &str) -> (String, String, bool) {
    let out = common::command(data)
        .args(args)
        .env("SPEND_USER", user)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn new_rows(summary: &Value, source: &str) -> u64 {
    let entry = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == source)
        .unwrap();
    assert_eq!(entry["status"], "ok", "{entry}");
    let written = &entry["outcome"]["written"];
    [
        "accounts",
        "transactions",
        "emails",
        "receipts",
        "documents",
    ]
    .iter()
    .map(|k| written[k]["inserted"].as_u64().unwrap())
    .sum()
}

#[test]
fn the_demo_syncs_the_simulated_providers_into_the_default_store() {
    let data = data_dir("demo");
    let (out, err, ok) = spend(&data, &["demo", "--json"], "demo");
    assert!(ok, "{err}");
    let first: Value = serde_json::from_str(&out).unwrap();
    assert!(new_rows(&first, "truelayer:demo-bank") > 100, "{first}");
    assert!(new_rows(&first, "gmail:alex@example.org") > 100, "{first}");
    let orders = &first
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "sp-api:A2SIMULATEDSELLER")
        .unwrap()["outcome"]["written"]["orders"];
    assert_eq!(orders["inserted"], 60, "{first}");
    assert!(
        data.join("spend.db").exists()
            && data.join("fernet.key").exists()
            && data.join("blobs").exists()
    );

    // Again: the bank's recent window and the mailbox's history are read; nothing new.
    let (out, err, ok) = spend(&data, &["demo", "--json"], "demo");
    assert!(ok, "{err}");
    let second: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(new_rows(&second, "gmail:alex@example.org"), 0, "{second}");
    let tx = &second[0]["outcome"]["written"]["transactions"];
    assert_eq!(tx["inserted"], 0, "{second}");

    // What is stored can be listed and searched.
    let (out, _, ok) = spend(
        &data,
        &[
            "transactions",
            "--search",
            "tesco",
            "--json",
            "--limit",
            "500",
        ],
        "demo",
    );
    assert!(ok);
    let found: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!found.is_empty());
    assert!(found.iter().all(|t| {
        t["description"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("tesco")
            || t["merchant"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("tesco")
    }));
    assert!(
        found
            .iter()
            .all(|t| t["amount"]["minor"].as_i64().unwrap() < 0),
        "purchases are money out"
    );
    let (out, _, ok) = spend(&data, &["receipts"], "demo");
    assert!(ok && out.starts_with("DATE"), "{out}");
    let (out, _, ok) = spend(&data, &["orders", "--json", "--limit", "100"], "demo");
    assert!(ok);
    assert_eq!(out.lines().count(), 60, "orders with their items");
    let (out, _, ok) = spend(&data, &["connections"], "demo");
    assert!(
        ok && out.contains("truelayer") && out.contains("gmail"),
        "{out}"
    );
    let (out, _, ok) = spend(&data, &["reparse", "--json"], "demo");
    assert!(ok);
    let reparsed: Value = serde_json::from_str(&out).unwrap();
    assert!(reparsed["emails"].as_u64().unwrap() > 100);
    assert_eq!(reparsed["updated"], 0);

    // The demo matched as it synced; running it again changes nothing.
    let (out, err, ok) = spend(&data, &["match", "--json"], "demo");
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["automatic"].as_u64().unwrap() > 100, "{report}");
    assert_eq!(report["withdrawn"], 0, "{report}");
    let (out, _, ok) = spend(
        &data,
        &["matches", "--state", "suggested", "--json"],
        "demo",
    );
    assert!(ok);
    let suggested: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(suggested.len() >= 2, "{out}");
    assert!(
        suggested
            .iter()
            .all(|m| m["explanation"]["parts"]["amount"]["why"].is_string())
    );
    let confirm = suggested[0]["id"].as_str().unwrap();
    let decline = suggested[1]["id"].as_str().unwrap();
    let (out, err, ok) = spend(&data, &["match", "confirm", confirm], "demo");
    assert!(ok && out.contains("confirmed"), "{out}{err}");
    let (out, err, ok) = spend(&data, &["match", "decline", decline], "demo");
    assert!(ok && out.contains("declined"), "{out}{err}");
    let (_, err, ok) = spend(&data, &["match", "confirm", "zzzz"], "demo");
    assert!(!ok && err.contains("no match has the id"), "{err}");
    let (out, _, ok) = spend(&data, &["match", "--json"], "demo");
    assert!(ok);
    let again: Value = serde_json::from_str(&out).unwrap();
    assert!(
        again["proposals"].as_array().unwrap().iter().all(|p| {
            p["transaction"] != suggested[1]["transaction"] || p["target"] != suggested[1]["target"]
        }),
        "a declined pair is not proposed again"
    );
    let (out, _, ok) = spend(
        &data,
        &["transactions", "--search", "amzn", "--json"],
        "demo",
    );
    assert!(ok);
    assert!(
        out.lines().any(|l| l.contains("\"paid_for\":[\"Amazon")),
        "charges show what they paid for: {out}"
    );

    // Another user of the same store sees none of it.
    let (out, _, ok) = spend(&data, &["transactions", "--json"], "someone-else");
    assert!(ok && out.is_empty(), "{out}");
}

#[test]
fn categories_rules_and_the_report() {
    let data = data_dir("report");
    let (_, err, ok) = spend(&data, &["demo", "--json"], "demo");
    assert!(ok, "{err}");
    // The demo categorised everything (the LLM simulator took the rest).
    let (out, _, ok) = spend(
        &data,
        &["transactions", "--json", "--limit", "1000"],
        "demo",
    );
    assert!(ok);
    let txs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        txs.iter().all(|t| t["categorised_by"].is_string()),
        "every transaction categorised"
    );

    let (out, err, ok) = spend(
        &data,
        &[
            "rules",
            "add",
            "coffee",
            "--when",
            "merchant=\"Pret A Manger\"",
            "--then",
            "category=Coffee essential=no tag=treats",
        ],
        "demo",
    );
    assert!(ok && out.contains("added"), "{out}{err}");
    let (out, _, ok) = spend(&data, &["rules", "test", "coffee"], "demo");
    assert!(ok && out.contains("transactions fit \"coffee\""), "{out}");
    let (_, err, ok) = spend(
        &data,
        &[
            "rules",
            "add",
            "bad",
            "--when",
            "colour=red",
            "--then",
            "category=X",
        ],
        "demo",
    );
    assert!(!ok && err.contains("unknown condition \"colour\""), "{err}");
    let (out, err, ok) = spend(&data, &["rules", "apply", "--json"], "demo");
    assert!(ok, "{err}");
    let applied: Value = serde_json::from_str(&out).unwrap();
    assert!(applied["by_rule"].as_u64().unwrap() > 0);
    let (out, _, ok) = spend(
        &data,
        &["transactions", "--category", "Coffee", "--json"],
        "demo",
    );
    assert!(
        ok && out.lines().count() > 0 && out.contains("\"tags\":[\"treats\"]"),
        "{out}"
    );

    // A person's own category stays through another run.
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let id = first["id"].as_str().unwrap();
    let (out, err, ok) = spend(
        &data,
        &[
            "categorise",
            id,
            "--category",
            "Work lunches",
            "--essential",
            "yes",
        ],
        "demo",
    );
    assert!(ok && out.contains("Work lunches"), "{out}{err}");
    let (_, err, ok) = spend(
        &data,
        &["categorise", "no-such-id", "--category", "X"],
        "demo",
    );
    assert!(!ok && err.contains("no transaction with id"), "{err}");
    let (out, _, ok) = spend(&data, &["enrich", "--json"], "demo");
    assert!(ok);
    let again: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(again["by_person"], 1, "{again}");
    let (out, _, ok) = spend(
        &data,
        &["transactions", "--category", "Work lunches", "--json"],
        "demo",
    );
    assert!(ok && out.lines().count() == 1, "{out}");

    // The report: tables, JSON and an HTML page.
    let html = data.join("report.html");
    let (out, err, ok) = spend(
        &data,
        &[
            "report",
            "--period",
            "last-12-months",
            "--gold-price",
            "105.00",
            "--html",
            html.to_str().unwrap(),
        ],
        "demo",
    );
    assert!(ok, "{err}");
    for part in [
        "By category",
        "Top merchants",
        "Month by month",
        "Recurring payments",
        "Huqúqu'lláh",
        "Coffee",
    ] {
        assert!(out.contains(part), "{part} in {out}");
    }
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("spend-data")
    );
    let (out, _, ok) = spend(
        &data,
        &["report", "--json", "--period", "this-year"],
        "demo",
    );
    assert!(ok);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(
        report["spending"].as_i64().unwrap() > 0
            && report["categories"].as_array().unwrap().len() > 3
    );
    let (_, err, ok) = spend(&data, &["report", "--period", "soon"], "demo");
    assert!(!ok && err.contains("not a period"), "{err}");
    let (_, err, ok) = spend(&data, &["report", "--gold-price", "1.005"], "demo");
    assert!(!ok && err.contains("more decimals"), "{err}");
}

#[test]
fn sync_without_the_providers_credentials_reports_each_source_and_fails() {
    let data = data_dir("sync");
    let (_, err, ok) = spend(&data, &["sync"], "me");
    assert!(ok, "no connections is not an error: {err}");
    assert!(err.contains("spend demo"), "{err}");
    // The demo's connections belong to the demo user; as that user, without
    // credentials for the providers, each source says what is missing.
    let (_, err, ok) = spend(&data, &["demo", "--json"], "demo");
    assert!(ok, "{err}");
    let (out, err, ok) = spend(&data, &["sync"], "demo");
    assert!(!ok, "{out}");
    assert!(
        err.contains("TRUELAYER_CLIENT_ID") && err.contains("GOOGLE_CLIENT_ID"),
        "{err}"
    );
    assert!(out.contains("not run"), "{out}");
}

#[test]
fn a_bad_date_is_a_clear_error() {
    let data = data_dir("dates");
    let (_, err, ok) = spend(&data, &["transactions", "--from", "yesterday"], "me");
    assert!(!ok);
    assert!(
        err.contains("--from \"yesterday\" is not a YYYY-MM-DD date"),
        "{err}"
    );
}
