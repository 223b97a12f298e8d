//! Inputs that once crashed, hung or blew up the pipeline, each kept as a
//! regression test. They must finish (a hang fails the run by its time
//! limit) and produce an answer, never a panic.

use receipt_parsers::Pipeline;

#[test]
fn a_json_ld_price_times_quantity_past_a_decimal_is_no_panic() {
    let html = r#"<html><head><script type="application/ld+json">
    {"@context": "http://schema.org", "@type": "Order", "orderNumber": "X-1",
     "priceCurrency": "USD", "price": "10.00",
     "acceptedOffer": {"@type": "Offer", "itemOffered": {"@type": "Product", "name": "Huge"},
        "price": "79228162514264337593543950335", "priceCurrency": "USD",
        "eligibleQuantity": {"@type": "QuantitativeValue", "value": 1000}}}
    </script></head><body>Thanks for your order</body></html>"#;
    let _ = Pipeline::default().parse_html(html);
    let found = receipt_parsers::schema_org::extract(html);
    let line = found.line_items.first().expect("the offer is still a line");
    assert!(line.total.is_none(), "no total past a decimal: {line:?}");
}

#[test]
fn thousands_of_unclosed_nested_microdata_properties_finish() {
    let mut html = String::from(
        r#"<div itemscope itemtype="http://schema.org/Order"><span itemprop="orderNumber">A-1</span>"#,
    );
    for i in 0..20_000 {
        html.push_str(&format!(r#"<div itemprop="p{i}">x "#));
    }
    html.push_str(
        r#"<span itemprop="price">12.50</span><meta itemprop="priceCurrency" content="GBP">"#,
    );
    let _ = Pipeline::default().parse_html(&html);
    let found = receipt_parsers::schema_org::extract(&html);
    assert_eq!(found.order_ids, ["A-1"]);
    assert_eq!(
        found.total.map(|t| t.amount.to_string()),
        Some("12.50".into())
    );
}

#[test]
fn half_a_million_ampersands_are_linear() {
    let html = format!("<html><body><p>{}</p></body></html>", "&".repeat(500_000));
    let text = receipt_parsers::html::to_text(&html);
    assert_eq!(text.len(), 500_000);
    let with_entities = format!("<p>{}</p>", "&amp;&pound;1 &x".repeat(50_000));
    assert!(receipt_parsers::html::to_text(&with_entities).starts_with("&£1 &x&£1"));
}
