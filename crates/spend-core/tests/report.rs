//! The report on the demo person: every part filled from the store, and the
//! HTML page drawn by a real browser (headless Chromium, through
//! `.ci/check-html-report.py`; `scripts/test.sh` installs Chromium).

mod common;

use std::path::PathBuf;
use std::process::Command;

use llm_enrich::ProviderKind;
use llm_enrich::testkit::Simulator;
use spend_core::analytics::{HuquqInputs, Period, Report, ReportOptions};
use spend_core::demo::Demo;
use spend_core::enrich::{EnrichOptions, enrich_user};
use spend_core::matching::{MatchOptions, match_user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_persons_report_holds_together_and_draws() {
    let demo = Demo::start().await;
    let spend = common::synced(&demo).await;
    let user = spend.user.as_ref();
    match_user(user, &MatchOptions::default()).await.unwrap();
    let llm = Simulator::start(ProviderKind::OpenAi).await;
    enrich_user(user, &EnrichOptions::new().provider(llm.provider()), |_| {})
        .await
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let period = Period::new(today - time::Duration::days(119), today);
    let options = ReportOptions::new(period).huquq(HuquqInputs {
        gold_price_per_gram: 10_500,
        ..Default::default()
    });
    let report = Report::build(user, &options).await.unwrap();

    // The parts agree with each other.
    let by_category: i64 = report.categories.iter().map(|c| c.total).sum();
    assert_eq!(
        by_category, report.spending,
        "categories add up to the spending"
    );
    let by_class: i64 = report
        .essential_by_month
        .iter()
        .map(|m| m.essential + m.discretionary + m.unclassified)
        .sum();
    assert_eq!(
        by_class, report.spending,
        "essential + discretionary add up too"
    );
    assert!(report.income >= 3 * 320_000, "salaries: {}", report.income);
    let names: Vec<&str> = report
        .categories
        .iter()
        .map(|c| c.category.as_str())
        .collect();
    for expected in ["Bills", "Groceries", "Shopping", "Eating out", "Transport"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let recurring: Vec<(&str, &str)> = report
        .recurring
        .iter()
        .map(|r| (r.merchant.as_str(), r.cadence.as_str()))
        .collect();
    assert!(recurring.contains(&("Netflix", "monthly")), "{recurring:?}");
    assert!(
        recurring.iter().any(|(m, _)| m.contains("EE")),
        "the phone bill: {recurring:?}"
    );
    let huquq = report.huququllah.as_ref().unwrap();
    assert_eq!(huquq.lines.len(), 12);
    println!(
        "report: {} months, spending {}, income {}, {} categories, {} recurring payments, huququllah units {} due {}",
        report.months.len(),
        report.spending,
        report.income,
        report.categories.len(),
        report.recurring.len(),
        huquq.units,
        huquq.due
    );

    // The HTML page, drawn by a browser.
    let dir = std::env::var_os("SPEND_TEST_TMP")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("spend-report.html");
    let png = dir.join("spend-report.png");
    std::fs::write(&html, report.to_html()).unwrap();
    let Some(chromium) = chromium() else { return };
    let checker = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/check-html-report.py");
    let out = Command::new("python3")
        .arg(&checker)
        .arg(&html)
        .arg(&png)
        .args(["--chromium", &chromium])
        .args([
            "--expect",
            "category-over-time,top-merchants,essential-discretionary,income-spending,recurring,huququllah",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{said}");
}

fn chromium() -> Option<String> {
    let found = std::env::var("SPEND_TEST_CHROMIUM")
        .ok()
        .into_iter()
        .chain(["/usr/bin/chromium".to_owned()])
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "no Chromium under CI=true (scripts/test.sh installs Debian's chromium)"
        );
        eprintln!("SKIPPED the browser check (not under CI=true): no Chromium");
    }
    found
}
