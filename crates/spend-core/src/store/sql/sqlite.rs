//! The embedded default: a SQLite file (WAL, busy timeout, foreign keys).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

type Db = sqlx::Sqlite;
type Backend = SqliteStore;
const BACKEND: &str = "sqlite";
/// What serialises recomputing one user's monthly sums (SQLite: its single writer).
const ROLLUP_LOCK: Option<&str> = None;
/// SQLite allows 32,766 bound parameters a statement.
const MAX_PARAMS: usize = 32_000;

/// A [`Store`](crate::store::Store) in a SQLite file.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), spend_core::store::StoreError> {
/// use spend_core::store::{SqliteStore, Store};
/// let path = std::env::temp_dir().join(format!("spend-doc-{}.db", std::process::id()));
/// let store = SqliteStore::open(&path).await?;
/// let id = store.ensure_user("alex").await?;
/// assert_eq!(store.ensure_user("alex").await?, id, "the same user");
/// # drop(store); std::fs::remove_file(&path).ok(); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`, and migrates it.
    pub async fn open(path: impl AsRef<Path>) -> crate::store::Result<Self> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::store::StoreError::Config(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::with_options(options, 4).await
    }

    /// Opens `sqlite://PATH` or `sqlite::memory:`.
    pub async fn connect(url: &str) -> crate::store::Result<Self> {
        if url.contains(":memory:") {
            return Self::in_memory().await;
        }
        let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
        Self::with_options(options, 4).await
    }

    /// A private database in memory (tests, short-lived tools).
    pub async fn in_memory() -> crate::store::Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        // Every connection to `:memory:` is a database of its own: keep one.
        Self::with_options(options, 1).await
    }

    async fn with_options(
        options: SqliteConnectOptions,
        connections: u32,
    ) -> crate::store::Result<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            // 64 MiB of page cache a connection (the default is 2 MiB): index
            // pages of a large import stay in memory instead of being re-read.
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            // Measured on large imports: 16 KiB pages (set when the file is
            // made) and a checkpoint every 64 MiB of WAL instead of every
            // 4 MiB each gave about a third more rows a second.
            .page_size(16_384)
            .pragma("wal_autocheckpoint", "4000")
            .foreign_keys(true)
            // Recomputing the monthly sums after a bulk load takes seconds by
            // design: slow statements are worth a debug line, not a warning.
            .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1));
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .min_connections(if connections == 1 { 1 } else { 0 })
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        super::migrator(MIGRATIONS).run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The connection pool, for an app's own queries.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Inserts one chunk as a multi-row `VALUES` upsert; returns the versions
/// of the rows written (1: inserted, more: updated). (Binding the chunk as
/// one JSON array unpacked by `json_each` was measured slower.)
async fn insert_chunk(
    conn: &mut sqlx::SqliteConnection,
    user: i64,
    table: &super::Table,
    chunk: Vec<Vec<super::Param>>,
) -> crate::store::Result<Vec<i64>> {
    use super::Param;
    let mut qb = sqlx::QueryBuilder::<Db>::new(table.insert_head());
    qb.push_values(chunk, |mut b, row| {
        let fp = super::fingerprint(&row);
        b.push_bind(user);
        for p in row {
            match p {
                Param::Int(v) => b.push_bind(v),
                Param::OptInt(v) => b.push_bind(v),
                Param::Text(v) => b.push_bind(v),
                Param::OptText(v) => b.push_bind(v),
                Param::Real(v) => b.push_bind(v),
            };
        }
        b.push_bind(fp);
    });
    qb.push(table.upsert_tail());
    Ok(qb.build_query_scalar().fetch_all(&mut *conn).await?)
}

/// This backend's migrations, in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "allowances",
        include_str!("../../../migrations/sqlite/0002_allowances.sql"),
    ),
    (
        3,
        "rate_states",
        include_str!("../../../migrations/sqlite/0003_rate_states.sql"),
    ),
    (
        4,
        "mandates",
        include_str!("../../../migrations/sqlite/0004_mandates.sql"),
    ),
    (
        5,
        "categories",
        include_str!("../../../migrations/sqlite/0005_categories.sql"),
    ),
    (
        6,
        "rollup",
        include_str!("../../../migrations/sqlite/0006_rollup.sql"),
    ),
    (
        7,
        "jobs",
        include_str!("../../../migrations/sqlite/0007_jobs.sql"),
    ),
];

include!("backend.rs");
include!("spend_sums.rs");
