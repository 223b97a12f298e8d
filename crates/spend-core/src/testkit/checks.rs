//! The checks, each on users of its own.

use std::sync::Arc;

use serde_json::json;
use time::Duration;
use time::macros::{date, datetime};

use super::fixtures::{self, gbp};
use super::sum_checks::monthly_sums_follow_every_write;
use super::{Check, CheckResult, ensure, ensure_eq};
use crate::model::*;
use crate::store::{
    Batch, Grouping, OrderQuery, SpendQuery, Store, StoreError, TransactionQuery, UserStore,
};

macro_rules! checks {
    ($($name:ident),+ $(,)?) => {
        pub(super) const ALL: &[(&str, Check)] = &[$((stringify!($name), |s, p| Box::pin($name(s, p)))),+];
    };
}

checks!(
    users_are_stable_and_distinct,
    every_kind_round_trips_whole,
    counts_and_message_ids,
    the_same_batch_twice_changes_nothing,
    changed_records_update_in_place,
    repeats_within_a_batch_count_once,
    large_batches_split_under_the_parameter_limit,
    transaction_filters,
    keyset_pages_cover_everything_once,
    spend_sums_in_sql,
    monthly_sums_follow_every_write,
    enrichment_decides_reports_and_outlives_a_resync,
    rules_keep_their_order,
    llm_answers_are_cached_once,
    removing_transactions,
    orders_by_source_and_date,
    emails_page_in_key_order,
    checkpoints_land_with_their_batch,
    secrets_compare_and_swap,
    sync_runs_are_recorded_and_updated,
    secrets_are_rewritten_together,
    allowances_are_counted_per_day_and_user,
    no_handle_reaches_another_users_rows,
);

async fn allowances_are_counted_per_day_and_user(store: &dyn Store, prefix: &str) -> CheckResult {
    let a = user(store, prefix, "a").await?;
    let b = user(store, prefix, "b").await?;
    let day = date!(2026 - 03 - 02);
    for n in 1..=4 {
        ensure_eq!(
            a.take_allowance("truelayer:main", day, 4)
                .await
                .map_err(e)?,
            Some(n),
            "use {n}"
        );
    }
    ensure_eq!(
        a.take_allowance("truelayer:main", day, 4)
            .await
            .map_err(e)?,
        None,
        "the fifth is refused"
    );
    ensure_eq!(
        a.take_allowance("truelayer:main", day.next_day().ok_or("day")?, 4)
            .await
            .map_err(e)?,
        Some(1),
        "a new day"
    );
    ensure_eq!(
        b.take_allowance("truelayer:main", day, 4)
            .await
            .map_err(e)?,
        Some(1),
        "another user's count"
    );
    ensure_eq!(
        a.take_allowance("other", day, 0).await.map_err(e)?,
        None,
        "a zero allowance"
    );
    Ok(())
}

fn e(err: StoreError) -> String {
    err.to_string()
}

async fn user(store: &dyn Store, prefix: &str, who: &str) -> Result<Arc<dyn UserStore>, String> {
    Ok(store.user(
        store
            .ensure_user(&format!("{prefix}-{who}"))
            .await
            .map_err(e)?,
    ))
}

fn everything() -> Batch {
    let tx = fixtures::transaction("tx-1", date!(2026 - 03 - 02), -2497, "AMZNMKTPLACE*AB12CD");
    Batch::default()
        .accounts(vec![fixtures::account()])
        .transactions(vec![tx.clone()])
        .mandates(vec![fixtures::mandate()])
        .orders(vec![fixtures::order()])
        .apple_purchases(vec![fixtures::apple()])
        .emails(vec![fixtures::email("<m1@amazon.co.uk>")])
        .receipts(vec![fixtures::receipt("<m1@amazon.co.uk>")])
        .documents(vec![
            fixtures::document("<m1@amazon.co.uk>", 0),
            fixtures::document("<m1@amazon.co.uk>", 1),
        ])
        .matches(vec![fixtures::a_match(&tx)])
        .enrichments(vec![fixtures::enrichment(&tx)])
}

async fn counts_and_message_ids(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let other = user(store, prefix, "other").await?;
    ensure_eq!(
        u.counts().await.map_err(e)?,
        crate::store::Counts::default(),
        "nothing yet"
    );
    u.write(everything()).await.map_err(e)?;
    let mut second = fixtures::email("<m1@amazon.co.uk>");
    second.mailbox = "imap:alex@fastmail.example/INBOX".into();
    u.write(Batch::default().emails(vec![second]))
        .await
        .map_err(e)?;
    other.write(everything()).await.map_err(e)?;
    let counts = u.counts().await.map_err(e)?;
    let want = crate::store::Counts {
        accounts: 1,
        transactions: 1,
        mandates: 1,
        orders: 1,
        apple_purchases: 1,
        emails: 2,
        receipts: 1,
        documents: 2,
        matches: 1,
        enrichments: 1,
    };
    ensure_eq!(
        counts,
        want,
        "one of each, two emails and documents, none of the other user's"
    );
    for asked in [
        "<m1@amazon.co.uk>",
        "m1@amazon.co.uk",
        " <m1@amazon.co.uk> ",
    ] {
        let found = u.emails_with_message_id(asked).await.map_err(e)?;
        ensure_eq!(found.len(), 2, "{asked:?}: in both mailboxes");
        ensure!(found[0].mailbox < found[1].mailbox, "in mailbox order");
    }
    ensure_eq!(
        u.emails_with_message_id("<m2@amazon.co.uk>")
            .await
            .map_err(e)?
            .len(),
        0,
        "no such message"
    );
    Ok(())
}

async fn users_are_stable_and_distinct(store: &dyn Store, prefix: &str) -> CheckResult {
    let a = store.ensure_user(&format!("{prefix}-a")).await.map_err(e)?;
    let again = store.ensure_user(&format!("{prefix}-a")).await.map_err(e)?;
    let b = store.ensure_user(&format!("{prefix}-b")).await.map_err(e)?;
    ensure_eq!(a, again, "the same name is the same user");
    ensure!(a != b, "two names, two users");
    let users = store.users().await.map_err(e)?;
    ensure!(
        users.contains(&(a, format!("{prefix}-a"))),
        "users() lists {a}"
    );
    ensure_eq!(store.user(a).user_id(), a, "a handle knows its user");
    Ok(())
}

async fn every_kind_round_trips_whole(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let batch = everything();
    let w = u.write(batch.clone()).await.map_err(e)?;
    for (kind, up, n) in [
        ("accounts", w.accounts, 1),
        ("transactions", w.transactions, 1),
        ("mandates", w.mandates, 1),
        ("orders", w.orders, 1),
        ("apple", w.apple_purchases, 1),
        ("emails", w.emails, 1),
        ("receipts", w.receipts, 1),
        ("documents", w.documents, 2),
        ("matches", w.matches, 1),
        ("enrichments", w.enrichments, 1),
    ] {
        ensure_eq!(up.inserted, n, "{kind} inserted");
    }
    ensure_eq!(u.accounts().await.map_err(e)?, batch.accounts, "accounts");
    ensure_eq!(
        u.transaction(&batch.transactions[0].key())
            .await
            .map_err(e)?,
        Some(batch.transactions[0].clone()),
        "transaction"
    );
    ensure_eq!(
        u.orders(&OrderQuery::default()).await.map_err(e)?,
        batch.orders,
        "orders"
    );
    ensure_eq!(
        u.apple_purchases().await.map_err(e)?,
        batch.apple_purchases,
        "apple purchases"
    );
    ensure_eq!(u.mandates().await.map_err(e)?, batch.mandates, "mandates");
    ensure_eq!(
        u.email("gmail:alex@example.org", "<m1@amazon.co.uk>")
            .await
            .map_err(e)?,
        Some(batch.emails[0].clone()),
        "email"
    );
    ensure_eq!(
        u.receipts(None).await.map_err(e)?,
        batch.receipts,
        "receipts"
    );
    ensure_eq!(
        u.documents(Some(("gmail:alex@example.org", "<m1@amazon.co.uk>")))
            .await
            .map_err(e)?,
        batch.documents,
        "documents"
    );
    ensure_eq!(u.matches().await.map_err(e)?, batch.matches, "matches");
    ensure_eq!(
        u.enrichments().await.map_err(e)?,
        batch.enrichments,
        "enrichments"
    );
    ensure_eq!(
        u.accounts().await.map_err(e)?[0].kind,
        AccountKind::Other("savings-pot".into()),
        "an unknown kind is kept"
    );
    let m = &batch.matches[0];
    let gone = u
        .write(Batch::default().unmatch(vec![(m.transaction.clone(), m.target.clone())]))
        .await
        .map_err(e)?;
    ensure_eq!(gone.unmatched, 1, "a match removed");
    ensure!(u.matches().await.map_err(e)?.is_empty(), "no match left");
    Ok(())
}

async fn the_same_batch_twice_changes_nothing(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    u.write(everything()).await.map_err(e)?;
    let again = u.write(everything()).await.map_err(e)?;
    for (kind, up) in [
        ("accounts", again.accounts),
        ("transactions", again.transactions),
        ("mandates", again.mandates),
        ("orders", again.orders),
        ("emails", again.emails),
        ("receipts", again.receipts),
        ("documents", again.documents),
        ("matches", again.matches),
        ("enrichments", again.enrichments),
    ] {
        ensure_eq!(up.written(), 0, "{kind} written on the second import");
        ensure!(up.unchanged > 0, "{kind} counted as unchanged");
    }
    let page = u
        .transactions(&TransactionQuery::default())
        .await
        .map_err(e)?;
    ensure_eq!(page.items.len(), 1, "one transaction after two imports");
    ensure_eq!(
        u.documents(None).await.map_err(e)?.len(),
        2,
        "two documents after two imports"
    );
    Ok(())
}

async fn changed_records_update_in_place(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let pending = fixtures::transaction("tx-p", date!(2026 - 03 - 03), -1250, "PRET A MANGER")
        .status(TransactionStatus::Pending);
    u.write(
        Batch::default()
            .transactions(vec![pending.clone()])
            .orders(vec![fixtures::order()]),
    )
    .await
    .map_err(e)?;
    let booked = pending.clone().status(TransactionStatus::Booked);
    let mut shipped = fixtures::order();
    shipped.status = Some("Delivered".into());
    let w = u
        .write(
            Batch::default()
                .transactions(vec![booked.clone()])
                .orders(vec![shipped.clone()]),
        )
        .await
        .map_err(e)?;
    ensure_eq!(
        (w.transactions.updated, w.transactions.inserted),
        (1, 0),
        "pending -> booked updates"
    );
    ensure_eq!(
        (w.orders.updated, w.orders.inserted),
        (1, 0),
        "a new order status updates"
    );
    ensure_eq!(
        u.transaction(&pending.key()).await.map_err(e)?,
        Some(booked),
        "read back booked"
    );
    ensure_eq!(
        u.orders(&OrderQuery::default()).await.map_err(e)?,
        vec![shipped],
        "read back delivered"
    );
    Ok(())
}

async fn repeats_within_a_batch_count_once(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let first = fixtures::transaction("tx-r", date!(2026 - 03 - 03), -100, "FIRST");
    let last = fixtures::transaction("tx-r", date!(2026 - 03 - 03), -100, "LAST");
    let w = u
        .write(Batch::default().transactions(vec![first, last.clone()]))
        .await
        .map_err(e)?;
    ensure_eq!(w.transactions.inserted, 1, "one row for one key");
    ensure_eq!(
        u.transaction(&last.key()).await.map_err(e)?,
        Some(last),
        "the last one wins"
    );
    Ok(())
}

async fn large_batches_split_under_the_parameter_limit(
    store: &dyn Store,
    prefix: &str,
) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let start = date!(2020 - 01 - 01);
    let many: Vec<Transaction> = (0..12_000)
        .map(|i| {
            fixtures::transaction(
                &format!("bulk-{i}"),
                start + Duration::days(i % 1500),
                -(i + 1),
                "BULK",
            )
        })
        .collect();
    let w = u
        .write(Batch::default().transactions(many.clone()))
        .await
        .map_err(e)?;
    ensure_eq!(w.transactions.inserted, 12_000, "inserted");
    let again = u
        .write(Batch::default().transactions(many))
        .await
        .map_err(e)?;
    ensure_eq!(
        again.transactions.unchanged,
        12_000,
        "unchanged the second time"
    );
    let total = u.spend(&SpendQuery::by(&[])).await.map_err(e)?;
    ensure_eq!(total.len(), 1, "one currency");
    ensure_eq!(total[0].count, 12_000, "count");
    ensure_eq!(total[0].total_minor, -(12_000 * 12_001 / 2), "sum");
    Ok(())
}

fn sample() -> Vec<Transaction> {
    let mut tesco = fixtures::transaction("t1", date!(2026 - 01 - 05), -4520, "TESCO STORES 3011");
    tesco.category = Some("groceries".into());
    let mut pct = fixtures::transaction("t2", date!(2026 - 01 - 20), -999, "100% OFF_SALE SHOP");
    pct.category = Some("shopping".into());
    let mut salary = fixtures::transaction("t3", date!(2026 - 02 - 01), 250_000, "ACME LTD SALARY");
    salary.category = Some("income".into());
    let mut card = fixtures::transaction("t4", date!(2026 - 02 - 10), -1250, "Pret A Manger");
    card.account_id = "card-9".into();
    card.merchant = Some("Pret".into());
    card.category = Some("eating out".into());
    let mut euro = fixtures::transaction("t5", date!(2026 - 02 - 11), -1800, "CAFE DE FLORE");
    euro.amount = Money::new(-1800, Currency::EUR);
    euro.category = Some("eating out".into());
    vec![tesco, pct, salary, card, euro]
}

fn ids(items: Vec<Transaction>) -> Vec<String> {
    items.into_iter().map(|t| t.id).collect()
}

async fn transaction_filters(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    u.write(Batch::default().transactions(sample()))
        .await
        .map_err(e)?;
    let find = |q: TransactionQuery| {
        let u = u.clone();
        async move { u.transactions(&q).await.map(|p| p.items).map_err(e) }
    };
    ensure_eq!(
        ids(find(TransactionQuery::default()).await?),
        ["t5", "t4", "t3", "t2", "t1"],
        "newest first"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().account("card-9")).await?),
        ["t4"],
        "by account"
    );
    ensure_eq!(
        ids(find(
            TransactionQuery::default().between(date!(2026 - 01 - 06), date!(2026 - 02 - 01))
        )
        .await?),
        ["t3", "t2"],
        "by date range, inclusive"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().text("tesco")).await?),
        ["t1"],
        "text, any case"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().text("pret")).await?),
        ["t4"],
        "text in the merchant"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().text("100%")).await?),
        ["t2"],
        "a literal %"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().text("t_a")).await?),
        Vec::<&str>::new(),
        "_ is literal"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().amount_between(-2000, -1000)).await?),
        ["t5", "t4"],
        "by amount"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().currency("eur")).await?),
        ["t5"],
        "by currency"
    );
    ensure_eq!(
        ids(find(TransactionQuery::default().category("eating out")).await?),
        ["t5", "t4"],
        "by category"
    );
    let bad = u
        .transactions(&TransactionQuery::default().after(Some("nonsense".into())))
        .await;
    ensure!(
        matches!(bad, Err(StoreError::Invalid(_))),
        "a bad cursor is an Invalid error, got {bad:?}"
    );
    Ok(())
}

async fn keyset_pages_cover_everything_once(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    // Many on the same day, so the id breaks ties.
    let all: Vec<Transaction> = (0..250)
        .map(|i| {
            fixtures::transaction(
                &format!("k{i:03}"),
                date!(2026 - 01 - 01) + Duration::days(i / 10),
                -i,
                "PAGED",
            )
        })
        .collect();
    u.write(Batch::default().transactions(all))
        .await
        .map_err(e)?;
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = u
            .transactions(&TransactionQuery::default().limit(40).after(cursor))
            .await
            .map_err(e)?;
        pages += 1;
        seen.extend(page.items.iter().map(|t| (t.date, t.id.clone())));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        ensure!(pages < 20, "pagination does not end");
    }
    ensure_eq!(pages, 7, "250 rows, 40 a page");
    ensure_eq!(seen.len(), 250, "every row");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    ensure_eq!(unique.len(), 250, "each row once");
    ensure!(
        seen.windows(2).all(|w| w[0].0 >= w[1].0),
        "newest first across pages"
    );
    Ok(())
}

async fn spend_sums_in_sql(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    u.write(Batch::default().transactions(sample()))
        .await
        .map_err(e)?;
    let rows = u
        .spend(&SpendQuery::by(&[Grouping::Month, Grouping::Category]).outgoing())
        .await
        .map_err(e)?;
    let got: Vec<(Vec<String>, String, i64, i64)> = rows
        .into_iter()
        .map(|r| (r.keys, r.currency, r.total_minor, r.count))
        .collect();
    let want = vec![
        (
            vec!["2026-01".to_owned(), "groceries".to_owned()],
            "GBP".to_owned(),
            -4520,
            1,
        ),
        (
            vec!["2026-01".to_owned(), "shopping".to_owned()],
            "GBP".to_owned(),
            -999,
            1,
        ),
        (
            vec!["2026-02".to_owned(), "eating out".to_owned()],
            "EUR".to_owned(),
            -1800,
            1,
        ),
        (
            vec!["2026-02".to_owned(), "eating out".to_owned()],
            "GBP".to_owned(),
            -1250,
            1,
        ),
    ];
    ensure_eq!(
        got,
        want,
        "by month and category, money out, currencies apart"
    );
    let by_account = u
        .spend(&SpendQuery::by(&[Grouping::Account]))
        .await
        .map_err(e)?;
    ensure_eq!(by_account.len(), 3, "acc-1 GBP, acc-1 EUR, card-9 GBP");
    let by_merchant = u
        .spend(
            &SpendQuery::by(&[Grouping::Merchant])
                .between(date!(2026 - 02 - 10), date!(2026 - 02 - 10)),
        )
        .await
        .map_err(e)?;
    ensure_eq!(by_merchant.len(), 1, "one merchant that day");
    ensure_eq!(
        by_merchant[0].keys,
        vec!["Pret".to_owned()],
        "the merchant over the description"
    );
    Ok(())
}

async fn enrichment_decides_reports_and_outlives_a_resync(
    store: &dyn Store,
    prefix: &str,
) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let txs = sample();
    u.write(Batch::default().transactions(txs.clone()))
        .await
        .map_err(e)?;
    let decided = |tx: &Transaction, category: &str, merchant: &str, essential: bool| Enrichment {
        transaction: tx.key(),
        category: Some(category.into()),
        merchant: Some(merchant.into()),
        essential: Some(essential),
        source: EnrichmentSource::Rule,
        confidence: 1.0,
        tags: vec![],
    };
    u.write(Batch::default().enrichments(vec![
        decided(&txs[0], "Groceries", "Tesco", true),
        decided(&txs[1], "Shopping", "Off Sale", false),
    ]))
    .await
    .map_err(e)?;
    // The source sends the same transactions again, one of them changed:
    // enrichment stays.
    let mut again = txs.clone();
    again[0].status = TransactionStatus::Pending;
    again[0].category = Some("bank-groceries".into());
    let w = u
        .write(Batch::default().transactions(again))
        .await
        .map_err(e)?;
    ensure_eq!(w.transactions.updated, 1, "the changed one updated");
    let sums = |groups: &'static [Grouping]| {
        let u = u.clone();
        async move {
            let rows = u
                .spend(
                    &SpendQuery::by(groups).between(date!(2026 - 01 - 01), date!(2026 - 01 - 31)),
                )
                .await
                .map_err(e)?;
            Ok::<_, String>(
                rows.into_iter()
                    .map(|r| (r.keys.join("/"), r.total_minor))
                    .collect::<Vec<_>>(),
            )
        }
    };
    ensure_eq!(
        sums(&[Grouping::Category]).await?,
        vec![
            ("Groceries".to_owned(), -4520),
            ("Shopping".to_owned(), -999)
        ],
        "enrichment's category over the bank's"
    );
    ensure_eq!(
        sums(&[Grouping::Essential, Grouping::Merchant]).await?,
        vec![
            ("discretionary/Off Sale".to_owned(), -999),
            ("essential/Tesco".to_owned(), -4520)
        ],
        "essential and merchant from enrichment"
    );
    let in_out = u
        .spend(&SpendQuery::by(&[Grouping::Direction]))
        .await
        .map_err(e)?;
    ensure_eq!(
        in_out
            .iter()
            .filter(|r| r.currency == "GBP")
            .map(|r| (r.keys[0].clone(), r.total_minor))
            .collect::<Vec<_>>(),
        vec![
            ("in".to_owned(), 250_000),
            ("out".to_owned(), -4520 - 999 - 1250)
        ],
        "money in and out apart"
    );
    let groceries = u
        .transactions(&TransactionQuery::default().category("Groceries"))
        .await
        .map_err(e)?;
    ensure_eq!(
        ids(groceries.items),
        ["t1"],
        "filter by enrichment's category"
    );
    let paid = u
        .payments_to(
            &["Tesco".to_owned(), "Pret".to_owned()],
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
        )
        .await
        .map_err(e)?;
    ensure_eq!(
        paid.iter()
            .map(|(name, t)| (name.as_str(), t.id.as_str()))
            .collect::<Vec<_>>(),
        [("Tesco", "t1"), ("Pret", "t4")],
        "payments to merchants by their report names, oldest first"
    );
    let mut changed = decided(&txs[0], "Household", "Tesco", true);
    changed.source = EnrichmentSource::User;
    u.write(Batch::default().enrichments(vec![changed]))
        .await
        .map_err(e)?;
    ensure_eq!(
        sums(&[Grouping::Category]).await?[0],
        ("Household".to_owned(), -4520),
        "a changed enrichment moves the sums"
    );
    Ok(())
}

async fn rules_keep_their_order(store: &dyn Store, prefix: &str) -> CheckResult {
    let a = user(store, prefix, "a").await?;
    let b = user(store, prefix, "b").await?;
    let rule = |id: &str, text: &str, category: &str| Rule {
        id: id.into(),
        when: RuleCondition {
            description: Some(text.into()),
            min_minor: Some(100),
            direction: Some(Direction::Out),
            ..Default::default()
        },
        then: RuleAction {
            category: Some(category.into()),
            essential: Some(true),
            tags: vec!["home".into()],
            ..Default::default()
        },
    };
    let rules = vec![
        rule("zeta", "LANDLORD", "Housing"),
        rule("alpha", "TESCO", "Groceries"),
    ];
    a.replace_rules(&rules).await.map_err(e)?;
    ensure_eq!(
        a.rules().await.map_err(e)?,
        rules,
        "in the order given, whole"
    );
    ensure!(
        b.rules().await.map_err(e)?.is_empty(),
        "another user's are apart"
    );
    let twice = vec![rule("x", "A", "A"), rule("x", "B", "B")];
    ensure!(
        a.replace_rules(&twice).await.is_err(),
        "two rules of one name are refused"
    );
    ensure_eq!(
        a.rules().await.map_err(e)?,
        rules,
        "a refused replace changes nothing"
    );
    a.replace_rules(&[]).await.map_err(e)?;
    ensure!(a.rules().await.map_err(e)?.is_empty(), "replaced by none");
    Ok(())
}

async fn llm_answers_are_cached_once(store: &dyn Store, prefix: &str) -> CheckResult {
    let a = user(store, prefix, "a").await?;
    let b = user(store, prefix, "b").await?;
    let answers = vec![
        (
            "v1|m|debit|GBP:10-100|0|tesco".to_owned(),
            r#"{"category":"Groceries"}"#.to_owned(),
        ),
        (
            "v1|m|debit|GBP:1-10|0|pret".to_owned(),
            r#"{"category":"Eating out"}"#.to_owned(),
        ),
    ];
    ensure_eq!(
        a.put_llm_answers(&answers).await.map_err(e)?,
        2,
        "two cached"
    );
    let again = vec![(answers[0].0.clone(), r#"{"category":"Other"}"#.to_owned())];
    ensure_eq!(
        a.put_llm_answers(&again).await.map_err(e)?,
        0,
        "a cached key keeps its answer"
    );
    let mut want = answers.clone();
    want.sort();
    ensure_eq!(a.llm_answers().await.map_err(e)?, want, "read back by key");
    ensure!(
        b.llm_answers().await.map_err(e)?.is_empty(),
        "another user's are apart"
    );
    Ok(())
}

async fn removing_transactions(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let txs = sample();
    u.write(Batch::default().transactions(txs.clone()))
        .await
        .map_err(e)?;
    let removed = u
        .remove_transactions(&[txs[0].key(), txs[1].key()])
        .await
        .map_err(e)?;
    ensure_eq!(removed, 2, "removed");
    ensure_eq!(u.transaction(&txs[0].key()).await.map_err(e)?, None, "gone");
    ensure_eq!(
        u.transactions(&TransactionQuery::default())
            .await
            .map_err(e)?
            .items
            .len(),
        3,
        "the rest stay"
    );
    Ok(())
}

async fn orders_by_source_and_date(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let mut older = fixtures::order();
    older.id = "older".into();
    older.ordered_on = date!(2025 - 12 - 24);
    let mut business = fixtures::order();
    business.source = "amazon-business".into();
    u.write(Batch::default().orders(vec![fixtures::order(), older, business]))
        .await
        .map_err(e)?;
    let all = u.orders(&OrderQuery::default()).await.map_err(e)?;
    ensure_eq!(all.len(), 3, "same id, other source: another order");
    let q = OrderQuery {
        source: Some("sp-api".into()),
        from: Some(date!(2026 - 01 - 01)),
        ..OrderQuery::default()
    };
    let some = u.orders(&q).await.map_err(e)?;
    ensure_eq!(
        some.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["205-1234567-7654321"],
        "filtered"
    );
    Ok(())
}

async fn emails_page_in_key_order(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let emails: Vec<Email> = (0..25)
        .map(|i| fixtures::email(&format!("<{i:02}@x>")))
        .collect();
    u.write(Batch::default().emails(emails)).await.map_err(e)?;
    let mut seen = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let page = u
            .emails(after.as_ref().map(|(m, i)| (m.as_str(), i.as_str())), 10)
            .await
            .map_err(e)?;
        let Some(last) = page.last() else { break };
        after = Some((last.mailbox.clone(), last.message_id.clone()));
        seen.extend(page.into_iter().map(|m| m.message_id));
    }
    ensure_eq!(seen.len(), 25, "every email once");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    ensure_eq!(sorted.len(), 25, "no repeats");
    Ok(())
}

async fn checkpoints_land_with_their_batch(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    ensure_eq!(
        u.checkpoint("truelayer:acc-1").await.map_err(e)?,
        None,
        "none at first"
    );
    let cp = Checkpoint {
        source: "truelayer:acc-1".into(),
        value: json!({"to": "2026-03-02"}),
        updated_at: datetime!(2026-03-02 12:00 UTC),
    };
    u.write(
        Batch::default()
            .transactions(sample())
            .checkpoint(cp.clone()),
    )
    .await
    .map_err(e)?;
    ensure_eq!(
        u.checkpoint("truelayer:acc-1").await.map_err(e)?,
        Some(cp),
        "written with the page"
    );
    let later = Checkpoint {
        source: "truelayer:acc-1".into(),
        value: json!({"to": "2026-03-09"}),
        updated_at: datetime!(2026-03-09 12:00 UTC),
    };
    u.write(Batch::default().checkpoint(later.clone()))
        .await
        .map_err(e)?;
    ensure_eq!(
        u.checkpoint("truelayer:acc-1").await.map_err(e)?,
        Some(later),
        "advanced"
    );
    Ok(())
}

async fn secrets_compare_and_swap(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let missing = u
        .put_secret("gmail", "alex@example.org", "refresh_token", "ct", None)
        .await;
    ensure!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "a secret needs its connection, got {missing:?}"
    );
    u.put_connection(&Connection::new("gmail", "alex@example.org"))
        .await
        .map_err(e)?;
    let v1 = u
        .put_secret("gmail", "alex@example.org", "refresh_token", "ct-1", None)
        .await
        .map_err(e)?;
    let twice = u
        .put_secret("gmail", "alex@example.org", "refresh_token", "ct-x", None)
        .await;
    ensure!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "creating it twice conflicts, got {twice:?}"
    );
    let v2 = u
        .put_secret(
            "gmail",
            "alex@example.org",
            "refresh_token",
            "ct-2",
            Some(v1),
        )
        .await
        .map_err(e)?;
    ensure!(v2 > v1, "the version moves on");
    let stale = u
        .put_secret(
            "gmail",
            "alex@example.org",
            "refresh_token",
            "ct-3",
            Some(v1),
        )
        .await;
    ensure!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "a stale version conflicts, got {stale:?}"
    );
    let now = u
        .secret("gmail", "alex@example.org", "refresh_token")
        .await
        .map_err(e)?
        .ok_or("stored")?;
    ensure_eq!(
        (now.ciphertext.as_str(), now.version),
        ("ct-2", v2),
        "the winner is kept"
    );
    let mut c = Connection::new("gmail", "alex@example.org");
    c.status = ConnectionStatus::NeedsReauthorisation;
    c.settings = json!({"scopes": ["gmail.readonly"]});
    u.put_connection(&c).await.map_err(e)?;
    ensure_eq!(
        u.connections().await.map_err(e)?,
        vec![c],
        "connection updated in place"
    );
    Ok(())
}

async fn sync_runs_are_recorded_and_updated(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    let mut run = SyncRun {
        id: 0,
        source: "gmail".into(),
        started_at: datetime!(2026-03-02 12:00 UTC),
        finished_at: None,
        status: "running".into(),
        summary: json!({}),
    };
    run.id = u.record_sync_run(&run).await.map_err(e)?;
    ensure!(run.id > 0, "an id is given");
    run.finished_at = Some(datetime!(2026-03-02 12:01 UTC));
    run.status = "ok".into();
    run.summary = json!({"calls": 12, "retries": 1, "rows_per_second": 850.5});
    ensure_eq!(
        u.record_sync_run(&run).await.map_err(e)?,
        run.id,
        "updated in place"
    );
    let second = SyncRun {
        id: 0,
        ..run.clone()
    };
    let second_id = u.record_sync_run(&second).await.map_err(e)?;
    let runs = u.sync_runs(10).await.map_err(e)?;
    ensure_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second_id, run.id],
        "newest first"
    );
    ensure_eq!(runs[1], run, "read back whole");
    Ok(())
}

async fn secrets_are_rewritten_together(store: &dyn Store, prefix: &str) -> CheckResult {
    let u = user(store, prefix, "u").await?;
    u.put_connection(&Connection::new("imap", "box"))
        .await
        .map_err(e)?;
    let v = u
        .put_secret("imap", "box", "password", &format!("{prefix}-old"), None)
        .await
        .map_err(e)?;
    let marker = format!("{prefix}-old");
    let rewrite = |ct: &str| {
        Ok(if ct == marker {
            format!("{prefix}-new")
        } else {
            ct.to_owned()
        })
    };
    let n = store.rewrite_secrets(&rewrite).await.map_err(e)?;
    ensure!(n >= 1, "at least ours rewritten");
    let now = u
        .secret("imap", "box", "password")
        .await
        .map_err(e)?
        .ok_or("kept")?;
    ensure_eq!(now.ciphertext, format!("{prefix}-new"), "rewritten");
    ensure_eq!(
        now.version,
        v,
        "the value is the same: a writer holding this version can still save"
    );
    let after = u
        .put_secret("imap", "box", "password", "newer", Some(v))
        .await
        .map_err(e)?;
    ensure!(after > v, "a save after the rotation goes through");
    Ok(())
}

async fn no_handle_reaches_another_users_rows(store: &dyn Store, prefix: &str) -> CheckResult {
    let a = user(store, prefix, "a").await?;
    let b = user(store, prefix, "b").await?;
    a.write(everything().checkpoint(Checkpoint {
        source: "s".into(),
        value: json!(1),
        updated_at: datetime!(2026-01-01 0:00 UTC),
    }))
    .await
    .map_err(e)?;
    a.put_connection(&Connection::new("gmail", "a@example.org"))
        .await
        .map_err(e)?;
    a.put_secret("gmail", "a@example.org", "refresh_token", "a-secret", None)
        .await
        .map_err(e)?;
    let a_run = a
        .record_sync_run(&SyncRun {
            id: 0,
            source: "s".into(),
            started_at: datetime!(2026-01-01 0:00 UTC),
            finished_at: None,
            status: "running".into(),
            summary: json!({}),
        })
        .await
        .map_err(e)?;
    let tx = everything().transactions[0].clone();
    let a_rule = Rule {
        id: "amazon".into(),
        when: RuleCondition {
            description: Some("AMZN".into()),
            ..Default::default()
        },
        then: RuleAction {
            category: Some("Shopping".into()),
            ..Default::default()
        },
    };
    a.replace_rules(std::slice::from_ref(&a_rule))
        .await
        .map_err(e)?;
    a.put_llm_answers(&[("k".into(), "{}".into())])
        .await
        .map_err(e)?;

    // Every read of b's handle sees none of a's rows.
    ensure!(b.rules().await.map_err(e)?.is_empty(), "rules");
    ensure!(b.llm_answers().await.map_err(e)?.is_empty(), "llm answers");
    ensure!(b.accounts().await.map_err(e)?.is_empty(), "accounts");
    ensure!(
        b.transaction(&tx.key()).await.map_err(e)?.is_none(),
        "transaction by key"
    );
    ensure!(
        b.transactions(&TransactionQuery::default())
            .await
            .map_err(e)?
            .items
            .is_empty(),
        "transactions"
    );
    ensure!(
        b.spend(&SpendQuery::by(&[Grouping::Month]))
            .await
            .map_err(e)?
            .is_empty(),
        "spend"
    );
    ensure!(
        b.orders(&OrderQuery::default())
            .await
            .map_err(e)?
            .is_empty(),
        "orders"
    );
    ensure!(
        b.apple_purchases().await.map_err(e)?.is_empty(),
        "apple purchases"
    );
    ensure!(b.mandates().await.map_err(e)?.is_empty(), "mandates");
    ensure!(
        b.email("gmail:alex@example.org", "<m1@amazon.co.uk>")
            .await
            .map_err(e)?
            .is_none(),
        "email"
    );
    ensure!(b.emails(None, 100).await.map_err(e)?.is_empty(), "emails");
    ensure!(b.receipts(None).await.map_err(e)?.is_empty(), "receipts");
    ensure!(b.documents(None).await.map_err(e)?.is_empty(), "documents");
    ensure!(b.matches().await.map_err(e)?.is_empty(), "matches");
    ensure!(b.enrichments().await.map_err(e)?.is_empty(), "enrichments");
    ensure!(b.connections().await.map_err(e)?.is_empty(), "connections");
    ensure!(
        b.secret("gmail", "a@example.org", "refresh_token")
            .await
            .map_err(e)?
            .is_none(),
        "secret"
    );
    ensure!(b.checkpoint("s").await.map_err(e)?.is_none(), "checkpoint");
    ensure!(b.sync_runs(10).await.map_err(e)?.is_empty(), "sync runs");

    // Every write of b's handle leaves a's rows as they were.
    let mut changed = everything();
    changed.transactions[0].description = "B WAS HERE".into();
    changed.orders[0].status = Some("B".into());
    let w = b.write(changed).await.map_err(e)?;
    ensure_eq!(w.transactions.inserted, 1, "b's write makes b's own row");
    ensure_eq!(
        b.remove_transactions(&[tx.key()]).await.map_err(e)?,
        1,
        "b removes b's own row only"
    );
    let secret_write = b
        .put_secret(
            "gmail",
            "a@example.org",
            "refresh_token",
            "b-secret",
            Some(1),
        )
        .await;
    ensure!(
        matches!(secret_write, Err(StoreError::Conflict { .. })),
        "b cannot overwrite a's secret: {secret_write:?}"
    );
    let create = b
        .put_secret("gmail", "a@example.org", "refresh_token", "b-secret", None)
        .await;
    ensure!(
        matches!(create, Err(StoreError::NotFound(_))),
        "b has no such connection: {create:?}"
    );
    let run = b
        .record_sync_run(&SyncRun {
            id: a_run,
            source: "s".into(),
            started_at: datetime!(2026-01-01 0:00 UTC),
            finished_at: None,
            status: "hijacked".into(),
            summary: json!({}),
        })
        .await;
    ensure!(
        matches!(run, Err(StoreError::NotFound(_))),
        "b cannot update a's sync run: {run:?}"
    );
    b.write(Batch::default().checkpoint(Checkpoint {
        source: "s".into(),
        value: json!(2),
        updated_at: datetime!(2026-01-02 0:00 UTC),
    }))
    .await
    .map_err(e)?;

    ensure_eq!(
        a.transaction(&tx.key()).await.map_err(e)?,
        Some(tx.clone()),
        "a's transaction untouched"
    );
    ensure_eq!(
        a.orders(&OrderQuery::default()).await.map_err(e)?[0].status,
        Some("Shipped".into()),
        "a's order untouched"
    );
    ensure_eq!(
        a.secret("gmail", "a@example.org", "refresh_token")
            .await
            .map_err(e)?
            .map(|s| s.ciphertext),
        Some("a-secret".into()),
        "a's secret untouched"
    );
    ensure_eq!(
        a.checkpoint("s").await.map_err(e)?.map(|c| c.value),
        Some(json!(1)),
        "a's checkpoint untouched"
    );
    ensure_eq!(
        a.sync_runs(1).await.map_err(e)?[0].status,
        "running",
        "a's run untouched"
    );
    ensure_eq!(
        a.documents(None).await.map_err(e)?.len(),
        2,
        "a's documents untouched"
    );
    // b's enrichment of a transaction with a's key, and b's rules, touch only b's.
    let mut foreign = fixtures::enrichment(&tx);
    foreign.category = Some("b-category".into());
    b.write(Batch::default().enrichments(vec![foreign]))
        .await
        .map_err(e)?;
    b.replace_rules(&[]).await.map_err(e)?;
    ensure_eq!(
        a.rules().await.map_err(e)?,
        vec![a_rule],
        "a's rules untouched"
    );
    ensure!(
        a.transactions(&TransactionQuery::default().category("b-category"))
            .await
            .map_err(e)?
            .items
            .is_empty(),
        "a's report columns untouched"
    );
    let _ = gbp(0);
    Ok(())
}
