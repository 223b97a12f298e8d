//! The registry holds every vendor defined in the crate (linkme can drop
//! entries of a binary that never references them), and matching is exact.

use std::path::PathBuf;

use receipt_parsers::vendors::{Registry, VENDORS, Vendor};

/// Vendor definitions in the source: each `#[distributed_slice(VENDORS)]`
/// static, and each invocation of a vendor-defining macro.
fn defined_in_source() -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/vendors");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let macros: Vec<String> = text
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix("macro_rules! ")
                    .map(|m| format!("{}!(", m.trim_end_matches(" {")))
            })
            .collect();
        for line in text.lines().map(str::trim) {
            if line == "#[distributed_slice(VENDORS)]" {
                count += 1;
            }
            if macros.iter().any(|m| line.starts_with(m.as_str())) {
                count += 1;
            }
        }
        // The attribute inside each macro body was counted once per macro, not per use.
        count -= macros.len();
    }
    count
}

#[test]
fn the_registry_holds_every_vendor_of_the_crate() {
    let registry = Registry::builtin();
    assert_eq!(registry.vendors().len(), defined_in_source());
    assert!(
        registry.vendors().len() >= 50,
        "{} vendors",
        registry.vendors().len()
    );
    let mut keys: Vec<&str> = VENDORS.iter().map(|v| v.key).collect();
    keys.sort_unstable();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "vendor keys are unique");
    for key in [
        "amazon-uk",
        "amazon-us",
        "amazon-de",
        "amazon-fr",
        "amazon-it",
        "amazon-es",
        "apple",
        "paypal",
        "uber",
        "uber-eats",
        "shopify",
        "stripe",
        "sumup",
        "tesco",
        "ocado",
        "dhl",
    ] {
        assert!(keys.contains(&key), "{key} is registered");
    }
}

#[test]
fn domains_match_on_label_boundaries_only() {
    let r = Registry::builtin();
    let key = |host: &str| r.by_domain(host).map(|v| v.key);
    assert_eq!(key("email.amazon.co.uk"), Some("amazon-uk"));
    assert_eq!(key("amazon.co.uk"), Some("amazon-uk"));
    assert_eq!(key("notamazon.co.uk"), None);
    assert_eq!(key("notamazon.co.uk.evil.com"), None);
    assert_eq!(key("mail.alibaba.com"), None, "not British Airways' ba.com");
    assert_eq!(key("deli.me"), None, "not Lime's li.me");
    assert_eq!(key("ba.com"), Some("british-airways"));
    assert_eq!(key("li.me"), Some("lime"));
    assert_eq!(
        key("eats.uber.com"),
        Some("uber-eats"),
        "the longest registered domain wins"
    );
    assert_eq!(key("uber.com"), Some("uber"));
}

#[test]
fn other_crates_can_register_vendors() {
    static MINE: Vendor = Vendor {
        currency: Some("EUR"),
        ..Vendor::new("corner-shop", "Corner Shop", &["cornershop.example"])
    };
    let r = Registry::builtin().with(&MINE);
    assert_eq!(
        r.by_domain("mail.cornershop.example").map(|v| v.key),
        Some("corner-shop")
    );
    assert!(r.domains().contains(&"cornershop.example"));
}
