//! `spend import FILE...` for history files: each file recognised from its
//! content and stored whole or not at all; a table (or JSON) of what each
//! did, and the errors with their file, line and column.

use std::io::Write;
use std::path::PathBuf;

use spend_core::sources::files::ImportOptions;

use crate::table;

/// Imports `paths`; returns whether every file imported.
pub fn run(paths: &[String], options: &ImportOptions, json: bool) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let spend = crate::store_app::open().await?;
        let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        let done = spend.import_files(&paths, options).await;
        let ok = done.iter().all(|f| f.error.is_none());
        let mut out = std::io::stdout().lock();
        if json {
            writeln!(out, "{}", serde_json::to_string_pretty(&done)?)?;
            for f in done.iter().filter_map(|f| f.error.as_ref()) {
                eprintln!("error: {f}");
            }
            return Ok(ok);
        }
        let mut rows = Vec::new();
        for f in &done {
            let format = match (&f.format, &f.variant) {
                (Some(format), Some(v)) => format!("{format} ({v})"),
                (Some(format), None) => format.to_string(),
                (None, _) => "-".into(),
            };
            match (&f.outcome, &f.error) {
                (Some(o), _) => {
                    let w = &o.written;
                    let kinds = [w.accounts, w.transactions, w.orders, w.apple_purchases];
                    let sum = |g: fn(&spend_core::store::Upserted) -> u64| {
                        kinds.iter().map(g).sum::<u64>()
                    };
                    rows.push(vec![
                        f.file.clone(),
                        format,
                        w.transactions.written().to_string()
                            + " / "
                            + &(w.transactions.written() + w.transactions.unchanged).to_string(),
                        (w.orders.written() + w.orders.unchanged).to_string(),
                        sum(|u| u.inserted).to_string(),
                        sum(|u| u.updated).to_string(),
                        sum(|u| u.unchanged).to_string(),
                        o.skipped.len().to_string(),
                    ]);
                    for s in &o.skipped {
                        eprintln!("passed over: {s}");
                    }
                }
                (None, e) => {
                    rows.push(vec![
                        f.file.clone(),
                        format,
                        "failed".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                    eprintln!("error: {}", e.as_deref().unwrap_or("failed"));
                }
            }
        }
        table::print(
            &mut out,
            &[
                "FILE",
                "FORMAT",
                "TRANSACTIONS (NEW / IN FILE)",
                "ORDERS",
                "NEW",
                "UPDATED",
                "UNCHANGED",
                "PASSED OVER",
            ],
            &rows,
            &["ORDERS", "NEW", "UPDATED", "UNCHANGED", "PASSED OVER"],
        )?;
        Ok(ok)
    })
}
