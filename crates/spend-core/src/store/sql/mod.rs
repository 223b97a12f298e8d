//! The SQL backends. Both speak the same SQL (upserts with `ON CONFLICT`,
//! `RETURNING`, numbered parameters), so one implementation, `backend.rs`, is
//! compiled once per backend against its concrete sqlx types; each backend
//! module supplies its pool, its migrations and its few differences.
//! (A generic implementation over `sqlx::Database` needs a bound for every
//! type on every function; compiling the same text twice needs none.)

pub(crate) mod rows;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Real(f64),
}

impl Param {
    /// Feeds the value into an FNV-1a hash (the change fingerprint).
    fn hash_into(&self, h: &mut u64) {
        fn eat(h: &mut u64, bytes: &[u8]) {
            for b in bytes {
                *h ^= u64::from(*b);
                *h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        match self {
            Param::Int(v) | Param::OptInt(Some(v)) => eat(h, &v.to_le_bytes()),
            Param::Text(s) | Param::OptText(Some(s)) => {
                eat(h, &(s.len() as u64).to_le_bytes());
                eat(h, s.as_bytes());
            }
            Param::Real(f) => eat(h, &f.to_bits().to_le_bytes()),
            Param::OptInt(None) | Param::OptText(None) => eat(h, &[0xff]),
        }
    }
}

/// The fingerprint of a row's values: an upsert writes only when it differs.
pub(crate) fn fingerprint(values: &[Param]) -> i64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for (i, v) in values.iter().enumerate() {
        Param::Int(i as i64).hash_into(&mut h);
        v.hash_into(&mut h);
    }
    h as i64
}

/// A table that records are upserted into: the key columns (after
/// `user_id`) and the other columns, in the order a row's values come.
pub(crate) struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [&'static str],
    /// Columns updated on conflict by an expression of their own instead of
    /// `excluded.column` (columns that other writes also decide).
    pub derived: &'static [(&'static str, &'static str)],
}

impl Table {
    /// `INSERT INTO t (user_id, key.., cols.., fp) VALUES ` (the rows follow).
    fn insert_head(&self) -> String {
        let mut cols = vec!["user_id"];
        cols.extend(self.key);
        cols.extend(self.columns);
        cols.push("fp");
        format!("INSERT INTO {} ({}) ", self.name, cols.join(", "))
    }

    /// The conflict clause: update every column and bump the version when the
    /// fingerprint differs; return the version so inserts (1) and updates
    /// (>1) can be told apart.
    fn upsert_tail(&self) -> String {
        let mut key = vec!["user_id"];
        key.extend(self.key);
        let sets: Vec<String> = self
            .columns
            .iter()
            .chain(["fp"].iter())
            .map(|c| match self.derived.iter().find(|(name, _)| name == c) {
                Some((_, expr)) => format!("{c} = {expr}"),
                None => format!("{c} = excluded.{c}"),
            })
            .collect();
        format!(
            " ON CONFLICT ({}) DO UPDATE SET {}, version = {t}.version + 1 WHERE {t}.fp <> excluded.fp RETURNING version",
            key.join(", "),
            sets.join(", "),
            t = self.name
        )
    }

    fn width(&self) -> usize {
        self.key.len() + self.columns.len() + 2
    }
}

/// Builds a migrator from `(version, description, sql)`, without the
/// `migrate!` macro (which would need the macros feature and its build cost).
fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sqlx::AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

use sqlx::SqlSafeStr;

/// Milliseconds since the epoch.
pub(crate) fn millis(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The instant `ms` milliseconds after the epoch.
pub(crate) fn from_millis(ms: i64) -> Result<time::OffsetDateTime, crate::store::StoreError> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| crate::store::StoreError::corrupt("timestamp", e))
}

pub(crate) fn now_millis() -> i64 {
    millis(time::OffsetDateTime::now_utc())
}
