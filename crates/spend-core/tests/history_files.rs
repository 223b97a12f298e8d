//! History files through the store: each format's fixture (modelled on real
//! exports as public parsers' test data shows them, anonymised) stored and
//! read back, imported again without change, and a malformed variant that
//! is refused whole with its file, line and column.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use spend_core::model::{Order, Transaction};
use spend_core::sources::files::{FileSource, ImportOptions};
use spend_core::store::{OrderQuery, SqliteStore, Store, UserStore, Written};
use spend_core::sync::SyncEngine;
use time::macros::date;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/history")
        .join(name)
}

async fn user() -> Arc<dyn UserStore> {
    let store = SqliteStore::in_memory().await.unwrap();
    let id = store.ensure_user("sam").await.unwrap();
    store.user(id)
}

/// Imports `path` (every file inside a zip); what each file wrote.
async fn import(
    user: &Arc<dyn UserStore>,
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<(String, Written, Vec<String>)>, String> {
    let sources = FileSource::open(path, options).map_err(|e| e.to_string())?;
    let engine = SyncEngine::new(user.clone());
    let mut out = Vec::new();
    for mut source in sources {
        let id = spend_core::sources::Source::id(&source).to_owned();
        let outcome = engine
            .run(&mut source, &mut |_| {})
            .await
            .map_err(|e| e.to_string())?;
        out.push((id, outcome.written, outcome.skipped));
    }
    Ok(out)
}

async fn transactions(user: &Arc<dyn UserStore>) -> Vec<Transaction> {
    let mut all = user.all_transactions().await.unwrap();
    all.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    all
}

async fn orders(user: &Arc<dyn UserStore>) -> Vec<Order> {
    let mut all = user.orders(&OrderQuery::default()).await.unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

fn minor(tx: &Transaction) -> i64 {
    tx.amount.minor()
}

/// Imports `name` twice: the second time nothing is written.
async fn twice(user: &Arc<dyn UserStore>, name: &str, options: &ImportOptions) -> Written {
    let first = import(user, &fixture(name), options).await.unwrap();
    let again = import(user, &fixture(name), options).await.unwrap();
    for (_, w, _) in &again {
        assert_eq!(
            w.transactions.written() + w.orders.written() + w.accounts.written(),
            0,
            "{name} again: {w:?}"
        );
    }
    first[0].1
}

#[tokio::test]
async fn amazon_order_history_orders_items_shipments_and_charges() {
    let u = user().await;
    let w = twice(&u, "Retail.OrderHistory.1.csv", &ImportOptions::default()).await;
    assert_eq!(w.orders.inserted, 4);
    let all = orders(&u).await;
    let [sns, two_items, split, cancelled] = all.as_slice() else {
        panic!("{all:?}")
    };
    // Not shipped yet: charged (as Amazon will) on the order's day; the
    // text-guarded discount was read.
    assert_eq!(sns.total.unwrap().minor(), 1289);
    assert_eq!(sns.charges.len(), 1);
    assert_eq!(sns.charges[0].charged_on, date!(2026 - 05 - 31));
    assert_eq!(sns.merchant, "Amazon.co.uk");
    // Two items, one parcel, one charge of both (not the repeated subtotal twice).
    assert_eq!(two_items.items.len(), 2);
    assert_eq!(two_items.shipments.len(), 1);
    assert_eq!(two_items.charges.len(), 1);
    assert_eq!(two_items.charges[0].amount.minor(), 2458 + 1999);
    assert_eq!(two_items.charges[0].charged_on, date!(2026 - 05 - 24));
    assert_eq!(two_items.items[1].title, "Laptop Stand, 15.6\" Aluminium");
    // A split order: a charge per shipment, on the day each left.
    let charges: Vec<(time::Date, i64)> = split
        .charges
        .iter()
        .map(|c| (c.charged_on, c.amount.minor()))
        .collect();
    assert_eq!(
        charges,
        vec![(date!(2026 - 04 - 03), 999), (date!(2026 - 04 - 05), 3299)]
    );
    assert_eq!(
        split.ordered_on,
        date!(2026 - 04 - 02),
        "the first of the values joined by \" and \""
    );
    assert_eq!(
        split.charges[0].method.as_deref(),
        Some("Gift Certificate/Card and Visa - 1234")
    );
    // Cancelled: the item is kept, nothing was charged.
    assert_eq!(cancelled.items[0].quantity, 0);
    assert!(cancelled.charges.is_empty() && cancelled.total.is_none());
    let raw = split.raw.as_ref().unwrap();
    assert_eq!(
        raw["lines"],
        serde_json::json!([5, 7]),
        "the lines of the file it came from"
    );
    assert_eq!(raw["file_sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn amazon_refunds_join_their_orders_whichever_file_comes_first() {
    let u = user().await;
    let refunds = import(
        &u,
        &fixture("Retail.OrdersReturned.Payments.1.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        refunds[0].2.len(),
        1,
        "the pending refund is passed over: {:?}",
        refunds[0].2
    );
    import(
        &u,
        &fixture("Retail.OrderHistory.1.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let order = orders(&u)
        .await
        .into_iter()
        .find(|o| o.id == "202-0000000-0000002")
        .unwrap();
    assert_eq!(
        order.items.len(),
        2,
        "the order history filled the order in"
    );
    let amounts: Vec<i64> = order.charges.iter().map(|c| c.amount.minor()).collect();
    assert_eq!(amounts, vec![4457, -1999], "and kept the refund");
    // Refunds again: nothing new, nothing lost.
    import(
        &u,
        &fixture("Retail.OrdersReturned.Payments.1.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let again = orders(&u)
        .await
        .into_iter()
        .find(|o| o.id == "202-0000000-0000002")
        .unwrap();
    assert_eq!(again, order);
}

#[tokio::test]
async fn an_amazon_export_zip_imports_the_files_inside() {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("spend-history-zip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("Your Orders.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (inside, file) in [
        (
            "Retail.OrderHistory.1/Retail.OrderHistory.1.csv",
            "Retail.OrderHistory.1.csv",
        ),
        (
            "Retail.OrdersReturned.Payments.1/Retail.OrdersReturned.Payments.1.csv",
            "Retail.OrdersReturned.Payments.1.csv",
        ),
    ] {
        zip.start_file(inside, stored).unwrap();
        zip.write_all(&std::fs::read(fixture(file)).unwrap())
            .unwrap();
    }
    zip.start_file("README.txt", stored).unwrap();
    zip.write_all(b"Some data fields will have the data value \"N/A\"")
        .unwrap();
    zip.finish().unwrap();
    let u = user().await;
    let done = import(&u, &path, &ImportOptions::default()).await.unwrap();
    assert_eq!(done.len(), 2);
    assert!(
        done[0]
            .0
            .ends_with("Your Orders.zip!Retail.OrderHistory.1/Retail.OrderHistory.1.csv"),
        "{}",
        done[0].0
    );
    assert!(
        done[0].2.iter().any(|s| s.contains("README.txt")),
        "{:?}",
        done[0].2
    );
    assert_eq!(orders(&u).await.len(), 4);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_older_amazon_items_report() {
    let u = user().await;
    twice(&u, "amazon-items-report.csv", &ImportOptions::default()).await;
    let all = orders(&u).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].ordered_on, date!(2020 - 04 - 20));
    assert_eq!(all[0].items[0].quantity, 3);
    assert_eq!(all[0].charges[0].amount.minor(), 5994);
    assert_eq!(all[0].charges[0].charged_on, date!(2020 - 04 - 21));
    // Its refunds report: the refund (amount and tax) joins the order.
    twice(&u, "amazon-refunds-report.csv", &ImportOptions::default()).await;
    let order = orders(&u).await.into_iter().next().unwrap();
    let charges: Vec<i64> = order.charges.iter().map(|c| c.amount.minor()).collect();
    assert_eq!(charges, vec![5994, -2118]);
    assert_eq!(order.items.len(), 1, "the items stayed");

    // Its orders and shipments report: what each shipment charged (tax
    // and shipping too) takes the place of the items' sums, in either
    // order, and the refund stays.
    let tax_and_shipping = [
        ("111-0000000-0000004", 6354, vec![6354, -2118], 1),
        ("111-0000000-0000005", 7387, vec![7387], 1),
        ("111-0000000-0000006", 1124, vec![1124], 0),
    ];
    let seen = |all: Vec<Order>| -> Vec<(String, i64, Vec<i64>, usize)> {
        all.into_iter()
            .map(|o| {
                (
                    o.id.clone(),
                    o.total.unwrap().minor(),
                    o.charges.iter().map(|c| c.amount.minor()).collect(),
                    o.items.len(),
                )
            })
            .collect()
    };
    let want: Vec<(String, i64, Vec<i64>, usize)> = tax_and_shipping
        .iter()
        .map(|(id, t, c, i)| (id.to_string(), *t, c.clone(), *i))
        .collect();
    twice(&u, "amazon-orders-report.csv", &ImportOptions::default()).await;
    assert_eq!(seen(orders(&u).await), want, "orders report after items");
    twice(&u, "amazon-items-report.csv", &ImportOptions::default()).await;
    assert_eq!(seen(orders(&u).await), want, "items report again");

    let other = user().await;
    for file in [
        "amazon-orders-report.csv",
        "amazon-items-report.csv",
        "amazon-refunds-report.csv",
    ] {
        twice(&other, file, &ImportOptions::default()).await;
    }
    assert_eq!(seen(orders(&other).await), want, "orders report first");
    let shipment = &orders(&other).await[0].shipments[0];
    assert_eq!(shipment.shipped_on, Some(date!(2020 - 04 - 21)));
    assert_eq!(shipment.id.as_deref(), Some("AMZN_US(TBA000000000002)"));

    let done = import(
        &other,
        &fixture("amazon-returns-report.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert!(
        done[0].2[0].contains("1 returns hold no amounts"),
        "{:?}",
        done[0].2
    );
}

#[tokio::test]
async fn a_broken_amount_refuses_the_whole_file() {
    let u = user().await;
    let err = import(
        &u,
        &fixture("Retail.OrderHistory.bad-amount.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(err.contains("Retail.OrderHistory.bad-amount.csv:4: column \"Total Owed\": \"19.99.1\" is not an amount"), "{err}");
    assert!(orders(&u).await.is_empty(), "nothing of it stored");
}

#[tokio::test]
async fn ofx_sgml_and_xml() {
    let u = user().await;
    twice(&u, "bank-sgml.ofx", &ImportOptions::default()).await;
    let txs = transactions(&u).await;
    assert_eq!(txs.len(), 4);
    assert_eq!(
        (txs[0].id.as_str(), txs[0].date, minor(&txs[0])),
        ("0000123456782026040100001", date!(2026 - 04 - 01), -660)
    );
    assert_eq!(txs[0].account_id, "20000012345678");
    assert_eq!(txs[1].description, "Sam's Barbers & Co");
    assert_eq!(
        txs[2].description, "SQ *ECCO UN POCO ¦ NATURA",
        "Windows-1252 read as such"
    );
    assert!(
        txs[2].id.starts_with("fp-"),
        "an empty FITID: a fingerprint instead"
    );
    assert_eq!(minor(&txs[3]), 150_000);
    let account = &u.accounts().await.unwrap()[0];
    assert_eq!(account.balance.unwrap().minor(), 38_234);

    let card = user().await;
    twice(&card, "card-xml.qfx", &ImportOptions::default()).await;
    let txs = transactions(&card).await;
    assert_eq!(
        txs.iter().map(minor).collect::<Vec<_>>(),
        vec![-109_924, -4965]
    );
    assert_eq!(txs[0].amount.currency().code(), "USD");
    assert_eq!(
        card.accounts().await.unwrap()[0].kind,
        spend_core::model::AccountKind::Card
    );

    let err = import(
        &user().await,
        &fixture("bank-bad-amount.ofx"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains("bank-bad-amount.ofx:17: column \"TRNAMT\": \"-316.6.7\" is not an amount"),
        "{err}"
    );
}

#[tokio::test]
async fn qif_month_first_day_first_and_broken() {
    let u = user().await;
    twice(&u, "card.qif", &ImportOptions::default()).await;
    let txs = transactions(&u).await;
    let seen: Vec<(time::Date, i64, Option<&str>)> = txs
        .iter()
        .map(|t| (t.date, minor(t), t.category.as_deref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (date!(2026 - 01 - 28), -114_477, None),
            (date!(2026 - 03 - 08), -4295, Some("Education:Religious")),
            (date!(2026 - 03 - 09), -350, None),
            (date!(2026 - 03 - 09), -350, None),
        ]
    );
    assert_ne!(txs[2].id, txs[3].id, "two coffees stay two");

    let d = user().await;
    twice(
        &d,
        "bank-day-first.qif",
        &ImportOptions {
            account: Some("cash".into()),
            ..Default::default()
        },
    )
    .await;
    let txs = transactions(&d).await;
    assert_eq!(
        txs.iter().map(|t| t.date).collect::<Vec<_>>(),
        vec![date!(2026 - 10 - 11), date!(2026 - 10 - 23)]
    );
    assert_eq!(txs[0].account_id, "cash");

    let err = import(
        &user().await,
        &fixture("bad-date.qif"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains("bad-date.qif:6: column \"D\": \"13/13/2026\" is not a date"),
        "{err}"
    );
}

#[tokio::test]
async fn camt_053_versions_two_and_eight() {
    let u = user().await;
    let w = twice(&u, "camt053.v02.xml", &ImportOptions::default()).await;
    assert_eq!(
        w.transactions.inserted, 3,
        "the pending entry is not stored"
    );
    let txs = transactions(&u).await;
    let seen: Vec<(i64, &str)> = txs
        .iter()
        .map(|t| (minor(t), t.description.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (885, "SAM EXAMPLE Terugbetaling lunch"),
            (-4210, "Albert Heijn 1234 Pinbetaling"),
            (4210, "Storno pinbetaling Albert Heijn 1234"),
        ]
    );
    assert_eq!(txs[0].id, "EXB-0001");
    assert_eq!(txs[0].account_id, "NL00EXMP0000000001");

    let v8 = user().await;
    twice(&v8, "camt053.v08.xml", &ImportOptions::default()).await;
    let txs = transactions(&v8).await;
    assert_eq!(
        (txs[0].id.as_str(), txs[0].date, minor(&txs[0])),
        ("ENTRYREF-0001", date!(2026 - 05 - 01), -120_000)
    );
    assert_eq!(txs[0].description, "Regie Example SA Loyer mai 2026");
    assert_eq!(txs[0].amount.currency().code(), "CHF");
    assert_eq!(
        (txs[1].id.as_str(), minor(&txs[1])),
        ("BATCH-001", 300_000),
        "a batch is one entry"
    );

    let err = import(
        &user().await,
        &fixture("camt053.bad-indicator.xml"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains("camt053.bad-indicator.xml:29: column \"CdtDbtInd\""),
        "{err}"
    );
}

#[tokio::test]
async fn uk_bank_csv_exports() {
    let cases: &[(&str, &[i64], &str)] = &[
        ("monzo.csv", &[-2650, -321, 145_000], "monzo"),
        ("starling.csv", &[150_000, -100_000, -320, -320], "starling"),
        ("barclays.csv", &[99_900, -8099, -4720], "20-00-00 12345678"),
        ("lloyds.csv", &[-1099, 2000], "30-00-00 00000000"),
        ("nationwide.csv", &[-1240, -3115, 12_000], "nationwide"),
        ("revolut.csv", &[-3990, 20_000, -10_050], "revolut"),
        // No header row; two same-day fares, both kept.
        ("hsbc.csv", &[-2550, -2597, 215_000, -310, -310], "hsbc"),
    ];
    for (file, amounts, account) in cases {
        let u = user().await;
        twice(&u, file, &ImportOptions::default()).await;
        let txs = transactions(&u).await;
        let mut got: Vec<i64> = txs.iter().map(minor).collect();
        let mut want = amounts.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{file}");
        assert!(
            txs.iter().all(|t| t.account_id == *account),
            "{file}: {:?}",
            txs[0].account_id
        );
    }
    let u = user().await;
    import(&u, &fixture("nationwide.csv"), &ImportOptions::default())
        .await
        .unwrap();
    let txs = transactions(&u).await;
    assert_eq!(
        txs[0].description, "Page and Spine Books",
        "a quoted line break inside a description"
    );
    let u = user().await;
    import(&u, &fixture("monzo.csv"), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        transactions(&u).await[0].id,
        "tx_0000AAAAAAAAAAAAAAAAAA",
        "Monzo's own ids"
    );
    let err = import(
        &user().await,
        &fixture("hsbc-bad-date.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains(
            "hsbc-bad-date.csv:2: column \"Date\": \"31/02/2026\" is not a DD/MM/YYYY date"
        ),
        "the file's own line numbers: {err}"
    );
    let u = user().await;
    import(&u, &fixture("starling.csv"), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        transactions(&u).await[0].amount.currency().code(),
        "EUR",
        "from the header's `Amount (EUR)`"
    );
}

#[tokio::test]
async fn csv_mappings_missing_columns_and_unknown_files() {
    let u = user().await;
    let options = ImportOptions {
        mapping: Some(
            "date=Posted,amount=Value,description=Details,id=Ref,days=iso,sign=out-positive"
                .parse()
                .unwrap(),
        ),
        account: Some("other".into()),
        ..Default::default()
    };
    twice(&u, "other-bank.csv", &options).await;
    let txs = transactions(&u).await;
    assert_eq!(
        txs.iter()
            .map(|t| (t.id.as_str(), minor(t)))
            .collect::<Vec<_>>(),
        vec![("A1", -450), ("A2", -1200)]
    );

    let err = import(&u, &fixture("other-bank.csv"), &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.contains("not a format spend reads") && err.contains("--map"),
        "{err}"
    );
    let err = import(
        &u,
        &fixture("lloyds-missing-column.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains(
            "lloyds-missing-column.csv:1: missing column(s) Credit Amount (a lloyds export?)"
        ),
        "{err}"
    );
    let err = import(
        &u,
        Path::new("/no/such/statement.ofx"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(err.contains("/no/such/statement.ofx"), "{err}");
}

#[tokio::test]
async fn overlapping_exports_store_each_transaction_once() {
    let dir = std::env::temp_dir().join(format!("spend-history-overlap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let whole = std::fs::read_to_string(fixture("starling.csv")).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    // A later export: the last three rows of the first, and one new.
    let later = format!(
        "{}\n{}\n{}\n{}\n03/10/2026,Corner Cafe,CARD,CARD,-3.20,4490.40,EATING_OUT,\n",
        lines[0], lines[2], lines[3], lines[4]
    );
    std::fs::write(dir.join("later.csv"), later).unwrap();
    let u = user().await;
    import(&u, &fixture("starling.csv"), &ImportOptions::default())
        .await
        .unwrap();
    let second = import(&u, &dir.join("later.csv"), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(second[0].1.transactions.inserted, 1, "only the new coffee");
    assert_eq!(transactions(&u).await.len(), 5);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn apple_purchase_history_by_column_names() {
    let u = user().await;
    twice(
        &u,
        "Store Transaction History.csv",
        &ImportOptions::default(),
    )
    .await;
    let mut all = u.apple_purchases().await.unwrap();
    all.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    let seen: Vec<(&str, time::Date, i64, usize)> = all
        .iter()
        .map(|p| {
            (
                p.order_id.as_str(),
                p.purchased_on,
                p.total.unwrap().minor(),
                p.items.len(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("MT2Q8X9Z1B", date!(2026 - 04 - 01), 198, 2),
            ("MT3R9Y0A2C", date!(2026 - 05 - 16), 0, 1),
            ("MT4S0Z1B3D", date!(2026 - 05 - 20), 0, 1),
            ("MT5T1A2C4E", date!(2026 - 06 - 02), 299, 1),
        ],
        "two songs on one order; a free app; a refunded app nets to nothing"
    );
    assert_eq!(all[0].items[0].category.as_deref(), Some("Music"));

    let err = import(
        &user().await,
        &fixture("apple-bad-date.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.contains(
            "apple-bad-date.csv:4: column \"Item Purchased Date\": \"May 16 2026\" is not a date"
        ),
        "{err}"
    );

    let newer = user().await;
    twice(
        &newer,
        "apple-account-number.csv",
        &ImportOptions::default(),
    )
    .await;
    let all = newer.apple_purchases().await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().any(|p| p.order_id == "R000"
        && p.total.unwrap().minor() == 129
        && p.total.unwrap().currency().code() == "USD"));
}

#[tokio::test]
async fn a_statement_filed_under_a_bank_feed_account_does_not_double_it() {
    use spend_core::model::Money;
    use spend_core::store::Batch;
    let u = user().await;
    // What TrueLayer brought for the account: the burger, settled a day later.
    let mut feed = Transaction::new(
        "truelayer",
        "tl-acc-1",
        "tl-9f8e7d",
        date!(2026 - 04 - 02),
        Money::parse("-6.60", "GBP").unwrap(),
        "MCDONALDS 112 LEEDS",
    );
    feed.category = Some("PURCHASE".into());
    u.write(Batch::default().transactions(vec![feed]))
        .await
        .unwrap();
    let options = ImportOptions {
        account: Some("tl-acc-1".into()),
        ..Default::default()
    };
    for round in 0..2 {
        let done = import(&u, &fixture("bank-sgml.ofx"), &options)
            .await
            .unwrap();
        let (_, written, skipped) = &done[0];
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(
            skipped[0].contains("already stored from truelayer as tl-9f8e7d"),
            "{}",
            skipped[0]
        );
        assert_eq!(
            written.transactions.written(),
            if round == 0 { 3 } else { 0 }
        );
    }
    let txs = transactions(&u).await;
    assert_eq!(
        txs.len(),
        4,
        "the feed's one and the statement's other three"
    );
    assert!(txs.iter().all(|t| t.account_id == "tl-acc-1"));
    assert_eq!(txs.iter().filter(|t| t.amount.minor() == -660).count(), 1);
    assert_eq!(
        u.accounts().await.unwrap().len(),
        0,
        "no second account for it"
    );
}

#[tokio::test]
async fn amazon_digital_items_and_returns() {
    let u = user().await;
    twice(&u, "Digital Items.csv", &ImportOptions::default()).await;
    let all = orders(&u).await;
    let seen: Vec<(&str, time::Date, i64)> = all
        .iter()
        .map(|o| (o.id.as_str(), o.ordered_on, o.charges[0].amount.minor()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("D01-0000001-0000001", date!(2026 - 09 - 27), 9500),
            ("D01-0000002-0000002", date!(2026 - 10 - 03), 499),
        ]
    );
    assert_eq!(all[1].items[0].title, "A Kindle Book: A Novel");
    let done = import(
        &u,
        &fixture("Retail.CustomerReturns.1.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert!(
        done[0].2[0].contains("1 returns hold no amounts"),
        "{:?}",
        done[0].2
    );
}

#[tokio::test]
async fn apple_purchases_join_their_receipt_emails_by_order_number() {
    use spend_core::matching::{MatchOptions, match_user};
    use spend_core::model::{MatchState, MatchTarget, Money, Receipt};
    use spend_core::store::Batch;
    let u = user().await;
    import(
        &u,
        &fixture("Store Transaction History.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    // The same purchase as the mail pipeline stores its "Your receipt from
    // Apple" (order ids as printed: `ORDER ID: MT2Q8X9Z1B`), and one more
    // receipt for an order the export does not hold.
    let receipt = |id: &str, order: &str, total: &str, day| Receipt {
        mailbox: "gmail".into(),
        message_id: id.into(),
        kind: "receipt".into(),
        vendor: Some("apple".into()),
        merchant: Some("Apple".into()),
        date: Some(day),
        total: Some(Money::parse(total, "GBP").unwrap()),
        order_ids: vec![order.into()],
        parsed: serde_json::json!({"from": "no_reply@email.apple.com", "sender_verified": true}),
    };
    let card = |id: &str, amount: &str, day| {
        Transaction::new(
            "truelayer",
            "card",
            id,
            day,
            Money::parse(amount, "GBP").unwrap(),
            "APPLE.COM/BILL CORK",
        )
    };
    u.write(
        Batch::default()
            .receipts(vec![
                receipt(
                    "<a1@email.apple.com>",
                    "mt2q8x9z1b",
                    "1.98",
                    date!(2026 - 04 - 01),
                ),
                receipt(
                    "<a2@email.apple.com>",
                    "MT9Z9Z9Z9Z",
                    "0.79",
                    date!(2026 - 07 - 07),
                ),
            ])
            .transactions(vec![
                card("t1", "-1.98", date!(2026 - 04 - 02)),
                card("t2", "-0.79", date!(2026 - 07 - 08)),
            ]),
    )
    .await
    .unwrap();

    let report = match_user(u.as_ref(), &MatchOptions::default())
        .await
        .unwrap();
    // Four purchases (two with a total that a charge can meet) and the one
    // receipt that has no purchase; the joined receipt is not a fifth.
    assert_eq!(report.candidates, 4 + 1, "{report:?}");
    let target_of = |tx: &str| {
        report
            .proposals
            .iter()
            .find(|p| p.transaction.id == tx)
            .map(|p| (p.target.clone(), p.state.clone()))
    };
    assert_eq!(
        target_of("t1"),
        Some((
            MatchTarget::Apple {
                order_id: "MT2Q8X9Z1B".into()
            },
            MatchState::Automatic
        )),
        "the charge meets the purchase, not its receipt as a rival"
    );
    assert_eq!(
        target_of("t2"),
        Some((
            MatchTarget::Receipt {
                mailbox: "gmail".into(),
                message_id: "<a2@email.apple.com>".into()
            },
            MatchState::Automatic
        )),
    );
    let joined = report
        .proposals
        .iter()
        .find(|p| p.transaction.id == "t1")
        .unwrap();
    let why = serde_json::to_string(&joined.explanation).unwrap();
    assert!(why.contains("receipt email <a1@email.apple.com>"), "{why}");
}

#[tokio::test]
async fn amazon_digital_orders_monetary_sets_what_each_item_cost() {
    use spend_core::app::Spend;
    let spend = Spend::with(
        Arc::new(SqliteStore::in_memory().await.unwrap()),
        "sam",
        spend_core::vault::Keyring::generate(),
        Arc::new(blob_store::MemoryStore::new()),
    )
    .await
    .unwrap();
    let dir = fixture("digital-us");
    // Named before the items file: the amounts still find their orders.
    let done = spend
        .import_files(
            &[
                dir.join("Digital Orders Monetary.csv"),
                dir.join("Digital Items.csv"),
            ],
            &ImportOptions::default(),
        )
        .await;
    assert!(done.iter().all(|f| f.error.is_none()), "{done:?}");
    let formats: Vec<String> = done.iter().map(|f| f.format.unwrap().to_string()).collect();
    assert_eq!(
        formats,
        ["Amazon digital order amounts", "Amazon digital items"],
        "reported in the command's order"
    );
    let skipped = &done[0].outcome.as_ref().unwrap().skipped;
    assert!(
        skipped
            .iter()
            .any(|s| s.contains("1 items are in no stored digital order")
                && s.contains("EEEEEEEEEEEEEEEEEEEEEEEE")),
        "{skipped:?}"
    );
    let mut all = spend.user.orders(&OrderQuery::default()).await.unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let seen: Vec<(&str, time::Date, i64, i64)> = all
        .iter()
        .map(|o| {
            (
                o.id.as_str(),
                o.ordered_on,
                o.total.unwrap().minor(),
                o.charges[0].amount.minor(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            // 10.99 and 0.96 of sales tax that Digital Items does not show.
            ("D01-1111111-1111111", date!(2025 - 09 - 25), 1195, 1195),
            ("D01-2222222-2222222", date!(2025 - 10 - 02), 299, 299),
        ]
    );

    // Again, in either order: nothing changes.
    for paths in [
        [
            dir.join("Digital Items.csv"),
            dir.join("Digital Orders Monetary.csv"),
        ],
        [
            dir.join("Digital Orders Monetary.csv"),
            dir.join("Digital Items.csv"),
        ],
    ] {
        let again = spend.import_files(&paths, &ImportOptions::default()).await;
        for f in &again {
            let w = f.outcome.as_ref().unwrap().written;
            assert_eq!(w.orders.written(), 0, "{}: {w:?}", f.file);
        }
    }

    let orders_file = spend
        .import_files(&[dir.join("Digital Orders.csv")], &ImportOptions::default())
        .await;
    let skipped = &orders_file[0].outcome.as_ref().unwrap().skipped;
    assert!(
        skipped[0].contains("1 digital orders hold no amounts"),
        "recognised, nothing to store: {skipped:?}"
    );

    let bad = spend
        .import_files(
            &[dir.join("Digital Orders Monetary.bad-amount.csv")],
            &ImportOptions::default(),
        )
        .await;
    let err = bad[0].error.as_deref().unwrap();
    assert!(
        err.contains("Digital Orders Monetary.bad-amount.csv:4: column \"TransactionAmount\""),
        "{err}"
    );
}

/// Each format with one value broken (the fixture as read, one cell
/// changed): refused whole, the error naming the file, line and column.
#[tokio::test]
async fn every_format_refuses_a_broken_value_whole() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "Retail.OrdersReturned.Payments.1.csv",
            "\"19.99\"",
            "\"19,99.9\"",
            ":2: column \"AmountRefunded\"",
        ),
        (
            "amazon-items-report.csv",
            "$59.94,,",
            "$59.x4,,",
            ":2: column \"Item Total\"",
        ),
        (
            "amazon-orders-report.csv",
            "06/09/20,111",
            "13/45/20,111",
            ":4: column \"Order Date\"",
        ),
        (
            "amazon-refunds-report.csv",
            "$19.98",
            "$19..98",
            ":2: column \"Refund Amount\"",
        ),
        (
            "Digital Items.csv",
            "2026-10-03,1,4.99",
            "2026-10-03,1,4.9.9",
            ":3: column \"OurPrice\"",
        ),
        (
            "monzo.csv",
            "-26.50,GBP,-26.50",
            "-2x.50,GBP,-26.50",
            ":2: column \"Amount\"",
        ),
        (
            "starling.csv",
            "01/10/2026",
            "2026-10-01",
            ":2: column \"Date\"",
        ),
        ("barclays.csv", "999.00", "9x9.00", ":2: column \"Amount\""),
        ("revolut.csv", "-39.90", "-39.9.0", ":2: column \"Amount\""),
    ];
    let dir = std::env::temp_dir().join(format!("spend-history-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, from, to, want) in cases {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        assert!(text.contains(from), "{file} holds {from:?}");
        let path = dir.join(file);
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let u = user().await;
        let err = import(&u, &path, &ImportOptions::default())
            .await
            .unwrap_err();
        assert!(err.contains(&format!("{file}{want}")), "{file}: {err}");
        assert!(
            transactions(&u).await.is_empty() && orders(&u).await.is_empty(),
            "{file}: nothing of it stored"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
