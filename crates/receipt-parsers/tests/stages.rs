//! The stages on their own: sender authentication, the pre-filter, schema.org.

use receipt_parsers::{Email, Kind, Pipeline, auth, prefilter, schema_org};

fn email(headers: &str, body: &str) -> Email {
    Email::parse(
        format!("{headers}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{body}").as_bytes(),
    )
    .unwrap()
}

#[test]
fn sender_authentication() {
    let verified = |auth_results: &str| {
        auth::sender_verified(&email(
            &format!("From: x@mail.example.co.uk\r\nAuthentication-Results: {auth_results}"),
            "hi",
        ))
    };
    assert_eq!(
        verified("mx; dmarc=pass header.from=mail.example.co.uk"),
        Some(true)
    );
    assert_eq!(
        verified("mx; dkim=pass header.d=example.co.uk"),
        Some(true),
        "an aligned parent domain"
    );
    assert_eq!(
        verified("mx; dkim=pass header.d=mailer.example.net"),
        Some(false),
        "signed by someone else"
    );
    assert_eq!(
        verified("mx; dkim=pass header.d=example.co.uk; dmarc=fail header.from=mail.example.co.uk"),
        Some(false)
    );
    assert_eq!(
        verified("mx; spf=pass smtp.mailfrom=example.co.uk"),
        Some(true),
        "SPF for an aligned envelope sender, as DMARC counts it"
    );
    assert_eq!(
        verified("mx; spf=pass smtp.mailfrom=bounces.mailer.example.net"),
        Some(false),
        "SPF for someone else's envelope does not authenticate the From"
    );
    let arc = email(
        "From: x@shop.example\r\nARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@shop.example",
        "hi",
    );
    assert_eq!(
        auth::sender_verified(&arc),
        None,
        "ARC results are a relay's words, not the receiving server's"
    );
    assert_eq!(
        auth::sender_verified(&email("From: x@shop.example", "hi")),
        None,
        "no results: unknown"
    );
}

#[test]
fn pre_filter_kinds_with_reasons() {
    let kind = |subject: &str, body: &str, bulk: bool| {
        let unsub = if bulk {
            "\r\nList-Unsubscribe: <https://x.example/u>"
        } else {
            ""
        };
        let (k, reason, confidence) = prefilter::classify(&email(
            &format!("From: a@shop.example\r\nSubject: {subject}{unsub}"),
            body,
        ));
        assert!(!reason.is_empty() && confidence > 0.0);
        k
    };
    assert_eq!(
        kind("Your order confirmation", "Order total: £12.00", false),
        Kind::Receipt
    );
    assert_eq!(
        kind("Your refund has been processed", "Refund: £12.00", false),
        Kind::Refund
    );
    assert_eq!(
        kind("Your order has been cancelled", "Order #123456", false),
        Kind::Cancellation
    );
    assert_eq!(
        kind(
            "Your parcel has been dispatched",
            "Tracking number: ZX123",
            false
        ),
        Kind::Shipping
    );
    assert_eq!(
        kind(
            "Your subscription will renew soon",
            "Your plan will renew on 1 May.",
            false
        ),
        Kind::SubscriptionNotice
    );
    assert_eq!(
        kind("Summer sale: 30% off everything", "Shop the sale now", true),
        Kind::Marketing
    );
    assert_eq!(
        kind("Meeting notes", "See you on Tuesday", false),
        Kind::Other
    );
}

#[test]
fn schema_org_json_ld_variants() {
    // ParcelDelivery carrying the order; acceptedOffer as one object; the currency on the offer only.
    let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"ParcelDelivery",
      "partOfOrder":{"@type":"Order","orderNumber":"PD-42","seller":{"@type":"Organization","name":"Parcel Shop"},
        "acceptedOffer":{"@type":"Offer","itemOffered":{"@type":"Product","name":"Lamp"},"price":"19.50","priceCurrency":"EUR"}}}
    </script>"#;
    let found = schema_org::extract(html);
    assert_eq!(found.order_ids, ["PD-42"]);
    assert_eq!(found.merchant.as_deref(), Some("Parcel Shop"));
    assert_eq!(found.line_items.len(), 1);
    assert_eq!(found.line_items[0].unit_price.unwrap().currency.0, "EUR");

    // An Invoice with totalPaymentDue as a PriceSpecification.
    let invoice = r#"<script type="application/ld+json">[{"@type":"Invoice","provider":{"name":"Example Hosting"},"accountId":"INV-7",
      "totalPaymentDue":{"@type":"PriceSpecification","price":"71.88","priceCurrency":"USD"},"paymentDueDate":"2024-11-15"}]</script>"#;
    let found = schema_org::extract(invoice);
    assert_eq!(found.merchant.as_deref(), Some("Example Hosting"));
    let total = found.total.unwrap();
    assert_eq!(
        (total.amount.to_string(), total.currency.0),
        ("71.88".into(), "USD")
    );
    assert_eq!(found.date.unwrap().to_string(), "2024-11-15");
}

#[test]
fn schema_org_microdata() {
    let html = r#"<div itemscope itemtype="http://schema.org/Order">
      <div itemprop="merchant" itemscope itemtype="http://schema.org/Organization"><span itemprop="name">Micro Shop</span></div>
      <span itemprop="orderNumber">MD-1001</span>
      <meta itemprop="orderDate" content="2024-05-06">
      <span itemprop="price">12.34</span><meta itemprop="priceCurrency" content="GBP">
    </div>"#;
    let found = schema_org::extract(html);
    assert_eq!(found.order_ids, ["MD-1001"]);
    assert_eq!(found.merchant.as_deref(), Some("Micro Shop"));
    assert_eq!(found.total.unwrap().amount.to_string(), "12.34");
    assert_eq!(found.date.unwrap().to_string(), "2024-05-06");
}

#[test]
fn later_stages_fill_only_what_earlier_ones_left() {
    // A vendor total, a schema.org date and line items, a subtotal read with the vendor: each keeps its source.
    let raw = "From: \"Amazon.co.uk\" <auto-confirm@amazon.co.uk>\r\nAuthentication-Results: mx; dmarc=pass header.from=amazon.co.uk\r\nSubject: Your Amazon.co.uk order #205-0000000-1111111\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
      <script type=\"application/ld+json\">{\"@type\":\"Order\",\"orderNumber\":\"205-0000000-1111111\",\"orderDate\":\"2024-02-01\",\"priceCurrency\":\"GBP\",\"price\":\"9.99\",\"acceptedOffer\":[{\"itemOffered\":{\"name\":\"Cable\"},\"price\":\"9.99\"}]}</script>\
      <p>Item Subtotal: \u{a3}9.99</p><p>Order Total: \u{a3}9.99</p>";
    let receipt = Pipeline::default()
        .parse(raw.as_bytes())
        .unwrap()
        .receipt
        .unwrap();
    use receipt_parsers::Method;
    assert_eq!(receipt.total.as_ref().unwrap().source, Method::Vendor);
    assert_eq!(receipt.date.as_ref().unwrap().source, Method::SchemaOrg);
    assert_eq!(receipt.subtotal.as_ref().unwrap().source, Method::Vendor);
    assert_eq!(
        receipt.order_id_values(),
        ["205-0000000-1111111"],
        "the same id from two stages is kept once"
    );
    assert_eq!(receipt.line_items.len(), 1);
}

#[test]
fn deeply_nested_mime_with_an_attachment() {
    let raw = "From: Shop <orders@shop.example>\r\nSubject: Your order confirmation\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: multipart/related; boundary=\"related\"\r\n\r\n\
--related\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=windows-1252\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nOrder #A-5555\r\nOrder total: =A319.99\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
<p>Order #A-5555</p><p>Order total: &pound;19.99</p>\r\n--alt--\r\n--related--\r\n--outer\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--outer--\r\n";
    let parsed = Pipeline::default().parse(raw.as_bytes()).unwrap();
    let receipt = parsed.receipt.unwrap();
    assert_eq!(receipt.order_id_values(), ["A-5555"]);
    let total = receipt.total.unwrap().value;
    assert_eq!(
        (total.amount.to_string(), total.currency.0),
        ("19.99".into(), "GBP"),
        "windows-1252 £ decoded"
    );
}

#[test]
fn us_senders_write_month_first() {
    let raw = "From: Store <orders@store.example.com>\r\nSubject: Your order receipt\r\n\r\nOrder #US-1234\r\nOrder date: 03/04/2024\r\nOrder total: $12.00\r\n";
    let receipt = Pipeline::default()
        .parse(raw.as_bytes())
        .unwrap()
        .receipt
        .unwrap();
    assert_eq!(receipt.date.unwrap().value.to_string(), "2024-03-04");
    let raw = "From: Shop <orders@shop.example.co.uk>\r\nSubject: Your order receipt\r\n\r\nOrder #UK-1234\r\nOrder date: 03/04/2024\r\nOrder total: \u{a3}12.00\r\n";
    let receipt = Pipeline::default()
        .parse(raw.as_bytes())
        .unwrap()
        .receipt
        .unwrap();
    assert_eq!(receipt.date.unwrap().value.to_string(), "2024-04-03");
}

#[test]
fn only_the_receiving_servers_own_verdict_counts() {
    use receipt_parsers::auth::Trust;
    // A spoof: the receiving server's verdict on top, and below it a
    // `dmarc=pass` the sender wrote into the message itself.
    let spoof = email(
        "Authentication-Results: mx.google.com;\r\n       dkim=fail header.i=@amazon.co.uk;\r\n       dmarc=fail (p=QUARANTINE sp=NONE dis=QUARANTINE) header.from=amazon.co.uk\r\n\
         Authentication-Results: mx.google.com; dmarc=pass header.from=amazon.co.uk\r\n\
         From: Amazon.co.uk <auto-confirm@amazon.co.uk>",
        "hi",
    );
    assert_eq!(auth::sender_verified(&spoof), Some(false));
    // A real server's words: a comment holding `;`, a quoted value, folds.
    let real = email(
        "Authentication-Results: mx.google.com;\r\n       dkim=pass (2048-bit key; unprotected) header.i=@amazon.co.uk header.s=\"a;1\" header.b=Ab1;\r\n       spf=pass (google.com: domain of x@bounces.amazon.co.uk designates 1.2.3.4 as permitted sender) smtp.mailfrom=bounces.amazon.co.uk\r\n\
         From: Amazon.co.uk <auto-confirm@amazon.co.uk>",
        "hi",
    );
    assert_eq!(auth::sender_verified(&real), Some(true));
    let gmail = Trust::authserv_ids(["mx.google.com"]);
    assert_eq!(auth::sender_verified_by(&real, &gmail), Some(true));
    let elsewhere = email(
        "Authentication-Results: mx.attacker.example; dmarc=pass header.from=amazon.co.uk\r\n\
         From: Amazon.co.uk <auto-confirm@amazon.co.uk>",
        "hi",
    );
    assert_eq!(
        auth::sender_verified_by(&elsewhere, &gmail),
        None,
        "a server Gmail is not: unknown"
    );
    let nothing_applied = email(
        "Authentication-Results: mx.example.net; none\r\nFrom: x@shop.example",
        "hi",
    );
    assert_eq!(auth::sender_verified(&nothing_applied), None);
    // Several results per method: one aligned signature passing is enough.
    let two = email(
        "Authentication-Results: mx.example.net; dkim=pass header.d=esp.example; dkim=pass header.d=shop.example\r\nFrom: x@shop.example",
        "hi",
    );
    assert_eq!(auth::sender_verified(&two), Some(true));
}

#[test]
fn an_unverified_vendor_is_read_with_capped_confidence() {
    let raw = b"From: Amazon.co.uk <auto-confirm@amazon.co.uk>\r\nSubject: Your Amazon.co.uk order #205-1234567-7654321\r\nContent-Type: text/plain\r\n\r\nOrder #205-1234567-7654321\r\nOrder Total: \xc2\xa324.97\r\n";
    let parsed = Pipeline::default().parse(raw).unwrap();
    assert_eq!(parsed.sender_verified, None);
    let receipt = parsed.receipt.unwrap();
    let merchant = receipt.merchant.unwrap();
    assert!(
        merchant.confidence <= receipt_parsers::UNVERIFIED_VENDOR_CONFIDENCE,
        "{merchant:?}"
    );
}

#[test]
fn markup_of_an_order_makes_a_receipt_when_the_words_do_not() {
    let raw = "From: Shop <orders@shop.example>\r\nSubject: Hello from Shop\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
        <html><head><script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"Order\",\"orderNumber\":\"S-1001\",\
        \"priceCurrency\":\"EUR\",\"price\":\"19.90\",\"merchant\":{\"@type\":\"Organization\",\"name\":\"Shop\"}}</script></head>\
        <body><p>Hi there</p></body></html>";
    let parsed = Pipeline::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(parsed.kind, Kind::Receipt, "{}", parsed.reason);
    let receipt = parsed.receipt.unwrap();
    assert_eq!(receipt.order_id_values(), ["S-1001"]);
}

#[test]
fn a_merchant_named_only_by_the_display_name_is_marked_so() {
    let raw = b"From: \"Ada's Bakery\" <hello@ada-bakery.example>\r\nSubject: Your order\r\nContent-Type: text/plain\r\n\r\nThanks for your order\r\nTotal: \xc2\xa34.50\r\n";
    let receipt = Pipeline::default().parse(raw).unwrap().receipt.unwrap();
    let merchant = receipt.merchant.unwrap();
    assert_eq!(merchant.value, "Ada's Bakery");
    assert_eq!(merchant.source, receipt_parsers::Method::DisplayName);
}
