//! Vendor parsers: one [`Vendor`] per sender, registered in a `linkme`
//! distributed slice, chosen by the sender's domain (on a label boundary) or,
//! for platforms and bare HTML bodies, by markers in the content.

mod marketplaces;
mod platforms;
mod retail;
mod services;
mod travel;

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use linkme::distributed_slice;
use regex::Regex;

use crate::domain::matches;

/// How one sender's receipts are read. Everything is `'static` so vendors can
/// be registered at compile time; add your own with [`Registry::with`].
#[derive(Debug)]
pub struct Vendor {
    /// The registry key (`amazon-uk`).
    pub key: &'static str,
    /// The merchant's display name (`Amazon`). For platforms, the name used
    /// when the From display name is missing.
    pub name: &'static str,
    /// Sender domains (matched on a label boundary).
    pub domains: &'static [&'static str],
    /// Text in the HTML that identifies the vendor when there are no headers
    /// (or, for platforms, whoever the sender is): footer domains, asset hosts.
    pub markers: &'static [&'static str],
    /// The currency of amounts written without a symbol.
    pub currency: Option<&'static str>,
    /// Whether numeric dates are day first (everyone but US senders).
    pub day_first: bool,
    /// Labels of the charged total, tried before the generic ones.
    pub total_labels: &'static [&'static str],
    /// A pattern whose first group is the order id (`(?-u:\b)(\d{3}-\d{7}-\d{7})(?-u:\b)` for Amazon).
    pub order_id: Option<&'static str>,
    /// A platform sends on behalf of many shops: the merchant is the sender's display name.
    pub platform: bool,
    /// A pattern whose first group is the real merchant when the vendor is a
    /// payment service (PayPal: the payee of "payment to ..."), searched in
    /// the subject and the text.
    pub payee: Option<&'static str>,
}

impl Vendor {
    /// A vendor with only the required fields; set the rest with struct update syntax.
    pub const fn new(
        key: &'static str,
        name: &'static str,
        domains: &'static [&'static str],
    ) -> Self {
        Vendor {
            key,
            name,
            domains,
            markers: &[],
            currency: None,
            day_first: true,
            total_labels: &[],
            order_id: None,
            platform: false,
            payee: None,
        }
    }

    /// The payee named in `text`, for payment services.
    pub fn payee_in(&self, text: &str) -> Option<String> {
        let regex = compiled(self.payee?);
        let name = regex
            .captures(text)?
            .get(1)?
            .as_str()
            .trim()
            .trim_end_matches(['.', ',']);
        (!name.is_empty()).then(|| name.to_owned())
    }

    /// Order ids by the vendor's own pattern.
    pub fn order_ids(&self, text: &str) -> Vec<String> {
        let Some(pattern) = self.order_id else {
            return Vec::new();
        };
        let regex = compiled(pattern);
        let mut ids: Vec<String> = Vec::new();
        for c in regex.captures_iter(text) {
            if let Some(m) = c.get(1)
                && !ids.iter().any(|i| i == m.as_str())
            {
                ids.push(m.as_str().to_owned());
            }
        }
        ids
    }
}

/// Vendor patterns are compiled once, on first use.
fn compiled(pattern: &'static str) -> Regex {
    static CACHE: LazyLock<RwLock<HashMap<&'static str, Regex>>> = LazyLock::new(Default::default);
    if let Some(r) = CACHE.read().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return r.clone();
    }
    let regex = Regex::new(pattern)
        .unwrap_or_else(|_| Regex::new(r"$^").expect("an empty pattern compiles"));
    CACHE
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pattern, regex.clone());
    regex
}

/// Every vendor this crate ships.
#[distributed_slice]
pub static VENDORS: [Vendor];

/// The vendors the pipeline chooses from.
///
/// ```
/// use receipt_parsers::vendors::{Registry, Vendor};
///
/// static MY_SHOP: Vendor = Vendor { currency: Some("GBP"), ..Vendor::new("my-shop", "My Shop", &["myshop.example"]) };
/// let registry = Registry::builtin().with(&MY_SHOP);
/// assert_eq!(registry.by_domain("orders.myshop.example").unwrap().key, "my-shop");
/// assert_eq!(registry.by_domain("email.amazon.co.uk").unwrap().key, "amazon-uk");
/// assert!(registry.by_domain("notamazon.co.uk").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Registry {
    vendors: Vec<&'static Vendor>,
}

impl Registry {
    /// Every vendor of this crate.
    pub fn builtin() -> Self {
        Registry {
            vendors: VENDORS.iter().collect(),
        }
    }

    /// Adds a vendor (checked before the built-in ones).
    pub fn with(mut self, vendor: &'static Vendor) -> Self {
        self.vendors.insert(0, vendor);
        self
    }

    /// The registered vendors.
    pub fn vendors(&self) -> &[&'static Vendor] {
        &self.vendors
    }

    /// The vendor for a sender domain: the longest matching registered domain wins.
    pub fn by_domain(&self, host: &str) -> Option<&'static Vendor> {
        self.by_sender(host, "")
    }

    /// The vendor for a sender domain; when several vendors share the
    /// longest matching domain (Google's products), the one whose marker
    /// appears in `content` wins.
    pub fn by_sender(&self, host: &str, content: &str) -> Option<&'static Vendor> {
        let scored: Vec<(usize, &'static Vendor)> = self
            .vendors
            .iter()
            .filter_map(|v| {
                v.domains
                    .iter()
                    .filter(|d| matches(host, d))
                    .map(|d| d.len())
                    .max()
                    .map(|len| (len, *v))
            })
            .collect();
        let best = scored.iter().map(|(len, _)| *len).max()?;
        let tied: Vec<&'static Vendor> = scored
            .iter()
            .filter(|(len, _)| *len == best)
            .map(|(_, v)| *v)
            .collect();
        if tied.len() == 1 {
            return tied.first().copied();
        }
        let lower = content.to_lowercase();
        tied.into_iter()
            .find(|v| v.markers.iter().any(|m| lower.contains(m)))
    }

    /// The vendor whose markers (or domains, as link hosts) appear in `html`:
    /// a marker decides; otherwise the vendor whose domains the most links
    /// and addresses name (a PayPal receipt links to the eBay item it paid
    /// for, but far more to PayPal).
    pub fn by_content(&self, html: &str, platforms_only: bool) -> Option<&'static Vendor> {
        let lower = html.to_ascii_lowercase();
        let candidates = self
            .vendors
            .iter()
            .copied()
            .filter(|v| !platforms_only || v.platform);
        if let Some(v) = candidates
            .clone()
            .find(|v| v.markers.iter().any(|m| lower.contains(m)))
        {
            return Some(v);
        }
        if platforms_only {
            return None;
        }
        let hosts = linked_hosts(&lower);
        candidates
            .map(|v| {
                let named = hosts
                    .iter()
                    .filter(|h| v.domains.iter().any(|d| matches(h, d)))
                    .count();
                (named, v)
            })
            .filter(|(named, _)| *named > 0)
            // The most named; the first registered among equals.
            .fold(
                None,
                |best: Option<(usize, &'static Vendor)>, (n, v)| match best {
                    Some((b, _)) if b >= n => best,
                    _ => Some((n, v)),
                },
            )
            .map(|(_, v)| v)
    }

    /// For a body with no sender and no links: the registered vendor whose
    /// name stands as a word in its first lines ("Uber", "Lyft fare").
    pub fn by_name_in(&self, text: &str) -> Option<&'static Vendor> {
        let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
        self.vendors
            .iter()
            .copied()
            .filter(|v| !v.platform && v.name.len() >= 3)
            .filter_map(|v| {
                let at = head.match_indices(v.name).find(|(at, _)| {
                    let before = head[..*at].chars().next_back();
                    let after = head[at + v.name.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                })?;
                Some((at.0, v))
            })
            .min_by_key(|(at, _)| *at)
            .map(|(_, v)| v)
    }

    /// Every sender domain, for building a mailbox search query.
    pub fn domains(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = self
            .vendors
            .iter()
            .flat_map(|v| v.domains.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin()
    }
}

/// The hosts that links (`https://host/...`) and addresses (`x@host`) in
/// `html` name, one entry per mention, lower case.
pub fn linked_hosts(html: &str) -> Vec<&str> {
    let mut hosts = Vec::new();
    let host_at = |rest: &'_ str| -> usize {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len())
    };
    for (at, _) in html.match_indices("://") {
        let rest = &html[at + 3..];
        let end = host_at(rest);
        if end > 0 {
            hosts.push(&rest[..end]);
        }
    }
    for (at, _) in html.match_indices('@') {
        let rest = &html[at + 1..];
        let end = host_at(rest);
        if rest[..end].contains('.') {
            hosts.push(&rest[..end]);
        }
    }
    hosts
}
