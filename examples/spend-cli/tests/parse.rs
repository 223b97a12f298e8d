//! `spend parse` end to end: the binary on fixture files, an mbox, a
//! directory, a bare HTML body and an unreadable path.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates/receipt-parsers/tests/fixtures")
}

fn spend(args: &[&str]) -> (String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_spend"))
        .args(args)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.success())
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_lines_follow_the_contract() {
    let file = fixtures().join("amazon-uk-order.eml");
    let (out, ok) = spend(&["parse", "--json", file.to_str().unwrap()]);
    assert!(ok);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let v = &lines[0];
    for key in [
        "source",
        "message_id",
        "from",
        "subject",
        "kind",
        "reason",
        "sender_verified",
        "receipt",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["kind"], "receipt");
    assert_eq!(v["sender_verified"], true);
    let r = &v["receipt"];
    assert_eq!(r["vendor"], "amazon-uk");
    assert_eq!(r["merchant"], "Amazon");
    assert_eq!(r["order_ids"][0], "205-1234567-7654321");
    assert_eq!(r["date"], "2024-03-12");
    assert_eq!(
        r["total"],
        serde_json::json!({"amount": "24.97", "currency": "GBP"})
    );
    assert_eq!(r["subtotal"]["amount"], "24.97");
    assert_eq!(r["line_items"].as_array().unwrap().len(), 2);
    assert_eq!(r["line_items"][1]["quantity"], 2);
    assert_eq!(r["method"], "vendor");
    assert!(r["confidence"].as_f64().unwrap() > 0.9);
    // What the pipeline knows beyond the summary: discount, payment method,
    // the order a refund is of, and each field's stage and confidence.
    for key in ["discount", "payment_method", "refund_of", "fields"] {
        assert!(r.get(key).is_some(), "{key} missing: {r}");
    }
    assert_eq!(r["fields"]["total"]["stage"], "vendor");
    assert!(r["fields"]["total"]["confidence"].as_f64().unwrap() > 0.9);
    assert_eq!(r["fields"]["order_ids"][0]["value"], "205-1234567-7654321");
}

#[test]
fn mbox_files_yield_every_message_with_its_position() {
    let dir = std::env::temp_dir().join(format!("spend-cli-mbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut mbox = Vec::new();
    for name in [
        "uber-trip.eml",
        "spotify-marketing.eml",
        "netflix-receipt.eml",
    ] {
        mbox.extend_from_slice(b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n");
        let message = std::fs::read(fixtures().join(name)).unwrap();
        // mboxrd escaping of a body line that starts with "From ".
        mbox.extend_from_slice(&message);
        mbox.extend_from_slice(b"\n>From the team\n\n");
    }
    let path = dir.join("export.mbox");
    std::fs::write(&path, mbox).unwrap();
    let (out, ok) = spend(&["parse", "--json", path.to_str().unwrap()]);
    assert!(ok);
    let lines = json_lines(&out);
    let kinds: Vec<&str> = lines.iter().map(|v| v["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["receipt", "marketing", "receipt"]);
    assert!(
        lines[2]["source"]
            .as_str()
            .unwrap()
            .ends_with("export.mbox#3")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn directories_html_and_errors() {
    let missing = fixtures().join("does-not-exist.eml");
    let html = fixtures().join("shopify-order.html");
    let (out, ok) = spend(&[
        "parse",
        "--json",
        fixtures().to_str().unwrap(),
        html.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert!(
        !ok,
        "a bad path makes the exit non-zero; the others are still parsed"
    );
    let lines = json_lines(&out);
    assert!(
        lines.len() > 60,
        "every fixture of the directory, recursively: {}",
        lines.len()
    );
    let bare = lines
        .iter()
        .rev()
        .find(|v| {
            v["source"]
                .as_str()
                .unwrap()
                .ends_with("shopify-order.html")
        })
        .unwrap();
    assert_eq!(bare["sender_verified"], Value::Null);
    assert_eq!(bare["receipt"]["vendor"], "shopify");
    let error = lines.last().unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("no such file")
    );
}

#[test]
fn the_table_and_the_vendor_list() {
    let (out, ok) = spend(&[
        "parse",
        fixtures().join("deliveroo-order.eml").to_str().unwrap(),
    ]);
    assert!(ok);
    assert!(out.starts_with("SOURCE"));
    assert!(out.contains("Deliveroo") && out.contains("24.48 GBP"));
    let (out, ok) = spend(&["parse", "--vendors"]);
    assert!(ok);
    assert!(out.lines().count() >= 50);
    assert!(out.contains("amazon-uk") && out.contains("platform:"));
}

#[test]
fn a_folder_with_a_symlink_loop_finishes() {
    let dir = std::env::temp_dir().join(format!("spend-parse-loop-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(dir.join("inner")).unwrap();
    std::fs::copy(
        fixtures().join("amazon-uk-order.eml"),
        dir.join("inner/one.eml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("inner/up")).unwrap();
    let (out, ok) = spend(&["parse", "--json", dir.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert_eq!(
        json_lines(&out).len(),
        1,
        "the message once, the loop not followed"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_input_failing_is_a_failure() {
    let dir = std::env::temp_dir().join(format!("spend-parse-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("export.mbox");
    std::fs::write(&garbage, b"\x00\x01 not mail, no From line").unwrap();
    let (out, ok) = spend(&["parse", "--json", garbage.to_str().unwrap()]);
    assert!(!ok, "{out}");
    let lines = json_lines(&out);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("is not an mbox"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
}
