//! The parts of a message the stages read, extracted once.

use mail_parser::{HeaderValue, MessageParser, PartType};
use time::Date;

/// Bodies longer than this are cut: receipts are far smaller, and it keeps
/// every stage bounded on hostile input.
pub const MAX_BODY: usize = 512 * 1024;

/// A message's headers and bodies, as the pipeline sees them.
#[derive(Debug, Clone, Default)]
pub struct Email {
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// The From address.
    pub from_address: Option<String>,
    /// The From display name.
    pub from_name: Option<String>,
    /// The From domain, lower case.
    pub from_domain: Option<String>,
    /// The subject.
    pub subject: String,
    /// The `Date` header's civil date.
    pub sent: Option<Date>,
    /// The text body (from the HTML when there is no text part).
    pub text: String,
    /// The HTML body, when there is one.
    pub html: Option<String>,
    /// `Authentication-Results` values, topmost first (the receiving
    /// server's own verdict is the topmost); `None` when absent. ARC's
    /// results are not among them: relays wrote those.
    pub auth_results: Option<Vec<String>>,
    /// `DKIM-Signature` domains (`d=`), when signed.
    pub dkim_domains: Vec<String>,
    /// Whether it carries `List-Unsubscribe` (bulk mail).
    pub bulk: bool,
    /// Whether this came from a bare HTML body, without headers.
    pub headerless: bool,
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_BODY {
        let mut at = MAX_BODY;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
    }
    text
}

impl Email {
    /// Parses raw RFC 5322 bytes. `None` when nothing that looks like a message is there.
    pub fn parse(bytes: &[u8]) -> Option<Email> {
        let message = MessageParser::default().parse(bytes)?;
        let from = message.from().and_then(|a| a.first());
        let from_address = from.and_then(|a| a.address()).map(str::to_owned);
        let mut auth = Vec::new();
        let mut dkim_domains = Vec::new();
        for (name, value) in message.headers_raw() {
            let lower = name.to_ascii_lowercase();
            if lower == "authentication-results" {
                auth.push(value.trim().to_owned());
            } else if lower == "dkim-signature"
                && let Some(d) = value
                    .split(';')
                    .find_map(|tag| tag.trim().strip_prefix("d="))
            {
                dkim_domains.push(d.trim().to_ascii_lowercase());
            }
        }
        let html = message.body_html(0).map(|h| cut(h.into_owned()));
        // A real text/plain part is used as is; otherwise (none, or an empty
        // one beside the HTML, as Venmo sends) the HTML is laid out as text.
        let text = match message.text_part(0).map(|p| &p.body) {
            Some(PartType::Text(text)) if !text.trim().is_empty() || html.is_none() => {
                cut(text.to_string())
            }
            _ => html
                .as_deref()
                .map(crate::html::to_text)
                .unwrap_or_default(),
        };
        let sent = message.date().and_then(|d| {
            Date::from_calendar_date(
                i32::from(d.year),
                time::Month::try_from(d.month).ok()?,
                d.day,
            )
            .ok()
        });
        Some(Email {
            message_id: message.message_id().map(str::to_owned),
            from_domain: from_address.as_deref().and_then(crate::domain::of_address),
            from_address,
            from_name: from.and_then(|a| a.name()).map(str::to_owned),
            subject: message.subject().unwrap_or_default().to_owned(),
            sent,
            text,
            html,
            auth_results: (!auth.is_empty()).then_some(auth),
            dkim_domains,
            bulk: !matches!(message.list_unsubscribe(), HeaderValue::Empty),
            headerless: false,
        })
    }

    /// A bare HTML body (no headers): the vendor is recognised from content.
    /// A body saved still quoted-printable (`=3D`, `=` at line ends) is
    /// decoded first.
    pub fn from_html(html: &str) -> Email {
        let html = cut(match quoted_printable(html) {
            Some(decoded) => decoded,
            None => html.to_owned(),
        });
        let text = crate::html::to_text(&html);
        let subject = headline(&html, &text);
        Email {
            subject,
            text,
            html: Some(html),
            headerless: true,
            ..Email::default()
        }
    }
}

/// `text` decoded from quoted-printable, when it plainly is: soft line
/// breaks (`=` at a line's end) and encoded `=` signs (`=3D`) together.
fn quoted_printable(text: &str) -> Option<String> {
    let soft_breaks = text.matches("=\n").count() + text.matches("=\r\n").count();
    if soft_breaks < 2 || !text.contains("=3D") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            match bytes.get(i + 1..i + 3) {
                Some([b'\r', b'\n']) => {
                    i += 3;
                    continue;
                }
                Some([b'\n', _]) | Some([b'\n']) => {
                    i += 2;
                    continue;
                }
                Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(hex(*h) * 16 + hex(*l));
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title")? + open_end;
    Some(html[open_end..end].trim().to_owned())
}

/// What stands for the subject of a body saved without headers: the
/// forwarded `Subject:` when the body opens with forwarded headers, else
/// the title with the body's opening lines ("Order Shipped", "An item from
/// your order was cancelled"), which say what the mail is about.
fn headline(html: &str, text: &str) -> String {
    let mut opening = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if let Some(subject) = opening
        .clone()
        .take(12)
        .find_map(|l| l.strip_prefix("Subject:"))
    {
        return subject.trim().to_owned();
    }
    let mut headline = title(html).unwrap_or_default();
    // Headings only: a sentence ("we'll let you know once it has
    // dispatched") is body, not what the mail is.
    // Separators and navigation crumbs ("|") say nothing; the heading may
    // follow a few links ("Amazon.co.jp" then "発送のお知らせ").
    let heading = |l: &&str| {
        let n = l.chars().count();
        n > 2 && n <= 80 && l.chars().any(char::is_alphanumeric)
    };
    for line in opening.by_ref().take(10).filter(heading).take(4) {
        headline.push('\n');
        headline.push_str(line);
    }
    headline
}
