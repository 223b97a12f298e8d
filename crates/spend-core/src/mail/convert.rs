//! The receipt pipeline's result in the domain model.

use receipt_parsers::Parsed;
use time::OffsetDateTime;

use crate::model::{Currency, Money, Receipt};

fn money(m: &receipt_parsers::Money) -> Option<Money> {
    let currency = Currency::new(m.currency.0).ok()?;
    Money::from_decimal(m.amount, currency).ok()
}

/// The pipeline's kind as stored (`receipt`, `refund`, `marketing`, ...).
pub(crate) fn kind_name(parsed: &Parsed) -> String {
    serde_json::to_value(parsed.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", parsed.kind).to_lowercase())
}

/// What the pipeline read from one email, as a [`Receipt`] row.
pub(crate) fn receipt(mailbox: &str, message_id: &str, parsed: &Parsed) -> Receipt {
    let r = parsed.receipt.as_ref();
    Receipt {
        mailbox: mailbox.to_owned(),
        message_id: message_id.to_owned(),
        kind: kind_name(parsed),
        vendor: r.and_then(|r| r.vendor.clone()),
        merchant: r.and_then(|r| r.merchant.as_ref()).map(|f| f.value.clone()),
        date: r
            .and_then(|r| r.date.as_ref())
            .map(|f| f.value)
            .or(parsed.sent),
        total: r
            .and_then(|r| r.total.as_ref())
            .and_then(|f| money(&f.value)),
        order_ids: r
            .map(|r| r.order_id_values().into_iter().map(str::to_owned).collect())
            .unwrap_or_default(),
        parsed: serde_json::to_value(parsed).unwrap_or(serde_json::Value::Null),
    }
}

/// When the message was received (the source's date) or, failing that, sent.
pub(crate) fn email_date(internal_ms: Option<i64>, parsed: &Parsed) -> Option<OffsetDateTime> {
    internal_ms
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .or_else(|| parsed.sent.map(|d| d.midnight().assume_utc()))
}
