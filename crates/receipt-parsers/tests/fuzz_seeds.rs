//! The fuzz targets' checks replayed on their seed corpus (fuzz/seeds/, with
//! the crashes fuzzing found kept there) and on every fixture, so CI runs
//! what fuzzing runs without a fuzzer.

use std::path::{Path, PathBuf};

use receipt_parsers::{Currency, Email, Pipeline, auth, dates, money, patterns};

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has seeds", dir.display());
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

fn fixtures() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all = Vec::new();
    for dir in [root.clone(), root.join("vendors"), root.join("real")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml" || e == "html") {
                all.push(std::fs::read(path).unwrap());
            }
        }
    }
    all
}

#[test]
fn pipeline_seeds_and_fixtures() {
    let pipeline = Pipeline::default();
    for data in seeds("pipeline").into_iter().chain(fixtures()) {
        let _ = pipeline.parse(&data);
        let _ = pipeline.parse_html(&String::from_utf8_lossy(&data));
    }
}

#[test]
fn auth_results_seeds() {
    for data in seeds("auth_results") {
        let text = String::from_utf8_lossy(&data);
        let _ = auth::parse_results(&text);
        let mut raw = b"From: a@shop.example\r\nAuthentication-Results: ".to_vec();
        raw.extend_from_slice(&data);
        raw.extend_from_slice(b"\r\n\r\nbody");
        if let Some(email) = Email::parse(&raw) {
            let _ = auth::sender_verified(&email);
        }
    }
}

#[test]
fn money_seeds_and_fixtures() {
    for data in seeds("money").into_iter().chain(fixtures()) {
        let text = String::from_utf8_lossy(&data);
        for m in money::find_all(&text, Some(Currency("GBP"))) {
            let printed = m.amount.to_string();
            assert_eq!(
                money::parse_number(&printed.replace('-', "")),
                Some(m.amount.abs())
            );
        }
        let _ = money::parse_number(&text);
    }
}

#[test]
fn dates_seeds_and_fixtures() {
    for data in seeds("dates").into_iter().chain(fixtures()) {
        let text = String::from_utf8_lossy(&data);
        for day_first in [true, false] {
            if let Some(date) = dates::find(&text, day_first) {
                assert!((1..=9999).contains(&date.year()));
            }
            let _ = patterns::order_date(&text, day_first);
        }
    }
}
