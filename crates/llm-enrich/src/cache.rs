//! Caching answers so the same transaction description is never paid for twice.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use crate::transactions::{Direction, EnrichmentFields};

/// What an answer is cached under: the normalised description, the
/// direction, the prompt version (which covers the taxonomy) and the model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The description, normalised ([`CacheKey::normalise`]).
    pub description: String,
    /// Money in or out.
    pub direction: Direction,
    /// The prompt's version.
    pub prompt_version: String,
    /// The model.
    pub model: String,
}

impl CacheKey {
    /// A key for `description`, normalised.
    pub fn new(description: &str, direction: Direction, prompt_version: &str, model: &str) -> Self {
        CacheKey {
            description: CacheKey::normalise(description),
            direction,
            prompt_version: prompt_version.to_owned(),
            model: model.to_owned(),
        }
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
