//! The multi-user, multi-worker backend: a PostgreSQL server.

use sqlx::postgres::{PgPool, PgPoolOptions};

type Db = sqlx::Postgres;
type Backend = PostgresStore;
const BACKEND: &str = "postgres";
/// Postgres allows 65,535 bound parameters a statement.
const MAX_PARAMS: usize = 60_000;

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
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        Self::from_pool(pool).await
    }

    /// Uses an existing pool (migrating the database).
    pub async fn from_pool(pool: PgPool) -> crate::store::Result<Self> {
        super::migrator(&[(
            1,
            "init",
            include_str!("../../../migrations/postgres/0001_init.sql"),
        )])
        .run(&pool)
        .await?;
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for an app's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

include!("backend.rs");
