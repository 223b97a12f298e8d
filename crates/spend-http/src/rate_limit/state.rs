//! Persisted bucket state, so a second process does not start with a full bucket.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::BoxError;

/// One bucket's state: when it will be full again (its theoretical arrival time).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BucketState {
    /// The operation name.
    pub operation: String,
    /// The key within the operation (seller, user); `""` for none.
    pub key: String,
    /// Milliseconds since the Unix epoch at which the bucket is full again.
    pub full_at_unix_ms: u64,
}

impl BucketState {
    /// How long from `now` until the bucket is full again.
    pub fn until_full(&self, now: SystemTime) -> Duration {
        let full_at = SystemTime::UNIX_EPOCH + Duration::from_millis(self.full_at_unix_ms);
        full_at.duration_since(now).unwrap_or(Duration::ZERO)
    }
}

/// Where bucket state is kept between processes.
pub trait RateStateStore: Send + Sync + 'static {
    /// Every bucket saved so far.
    fn load(&self) -> Result<Vec<BucketState>, BoxError>;
    /// Replaces what is saved with `states`.
    fn save(&self, states: &[BucketState]) -> Result<(), BoxError>;
}

/// Keeps bucket state in a JSON file, written atomically (temp file + rename).
///
/// ```
/// use spend_http::{FileRateStateStore, RateStateStore};
/// let dir = std::env::temp_dir().join(format!("spend-doc-{}", std::process::id()));
/// let store = FileRateStateStore::new(dir.join("buckets.json"));
/// assert!(store.load().unwrap().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct FileRateStateStore {
    path: PathBuf,
}

impl FileRateStateStore {
    /// A store at `path` (created on first save, with its parent folders).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileRateStateStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl RateStateStore for FileRateStateStore {
    fn load(&self) -> Result<Vec<BucketState>, BoxError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    fn save(&self, states: &[BucketState]) -> Result<(), BoxError> {
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(states)?)?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}
