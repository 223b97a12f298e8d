//! Caching answers so the same transaction description is never paid for twice.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use crate::transactions::{Direction, EnrichmentFields};

/// What an answer is cached under: everything that changes the answer. The
/// normalised description, the direction, the amount's order of magnitude
/// (an "AMAZON" charge of 4.99 and one of 499.00 are not the same purchase),
/// a hash of the context (what a matched order or receipt says was bought, and
/// the merchant hint), the prompt version (which covers the taxonomy) and the model.
///
/// ```
/// use llm_enrich::{CacheKey, Direction, TransactionInput};
/// use rust_decimal::Decimal;
/// let mut book = TransactionInput::new("t1", "AMAZON.CO.UK*2K4RT51X4", Decimal::new(1299, 2), "GBP", Direction::Debit);
/// book.context = Some("The Rust Programming Language (paperback)".into());
/// let mut food = book.clone();
/// food.context = Some("Yorkshire Tea 240 bags".into());
/// assert_ne!(CacheKey::of(&book, "v1", "m"), CacheKey::of(&food, "v1", "m"));
/// // Stable text, for caches kept in a database.
/// assert!(CacheKey::of(&book, "v1", "m").to_string().starts_with("v1|m|debit|GBP:10-100|"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The description, normalised ([`CacheKey::normalise`]).
    pub description: String,
    /// Money in or out.
    pub direction: Direction,
    /// The currency and the amount's order of magnitude (`GBP:10-100`); empty when unknown.
    pub amount_band: String,
    /// A stable hash (FNV-1a) of the context and the merchant hint; 0 when there is none.
    pub context_hash: u64,
    /// The prompt's version.
    pub prompt_version: String,
    /// The model.
    pub model: String,
}

impl CacheKey {
    /// A key for `description` alone (no amount, no context), normalised.
    pub fn new(description: &str, direction: Direction, prompt_version: &str, model: &str) -> Self {
        CacheKey {
            description: CacheKey::normalise(description),
            direction,
            amount_band: String::new(),
            context_hash: 0,
            prompt_version: prompt_version.to_owned(),
            model: model.to_owned(),
        }
    }

    /// The key of a transaction: its description, direction, amount band and context.
    pub fn of(item: &crate::TransactionInput, prompt_version: &str, model: &str) -> Self {
        let mut key = CacheKey::new(&item.description, item.direction, prompt_version, model);
        key.amount_band = format!("{}:{}", item.currency, amount_band(item.amount));
        let context = [item.context.as_deref(), item.merchant_hint.as_deref()];
        if context.iter().any(Option::is_some) {
            key.context_hash = context.iter().fold(FNV_OFFSET, |h, part| {
                fnv1a(fnv1a(h, part.unwrap_or("").as_bytes()), &[0xff])
            });
        }
        key
    }

    /// Lower case, single spaces, and runs of 3+ digits (card numbers, dates,
    /// references) folded, so `TESCO STORES 2041` and `Tesco Stores  3392` share a key.
    ///
    /// ```
    /// use llm_enrich::CacheKey;
    /// assert_eq!(CacheKey::normalise("TESCO STORES  2041"), CacheKey::normalise("Tesco Stores 3392"));
    /// assert_ne!(CacheKey::normalise("TESCO"), CacheKey::normalise("SAINSBURYS"));
    /// ```
    pub fn normalise(description: &str) -> String {
        let mut out = String::with_capacity(description.len());
        let mut digits = 0;
        for ch in description.trim().chars().flat_map(char::to_lowercase) {
            if ch.is_ascii_digit() {
                digits += 1;
                continue;
            }
            flush_digits(&mut out, &mut digits);
            if ch.is_whitespace() {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(ch);
            }
        }
        flush_digits(&mut out, &mut digits);
        out
    }
}

impl std::fmt::Display for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let direction = match self.direction {
            Direction::Debit => "debit",
            Direction::Credit => "credit",
        };
        write!(
            f,
            "{}|{}|{direction}|{}|{:016x}|{}",
            self.prompt_version, self.model, self.amount_band, self.context_hash, self.description
        )
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The amount's order of magnitude in major units: `<1`, `1-10`, `10-100`, ...
fn amount_band(amount: rust_decimal::Decimal) -> String {
    let mut upper = rust_decimal::Decimal::ONE;
    let size = amount.abs();
    if size < upper {
        return "<1".to_owned();
    }
    let ten = rust_decimal::Decimal::TEN;
    while size >= upper * ten && upper < rust_decimal::Decimal::new(1_000_000_000, 0) {
        upper *= ten;
    }
    format!("{}-{}", upper, upper * ten)
}

fn flush_digits(out: &mut String, digits: &mut usize) {
    match *digits {
        0 => {}
        n if n >= 3 => out.push('#'),
        n => out.extend(std::iter::repeat_n('9', n)),
    }
    *digits = 0;
}

/// Where answers are cached. spend-core provides a persistent one.
pub trait Cache: Send + Sync {
    /// The cached answer for `key`.
    fn get<'a>(&'a self, key: &'a CacheKey) -> BoxFuture<'a, Option<EnrichmentFields>>;
    /// Stores `value` under `key`.
    fn put<'a>(&'a self, key: CacheKey, value: EnrichmentFields) -> BoxFuture<'a, ()>;
}

/// A [`Cache`] in memory.
#[derive(Debug, Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<CacheKey, EnrichmentFields>>,
}

impl MemoryCache {
    /// An empty cache.
    pub fn new() -> Self {
        MemoryCache::default()
    }

    /// How many answers are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Cache for MemoryCache {
    fn get<'a>(&'a self, key: &'a CacheKey) -> BoxFuture<'a, Option<EnrichmentFields>> {
        let found = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned();
        Box::pin(async move { found })
    }

    fn put<'a>(&'a self, key: CacheKey, value: EnrichmentFields) -> BoxFuture<'a, ()> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, value);
        Box::pin(async {})
    }
}
