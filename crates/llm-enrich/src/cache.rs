//! Caching answers so the same question is never paid for twice.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use crate::ProviderKind;
use crate::transactions::{Direction, EnrichmentFields};

/// What an answer is cached under: everything the model is told about a
/// transaction that can change its answer, and everything about the asking.
///
/// - the normalised description and the direction;
/// - the currency and the exact amount (`TFL TRAVEL` for 2.80 is a bus
///   fare, for 156.00 a season ticket; an `AMAZON` charge of 4.99 and one
///   of 499.00 are not the same purchase);
/// - a hash of the context (what a matched order or receipt says was
///   bought) and the merchant hint;
/// - the prompt version, which covers the instructions, the schema and the
///   taxonomy (see [`PROMPT_VERSION`](crate::transactions::PROMPT_VERSION));
/// - the provider and the model (two providers can serve models of the same
///   name, and answer in different modes).
///
/// The transaction's id and date are not part of it: the id is only how the
/// answer is mapped back, and the date does not change what was bought.
///
/// ```
/// use llm_enrich::{CacheKey, Direction, ProviderKind, TransactionInput};
/// use rust_decimal::Decimal;
/// let mut book = TransactionInput::new("t1", "AMAZON.CO.UK*2K4RT51X4", Decimal::new(1299, 2), "GBP", Direction::Debit);
/// book.context = Some("The Rust Programming Language (paperback)".into());
/// let mut food = book.clone();
/// food.context = Some("Yorkshire Tea 240 bags".into());
/// let key = |t: &TransactionInput| CacheKey::of(t, "v1", ProviderKind::Anthropic, "m");
/// assert_ne!(key(&book), key(&food));
/// let mut dearer = book.clone();
/// dearer.amount = Decimal::new(1499, 2);
/// assert_ne!(key(&book), key(&dearer));
/// assert_ne!(key(&book), CacheKey::of(&book, "v1", ProviderKind::OpenAi, "m"));
/// // The same input under another id (and written 12.990): the same key.
/// let mut again = book.clone();
/// again.id = "t2".into();
/// again.amount = Decimal::new(12990, 3);
/// assert_eq!(key(&book), key(&again));
/// // Stable text, for caches kept in a database.
/// assert!(key(&book).to_string().starts_with("v1|anthropic|m|debit|GBP:12.99|"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The description, normalised ([`CacheKey::normalise`]).
    pub description: String,
    /// Money in or out.
    pub direction: Direction,
    /// The currency and the amount without trailing zeros (`GBP:12.5`); empty when unknown.
    pub amount: String,
    /// A stable hash (FNV-1a) of the context and the merchant hint; 0 when there is none.
    pub context_hash: u64,
    /// The prompt's version (instructions, schema and taxonomy).
    pub prompt_version: String,
    /// The provider.
    pub provider: ProviderKind,
    /// The model.
    pub model: String,
}

impl CacheKey {
    /// A key for `description` alone (no amount, no context), normalised.
    pub fn new(
        description: &str,
        direction: Direction,
        prompt_version: &str,
        provider: ProviderKind,
        model: &str,
    ) -> Self {
        CacheKey {
            description: CacheKey::normalise(description),
            direction,
            amount: String::new(),
            context_hash: 0,
            prompt_version: prompt_version.to_owned(),
            provider,
            model: model.to_owned(),
        }
    }

    /// The key of a transaction: its description, direction, currency and
    /// amount, and context, asked with `prompt_version` of `provider`'s `model`.
    pub fn of(
        item: &crate::TransactionInput,
        prompt_version: &str,
        provider: ProviderKind,
        model: &str,
    ) -> Self {
        let mut key = CacheKey::new(
            &item.description,
            item.direction,
            prompt_version,
            provider,
            model,
        );
        // `normalize` so that 12.50 and 12.5 (the same amount, however a
        // source wrote it) share a key.
        key.amount = format!(
            "{}:{}",
            item.currency.trim().to_uppercase(),
            item.amount.abs().normalize()
        );
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
            "{}|{}|{}|{direction}|{}|{:016x}|{}",
            self.prompt_version,
            self.provider,
            self.model,
            self.amount,
            self.context_hash,
            self.description
        )
    }
}

/// FNV-1a: stable across runs, platforms and Rust versions (unlike
/// `DefaultHasher`), which keys kept in a database need.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

pub(crate) fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
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
