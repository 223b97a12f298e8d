//! The shipped merchant table: merchants most UK bank statements show, their
//! display names, and the category a person would give them.

/// One known merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownMerchant {
    /// The first token of its [`MerchantKey`](crate::matching::MerchantKey).
    pub key: &'static str,
    /// Its name as people write it.
    pub name: &'static str,
    /// Category (the default LLM taxonomy's top level).
    pub category: &'static str,
    /// Essential (true) or discretionary (false).
    pub essential: bool,
}

const fn m(
    key: &'static str,
    name: &'static str,
    category: &'static str,
    essential: bool,
) -> KnownMerchant {
    KnownMerchant {
        key,
        name,
        category,
        essential,
    }
}

/// Sorted by key (looked up by binary search).
const KNOWN: &[KnownMerchant] = &[
    m("aldi", "Aldi", "Groceries", true),
    m("amazon", "Amazon", "Shopping", false),
    m("apple", "Apple", "Subscriptions", false),
    m("argos", "Argos", "Shopping", false),
    m("asda", "Asda", "Groceries", true),
    m("bandcamp", "Bandcamp", "Entertainment", false),
    m("boots", "Boots", "Health", true),
    m("caffe", "Caffè Nero", "Eating out", false),
    m("costa", "Costa Coffee", "Eating out", false),
    m("deliveroo", "Deliveroo", "Eating out", false),
    m("disney", "Disney+", "Subscriptions", false),
    m("ebay", "eBay", "Shopping", false),
    m("ee", "EE", "Bills", true),
    m("google", "Google", "Subscriptions", false),
    m("greggs", "Greggs", "Eating out", false),
    m("iceland", "Iceland", "Groceries", true),
    m("ikea", "IKEA", "Shopping", false),
    m("just", "Just Eat", "Eating out", false),
    m("lidl", "Lidl", "Groceries", true),
    m("marks", "Marks & Spencer", "Groceries", true),
    m("morrisons", "Morrisons", "Groceries", true),
    m("nationalrail", "National Rail", "Transport", true),
    m("netflix", "Netflix", "Subscriptions", false),
    m("ocado", "Ocado", "Groceries", true),
    m("octopus", "Octopus Energy", "Bills", true),
    m("pret", "Pret A Manger", "Eating out", false),
    m("primark", "Primark", "Shopping", false),
    m("sainsbury", "Sainsbury's", "Groceries", true),
    m("shell", "Shell", "Transport", true),
    m("spotify", "Spotify", "Subscriptions", false),
    m("starbucks", "Starbucks", "Eating out", false),
    m("steam", "Steam", "Entertainment", false),
    m("superdrug", "Superdrug", "Health", true),
    m("tesco", "Tesco", "Groceries", true),
    m("thames", "Thames Water", "Bills", true),
    m("trainline", "Trainline", "Transport", true),
    m(
        "transport-for-london",
        "Transport for London",
        "Transport",
        true,
    ),
    m("uber", "Uber", "Transport", false),
    m("vodafone", "Vodafone", "Bills", true),
    m("waitrose", "Waitrose", "Groceries", true),
];

/// The known merchant whose key is `key` (a [`MerchantKey`](crate::matching::MerchantKey)'s first token).
///
/// ```
/// let tesco = spend_core::enrich::known_merchant("tesco").unwrap();
/// assert_eq!((tesco.name, tesco.category, tesco.essential), ("Tesco", "Groceries", true));
/// assert!(spend_core::enrich::known_merchant("corner-cafe").is_none());
/// ```
pub fn known_merchant(key: &str) -> Option<&'static KnownMerchant> {
    KNOWN
        .binary_search_by(|k| k.key.cmp(key))
        .ok()
        .map(|i| &KNOWN[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        assert!(
            KNOWN.windows(2).all(|w| w[0].key < w[1].key),
            "sorted by key, no repeats"
        );
    }
}
