//! `spend parse`: receipt emails to JSON lines or a table.

use std::io::Write;
use std::path::PathBuf;

use receipt_parsers::{Field, Money, Parsed, Pipeline};
use serde_json::{Value, json};

use crate::sources::{Item, items};

/// Arguments of `spend parse`.
#[derive(clap::Args)]
pub struct Args {
    /// Files and directories to parse.
    paths: Vec<PathBuf>,
    /// One JSON object per message, one per line (the stable contract).
    #[arg(long)]
    json: bool,
    /// List the registered vendor parsers instead.
    #[arg(long)]
    vendors: bool,
}

fn money(m: &Option<Field<Money>>) -> Value {
    m.as_ref().map_or(
        Value::Null,
        |f| json!({"amount": f.value.amount.to_string(), "currency": f.value.currency.0}),
    )
}

fn rounded(confidence: f32) -> f64 {
    (f64::from(confidence) * 100.0).round() / 100.0
}

/// Where a field came from: its stage and confidence (`null` when absent).
fn stage<T>(field: Option<&Field<T>>) -> Value {
    field.map_or(
        Value::Null,
        |f| json!({"stage": f.source, "confidence": rounded(f.confidence)}),
    )
}

/// The JSON contract for one parsed message.
pub fn to_json(source: &str, parsed: &Parsed) -> Value {
    let receipt = parsed.receipt.as_ref().map_or(Value::Null, |r| {
        let items: Vec<Value> = r
            .line_items
            .iter()
            .map(|i| {
                let m = |m: &Option<Money>| m.map_or(Value::Null, |m| json!({"amount": m.amount.to_string(), "currency": m.currency.0}));
                json!({"description": i.description, "quantity": i.quantity, "unit_price": m(&i.unit_price), "total": m(&i.total)})
            })
            .collect();
        json!({
            "vendor": r.vendor,
            "merchant": r.merchant.as_ref().map(|m| m.value.clone()),
            "order_ids": r.order_id_values(),
            "date": r.date.as_ref().map(|d| d.value.to_string()),
            "total": money(&r.total),
            "subtotal": money(&r.subtotal),
            "tax": money(&r.tax),
            "shipping": money(&r.shipping),
            "discount": money(&r.discount),
            "payment_method": r.payment_method,
            "refund_of": r.refund_of,
            "vendor_registered": r.vendor_registered,
            "line_items": items,
            "method": r.method(),
            // Two decimals: the f32 behind it would print as 0.949999988.
            "confidence": rounded(r.confidence()),
            // Each field's stage and confidence.
            "fields": {
                "merchant": stage(r.merchant.as_ref()),
                "order_ids": r.order_ids.iter().map(|f| json!({"value": f.value, "stage": f.source, "confidence": rounded(f.confidence)})).collect::<Vec<_>>(),
                "date": stage(r.date.as_ref()),
                "total": stage(r.total.as_ref()),
                "subtotal": stage(r.subtotal.as_ref()),
                "tax": stage(r.tax.as_ref()),
                "shipping": stage(r.shipping.as_ref()),
                "discount": stage(r.discount.as_ref()),
            },
        })
    });
    json!({
        "source": source,
        "message_id": parsed.message_id,
        "from": parsed.from,
        "subject": parsed.subject,
        "kind": parsed.kind,
        "reason": parsed.reason,
        "sender_verified": parsed.sender_verified,
        "receipt": receipt,
    })
}

fn row(v: &Value) -> [String; 6] {
    let s = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_default();
    let r = &v["receipt"];
    let total = if r["total"].is_null() {
        String::new()
    } else {
        format!(
            "{} {}",
            s(&r["total"]["amount"]),
            s(&r["total"]["currency"])
        )
    };
    let source = s(&v["source"]);
    let short = source.rsplit('/').next().unwrap_or(&source).to_owned();
    [
        short,
        s(&v["kind"]),
        s(&r["merchant"]),
        s(&r["date"]),
        total,
        r["order_ids"][0].as_str().unwrap_or("").to_owned(),
    ]
}

fn print_table(rows: &[Value], out: &mut impl Write) -> std::io::Result<()> {
    let header = ["SOURCE", "KIND", "MERCHANT", "DATE", "TOTAL", "ORDER"].map(str::to_owned);
    let cells: Vec<[String; 6]> = std::iter::once(header)
        .chain(rows.iter().map(|v| {
            if let Some(e) = v["error"].as_str() {
                let source = v["source"].as_str().unwrap_or_default();
                [
                    source.to_owned(),
                    "error".into(),
                    e.to_owned(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            } else {
                row(v)
            }
        }))
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .min(40)
        })
        .collect();
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", c.chars().take(*w).collect::<String>(), w = w))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

/// Runs `spend parse`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let pipeline = Pipeline::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.vendors {
        for v in pipeline.registry().vendors() {
            writeln!(
                out,
                "{:<18} {:<20} {}",
                v.key,
                v.name,
                if v.platform {
                    format!("platform: {}", v.markers.join(", "))
                } else {
                    v.domains.join(", ")
                }
            )?;
        }
        return Ok(());
    }
    anyhow::ensure!(
        !args.paths.is_empty(),
        "give files or directories to parse (or --vendors)"
    );
    // One message in memory at a time: JSON lines are written as they come;
    // the table keeps only its short cells.
    let mut rows: Vec<Value> = Vec::new();
    let (mut read, mut failed) = (0usize, 0usize);
    for item in items(&args.paths) {
        read += 1;
        let value = match item {
            Item::Message { source, bytes } => match pipeline.parse(&bytes) {
                Ok(parsed) => to_json(&source, &parsed),
                Err(e) => json!({"source": source, "error": e.to_string()}),
            },
            Item::Html { source, html } => to_json(&source, &pipeline.parse_html(&html)),
            Item::Unreadable { source, error } => json!({"source": source, "error": error}),
        };
        if value.get("error").is_some() {
            failed += 1;
        }
        if args.json {
            writeln!(out, "{value}")?;
        } else {
            rows.push(summary(&value));
        }
    }
    if !args.json {
        print_table(&rows, &mut out)?;
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {read} inputs could not be read or parsed (marked error above)"
    );
    Ok(())
}

/// What the table shows of a result (not its line items or fields' stages).
fn summary(value: &Value) -> Value {
    if value.get("error").is_some() {
        return value.clone();
    }
    let r = &value["receipt"];
    json!({
        "source": value["source"],
        "kind": value["kind"],
        "receipt": {
            "merchant": r["merchant"],
            "date": r["date"],
            "total": r["total"],
            "order_ids": r["order_ids"].as_array().and_then(|o| o.first()).map(|o| vec![o.clone()]),
        },
    })
}
