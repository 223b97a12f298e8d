//! Merchant names as comparable keys: a bank descriptor such as
//! `AMAZON.CO.UK*2K4RT51X4` and a receipt from `amazon.co.uk` both become
//! `amazon`.

use std::collections::HashMap;

/// Payment processors whose prefix stands before the real merchant.
const PROCESSOR_PREFIXES: &[&str] = &[
    "sq *", "sq*", "sp ", "sp*", "paypal *", "pp*", "ztl*", "zettle_*", "crv*", "sumup *",
    "sumup*", "iz *", "iz*", "sqr*", "tst*", "dnh*",
];

/// Words that say nothing about who the merchant is.
const NOISE: &[&str] = &[
    "the",
    "ltd",
    "limited",
    "plc",
    "inc",
    "llc",
    "gmbh",
    "co",
    "com",
    "uk",
    "www",
    "net",
    "org",
    "store",
    "stores",
    "shop",
    "trip",
    "help",
    "payment",
    "payments",
    "receipts",
    "receipt",
    "noreply",
    "no",
    "reply",
    "london",
    "card",
    "visa",
    "debit",
    "purchase",
    "refund",
    "online",
    "mktp",
    "marketplace",
    "smrkt",
    "bill",
    "eu",
    "us",
    "gb",
    "international",
    "services",
    "info",
    "orders",
    "order",
    "team",
    "dd",
    "so",
    "fp",
    "pos",
];

/// The shipped alias table: a token as banks or senders write it, and the
/// merchant it means.
const ALIASES: &[(&str, &str)] = &[
    ("amzn", "amazon"),
    ("amznmktplace", "amazon"),
    ("amazonmarketplace", "amazon"),
    ("amzmktplace", "amazon"),
    ("primevideo", "amazon"),
    ("itunes", "apple"),
    ("applecom", "apple"),
    ("ubereats", "uber"),
    ("thetrainline", "trainline"),
    ("sainsburys", "sainsbury"),
    ("sainsbury's", "sainsbury"),
    ("tfl", "transport-for-london"),
    ("steampowered", "steam"),
    ("steamgames", "steam"),
    ("googleplay", "google"),
    ("roofoods", "deliveroo"),
];

/// A merchant as a small set of distinctive tokens.
///
/// ```
/// use spend_core::matching::MerchantKey;
/// let bank = MerchantKey::from_descriptor("AMAZON.CO.UK*2K4RT51X4");
/// let receipt = MerchantKey::from_name("Amazon.co.uk");
/// assert_eq!(bank.similarity(&receipt, &Default::default()), 1.0);
/// let square = MerchantKey::from_descriptor("SQ *DISHOOM KINGS CROSS");
/// assert!(square.similarity(&MerchantKey::from_name("Dishoom King's Cross"), &Default::default()) > 0.9);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MerchantKey {
    tokens: Vec<String>,
}

/// Aliases a person's confirmations taught: a descriptor token and the
/// merchant token it stands for.
pub type LearnedAliases = HashMap<String, String>;

fn canonical(token: &str) -> String {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == token)
        .map_or_else(|| token.to_owned(), |(_, to)| (*to).to_owned())
}

impl MerchantKey {
    /// The key of a bank's description: processor prefixes, reference codes
    /// after `*`, store numbers, locations in capitals, domains' suffixes gone.
    pub fn from_descriptor(description: &str) -> Self {
        let mut text = description.trim().to_lowercase();
        for prefix in PROCESSOR_PREFIXES {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest.trim_start().to_owned();
                break;
            }
        }
        // `AMAZON.CO.UK*2K4RT51X4`: what follows the star is a reference.
        if let Some((head, _)) = text.split_once('*')
            && head.len() >= 3
        {
            text = head.to_owned();
        }
        Self::from_text(&text)
    }

    /// The key of a merchant's name, a vendor key or a sender's domain.
    pub fn from_name(name: &str) -> Self {
        Self::from_text(&name.to_lowercase())
    }

    fn from_text(text: &str) -> Self {
        let mut tokens: Vec<String> = Vec::new();
        // `amazon.co.uk` and `help.uber.com` keep their names; `apple.com/bill` is apple.
        for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
            let token = raw.trim_matches('\'').replace('\'', "");
            if token.len() < 2 || token.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            // Reference codes: letters and digits mixed (`2k4rt51x4`).
            let digits = token.chars().filter(char::is_ascii_digit).count();
            if digits > 0 && digits * 3 >= token.len() {
                continue;
            }
            if NOISE.contains(&token.as_str()) {
                continue;
            }
            let token = canonical(&token);
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
        MerchantKey { tokens }
    }

    /// Whether nothing distinctive is left.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens, most distinctive (first written) first.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// How alike two merchants are, 0 to 1: 1 when their first tokens agree
    /// (after aliases), less for a shared later token or a common prefix.
    pub fn similarity(&self, other: &MerchantKey, learned: &LearnedAliases) -> f64 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        // Runs for every candidate pair that passed amount and date: no allocation.
        fn alias<'a>(t: &'a String, learned: &'a LearnedAliases) -> &'a str {
            if learned.is_empty() {
                t.as_str()
            } else {
                learned.get(t).map_or(t.as_str(), String::as_str)
            }
        }
        if alias(&self.tokens[0], learned) == other.tokens[0] {
            return 1.0;
        }
        let mut best: f64 = 0.0;
        for (i, a) in self.tokens.iter().map(|t| alias(t, learned)).enumerate() {
            for (j, b) in other.tokens.iter().map(String::as_str).enumerate() {
                let weight = if i == 0 || j == 0 { 0.9 } else { 0.6 };
                if a == b {
                    best = best.max(weight);
                } else if a.len() >= 4 && b.len() >= 4 && (a.starts_with(b) || b.starts_with(a)) {
                    best = best.max(weight * 0.85);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        MerchantKey::from_descriptor(a)
            .similarity(&MerchantKey::from_name(b), &LearnedAliases::new())
    }

    #[test]
    fn bank_descriptors_meet_their_merchants() {
        assert_eq!(sim("AMZNMKTPLACE AMAZON.CO.UK", "Amazon"), 1.0);
        assert_eq!(sim("AMZN MKTP UK*2K4RT51X4", "amazon.co.uk"), 1.0);
        assert_eq!(sim("UBER *TRIP HELP.UBER.COM", "uber.com"), 1.0);
        assert_eq!(sim("DELIVEROO LONDON", "Deliveroo"), 1.0);
        assert_eq!(sim("TRAINLINE.COM", "info.thetrainline.com"), 1.0);
        assert_eq!(sim("NETFLIX.COM", "Netflix"), 1.0);
        assert_eq!(sim("PAYPAL *STEAMGAMES", "Steam"), 1.0);
        assert!(sim("BANDCAMP.COM OAKLAND CA USD 25.00", "bandcamp.com") >= 0.9);
    }

    #[test]
    fn different_merchants_stay_apart() {
        assert_eq!(sim("PRET A MANGER KINGS X", "Deliveroo"), 0.0);
        assert_eq!(sim("UBER *TRIP HELP.UBER.COM", "Deliveroo"), 0.0);
        assert_eq!(sim("TESCO STORES 2041", "Amazon"), 0.0);
    }

    #[test]
    fn learned_aliases_bridge_what_the_table_does_not() {
        let mut learned = LearnedAliases::new();
        let bank = MerchantKey::from_descriptor("LOW ORBIT REC");
        let shop = MerchantKey::from_name("bandcamp.com");
        assert_eq!(bank.similarity(&shop, &learned), 0.0);
        learned.insert("low".into(), "bandcamp".into());
        assert_eq!(bank.similarity(&shop, &learned), 1.0);
    }
}
