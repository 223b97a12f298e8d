//! What can go wrong storing data.

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed (connection, SQL, constraint).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back into the model.
    #[error("corrupt row in {table}: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A compare-and-swap lost: someone else wrote first.
    #[error("{what} was changed by another writer (expected version {expected:?})")]
    Conflict {
        /// What was being written.
        what: String,
        /// The version the writer expected.
        expected: Option<i64>,
    },
    /// A record refers to something that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A bad URL, path or setting.
    #[error("{0}")]
    Config(String),
    /// A value that cannot be stored (a bad cursor, an amount too large).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Re-encrypting a secret failed.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

impl StoreError {
    pub(crate) fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            table,
            detail: detail.to_string(),
        }
    }
}
