//! Importing a large Amazon order history: a 100,000-row
//! `Retail.OrderHistory.1.csv` in the export's own layout (BOM, every field
//! quoted, `Not Available` placeholders, text-guarded discounts, orders of
//! one to four items over one or two shipments) read and stored into a
//! SQLite file as `spend import` does. Prints its figures.
//!
//! `cargo bench -p spend-core --bench history_import` (`HISTORY_BENCH_ROWS` to change the count).

use std::io::Write;
use std::time::Instant;

use std::sync::Arc;

use spend_core::app::Spend;
use spend_core::sources::files::ImportOptions;
use spend_core::store::{SqliteStore, Store};
use spend_core::vault::Keyring;

const HEADER: &str = "\"Website\",\"Order ID\",\"Order Date\",\"Purchase Order Number\",\"Currency\",\"Unit Price\",\"Unit Price Tax\",\"Shipping Charge\",\"Total Discounts\",\"Total Owed\",\"Shipment Item Subtotal\",\"Shipment Item Subtotal Tax\",\"ASIN\",\"Product Condition\",\"Quantity\",\"Payment Instrument Type\",\"Order Status\",\"Shipment Status\",\"Ship Date\",\"Shipping Option\",\"Shipping Address\",\"Billing Address\",\"Carrier Name & Tracking Number\",\"Product Name\",\"Gift Message\",\"Gift Sender Name\",\"Gift Recipient Contact Details\",\"Item Serial Number\"";

/// Writes `rows` item rows; returns the number of orders.
fn write_history(path: &std::path::Path, rows: usize) -> usize {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"\xEF\xBB\xBF").unwrap();
    writeln!(out, "{HEADER}").unwrap();
    let address = "SAM EXAMPLE 1 SAMPLE ROAD LEEDS LS1 1AA United Kingdom";
    let (mut row, mut order) = (0, 0);
    while row < rows {
        order += 1;
        let items = 1 + order % 4;
        let day = 1 + order % 28;
        let month = 1 + (order / 28) % 12;
        for item in 0..items.min(rows - row) {
            let price = 100 + (order * 37 + item * 11) % 9000;
            let shipment = item % 2;
            let discount = if item == 0 && order % 7 == 0 {
                "'-0.68'"
            } else {
                "0"
            };
            writeln!(
                out,
                "\"Amazon.co.uk\",\"202-{order:07}-0000001\",\"2025-{month:02}-{day:02}T10:{:02}:00Z\",\"Not Applicable\",\"GBP\",\"{}.{:02}\",\"0\",\"0\",\"{discount}\",\"{}.{:02}\",\"Not Available\",\"Not Available\",\"B0{order:08}\",\"New\",\"1\",\"Visa - 1234\",\"Closed\",\"Shipped\",\"2025-{month:02}-{day:02}T2{shipment}:16:56Z\",\"std-uk\",\"{address}\",\"{address}\",\"AMZN_GB(QA{order:08}{shipment})\",\"Item {item} of order {order}, a product name with, commas\",\"Not Available\",\"Not Available\",\"Not Available\",\"Not Available\"",
                order % 60,
                price / 100,
                price % 100,
                price / 100,
                price % 100,
            )
            .unwrap();
            row += 1;
        }
    }
    out.flush().unwrap();
    order
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent: keep that a smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let rows: usize = std::env::var("HISTORY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 2_000 });
    let dir = std::env::temp_dir().join(format!("spend-history-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("Retail.OrderHistory.1.csv");
    let orders = write_history(&path, rows);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // What `spend import` does: the file kept by content in the blob
        // folder, read, and its rows stored in one transaction.
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.join("spend.db")).await.unwrap());
        let blobs = Arc::new(blob_store::LocalStore::new(dir.join("blobs")));
        let spend = Spend::with(store, "bench", Keyring::generate(), blobs).await.unwrap();
        let started = Instant::now();
        let done = spend.import_files(std::slice::from_ref(&path), &ImportOptions::default()).await;
        let total = started.elapsed();
        let outcome = done[0].outcome.as_ref().unwrap_or_else(|| panic!("{:?}", done[0].error));
        let stored = outcome.written.orders.inserted;
        let read = total - outcome.elapsed;
        assert_eq!(stored as usize, orders);
        println!(
            "amazon order history: {rows} rows ({orders} orders) kept and read in {:.0} ms, stored in {:.0} ms: {:.2} s in all, {:.0} rows/s (goal < 2 s for 100,000 rows)",
            read.as_secs_f64() * 1000.0,
            outcome.elapsed.as_secs_f64() * 1000.0,
            total.as_secs_f64(),
            rows as f64 / total.as_secs_f64()
        );
    });
    std::fs::remove_dir_all(&dir).ok();
}
