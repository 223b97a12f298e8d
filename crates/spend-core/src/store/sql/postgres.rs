//! The multi-user, multi-worker backend: a PostgreSQL server.

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgPool, PgPoolOptions};

type Db = sqlx::Postgres;
type Backend = PostgresStore;
const BACKEND: &str = "postgres";
/// What serialises recomputing one user's monthly sums.
const ROLLUP_LOCK: Option<&str> =
    Some("SELECT pg_advisory_xact_lock(hashtextextended('spend_rollup', $1))");
/// Rows go in as one array a column (`UNNEST`), so the statement has a
/// parameter a column, not a parameter a value: no limit to stay under.
const MAX_PARAMS: usize = usize::MAX;

/// A [`Store`](crate::store::Store) in a PostgreSQL database.
///
/// ```no_run
/// # async fn run() -> Result<(), spend_core::store::StoreError> {
/// use spend_core::store::{PostgresStore, Store};
/// let store = PostgresStore::connect("postgres://spend@db.internal/spend").await?;
/// let alex = store.user(store.ensure_user("alex").await?);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` and migrates the database.
    pub async fn connect(url: &str) -> crate::store::Result<Self> {
        // As on SQLite: a slow statement (the monthly sums after a bulk
        // load) is worth a debug line, not a warning.
        let options = sqlx::postgres::PgConnectOptions::from_str(url)?
            .log_slow_statements(log::LevelFilter::Debug, std::time::Duration::from_secs(1));
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }

    /// Uses an existing pool (migrating the database).
    pub async fn from_pool(pool: PgPool) -> crate::store::Result<Self> {
        super::migrator(MIGRATIONS).run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for an app's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// One column of a chunk, as the array Postgres will `UNNEST`.
enum Column {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Real(Vec<Option<f64>>),
}

/// Inserts one chunk as `INSERT ... SELECT FROM UNNEST($2::bigint[], ...)`:
/// one array parameter a column, parsed and planned once however many rows
/// (several times faster than a multi-row `VALUES` list of bound values).
/// Returns the versions of the rows written (1: inserted, more: updated).
async fn insert_chunk(
    conn: &mut sqlx::PgConnection,
    user: i64,
    table: &super::Table,
    chunk: Vec<Vec<super::Param>>,
) -> crate::store::Result<Vec<i64>> {
    use super::Param;
    let width = chunk.first().map_or(0, Vec::len);
    let mut columns: Vec<Column> = chunk
        .first()
        .map(|row| {
            row.iter()
                .map(|p| match p {
                    Param::Int(_) | Param::OptInt(_) => {
                        Column::Int(Vec::with_capacity(chunk.len()))
                    }
                    Param::Text(_) | Param::OptText(_) => {
                        Column::Text(Vec::with_capacity(chunk.len()))
                    }
                    Param::Real(_) => Column::Real(Vec::with_capacity(chunk.len())),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut fps = Vec::with_capacity(chunk.len());
    for row in chunk {
        fps.push(Some(super::fingerprint(&row)));
        for (column, p) in columns.iter_mut().zip(row) {
            match (column, p) {
                (Column::Int(c), Param::Int(v)) => c.push(Some(v)),
                (Column::Int(c), Param::OptInt(v)) => c.push(v),
                (Column::Text(c), Param::Text(v)) => c.push(Some(v)),
                (Column::Text(c), Param::OptText(v)) => c.push(v),
                (Column::Real(c), Param::Real(v)) => c.push(Some(v)),
                _ => {
                    return Err(crate::store::StoreError::Invalid(format!(
                        "{}: a column changes type between rows",
                        table.name
                    )));
                }
            }
        }
    }
    let mut casts = Vec::with_capacity(width + 1);
    for (i, column) in columns.iter().enumerate() {
        let ty = match column {
            Column::Int(_) => "bigint",
            Column::Text(_) => "text",
            Column::Real(_) => "float8",
        };
        casts.push(format!("${}::{ty}[]", i + 2));
    }
    casts.push(format!("${}::bigint[]", width + 2));
    let sql = format!(
        "{}SELECT $1::bigint, u.* FROM UNNEST({}) AS u{}",
        table.insert_head(),
        casts.join(", "),
        table.upsert_tail()
    );
    let mut query = sqlx::query_scalar::<Db, i64>(sqlx::AssertSqlSafe(sql)).bind(user);
    for column in columns {
        query = match column {
            Column::Int(c) => query.bind(c),
            Column::Text(c) => query.bind(c),
            Column::Real(c) => query.bind(c),
        };
    }
    Ok(query.bind(fps).fetch_all(&mut *conn).await?)
}

/// This backend's migrations, in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "allowances",
        include_str!("../../../migrations/postgres/0002_allowances.sql"),
    ),
    (
        3,
        "rate_states",
        include_str!("../../../migrations/postgres/0003_rate_states.sql"),
    ),
    (
        4,
        "mandates",
        include_str!("../../../migrations/postgres/0004_mandates.sql"),
    ),
    (
        5,
        "categories",
        include_str!("../../../migrations/postgres/0005_categories.sql"),
    ),
    (
        6,
        "rollup",
        include_str!("../../../migrations/postgres/0006_rollup.sql"),
    ),
    (
        7,
        "jobs",
        include_str!("../../../migrations/postgres/0007_jobs.sql"),
    ),
];

include!("backend.rs");
include!("spend_sums.rs");
