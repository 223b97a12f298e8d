//! Jobs on the embedded default (a SQLite file) through the `spend`
//! command: a sync whose consent the bank revoked is queued with
//! `spend sync --background`, run by `spend worker --until-idle`, and ends
//! failed (not retried, not reported done) with the provider's words in
//! `spend jobs`; history files queued with `spend import --background`
//! (one read with the `--account`, `--currency` and `--map` given), an mbox
//! export and a Maildir end done (the Maildir's emails the rows a direct
//! import stores), and so do matching, categorising and re-parsing queued with
//! `--background`.

use std::sync::Arc;
use std::time::Duration;

use spend_core::app::Spend;
use spend_core::demo::{Demo, DemoSize, TRUELAYER_CONNECTION};
use spend_core::store::{SqliteStore, Store};
use spend_core::vault::Keyring;

mod common;

use common::{KEY, spend, temp};

/// Three of the anonymised real receipts.
fn fixture_mails() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/receipt-parsers/tests/fixtures/real");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    names
        .iter()
        .take(3)
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// A Maildir of the three receipts at `dir`, one seen and replied to.
fn maildir_of_fixtures(dir: &std::path::Path) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for (i, mail) in fixture_mails().into_iter().enumerate() {
        let name = match i {
            0 => format!("cur/17000000{i:02}.M{i}P1.host:2,RS"),
            _ => format!("new/17000000{i:02}.M{i}P1.host"),
        };
        std::fs::write(dir.join(name), mail).unwrap();
    }
}

/// An mbox of the three receipts.
fn mbox_of_fixtures() -> Vec<u8> {
    let mut mbox = Vec::new();
    for mail in fixture_mails() {
        mbox.extend_from_slice(b"From sender@example.org Thu Jan  1 00:00:00 2026\n");
        mbox.extend_from_slice(
            &String::from_utf8_lossy(&mail)
                .replace("\r\n", "\n")
                .replace("\nFrom ", "\n>From ")
                .into_bytes(),
        );
        mbox.extend_from_slice(b"\n\n");
    }
    mbox
}

fn run(mut command: std::process::Command) -> (bool, String, String) {
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_revoked_consent_fails_its_job_and_spend_jobs_shows_why() {
    spend_tests::spend_binary();
    let runtime = common::runtime();
    runtime.block_on(async {
        let demo = Demo::start_with(DemoSize {
            bank_days: 30,
            emails: 10,
            orders: 5,
            transactions: 60,
            ..DemoSize::default()
        })
        .await;
        let data = temp("cli");
        let url = format!("sqlite://{}", data.join("spend.db").display());
        let env = demo.env();
        let spend_cmd = || spend(&env, &url, &data);
        {
            let store: Arc<dyn Store> =
                Arc::new(SqliteStore::open(data.join("spend.db")).await.unwrap());
            let blobs = Arc::new(blob_store::LocalStore::new(data.join("blobs")));
            let me = Spend::with(store, "me", Keyring::from_keys([KEY]).unwrap(), blobs)
                .await
                .unwrap();
            demo.connect(&me).await.unwrap();
        }
        demo.bank().revoke_consent();

        let connection = format!("truelayer:{TRUELAYER_CONNECTION}");
        let mut queue = spend_cmd();
        queue.args(["sync", "--background", &connection, "--json"]);
        let (ok, out, err) = run(queue);
        assert!(ok, "{err}");
        let queued: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = queued[0]["job"].as_str().unwrap().to_owned();
        assert_eq!(queued[0]["target"], connection.as_str());

        let history = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/spend-core/tests/fixtures/history/monzo.csv");
        let mut import = spend_cmd();
        import.args(["import", "--background"]).arg(&history);
        let (ok, out, err) = run(import);
        assert!(
            ok && out.contains("queued") && out.contains("monzo.csv"),
            "{out}{err}"
        );

        // A bank's CSV that no preset knows, read as the command line says:
        // the options travel with the job to the worker.
        let other = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/spend-core/tests/fixtures/history/other-bank.csv");
        let mut mapped = spend_cmd();
        mapped
            .args([
                "import",
                "--background",
                "--account",
                "other",
                "--currency",
                "EUR",
            ])
            .args([
                "--map",
                "date=Posted,amount=Value,description=Details,id=Ref,days=iso,sign=out-positive",
            ])
            .arg(&other);
        let (ok, out, err) = run(mapped);
        assert!(ok && out.contains("other-bank.csv"), "{out}{err}");

        // An mbox export (real vendor mail from the receipt fixtures).
        let mbox = data.join("export.mbox");
        std::fs::write(&mbox, mbox_of_fixtures()).unwrap();
        let mut queue_mbox = spend_cmd();
        queue_mbox
            .args(["import", "--background", "mbox"])
            .arg(&mbox);
        let (ok, out, err) = run(queue_mbox);
        assert!(ok && out.contains("mbox:"), "{out}{err}");

        // A Maildir: packed into the blob store (ids and flags kept) and queued.
        let maildir = data.join("Maildir");
        maildir_of_fixtures(&maildir);
        let mut queue_maildir = spend_cmd();
        queue_maildir
            .args(["import", "--background", "maildir"])
            .arg(&maildir);
        let (ok, out, err) = run(queue_maildir);
        assert!(ok && out.contains("maildir:"), "{out}{err}");

        for work in ["match", "enrich", "reparse"] {
            let mut queue = spend_cmd();
            queue.args([work, "--background"]);
            let (ok, out, err) = run(queue);
            assert!(ok && out.contains("queued"), "{work}: {out}{err}");
        }

        let mut worker = spend_cmd();
        worker.args(["worker", "--until-idle"]);
        let started = std::time::Instant::now();
        let (ok, _, err) = run(worker);
        assert!(ok, "the worker stops once nothing is left: {err}");
        assert!(started.elapsed() < Duration::from_secs(120));

        let mut list = spend_cmd();
        list.args(["jobs", "--json"]);
        let (ok, out, err) = run(list);
        assert!(ok, "{err}");
        let jobs: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(jobs.len(), 8, "{out}");
        for work in [
            "match",
            "enrich",
            "reparse",
            "import_mbox",
            "import_mail_folder",
        ] {
            let job = jobs.iter().find(|j| j["kind"] == work).unwrap();
            assert_eq!(job["state"], "done", "{job}");
        }
        let mbox_job = jobs.iter().find(|j| j["kind"] == "import_mbox").unwrap();
        assert!(
            mbox_job["rows"].as_i64().unwrap() >= 3,
            "three emails stored: {mbox_job}"
        );
        let folder_job = jobs
            .iter()
            .find(|j| j["kind"] == "import_mail_folder")
            .unwrap();
        assert!(folder_job["rows"].as_i64().unwrap() >= 3, "{folder_job}");
        // The worker stored the rows a direct import of the folder stores.
        let mut direct = spend_cmd();
        direct.args(["import", "maildir", "--json"]).arg(&maildir);
        let (ok, out, err) = run(direct);
        assert!(ok, "{err}");
        let direct: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (
                &direct["stored"]["emails"]["inserted"],
                &direct["stored"]["emails"]["unchanged"]
            ),
            (&0.into(), &3.into()),
            "{direct}"
        );
        let sync = jobs.iter().find(|j| j["id"] == id.as_str()).unwrap();
        assert_eq!(sync["state"], "failed", "{sync}");
        assert_eq!(
            sync["attempts"], 1,
            "retrying cannot bring consent back: {sync}"
        );
        let error = sync["error"].as_str().unwrap();
        assert!(error.contains("needs to be authorised again"), "{error}");
        let import = jobs.iter().find(|j| j["target"] == "monzo.csv").unwrap();
        assert_eq!(import["state"], "done", "{import}");
        assert!(import["rows"].as_i64().unwrap() > 0);
        let mapped = jobs
            .iter()
            .find(|j| j["target"] == "other-bank.csv")
            .unwrap();
        assert_eq!(mapped["state"], "done", "{mapped}");
        {
            let store = SqliteStore::open(data.join("spend.db")).await.unwrap();
            let me = store.user(store.ensure_user("me").await.unwrap());
            let mut stored: Vec<String> = spend_tests::transaction_keys(me.as_ref())
                .await
                .into_iter()
                .filter(|k| k.contains("|other|"))
                .collect();
            stored.sort();
            assert_eq!(
                stored
                    .iter()
                    .map(|k| k.rsplit('|').next().unwrap())
                    .collect::<Vec<_>>(),
                ["-4.50 EUR", "-12.00 EUR"],
                "the worker read the file with the queued mapping, account and currency: {stored:?}"
            );
        }

        let mut failed = spend_cmd();
        failed.args(["jobs", "--state", "failed"]);
        let (ok, out, _) = run(failed);
        assert!(
            ok && out.contains(&id) && out.contains("failed") && !out.contains("monzo.csv"),
            "{out}"
        );
        println!("spend jobs --state failed:\n{out}");

        let mut connections = spend_cmd();
        connections.args(["connections", "--json"]);
        let (_, out, _) = run(connections);
        assert!(
            out.contains("needs_reauthorisation") || out.contains("NeedsReauthorisation"),
            "{out}"
        );
        let _ = std::fs::remove_dir_all(&data);
    });
}

/// Workers on several machines share their blobs through S3: a file queued
/// with `spend import --background` goes into the bucket, and the worker
/// reads it from there. Needs `S3_TEST_ENDPOINT` (scripts/test.sh starts an
/// S3 server); under `CI=true` a missing server fails the test.
#[test]
fn an_import_queued_through_an_s3_bucket_is_run_by_a_worker() {
    let endpoint = match std::env::var("S3_TEST_ENDPOINT") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("S3_TEST_ENDPOINT is not set under CI=true: scripts/test.sh starts the server")
        }
        _ => return eprintln!("SKIPPED: S3_TEST_ENDPOINT is not set"),
    };
    spend_tests::spend_binary();
    let data = temp("s3");
    let url = format!("sqlite://{}", data.join("spend.db").display());
    let env = vec![
        ("SPEND_S3_ENDPOINT", endpoint),
        ("AWS_ACCESS_KEY_ID", "spend-test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "spend-test-secret".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
    ];
    let bucket = format!("s3://spend-jobs-{}", std::process::id());
    let spend_cmd = || {
        let mut c = spend(&env, &url, &data);
        c.env("SPEND_BLOBS", &bucket);
        c
    };
    let history = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/spend-core/tests/fixtures/history/bank-sgml.ofx");
    let mut import = spend_cmd();
    import.args(["import", "--background"]).arg(&history);
    let (ok, out, err) = run(import);
    assert!(ok, "{out}{err}");
    let mut worker = spend_cmd();
    worker.args(["worker", "--until-idle"]);
    let (ok, _, err) = run(worker);
    assert!(ok, "{err}");
    let mut list = spend_cmd();
    list.args(["jobs", "--json"]);
    let (_, out, _) = run(list);
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(jobs.len(), 1, "{out}");
    assert_eq!(jobs[0]["state"], "done", "{out}");
    assert!(jobs[0]["rows"].as_i64().unwrap() > 0, "{out}");
    // Nothing went through the local folder.
    assert!(!data.join("blobs").exists());
    let _ = std::fs::remove_dir_all(&data);
}
