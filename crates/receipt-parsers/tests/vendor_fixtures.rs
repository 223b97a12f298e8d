//! Every fixture parsed and checked: kind, vendor, merchant, total, currency,
//! date, order id and line items.

use std::path::PathBuf;

use receipt_parsers::{Kind, Parsed, Pipeline};

fn fixture(name: &str) -> Parsed {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if name.ends_with(".html") {
        Pipeline::default().parse_html(&String::from_utf8(bytes).unwrap())
    } else {
        Pipeline::default().parse(&bytes).unwrap()
    }
}

struct Expect {
    file: &'static str,
    kind: Kind,
    verified: Option<bool>,
    vendor: Option<&'static str>,
    merchant: Option<&'static str>,
    total: Option<(&'static str, &'static str)>,
    date: Option<&'static str>,
    order_id: Option<&'static str>,
    items: usize,
}

const EXPECTED: &[Expect] = &[
    Expect {
        file: "amazon-uk-order.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("amazon-uk"),
        merchant: Some("Amazon"),
        total: Some(("24.97", "GBP")),
        date: Some("2024-03-12"),
        order_id: Some("205-1234567-7654321"),
        items: 2,
    },
    Expect {
        file: "amazon-de-order.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("amazon-de"),
        merchant: Some("Amazon"),
        total: Some(("38.97", "EUR")),
        date: Some("2024-07-05"),
        order_id: Some("302-7654321-1234567"),
        items: 2,
    },
    Expect {
        file: "amazon-us-shipped.eml",
        kind: Kind::Shipping,
        verified: Some(true),
        vendor: Some("amazon-us"),
        merchant: Some("Amazon"),
        total: None,
        date: None,
        order_id: Some("113-1111111-2222222"),
        items: 0,
    },
    Expect {
        file: "amazon-uk-refund.eml",
        kind: Kind::Refund,
        verified: Some(true),
        vendor: Some("amazon-uk"),
        merchant: Some("Amazon"),
        total: Some(("12.99", "GBP")),
        date: None,
        order_id: Some("205-1234567-7654321"),
        items: 0,
    },
    Expect {
        file: "amazon-spoofed.eml",
        kind: Kind::Receipt,
        verified: Some(false),
        vendor: None,
        merchant: Some("Amazon.co.uk"),
        total: Some(("899.99", "GBP")),
        date: None,
        order_id: Some("205-9999999-9999999"),
        items: 0,
    },
    Expect {
        file: "apple-receipt.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("apple"),
        merchant: Some("Apple"),
        total: Some(("0.99", "GBP")),
        date: Some("2024-03-14"),
        order_id: Some("MXYZ12AB34"),
        items: 0,
    },
    Expect {
        file: "paypal-payment.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("paypal"),
        merchant: Some("Example Records Ltd"),
        total: Some(("25.00", "GBP")),
        date: Some("2024-04-06"),
        order_id: Some("9AB12345CD6789012"),
        items: 0,
    },
    Expect {
        file: "uber-trip.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("uber"),
        merchant: Some("Uber"),
        total: Some(("13.20", "GBP")),
        date: Some("2024-05-10"),
        order_id: None,
        items: 0,
    },
    Expect {
        file: "deliveroo-order.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("deliveroo"),
        merchant: Some("Deliveroo"),
        total: Some(("24.48", "GBP")),
        date: Some("2024-06-02"),
        order_id: Some("4521"),
        items: 2,
    },
    Expect {
        file: "netflix-receipt.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("netflix"),
        merchant: Some("Netflix"),
        total: Some(("4.99", "GBP")),
        date: Some("2024-05-15"),
        order_id: None,
        items: 0,
    },
    Expect {
        file: "spotify-marketing.eml",
        kind: Kind::Marketing,
        verified: Some(true),
        vendor: None,
        merchant: None,
        total: None,
        date: None,
        order_id: None,
        items: 0,
    },
    Expect {
        file: "spotify-receipt.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("spotify"),
        merchant: Some("Spotify"),
        total: Some(("11.99", "GBP")),
        date: Some("2024-06-01"),
        order_id: Some("P1234ABCD5678"),
        items: 0,
    },
    Expect {
        file: "shopify-order.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        // Shopify's markers name the platform; the shop's own domain sent it.
        vendor: Some("exampleroasters"),
        merchant: Some("Example Roasters"),
        total: Some(("44.95", "GBP")),
        date: Some("2024-07-08"),
        order_id: Some("1042"),
        items: 2,
    },
    Expect {
        file: "shopify-order.html",
        kind: Kind::Receipt,
        verified: None,
        vendor: Some("shopify"),
        merchant: Some("Shopify store"),
        total: Some(("44.95", "GBP")),
        date: Some("2024-07-08"),
        order_id: Some("1042"),
        items: 2,
    },
    Expect {
        file: "stripe-receipt.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("stripe"),
        merchant: Some("Example AI"),
        total: Some(("20.00", "USD")),
        date: Some("2024-10-01"),
        order_id: Some("2345-6789"),
        items: 1,
    },
    Expect {
        file: "jsonld-order.eml",
        kind: Kind::Receipt,
        verified: None,
        // No vendor parser: the sender's domain names it.
        vendor: Some("examplebooks"),
        merchant: Some("Example Books"),
        total: Some(("23.48", "GBP")),
        date: Some("2024-09-03"),
        order_id: Some("EB-778899"),
        items: 2,
    },
    Expect {
        file: "trainline-booking.eml",
        kind: Kind::Receipt,
        verified: Some(true),
        vendor: Some("trainline"),
        merchant: Some("Trainline"),
        total: Some(("84.15", "GBP")),
        date: Some("2024-08-23"),
        order_id: Some("ABCD1234"),
        items: 0,
    },
];

#[test]
fn every_fixture_parses_as_expected() {
    let mut failures = Vec::new();
    for e in EXPECTED {
        let parsed = fixture(e.file);
        let receipt = parsed.receipt.clone();
        let got_total = receipt
            .as_ref()
            .and_then(|r| r.total.as_ref())
            .map(|t| (t.value.amount.to_string(), t.value.currency.0.to_owned()));
        let checks = [
            (
                "kind",
                format!("{:?}", parsed.kind),
                format!("{:?}", e.kind),
            ),
            (
                "verified",
                format!("{:?}", parsed.sender_verified),
                format!("{:?}", e.verified),
            ),
            (
                "vendor",
                format!("{:?}", receipt.as_ref().and_then(|r| r.vendor.as_deref())),
                format!("{:?}", e.vendor),
            ),
            (
                "merchant",
                format!(
                    "{:?}",
                    receipt
                        .as_ref()
                        .and_then(|r| r.merchant.as_ref())
                        .map(|m| m.value.as_str())
                ),
                format!("{:?}", e.merchant),
            ),
            (
                "total",
                format!("{got_total:?}"),
                format!("{:?}", e.total.map(|(a, c)| (a.to_owned(), c.to_owned()))),
            ),
            (
                "order id",
                format!(
                    "{:?}",
                    receipt
                        .as_ref()
                        .and_then(|r| r.order_ids.first())
                        .map(|f| f.value.as_str())
                ),
                format!("{:?}", e.order_id),
            ),
            (
                "items",
                format!("{}", receipt.as_ref().map_or(0, |r| r.line_items.len())),
                format!("{}", e.items),
            ),
        ];
        for (what, got, want) in checks {
            if got != want {
                failures.push(format!("{}: {what} is {got}, expected {want}", e.file));
            }
        }
        if let Some(date) = e.date {
            let got = receipt
                .as_ref()
                .and_then(|r| r.date.as_ref())
                .map(|d| d.value.to_string());
            if got.as_deref() != Some(date) {
                failures.push(format!("{}: date is {got:?}, expected {date}", e.file));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
