//! `spend import` end to end: the three mailbox formats and an IMAP mailbox
//! (the suite's Dovecot) give the same counts, the summary is printed, PDFs
//! are stored once, bad input is a clear error.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixture_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates");
    vec![
        root.join("receipt-parsers/tests/fixtures"),
        root.join("gmail-receipts/tests/fixtures"),
    ]
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fixture_dirs()
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// A fresh folder of its own for every call: tests run in parallel.
fn temp(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("spend-import-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod common;
use common::command;

fn spend(args: &[&str]) -> (String, String, bool) {
    spend_in(&temp("data"), args)
}

fn spend_in(data: &Path, args: &[&str]) -> (String, String, bool) {
    let out = command(data).args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

fn import_json(format: &str, path: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", format, path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let (out, err, ok) = spend(&args);
    assert!(ok, "{err}");
    serde_json::from_str(out.trim()).unwrap()
}

fn mailboxes() -> (PathBuf, PathBuf, PathBuf) {
    let files = fixture_files();
    let eml = temp("eml");
    let maildir = temp("maildir");
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    std::fs::create_dir_all(maildir.join("new")).unwrap();
    let mut mbox = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let bytes = std::fs::read(file).unwrap();
        std::fs::write(eml.join(format!("{n:03}.eml")), &bytes).unwrap();
        std::fs::write(maildir.join("cur").join(format!("{n:03}.host:2,S")), &bytes).unwrap();
        mbox.extend_from_slice(b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n");
        mbox.extend_from_slice(&bytes);
        mbox.extend_from_slice(b"\n");
    }
    let mbox_path = temp("mbox").join("All mail.mbox");
    std::fs::write(&mbox_path, mbox).unwrap();
    (mbox_path, maildir, eml)
}

#[test]
fn the_three_formats_agree() {
    let (mbox, maildir, eml) = mailboxes();
    let count = fixture_files().len() as u64;
    let runs = [
        import_json("mbox", &mbox, &[]),
        import_json("maildir", &maildir, &[]),
        import_json("eml", &eml, &[]),
    ];
    for run in &runs {
        assert_eq!(run["messages"], count);
        assert_eq!(run["pdfs"], 2);
        assert_eq!(run["by_method"]["pdf"], 1);
        assert_eq!(run["errors"]["pdf"], 1);
        assert!(run["receipts"].as_u64().unwrap() >= count - 5, "{run}");
        assert!(run["seconds"].as_f64().unwrap() > 0.0);
    }
    for key in ["receipts", "by_kind", "by_method", "by_vendor", "rejected"] {
        assert_eq!(runs[0][key], runs[1][key], "{key}: mbox vs maildir");
        assert_eq!(runs[0][key], runs[2][key], "{key}: mbox vs eml");
    }
}

#[test]
fn the_summary_is_a_table() {
    let (mbox, _, _) = mailboxes();
    let (out, _, ok) = spend(&["import", "mbox", mbox.to_str().unwrap()]);
    assert!(ok);
    for line in [
        "messages",
        "receipts",
        "receipts by method",
        "receipts by vendor",
        "rejected by reason",
        "errors by stage",
    ] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    assert!(
        out.contains("pdfs stored") && out.contains("emails stored"),
        "{out}"
    );
}

#[test]
fn imports_are_stored_and_importing_again_changes_nothing() {
    let (mbox, _, _) = mailboxes();
    let data = temp("stored");
    let count = fixture_files().len() as u64;
    let (out, err, ok) = spend_in(&data, &["import", "mbox", mbox.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let first: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(first["stored"]["emails"]["inserted"], count, "{first}");
    let (out, _, ok) = spend_in(&data, &["receipts", "--json", "--limit", "1000"]);
    assert!(ok);
    let receipts = out.lines().count() as u64;
    assert!(
        receipts >= count - 10,
        "{receipts} receipts stored of {count} messages"
    );
    let (out, err, ok) = spend_in(&data, &["import", "mbox", mbox.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let again: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(again["stored"]["emails"]["inserted"], 0, "{again}");
    assert_eq!(again["stored"]["emails"]["unchanged"], count, "{again}");
    assert_eq!(again["pdfs_stored"], 0);
    // The stored mail parses again without the mbox.
    std::fs::remove_file(&mbox).unwrap();
    let (out, err, ok) = spend_in(&data, &["reparse", "--json"]);
    assert!(ok, "{err}");
    let reparsed: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(reparsed["emails"], count);
    assert_eq!(reparsed["failed"], 0);
}

#[test]
fn pdfs_are_stored_once() {
    let (_, _, eml) = mailboxes();
    let blobs = temp("blobs");
    let first = import_json("eml", &eml, &["--blobs", blobs.to_str().unwrap()]);
    assert_eq!(first["pdfs_stored"], 2);
    let second = import_json("eml", &eml, &["--blobs", blobs.to_str().unwrap()]);
    assert_eq!(second["pdfs_stored"], 0);
    assert_eq!(second["pdfs_already_stored"], 2);
    // Stored by content: the key is the hash of the bytes.
    let original = std::fs::read(fixture_dirs()[1].join("invoice.pdf")).unwrap();
    let hash = blob_store::sha256_hex(&original);
    let stored = blobs.join(format!(
        "documents/sha256/{}/{}/{hash}.pdf",
        &hash[..2],
        &hash[2..4]
    ));
    assert_eq!(std::fs::read(stored).unwrap(), original);
}

#[test]
fn bad_input_is_a_clear_error() {
    let (_, err, ok) = spend(&["import", "mbox", "/no/such/file.mbox"]);
    assert!(!ok);
    assert!(err.contains("cannot open /no/such/file.mbox"), "{err}");
    let (_, err, ok) = spend(&["import", "pst", "/tmp"]);
    assert!(!ok);
    assert!(err.contains("expected mbox, maildir, eml or imap"), "{err}");
    // A folder that is not a Maildir says which part is missing.
    let (_, err, ok) = spend(&["import", "maildir", temp("empty").to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("cur"), "{err}");
}

#[test]
fn an_imap_mailbox_imports_like_the_files() {
    let Some(server) = gmail_receipts::testkit::TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let mut account = server.account("cli");
    let files = fixture_files();
    for file in &files {
        account.deliver(&std::fs::read(file).unwrap(), std::time::SystemTime::now());
    }
    let out = command(&temp("imap-data"))
        .args([
            "import",
            "imap",
            &server.host,
            "--user",
            &account.user,
            "--json",
        ])
        .args(["--port", &server.port.to_string()])
        .arg("--ca")
        .arg(&server.ca_path)
        .env("SPEND_IMAP_PASSWORD", &server.password)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("read INBOX to UID {}", files.len())),
        "{err}"
    );
    let imap: Value = serde_json::from_slice(&out.stdout).unwrap();

    let (_, _, eml) = mailboxes();
    let files_run = import_json("eml", &eml, &[]);
    assert_eq!(imap["messages"], files.len() as u64);
    for key in [
        "receipts",
        "pdfs",
        "by_kind",
        "by_method",
        "by_vendor",
        "rejected",
        "errors",
    ] {
        assert_eq!(imap[key], files_run[key], "{key}: imap vs eml");
    }
}

#[test]
fn imap_needs_a_user_and_a_password_from_the_environment() {
    let run = |args: &[&str]| {
        let out = command(&temp("imap-args"))
            .args(args)
            .env_remove("SPEND_IMAP_PASSWORD")
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let err = run(&["import", "imap", "imap.example.org"]);
    assert!(err.contains("--user"), "{err}");
    let err = run(&["import", "imap", "imap.example.org", "--user", "alex"]);
    assert!(err.contains("SPEND_IMAP_PASSWORD"), "{err}");
}

#[test]
fn a_connected_imap_mailbox_syncs_and_then_reads_only_new_mail() {
    let Some(server) = gmail_receipts::testkit::TestImapServer::from_env() else {
        eprintln!("skipped: IMAP_TEST_* not set (run .ci/run)");
        return;
    };
    let mut account = server.account("connected");
    let files = fixture_files();
    let (first, rest) = files.split_at(files.len() / 2);
    for file in first {
        account.deliver(&std::fs::read(file).unwrap(), std::time::SystemTime::now());
    }
    let data = temp("imap-sync");
    let out = command(&data)
        .args([
            "connect",
            "imap",
            &server.host,
            "--user",
            &account.user,
            "--port",
            &server.port.to_string(),
        ])
        .arg("--ca")
        .arg(&server.ca_path)
        .env("SPEND_IMAP_PASSWORD", &server.password)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, _, ok) = spend_in(&data, &["connections"]);
    assert!(ok);
    // The password is in the vault, not needed again.
    let sync = |data: &Path| {
        let out = command(data)
            .args(["sync", "imap", "--json"])
            .env_remove("SPEND_IMAP_PASSWORD")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        summary[0]["outcome"]["written"]["emails"]["inserted"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(sync(&data), first.len() as u64);
    for file in rest {
        account.deliver(&std::fs::read(file).unwrap(), std::time::SystemTime::now());
    }
    assert_eq!(
        sync(&data),
        rest.len() as u64,
        "only the new mail, from the stored UID checkpoint"
    );
    assert_eq!(sync(&data), 0);
}

fn history(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/spend-core/tests/fixtures/history")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn history_files_are_recognised_by_content_and_a_broken_one_fails_alone() {
    let data = temp("history");
    let files = [
        history("bank-sgml.ofx"),
        history("Retail.OrderHistory.bad-amount.csv"),
        history("monzo.csv"),
        history("Retail.OrderHistory.1.csv"),
    ];
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    args.push("--json");
    let (out, err, ok) = spend_in(&data, &args);
    assert!(!ok, "a file failed: the command fails");
    assert!(
        err.contains("Retail.OrderHistory.bad-amount.csv:4: column \"Total Owed\": \"19.99.1\" is not an amount"),
        "{err}"
    );
    let done: Value = serde_json::from_str(&out).unwrap();
    let formats: Vec<&str> = done
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(formats, ["ofx", "-", "bank-csv", "amazon-order-history"]);
    assert_eq!(done[2]["variant"], "monzo");
    assert_eq!(done[3]["outcome"]["written"]["orders"]["inserted"], 4);
    // The others were stored: OFX's 4 and Monzo's 3 transactions.
    let (out, _, ok) = spend_in(&data, &["transactions", "--json", "--limit", "100"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 7, "{out}");
    // Again, as a table: nothing new.
    let (out, err, ok) = spend_in(&data, &["import", &files[0], &files[2]]);
    assert!(ok, "{err}");
    assert!(
        out.contains("OFX (sgml)") && out.contains("bank CSV (monzo)"),
        "{out}"
    );
    assert!(out.contains("0 / 4") && out.contains("0 / 3"), "{out}");
}

#[test]
fn a_garbage_mbox_fails_and_a_single_eml_file_imports() {
    let dir = temp("garbage");
    let garbage = dir.join("export.mbox");
    std::fs::write(&garbage, b"PK\x03\x04 a zip, not an mbox").unwrap();
    let (_, err, ok) = spend(&["import", "mbox", garbage.to_str().unwrap()]);
    assert!(!ok, "not an mbox: a non-zero exit, not 0 messages");
    assert!(err.contains("is not an mbox"), "{err}");

    let one = fixture_files().into_iter().next().unwrap();
    let value = import_json("eml", &one, &[]);
    assert_eq!(value["stored"]["emails"]["inserted"], 1, "{value}");
}
