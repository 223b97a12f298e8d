//! Matching accuracy on generated people whose ground truth is known: the
//! demo person and a second one with harder cases. Prints
//! `matching: precision P, recall R over N pairs (automatic: P_auto, R_auto)`
//! for each, and the calibration sweep the default thresholds come from.

mod common;

use std::collections::BTreeSet;

use common::synced;
use spend_core::app::Spend;
use spend_core::demo::{Demo, DemoSize, GroundTruth, Person};
use spend_core::matching::{MatchOptions, MatchParams, Proposal, match_user};
use spend_core::model::{MatchState, MatchTarget, TransactionRef};

struct Accuracy {
    precision: f64,
    recall: f64,
    auto_precision: f64,
    auto_recall: f64,
    pairs: usize,
    wrong_auto: Vec<String>,
    missed: Vec<String>,
}

fn accuracy(truth: &GroundTruth, proposals: &[Proposal]) -> Accuracy {
    let truth_pairs = truth.pairs();
    let key = |p: &Proposal| (p.transaction.clone(), p.target.clone());
    let all: BTreeSet<(TransactionRef, MatchTarget)> = proposals.iter().map(key).collect();
    let auto: BTreeSet<(TransactionRef, MatchTarget)> = proposals
        .iter()
        .filter(|p| p.state == MatchState::Automatic)
        .map(key)
        .collect();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let hit = all.intersection(&truth_pairs).count();
    let auto_hit = auto.intersection(&truth_pairs).count();
    Accuracy {
        precision: ratio(hit, all.len()),
        recall: ratio(hit, truth_pairs.len()),
        auto_precision: ratio(auto_hit, auto.len()),
        auto_recall: ratio(auto_hit, truth_pairs.len()),
        pairs: truth_pairs.len(),
        wrong_auto: proposals
            .iter()
            .filter(|p| p.state == MatchState::Automatic && !truth_pairs.contains(&key(p)))
            .map(|p| format!("{:#}", p.explanation.to_json()))
            .collect(),
        missed: truth
            .links
            .iter()
            .filter(|l| !all.contains(&(l.transaction.clone(), l.target.clone())))
            .map(|l| {
                format!(
                    "{} {:?} -> {:?}",
                    l.case.as_str(),
                    l.transaction.id,
                    l.target
                )
            })
            .collect(),
    }
}

async fn measure(name: &str, demo: &Demo) -> (Spend, Accuracy) {
    let spend = synced(demo).await;
    let report = match_user(spend.user.as_ref(), &MatchOptions::default())
        .await
        .unwrap();
    let a = accuracy(demo.truth(), &report.proposals);
    println!(
        "matching ({name}): precision {:.3}, recall {:.3} over {} pairs (automatic: {:.3}, {:.3}); {} automatic, {} suggested, matcher {} ms",
        a.precision,
        a.recall,
        a.pairs,
        a.auto_precision,
        a.auto_recall,
        report.automatic,
        report.suggested,
        report.matcher_ms
    );
    let mut missed: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in &a.missed {
        *missed.entry(m.split(' ').next().unwrap_or("")).or_default() += 1;
    }
    println!("  missed by case: {missed:?}");
    if std::env::var_os("SPEND_MATCHING_DEBUG").is_some() {
        for m in &a.missed {
            println!("  missed {m}");
        }
    }
    (spend, a)
}

async fn sweep(spend: &Spend, truth: &GroundTruth) -> Vec<(f64, f64, Accuracy)> {
    let mut rows = Vec::new();
    for automatic in [0.75, 0.8, 0.85, 0.9, 0.95] {
        for margin in [0.0, 0.05, 0.1, 0.15] {
            let params = MatchParams {
                automatic,
                margin,
                ..MatchParams::default()
            };
            let report = match_user(
                spend.user.as_ref(),
                &MatchOptions {
                    dry_run: true,
                    params,
                },
            )
            .await
            .unwrap();
            rows.push((automatic, margin, accuracy(truth, &report.proposals)));
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matching_accuracy_on_the_demo_people() {
    let size = DemoSize::default();
    let today = time::OffsetDateTime::now_utc().date();
    let demo = Demo::start_person(Person::generate(&size, 7, today), size).await;
    let harder = Demo::start_person(Person::generate_harder(&size, 19, today), size).await;
    let (spend, easy) = measure("demo person", &demo).await;
    let (spend_hard, hard) = measure("harder person", &harder).await;

    println!(
        "calibration (automatic threshold, margin: automatic precision / recall, demo | harder):"
    );
    let a = sweep(&spend, demo.truth()).await;
    let b = sweep(&spend_hard, harder.truth()).await;
    for ((automatic, margin, x), (_, _, y)) in a.iter().zip(&b) {
        println!(
            "  {automatic:.2} {margin:.2}: {:.3}/{:.3} | {:.3}/{:.3}",
            x.auto_precision, x.auto_recall, y.auto_precision, y.auto_recall
        );
    }
    let total = easy.pairs + hard.pairs;
    let weighted = |f: fn(&Accuracy) -> f64| {
        (f(&easy) * easy.pairs as f64 + f(&hard) * hard.pairs as f64) / total as f64
    };
    println!(
        "matching: precision {:.3}, recall {:.3} over {} pairs (automatic: {:.3}, {:.3})",
        weighted(|a| a.precision),
        weighted(|a| a.recall),
        total,
        weighted(|a| a.auto_precision),
        weighted(|a| a.auto_recall)
    );
    for (name, a) in [("demo", &easy), ("harder", &hard)] {
        assert!(
            a.auto_precision >= 0.995,
            "{name}: automatic precision {:.3}; wrong: {:#?}",
            a.auto_precision,
            a.wrong_auto
        );
        assert!(
            a.recall >= 0.95,
            "{name}: recall {:.3}; missed: {:#?}",
            a.recall,
            a.missed
        );
    }
}

fn order(id: &str, day: time::Date, total: &str, merchant: &str) -> spend_core::model::Order {
    let mut o = spend_core::model::Order::new("amazon-history", id, day, merchant);
    o.total = Some(spend_core::model::Money::parse(total, "GBP").unwrap());
    o
}

fn charge(
    id: &str,
    day: time::Date,
    amount: &str,
    description: &str,
) -> spend_core::model::Transaction {
    spend_core::model::Transaction::new(
        "bank-file",
        "acc",
        id,
        day,
        spend_core::model::Money::parse(amount, "GBP").unwrap(),
        description,
    )
}

#[tokio::test]
async fn decisions_stay_and_confirmations_teach_aliases() {
    use spend_core::matching::{Decision, decide, match_id};
    use spend_core::store::{Batch, SqliteStore, Store};
    use time::macros::date;

    let store = SqliteStore::in_memory().await.unwrap();
    let user = store.user(store.ensure_user("p").await.unwrap());
    // A bank that calls the shop something the alias table does not know.
    user.write(
        Batch::default()
            .transactions(vec![
                charge("t1", date!(2026 - 03 - 03), "-42.00", "WDGT RETAIL 0042"),
                charge("t2", date!(2026 - 03 - 10), "-17.50", "TESCO STORES 2041"),
            ])
            .orders(vec![
                order("W-1", date!(2026 - 03 - 02), "42.00", "Widget Works"),
                order("W-2", date!(2026 - 03 - 09), "17.50", "Widget Works"),
            ]),
    )
    .await
    .unwrap();
    let first = match_user(user.as_ref(), &MatchOptions::default())
        .await
        .unwrap();
    assert_eq!(
        first.automatic, 0,
        "an unknown descriptor is never automatic"
    );
    let stored = user.matches().await.unwrap();
    assert_eq!(stored.len(), 2, "both are suggested: {stored:#?}");

    // Tesco is not Widget Works: declined, and never proposed again.
    let tesco = stored.iter().find(|m| m.transaction.id == "t2").unwrap();
    decide(user.as_ref(), &match_id(tesco), Decision::Decline)
        .await
        .unwrap();
    // The other is right: confirmed.
    let widget = stored.iter().find(|m| m.transaction.id == "t1").unwrap();
    let confirmed = decide(user.as_ref(), &match_id(widget)[..6], Decision::Confirm)
        .await
        .unwrap();
    assert_eq!(confirmed.state, MatchState::Confirmed);

    let again = match_user(user.as_ref(), &MatchOptions::default())
        .await
        .unwrap();
    assert!(again.proposals.is_empty(), "{:#?}", again.proposals);
    let states: Vec<_> = user
        .matches()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.state)
        .collect();
    assert_eq!(states, [MatchState::Confirmed, MatchState::Declined]);

    // The next WDGT charge needs no help: the confirmation taught the alias.
    user.write(
        Batch::default()
            .transactions(vec![charge(
                "t3",
                date!(2026 - 04 - 02),
                "-9.99",
                "WDGT RETAIL 0042",
            )])
            .orders(vec![order(
                "W-3",
                date!(2026 - 04 - 01),
                "9.99",
                "Widget Works",
            )]),
    )
    .await
    .unwrap();
    let taught = match_user(user.as_ref(), &MatchOptions::default())
        .await
        .unwrap();
    assert_eq!(taught.automatic, 1, "{:#?}", taught.proposals);

    assert!(matches!(
        decide(user.as_ref(), "ffffffffff", Decision::Confirm).await,
        Err(spend_core::matching::MatchError::NotFound(_))
    ));
}
