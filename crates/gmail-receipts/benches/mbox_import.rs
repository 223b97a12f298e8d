//! Imports a large mbox (1 GiB by default) through the whole pipeline and
//! prints throughput and peak memory (VmHWM, the process's peak RSS).
//!
//! `cargo bench -p gmail-receipts --bench mbox_import`
//! (`MBOX_BENCH_MIB=4096` for a 4 GiB mbox; the file is kept in target/ and reused).
//!
//! The mix is a Takeout-like mailbox: every receipt fixture (including a PDF
//! invoice) between newsletters and photo mails with 100-300 KB attachments,
//! which is where most of a real mailbox's bytes are.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use gmail_receipts::Importer;
use gmail_receipts::sources::Mbox;

const GOAL_MIB: u64 = 200;

fn fixtures() -> Vec<Vec<u8>> {
    let crates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        "receipt-parsers/tests/fixtures",
        "receipt-parsers/tests/fixtures/vendors",
        "gmail-receipts/tests/fixtures",
    ] {
        for entry in std::fs::read_dir(crates.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A mail with a photo attached: `size` bytes of base64 from a cheap generator.
fn photo_mail(n: u64, size: usize) -> Vec<u8> {
    let mut state = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut body = Vec::with_capacity(size + size / 76 * 2);
    for i in 0..size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        body.push(B64[(state % 64) as usize]);
        if i % 76 == 75 {
            body.extend_from_slice(b"\r\n");
        }
    }
    let mut mail = format!(
        "From: Sam Example <sam@family.example>\r\nTo: alex@example.org\r\nSubject: Photos from the weekend ({n})\r\n\
         Date: Sat, 06 Apr 2024 18:00:00 +0000\r\nMessage-ID: <photo-{n}@family.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b{n}\"\r\n\r\n--b{n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Here are the photos from Saturday. From the top of the hill the view was lovely.\r\n--b{n}\r\n\
         Content-Type: image/jpeg; name=\"IMG_{n}.jpg\"\r\nContent-Disposition: attachment; filename=\"IMG_{n}.jpg\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    mail.extend_from_slice(&body);
    mail.extend_from_slice(format!("\r\n--b{n}--\r\n").as_bytes());
    mail
}

fn newsletter(n: u64) -> Vec<u8> {
    let block = "<tr><td style=\"padding:16px;font-family:Arial\"><h2>This week's picks</h2><p>New arrivals in garden, kitchen and books. \
                 Free delivery over £40. <a href=\"https://shop.example/picks?utm_source=newsletter\">Shop now</a></p></td></tr>\n";
    format!(
        "From: Example Shop <news@shop.example>\r\nTo: alex@example.org\r\nSubject: Spring sale: up to 50% off ({n})\r\n\
         Date: Mon, 08 Apr 2024 07:00:00 +0000\r\nMessage-ID: <news-{n}@shop.example>\r\nList-Unsubscribe: <https://shop.example/u>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><table>{}</table></body></html>\r\n",
        block.repeat(200 + (n % 200) as usize)
    )
    .into_bytes()
}

/// Writes `bytes` of mbox (mboxrd: body lines starting `From ` are quoted).
fn write_mbox(path: &Path, bytes: u64) -> std::io::Result<u64> {
    let fixtures = fixtures();
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut written = 0u64;
    let mut n = 0u64;
    while written < bytes {
        let message = match n % 4 {
            0 => photo_mail(n, 100_000 + (n as usize * 7919) % 200_000),
            1 => newsletter(n),
            _ => fixtures[(n as usize / 4 * 2 + n as usize % 2) % fixtures.len()].clone(),
        };
        let separator = b"From MAILER-DAEMON Sat Apr  6 18:00:00 2024\n";
        out.write_all(separator)?;
        written += separator.len() as u64;
        for line in message.split_inclusive(|b| *b == b'\n') {
            let quoted = line.iter().take_while(|b| **b == b'>').count();
            if line[quoted..].starts_with(b"From ") {
                out.write_all(b">")?;
                written += 1;
            }
            out.write_all(line)?;
            written += line.len() as u64;
        }
        out.write_all(b"\n")?;
        written += 1;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and
    // gets a small run, so the bench is compiled and exercised in CI cheaply.
    let benching = std::env::args().any(|a| a == "--bench");
    let mib: u64 = std::env::var("MBOX_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 1024 } else { 8 });
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-{mib}MiB.mbox"));
    let size = mib << 20;
    if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < size {
        eprintln!("writing a {mib} MiB mbox to {}", path.display());
        write_mbox(&path, size).expect("the mbox is written");
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    let before = peak_rss_kib();

    let mut importer = Importer::default();
    for message in Mbox::open(&path).unwrap() {
        match message {
            Ok(message) => {
                importer.import(&message);
            }
            Err(e) => importer.source_error(&e),
        }
    }
    let stats = importer.stats();
    let peak = peak_rss_kib();

    let secs = stats.elapsed.as_secs_f64();
    println!("mbox import: {} ({} MiB)", path.display(), bytes >> 20);
    println!(
        "  messages: {}  receipts: {}  pdf attachments: {}  errors: {:?}",
        stats.messages, stats.receipts, stats.pdfs, stats.errors
    );
    println!(
        "  throughput: {:.1} MiB/s, {:.0} messages/s ({secs:.1} s)",
        bytes as f64 / 1048576.0 / secs,
        stats.messages_per_second()
    );
    match (before, peak) {
        (Some(before), Some(peak)) => println!(
            "  peak RSS: {:.1} MiB (before import {:.1} MiB; goal < {GOAL_MIB} MiB): {}",
            peak as f64 / 1024.0,
            before as f64 / 1024.0,
            if peak / 1024 < GOAL_MIB {
                "met"
            } else {
                "NOT met"
            }
        ),
        _ => println!("  peak RSS: /proc/self/status is not readable here"),
    }
    assert_eq!(
        stats.errors.get("source"),
        None,
        "the generated mbox reads cleanly"
    );
}
