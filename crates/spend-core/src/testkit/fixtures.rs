//! Records for the checks: one of every kind, with every field set.

use serde_json::json;
use time::macros::{date, datetime};

use crate::model::*;

pub(crate) fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

pub(crate) fn account() -> Account {
    Account {
        source: "truelayer".into(),
        id: "acc-1".into(),
        kind: AccountKind::Other("savings-pot".into()),
        currency: Currency::GBP,
        name: Some("Current account".into()),
        provider: Some("Monzo".into()),
        number_hint: Some("****1234".into()),
        balance: Some(gbp(123_456)),
        raw: Some(json!({"account_type": "TRANSACTION", "unmapped": {"x": [1, 2]}})),
    }
}

pub(crate) fn transaction(id: &str, day: time::Date, minor: i64, description: &str) -> Transaction {
    Transaction {
        source: "truelayer".into(),
        account_id: "acc-1".into(),
        id: id.into(),
        status: TransactionStatus::Booked,
        date: day,
        timestamp: Some(datetime!(2026-03-02 10:15:30 UTC)),
        amount: gbp(minor),
        description: description.into(),
        merchant: None,
        category: None,
        provider_id: Some(format!("prov-{id}")),
        running_balance: Some(gbp(100_000)),
        raw: Some(
            json!({"transaction_classification": ["Shopping"], "meta": {"provider_category": "POS"}}),
        ),
    }
}

pub(crate) fn order() -> Order {
    Order {
        source: "sp-api".into(),
        id: "205-1234567-7654321".into(),
        ordered_on: date!(2026 - 03 - 01),
        ordered_at: Some(datetime!(2026-03-01 09:00 UTC)),
        merchant: "Amazon".into(),
        status: Some("Shipped".into()),
        total: Some(gbp(2497)),
        items: vec![OrderItem {
            title: "USB-C cable".into(),
            quantity: 2,
            unit_price: Some(gbp(999)),
            total: Some(gbp(1998)),
            item_id: Some("B0TESTASIN".into()),
            category: Some("electronics".into()),
        }],
        shipments: vec![Shipment {
            id: Some("ship-1".into()),
            shipped_on: Some(date!(2026 - 03 - 02)),
            status: Some("Delivered".into()),
            items: vec!["B0TESTASIN".into()],
        }],
        charges: vec![Charge {
            charged_on: date!(2026 - 03 - 02),
            amount: gbp(2497),
            method: Some("Visa ending in 1234".into()),
            reference: None,
        }],
        raw: Some(json!({"OrderStatus": "Shipped", "IsPrime": true})),
    }
}

pub(crate) fn mandate() -> Mandate {
    let mut m = Mandate::new(
        "truelayer",
        "acc-1",
        "004ea8ce16b6ff57090b7bf8c7b483a1",
        MandateKind::DirectDebit,
        "EE",
    );
    m.reference = Some("EE-4471".into());
    m.status = Some("Active".into());
    m.previous_on = Some(date!(2026 - 02 - 15));
    m.previous_amount = Some(Money::new(2500, Currency::GBP));
    m.raw = Some(serde_json::json!({"direct_debit_id": "004ea8ce16b6ff57090b7bf8c7b483a1"}));
    m
}

pub(crate) fn apple() -> ApplePurchase {
    ApplePurchase {
        order_id: "MT2Q8X9Z1B".into(),
        purchased_on: date!(2026 - 02 - 14),
        total: Some(Money::new(299, Currency::USD)),
        items: vec![OrderItem {
            title: "iCloud+ 200 GB".into(),
            quantity: 1,
            ..OrderItem::default()
        }],
        raw: None,
    }
}

pub(crate) fn email(message_id: &str) -> Email {
    Email {
        mailbox: "gmail:alex@example.org".into(),
        message_id: message_id.into(),
        source_id: "18c2f0a1b2".into(),
        from: Some("Amazon.co.uk <auto-confirm@amazon.co.uk>".into()),
        subject: Some("Your Amazon.co.uk order".into()),
        date: Some(datetime!(2026-03-01 09:01:02 UTC)),
        raw_key: "mail/sha256/ab/cd/abcd.eml.gz".into(),
        raw_size: 48_213,
        raw_sha256: "ab".repeat(32),
        labels: vec!["INBOX".into(), "CATEGORY_UPDATES".into()],
    }
}

pub(crate) fn receipt(message_id: &str) -> Receipt {
    Receipt {
        mailbox: "gmail:alex@example.org".into(),
        message_id: message_id.into(),
        kind: "receipt".into(),
        vendor: Some("amazon".into()),
        merchant: Some("Amazon".into()),
        date: Some(date!(2026 - 03 - 01)),
        total: Some(gbp(2497)),
        order_ids: vec!["205-1234567-7654321".into()],
        parsed: json!({"kind": "receipt", "receipt": {"total": {"value": {"amount": "24.97"}}}}),
    }
}

pub(crate) fn document(message_id: &str, part: i64) -> Document {
    Document {
        mailbox: "gmail:alex@example.org".into(),
        message_id: message_id.into(),
        part,
        filename: Some("Invoice.pdf".into()),
        content_type: "application/pdf".into(),
        size: 20_480,
        sha256: "cd".repeat(32),
        blob_key: format!("documents/sha256/cd/cd/{}.pdf", "cd".repeat(32)),
        name: "2026/03/01/msg/Invoice.pdf".into(),
    }
}

pub(crate) fn a_match(tx: &Transaction) -> Match {
    Match {
        transaction: tx.key(),
        target: MatchTarget::Order {
            source: "sp-api".into(),
            id: "205-1234567-7654321".into(),
        },
        state: MatchState::Suggested,
        score: 0.875,
        explanation: json!({"amount": 1.0, "date": 0.75}),
    }
}

pub(crate) fn enrichment(tx: &Transaction) -> Enrichment {
    Enrichment {
        transaction: tx.key(),
        category: Some("electronics".into()),
        merchant: Some("Amazon".into()),
        essential: Some(false),
        source: EnrichmentSource::Llm,
        confidence: 0.9,
        tags: vec!["gadgets".into()],
    }
}
