//! Merchant names as people write them, from bank descriptors.

use crate::matching::MerchantKey;

use super::known::known_merchant;

/// Places that banks append to a descriptor; they name where, not who.
const PLACES: &[&str] = &[
    "london",
    "manchester",
    "birmingham",
    "leeds",
    "glasgow",
    "edinburgh",
    "bristol",
    "liverpool",
    "cardiff",
    "oxford",
    "cambridge",
    "brighton",
    "kings",
    "cross",
    "gb",
    "gbr",
    "uk",
];

/// The merchant behind a bank descriptor, as a person would write it.
///
/// Payment processors' prefixes (`SQ *`, `PAYPAL *`, `ZTL*`, `SUMUP *`, ...),
/// Amazon's many forms, references after `*`, store numbers, card suffixes,
/// dates and places are dropped; a merchant in the shipped table gets its
/// usual name, any other is the rest in title case. `bank_merchant` is the
/// bank's own merchant name, used when the descriptor names no known merchant.
///
/// ```
/// use spend_core::enrich::merchant_name;
/// assert_eq!(merchant_name("AMZNMKTPLACE AMAZON.CO.UK", None).as_deref(), Some("Amazon"));
/// assert_eq!(merchant_name("AMAZON.CO.UK*2K4RT51X4", None).as_deref(), Some("Amazon"));
/// assert_eq!(merchant_name("AMZN Mktp US", None).as_deref(), Some("Amazon"));
/// assert_eq!(merchant_name("SQ *DISHOOM KINGS CROSS", None).as_deref(), Some("Dishoom"));
/// assert_eq!(merchant_name("SAINSBURYS SMRKT STORE 128", None).as_deref(), Some("Sainsbury's"));
/// assert_eq!(merchant_name("PAYPAL *BANDCAMP", None).as_deref(), Some("Bandcamp"));
/// assert_eq!(merchant_name("CRD 4471 02/03 THE OLD BELL INN", None).as_deref(), Some("Old Bell Inn"));
/// assert_eq!(merchant_name("VDP-CORNER CAFE", Some("Corner Cafe")).as_deref(), Some("Corner Cafe"));
/// ```
pub fn merchant_name(description: &str, bank_merchant: Option<&str>) -> Option<String> {
    let key = MerchantKey::from_descriptor(description);
    if let Some(known) = key.tokens().iter().find_map(|t| known_merchant(t)) {
        return Some(known.name.to_owned());
    }
    if let Some(name) = bank_merchant.map(str::trim).filter(|n| !n.is_empty()) {
        let key = MerchantKey::from_name(name);
        return Some(
            key.tokens()
                .first()
                .and_then(|t| known_merchant(t))
                .map_or_else(|| name.to_owned(), |k| k.name.to_owned()),
        );
    }
    let words: Vec<String> = key
        .tokens()
        .iter()
        .filter(|t| !PLACES.contains(&t.as_str()) && !is_card_noise(t))
        .map(|t| title_case(t))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Tokens that card terminals add: `crd`, `vdp`, `pos`, month names of a date.
fn is_card_noise(token: &str) -> bool {
    matches!(
        token,
        "crd"
            | "cd"
            | "vdp"
            | "vds"
            | "vis"
            | "bgc"
            | "fpo"
            | "fpi"
            | "so"
            | "tfr"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "may"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "oct"
            | "nov"
            | "dec"
    )
}

fn title_case(token: &str) -> String {
    let mut chars = token.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
