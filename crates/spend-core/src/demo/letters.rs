//! The demo person's mail as vendors write it: receipts, dispatch notices,
//! marketing and personal mail, each an RFC 5322 message with the
//! `Authentication-Results` header Gmail's receiving server adds.

use std::fmt::Write as _;

use time::OffsetDateTime;

/// One message before it is written out.
pub(super) struct Letter {
    pub from_name: &'static str,
    pub from: String,
    pub subject: String,
    pub at: OffsetDateTime,
    pub message_id: String,
    pub text: String,
    pub html: Option<String>,
    /// Marketing: a `List-Unsubscribe` header, as bulk senders add.
    pub bulk: bool,
}

fn rfc2822(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    t.format(&format).unwrap_or_default()
}

impl Letter {
    /// The domain of the From address.
    fn domain(&self) -> &str {
        self.from.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The message's bytes. The sender's domain passes DKIM and DMARC, as
    /// Gmail's `mx.google.com` records it for mail that really came from it.
    pub fn render(&self) -> Vec<u8> {
        let domain = self.domain();
        let mut out = String::new();
        let _ = write!(
            out,
            "Delivered-To: alex@example.org\r\n\
             Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@{domain} header.s=s1 header.b=Qm3xZ1a;\r\n       spf=pass (google.com: domain of bounces@{domain} designates 192.0.2.10 as permitted sender) smtp.mailfrom=bounces@{domain};\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from={domain}\r\n\
             From: {} <{}>\r\n\
             To: Alex Example <alex@example.org>\r\n\
             Subject: {}\r\n\
             Date: {}\r\n\
             Message-ID: <{}>\r\n\
             MIME-Version: 1.0\r\n",
            self.from_name,
            self.from,
            self.subject,
            rfc2822(self.at),
            self.message_id,
        );
        if self.bulk {
            let _ = write!(
                out,
                "List-Unsubscribe: <https://{domain}/unsubscribe?u=7f3a>\r\nPrecedence: bulk\r\n"
            );
        }
        match &self.html {
            None => {
                let _ = write!(
                    out,
                    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
                    self.text
                );
            }
            Some(html) => {
                let boundary = format!("b-{}", self.message_id.len() * 7919);
                let _ = write!(
                    out,
                    "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
                     --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
                     --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n\
                     --{boundary}--\r\n",
                    self.text
                );
            }
        }
        out.into_bytes()
    }
}

/// Pence as `12.34`.
pub(super) fn pounds(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, (pence % 100).abs())
}

/// A table row of an HTML receipt.
pub(super) fn row(label: &str, value: &str) -> String {
    format!(
        "<tr><td style=\"padding:4px 0;color:#333\">{label}</td><td align=\"right\" style=\"padding:4px 0\">{value}</td></tr>"
    )
}

/// An HTML receipt's frame: a header, the rows, a footer.
pub(super) fn html(title: &str, rows: &[String], footer: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:Helvetica,Arial,sans-serif\"><table width=\"600\" align=\"center\">\
         <tr><td colspan=\"2\"><h1 style=\"font-size:22px\">{title}</h1></td></tr>{}\
         <tr><td colspan=\"2\" style=\"font-size:11px;color:#888\">{footer}</td></tr></table></body></html>",
        rows.concat()
    )
}
