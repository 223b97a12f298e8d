//! Categorisation on the demo person: rules, matches, the shipped table and
//! the LLM simulator each settle their share, against the generator's truth.

mod common;

use std::collections::HashMap;

use llm_enrich::ProviderKind;
use llm_enrich::testkit::Simulator;
use rust_decimal::Decimal;
use spend_core::demo::{Demo, DemoSize};
use spend_core::enrich::{
    EnrichOptions, PersonalEdit, enrich_user, estimate_user, parse_rule, set_by_person,
};
use spend_core::matching::{MatchOptions, match_user};
use spend_core::model::{EnrichmentSource, TransactionRef};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categorisation_on_the_demo_person() {
    let demo = Demo::start().await;
    let spend = common::synced(&demo).await;
    let user = spend.user.as_ref();
    match_user(user, &MatchOptions::default()).await.unwrap();
    // The person's own rule: rent is housing, and essential.
    user.replace_rules(&[parse_rule(
        "rent",
        "description~RENT direction=out",
        "category=Bills essential=yes tag=home",
    )
    .unwrap()])
        .await
        .unwrap();
    let llm = Simulator::start(ProviderKind::Gemini).await;
    let options = EnrichOptions::new().provider(llm.provider());

    let estimate = estimate_user(user, &options).await.unwrap();
    assert_eq!(llm.requests(), 0, "an estimate sends nothing");
    let mut seen = Vec::new();
    let report = enrich_user(user, &options, |p| seen.push(p)).await.unwrap();
    assert_eq!(
        report.by_llm, estimate.to_llm,
        "the estimate counted what went"
    );
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        seen.last().map(|p| (p.done, p.total)),
        Some((report.by_llm, report.by_llm))
    );
    assert_eq!(
        report.by_rule
            + report.by_match
            + report.by_shipped_table
            + report.by_llm
            + report.undecided,
        report.transactions
    );

    // Against the generator's truth.
    let truth = demo.truth();
    let decided: HashMap<TransactionRef, _> = user
        .enrichments()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.transaction.clone(), e))
        .collect();
    let (mut right, mut essential_right, mut total) = (0, 0, 0);
    let mut wrong: HashMap<(String, String), usize> = HashMap::new();
    for (key, (category, essential)) in &truth.categories {
        let Some(e) = decided.get(key) else { continue };
        total += 1;
        if e.category.as_deref() == Some(category) {
            right += 1;
        } else {
            *wrong
                .entry((category.clone(), e.category.clone().unwrap_or_default()))
                .or_default() += 1;
        }
        essential_right += usize::from(e.essential == Some(*essential));
    }
    let share = |n: usize| 100.0 * n as f64 / report.transactions as f64;
    println!(
        "categorisation: {} transactions: rules {:.1}%, matches {:.1}%, shipped table {:.1}%, llm {:.1}% ({} requests), undecided {}; \
         category accuracy {:.1}%, essential accuracy {:.1}% against the generator's truth",
        report.transactions,
        share(report.by_rule),
        share(report.by_match),
        share(report.by_shipped_table),
        share(report.by_llm),
        report.llm_requests,
        report.undecided,
        100.0 * right as f64 / total as f64,
        100.0 * essential_right as f64 / total as f64,
    );
    assert_eq!(total, truth.categories.len(), "every transaction decided");
    assert!(
        right * 100 >= total * 95,
        "category accuracy below 95%: {wrong:?}"
    );
    assert!(
        report.by_rule > 0
            && report.by_match > 0
            && report.by_shipped_table > 0
            && report.by_llm > 0
    );
    let rent = decided
        .values()
        .find(|e| e.tags == ["home"])
        .expect("the rule's tag");
    assert_eq!(
        (rent.source.clone(), rent.essential),
        (EnrichmentSource::Rule, Some(true))
    );

    // The person's edit is theirs; a second run asks nothing and writes nothing.
    let pret = decided
        .values()
        .find(|e| e.merchant.as_deref() == Some("Pret A Manger"))
        .unwrap()
        .transaction
        .clone();
    let edit = PersonalEdit {
        category: Some("Work lunches".into()),
        ..Default::default()
    };
    set_by_person(user, &pret, edit).await.unwrap();
    let requests = llm.requests();
    let again = enrich_user(user, &options, |_| {}).await.unwrap();
    assert_eq!(llm.requests(), requests, "nothing asked again");
    assert_eq!(
        again.written.inserted + again.written.updated,
        0,
        "{:?}",
        again.written
    );
    assert_eq!(again.by_person, 1);
    let kept = user
        .enrichments()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.transaction == pret)
        .unwrap();
    assert_eq!(kept.category.as_deref(), Some("Work lunches"));

    // Asked again (redo), every answer comes from the store's cache.
    let redo = enrich_user(user, &options.clone().redo_llm(true), |_| {})
        .await
        .unwrap();
    assert_eq!(llm.requests(), requests, "the cache answered");
    assert_eq!(redo.llm_cached, redo.by_llm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_holds_across_the_whole_run() {
    let demo = Demo::start_with(DemoSize::default()).await;
    let spend = common::synced(&demo).await;
    let user = spend.user.as_ref();
    let llm = Simulator::start(ProviderKind::Anthropic).await;
    let report = enrich_user(
        user,
        &EnrichOptions::new()
            .provider(llm.provider())
            .budget(Decimal::ZERO),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(llm.requests(), 0, "a spent budget sends nothing");
    assert_eq!(report.by_llm, 0);
    assert!(report.undecided > 0);
    assert_eq!(
        report.by_rule + report.by_match + report.by_shipped_table + report.undecided,
        report.transactions
    );
}

#[tokio::test]
async fn confirmed_matches_teach_a_descriptor_its_merchant() {
    use spend_core::model::{Match, MatchState, MatchTarget, Money, Order, Transaction};
    use spend_core::store::{Batch, SqliteStore, Store};
    use time::macros::date;

    let store = SqliteStore::in_memory().await.unwrap();
    let user = store.user(store.ensure_user("alex").await.unwrap());
    let gbp = |s: &str| Money::parse(s, "GBP").unwrap();
    // A processor's descriptor that names no merchant the table knows.
    let paid = Transaction::new(
        "truelayer",
        "acc-1",
        "t1",
        date!(2026 - 03 - 01),
        gbp("-12.00"),
        "ZZXPAY*88213 LEEDS",
    );
    let later = Transaction::new(
        "truelayer",
        "acc-1",
        "t2",
        date!(2026 - 04 - 10),
        gbp("-30.00"),
        "ZZXPAY*90441 LEEDS",
    );
    let mut order = Order::new("email", "A-1", date!(2026 - 03 - 01), "Argos");
    order.total = Some(gbp("12.00"));
    let link = |state| Match {
        transaction: paid.key(),
        target: MatchTarget::Order {
            source: "email".into(),
            id: "A-1".into(),
        },
        state,
        score: 0.8,
        explanation: serde_json::json!({"target": "Argos order A-1"}),
    };
    user.write(
        Batch::default()
            .transactions(vec![paid.clone(), later.clone()])
            .orders(vec![order])
            .matches(vec![link(MatchState::Suggested)]),
    )
    .await
    .unwrap();
    let merchant_of = |tx: &Transaction| {
        let key = tx.key();
        let user = user.clone();
        async move {
            user.enrichments()
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.transaction == key)
                .and_then(|e| e.merchant.zip(e.category))
        }
    };
    enrich_user(user.as_ref(), &EnrichOptions::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        merchant_of(&later).await,
        None,
        "a suggestion teaches nothing"
    );

    user.write(Batch::default().matches(vec![link(MatchState::Confirmed)]))
        .await
        .unwrap();
    let report = enrich_user(user.as_ref(), &EnrichOptions::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        merchant_of(&paid).await,
        Some(("Argos".into(), "Shopping".into())),
        "by its match"
    );
    assert_eq!(
        merchant_of(&later).await,
        Some(("Argos".into(), "Shopping".into())),
        "the same descriptor, taught by the confirmation"
    );
    assert_eq!((report.by_match, report.by_shipped_table), (1, 1));
}
