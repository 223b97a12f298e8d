//! `spend report`: where the money went, as tables, JSON or an HTML page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use spend_core::analytics::{HuquqInputs, Period, Report, ReportOptions};

use crate::table;

/// Arguments of `spend report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The period: YYYY, YYYY-MM, YYYY-Qn, FROM..TO, last-12-months,
    /// this-year or last-year.
    #[arg(long, default_value = "last-12-months")]
    period: String,
    /// The currency (default: the one most transactions are in).
    #[arg(long)]
    currency: Option<String>,
    /// How many merchants to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML page with charts to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Calculate Huqúqu'lláh with gold at this price per gram (in the report's currency).
    #[arg(long, value_name = "PRICE")]
    gold_price: Option<String>,
    /// Exempt purchases in the period (residence, needed furnishings).
    #[arg(long, value_name = "AMOUNT", requires = "gold_price")]
    exempt: Option<String>,
    /// Huqúqu'lláh already paid for the period.
    #[arg(long, value_name = "AMOUNT", requires = "gold_price")]
    paid: Option<String>,
    /// What the last calculation carried forward.
    #[arg(long, value_name = "AMOUNT", requires = "gold_price")]
    carried_in: Option<String>,
}

/// Runs `spend report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let spend = crate::store_app::open().await?;
        let today = time::OffsetDateTime::now_utc().date();
        let period = Period::parse(&args.period, today)?;
        let mut options = ReportOptions::new(period).top_merchants(args.top);
        if let Some(c) = &args.currency {
            options = options.currency(c);
        }
        let mut report = Report::build(spend.user.as_ref(), &options).await?;
        if let Some(price) = &args.gold_price {
            let minor = |flag: &str, v: &Option<String>| -> anyhow::Result<i64> {
                v.as_deref()
                    .map_or(Ok(0), |v| HuquqInputs::amount(flag, v, report.exponent))
                    .map_err(Into::into)
            };
            let inputs = HuquqInputs {
                gold_price_per_gram: HuquqInputs::amount("--gold-price", price, report.exponent)?,
                exempt: minor("--exempt", &args.exempt)?,
                paid: minor("--paid", &args.paid)?,
                carried_in: minor("--carried-in", &args.carried_in)?,
            };
            report = report.with_huquq(&inputs)?;
        }
        if let Some(path) = &args.html {
            std::fs::write(path, report.to_html())
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        let mut out = std::io::stdout().lock();
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            print(&mut out, &report)?;
        }
        Ok(())
    })
}

/// `12.34` in a currency with `exponent` decimals, exactly (more decimals are refused).
fn money(minor: i64, exponent: u8) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let size = minor.unsigned_abs();
    let unit = 10_u64.pow(u32::from(exponent));
    let whole = (size / unit).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match exponent {
        0 => format!("{sign}{grouped}"),
        e => format!(
            "{sign}{grouped}.{:0width$}",
            size % unit,
            width = usize::from(e)
        ),
    }
}

fn print(out: &mut impl Write, r: &Report) -> anyhow::Result<()> {
    let m = |v: i64| money(v, r.exponent);
    writeln!(out, "{} ({})", r.title, r.currency)?;
    let net = r.income - r.spending;
    writeln!(
        out,
        "income {}  spending {}  net {}",
        m(r.income),
        m(r.spending),
        m(net)
    )?;
    if !r.other_currencies.is_empty() {
        writeln!(
            out,
            "also in {} (use --currency)",
            r.other_currencies.join(", ")
        )?;
    }
    let months = r.months.len().max(1) as i64;
    writeln!(out, "\nBy category")?;
    let rows: Vec<Vec<String>> = r
        .categories
        .iter()
        .map(|c| {
            let share = if r.spending > 0 {
                100.0 * c.total as f64 / r.spending as f64
            } else {
                0.0
            };
            vec![
                c.category.clone(),
                m(c.total),
                m(c.total / months),
                format!("{share:.1}%"),
            ]
        })
        .collect();
    table::print(
        out,
        &["CATEGORY", "TOTAL", "PER MONTH", "SHARE"],
        &rows,
        &["TOTAL", "PER MONTH", "SHARE"],
    )?;

    writeln!(out, "\nTop merchants")?;
    let rows: Vec<Vec<String>> = r
        .top_merchants
        .iter()
        .map(|t| vec![t.merchant.clone(), m(t.total), t.count.to_string()])
        .collect();
    table::print(
        out,
        &["MERCHANT", "TOTAL", "PAYMENTS"],
        &rows,
        &["TOTAL", "PAYMENTS"],
    )?;

    writeln!(out, "\nMonth by month")?;
    let rows: Vec<Vec<String>> = r
        .income_spending
        .iter()
        .zip(&r.essential_by_month)
        .map(|(f, e)| {
            vec![
                f.month.clone(),
                m(f.income),
                m(f.spending),
                m(e.essential),
                m(e.discretionary),
                m(e.unclassified),
            ]
        })
        .collect();
    table::print(
        out,
        &[
            "MONTH",
            "INCOME",
            "SPENDING",
            "ESSENTIAL",
            "DISCRETIONARY",
            "UNCLASSIFIED",
        ],
        &rows,
        &[
            "INCOME",
            "SPENDING",
            "ESSENTIAL",
            "DISCRETIONARY",
            "UNCLASSIFIED",
        ],
    )?;

    if let Some(first) = r.trends.first() {
        writeln!(out, "\n{} against the month before", first.month)?;
        let rows: Vec<Vec<String>> = r
            .trends
            .iter()
            .take(5)
            .map(|t| {
                vec![
                    t.category.clone(),
                    m(t.previous),
                    m(t.last),
                    t.change_percent
                        .map_or("new".to_owned(), |p| format!("{p:+.0}%")),
                ]
            })
            .collect();
        table::print(
            out,
            &["CATEGORY", "BEFORE", "LAST", "CHANGE"],
            &rows,
            &["BEFORE", "LAST", "CHANGE"],
        )?;
    }

    writeln!(out, "\nRecurring payments")?;
    let rows: Vec<Vec<String>> = r
        .recurring
        .iter()
        .map(|p| {
            vec![
                p.merchant.clone(),
                p.cadence.clone(),
                m(p.amount),
                m(p.monthly_equivalent),
                p.next_date.clone().unwrap_or_default(),
                p.source.clone(),
            ]
        })
        .collect();
    table::print(
        out,
        &["PAYEE", "EVERY", "AMOUNT", "PER MONTH", "NEXT", "FROM"],
        &rows,
        &["AMOUNT", "PER MONTH"],
    )?;

    if let Some(h) = &r.huququllah {
        writeln!(
            out,
            "\nHuqúqu'lláh (gold at {} a gram)",
            m(h.gold_price_per_gram)
        )?;
        let rows: Vec<Vec<String>> = h
            .lines
            .iter()
            .map(|l| {
                let amount = if l.label == "Whole units" {
                    l.amount.to_string()
                } else {
                    m(l.amount)
                };
                vec![l.label.clone(), amount, l.note.clone()]
            })
            .collect();
        table::print(out, &["", "AMOUNT", "HOW"], &rows, &["AMOUNT"])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_and_parse_exactly() {
        assert_eq!(money(123_456_789, 2), "1,234,567.89");
        assert_eq!(money(-5, 2), "-0.05");
        assert_eq!(money(1_000, 0), "1,000");
        assert_eq!(money(1_234, 3), "1.234");
    }
}
