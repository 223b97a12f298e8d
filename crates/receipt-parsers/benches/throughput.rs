//! Emails per second on one core over a realistic mix: every fixture, as an
//! HTML email padded with the markup real receipts carry (inline-styled
//! tables, recommendation blocks, legal footers) to 20-150 KB.
//!
//! `cargo bench -p receipt-parsers --bench throughput`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use receipt_parsers::Pipeline;

const ROUNDS: usize = 5;

/// Markup of the kind receipts are made of, repeated to reach `size` bytes.
fn padding(size: usize, seed: usize) -> String {
    let block = format!(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" width=\"100%\" style=\"border-collapse:collapse;mso-table-lspace:0pt\">\
         <tr><td style=\"padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#333333\">\
         <a href=\"https://www.example.com/recommendations?ref=email_{seed}&amp;utm_source=receipt\" style=\"color:#0066c0;text-decoration:none\">\
         Customers who bought this also bought: Example Product {seed}</a></td>\
         <td align=\"right\" style=\"padding:12px 24px;font-size:12px;color:#767676\">Rated 4.5 out of 5</td></tr></table>\n\
         <p style=\"font-size:11px;color:#999999;margin:0 24px\">This email was sent from a notification-only address that cannot accept incoming email. \
         Please do not reply to this message. Our privacy notice explains how we use your data.</p>\n"
    );
    block.repeat(size / block.len() + 1)
}

fn corpus() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [root.clone(), root.join("vendors")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let raw = std::fs::read(path).unwrap();
            let message = receipt_parsers::Email::parse(&raw).unwrap();
            let headers_end = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2)).unwrap();
            let headers: String = String::from_utf8_lossy(&raw[..headers_end])
                .lines()
                .filter(|l| !l.to_ascii_lowercase().starts_with("content-") && !l.is_empty())
                .map(|l| format!("{l}\r\n"))
                .collect();
            let body_html = message.html.clone().unwrap_or_else(|| format!("<pre>{}</pre>", message.text));
            // 20 KB to 150 KB, spread evenly over the corpus.
            let size = 20_000 + (i * 130_000) / files.len().max(1);
            let html = format!("<html><head><style>td{{font-family:Arial}}</style></head><body>{body_html}{}</body></html>", padding(size, i));
            format!("{headers}Content-Type: text/html; charset=UTF-8\r\n\r\n{html}").into_bytes()
        })
        .collect()
}

fn main() {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let pipeline = Pipeline::default();
    // Warm up lazily compiled patterns.
    for message in &corpus {
        pipeline.parse(message).unwrap();
    }
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut receipts = 0;
        for message in &corpus {
            let parsed = pipeline.parse(message).unwrap();
            receipts += usize::from(parsed.receipt.is_some());
        }
        std::hint::black_box(receipts);
        best = best.min(started.elapsed());
    }
    let per_second = corpus.len() as f64 / best.as_secs_f64();
    println!(
        "receipt-parsers: {} emails, {:.1} MB ({} KB average), one core, best of {ROUNDS}",
        corpus.len(),
        bytes as f64 / 1e6,
        bytes / corpus.len() / 1000
    );
    println!(
        "  {per_second:.0} emails/s, {:.1} MB/s (goal: 2,000 emails/s)",
        bytes as f64 / 1e6 / best.as_secs_f64()
    );
}
