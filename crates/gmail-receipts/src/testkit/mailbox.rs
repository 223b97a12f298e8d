//! A generated mailbox: receipts from known vendors, a PDF invoice now and
//! then, newsletters and personal mail. Every name and number is invented.

use base64::Engine;
use mail_parser::MimeHeaders;

/// One message of the simulated mailbox.
#[derive(Debug, Clone)]
pub struct SimMessage {
    /// Gmail-style id (16 hex digits).
    pub id: String,
    /// Its thread id.
    pub thread_id: String,
    /// The history id that added it.
    pub history_id: u64,
    /// Milliseconds since the epoch.
    pub internal_date: i64,
    /// Labels.
    pub labels: Vec<String>,
    /// The From domain.
    pub from_domain: String,
    /// The subject.
    pub subject: String,
    /// The RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// Attachments (file name, MIME type, bytes), also inside `raw`.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// A message for the simulator's mailbox, as a test or demo writes it
/// (see [`SimConfig::mailbox`](super::SimConfig::mailbox)).
#[derive(Debug, Clone)]
pub struct SimMail {
    /// When Gmail received it, in milliseconds since the epoch.
    pub internal_date: i64,
    /// Gmail's labels (`INBOX`, `CATEGORY_PROMOTIONS`, ...).
    pub labels: Vec<String>,
    /// The RFC 5322 bytes.
    pub raw: Vec<u8>,
}

impl SimMail {
    /// The message as the simulator serves it: the `n`th of the mailbox
    /// (which sets its Gmail id and history id), its From domain, subject and
    /// attachments read from `raw`.
    pub(crate) fn into_message(self, n: usize) -> SimMessage {
        let parsed = mail_parser::MessageParser::default().parse(&self.raw);
        let from_domain = parsed
            .as_ref()
            .and_then(|m| m.from())
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        let subject = parsed
            .as_ref()
            .and_then(|m| m.subject())
            .unwrap_or_default()
            .to_owned();
        let attachments = parsed
            .as_ref()
            .map(|m| {
                m.attachments()
                    .map(|a| {
                        (
                            a.attachment_name().unwrap_or("attachment").to_owned(),
                            a.content_type()
                                .map(|c| match c.subtype() {
                                    Some(sub) => format!("{}/{sub}", c.ctype()),
                                    None => c.ctype().to_owned(),
                                })
                                .unwrap_or_else(|| "application/octet-stream".to_owned()),
                            a.contents().to_vec(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let id = format!("{:016x}", 0x18c0_0000_0000_0000u64 + (n as u64) * 7919);
        SimMessage {
            thread_id: id.clone(),
            id,
            history_id: 1000 + n as u64 * 3,
            internal_date: self.internal_date,
            labels: self.labels,
            from_domain,
            subject,
            raw: self.raw,
            attachments,
        }
    }
}

struct Shop {
    name: &'static str,
    domain: &'static str,
    subject: &'static str,
    currency: &'static str,
}

const SHOPS: &[Shop] = &[
    Shop {
        name: "Amazon.co.uk",
        domain: "amazon.co.uk",
        subject: "Your Amazon.co.uk order #{order}",
        currency: "£",
    },
    Shop {
        name: "Uber",
        domain: "uber.com",
        subject: "Your Tuesday evening trip with Uber",
        currency: "£",
    },
    Shop {
        name: "Deliveroo",
        domain: "deliveroo.co.uk",
        subject: "Your order's in the kitchen",
        currency: "£",
    },
    Shop {
        name: "Trainline",
        domain: "thetrainline.com",
        subject: "Your booking confirmation {order}",
        currency: "£",
    },
    Shop {
        name: "Netflix",
        domain: "netflix.com",
        subject: "Your Netflix receipt",
        currency: "£",
    },
    Shop {
        name: "Steam",
        domain: "steampowered.com",
        subject: "Thank you for your Steam purchase!",
        currency: "£",
    },
];

/// A one-page PDF with `lines` of Helvetica text (valid xref).
pub fn pdf(lines: &[String]) -> Vec<u8> {
    let mut stream = String::from("BT /F1 11 Tf 72 760 Td 14 TL\n");
    for line in lines {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        stream.push_str(&format!("({escaped}) Tj T*\n"));
    }
    stream.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn rfc2822(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    t.format(&format).unwrap_or_default()
}

fn wrap76(data: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    b64.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Generates `count` messages from `seed`, oldest first, one a few hours
/// apart ending at `now_ms`; about a third are receipts and one in 25 carries
/// a PDF invoice.
pub fn generate(count: usize, seed: u64, now_ms: i64) -> Vec<SimMessage> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let step_ms = 3 * 3600 * 1000;
    let start = now_ms - step_ms * count as i64;
    (0..count)
        .map(|n| {
            let date_ms = start + step_ms * n as i64 + rng.i64(0..step_ms / 2);
            let id = format!("{:016x}", 0x18c0_0000_0000_0000u64 + (n as u64) * 7919 + rng.u64(0..7000));
            let date = rfc2822(date_ms);
            let kind = n % 25;
            let (from_name, domain, subject, body, attachments) = if kind == 24 {
                let invoice = format!("NWH-{}-{:04}", 2024 + n % 2, n);
                let amount = format!("{}.{:02}", rng.u32(5..200), rng.u32(0..100));
                let text = vec![
                    "Northwind Hosting Ltd".to_owned(),
                    "INVOICE".to_owned(),
                    format!("Invoice number: {invoice}"),
                    format!("Total due: GBP {amount}"),
                ];
                (
                    "Northwind Hosting Billing".to_owned(),
                    "northwind-hosting.example".to_owned(),
                    format!("Your invoice {invoice}"),
                    "Hi,\r\n\r\nYour invoice is attached as a PDF.\r\n".to_owned(),
                    vec![(format!("{invoice}.pdf"), "application/pdf".to_owned(), pdf(&text))],
                )
            } else if kind % 3 == 0 {
                let shop = &SHOPS[rng.usize(..SHOPS.len())];
                let order = format!("{:03}-{:07}-{:07}", rng.u32(100..999), rng.u32(0..9_999_999), rng.u32(0..9_999_999));
                let total = format!("{}{}.{:02}", shop.currency, rng.u32(3..300), rng.u32(0..100));
                (
                    shop.name.to_owned(),
                    shop.domain.to_owned(),
                    shop.subject.replace("{order}", &order),
                    format!(
                        "Hello Alex,\r\n\r\nThank you for your order.\r\n\r\nOrder #{order}\r\n1 x Example item {n}  {total}\r\n\r\nOrder total: {total}\r\n\r\n{}\r\n",
                        shop.name
                    ),
                    Vec::new(),
                )
            } else if kind % 3 == 1 {
                (
                    "Garden Weekly".to_owned(),
                    "news.garden-weekly.example".to_owned(),
                    format!("Spring planting guide, issue {n}"),
                    "This week: tomatoes, seed trays and a 20% off code for subscribers.\r\n".to_owned(),
                    Vec::new(),
                )
            } else {
                (
                    "Sam Example".to_owned(),
                    "family.example".to_owned(),
                    format!("Plans for the weekend ({n})"),
                    "Shall we meet at the station at ten? From there it's a short walk.\r\n".to_owned(),
                    Vec::new(),
                )
            };
            let headers = format!(
                "From: {from_name} <noreply@{domain}>\r\nTo: Alex Example <alex@example.org>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@{domain}>\r\nMIME-Version: 1.0\r\n"
            );
            let raw = if attachments.is_empty() {
                format!("{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}").into_bytes()
            } else {
                let mut raw = format!(
                    "{headers}Content-Type: multipart/mixed; boundary=\"sim{n}\"\r\n\r\n--sim{n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
                );
                for (name, mime, bytes) in &attachments {
                    raw.push_str(&format!(
                        "--sim{n}\r\nContent-Type: {mime}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                        wrap76(bytes)
                    ));
                }
                raw.push_str(&format!("--sim{n}--\r\n"));
                raw.into_bytes()
            };
            SimMessage {
                thread_id: id.clone(),
                id,
                history_id: 1000 + n as u64 * 3,
                internal_date: date_ms,
                labels: vec!["INBOX".into(), if kind % 3 == 1 { "CATEGORY_PROMOTIONS".into() } else { "CATEGORY_UPDATES".into() }],
                from_domain: domain,
                subject,
                raw,
                attachments,
            }
        })
        .collect()
}
