//! Persisted bucket state, so a second process does not start with a full bucket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once};
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
    /// Saves `states`, the limiter's newest view. Called after every
    /// request, so it must not block on I/O: hand the write to a background
    /// task and keep only the newest snapshot.
    fn save(&self, states: &[BucketState]) -> Result<(), BoxError>;
    /// Writes what `save` was given and not written yet (when a limiter is
    /// dropped, so the next process starts from it).
    fn flush(&self) -> Result<(), BoxError> {
        Ok(())
    }
}

/// Keeps bucket state in a JSON file that several processes share: writes
/// happen on a background thread (the newest snapshot only), and each
/// write merges with what the file holds under an exclusive file lock,
/// keeping each bucket's later "full again" time, so processes never
/// overwrite each other's spending.
///
/// ```
/// use spend_http::{FileRateStateStore, RateStateStore};
/// let dir = std::env::temp_dir().join(format!("spend-doc-{}", std::process::id()));
/// let store = FileRateStateStore::new(dir.join("buckets.json"));
/// assert!(store.load().unwrap().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct FileRateStateStore {
    handle: Arc<Handle>,
}

/// The last clone's drop writes what is left, on the dropping thread, and
/// lets the writer thread end.
#[derive(Debug)]
struct Handle {
    shared: Arc<Shared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Err(e) = self.shared.close() {
            tracing::warn!(error = %e, "could not persist rate-limit state");
        }
    }
}

/// What the clones and the writer thread share.
#[derive(Debug)]
struct Shared {
    path: PathBuf,
    pending: Mutex<Pending>,
    /// Held while a snapshot is written, and taken before the `pending`
    /// lock is let go, so a flush waits for a write already under way
    /// (else the next reader could see the file before it).
    writing: Mutex<()>,
    wake: Condvar,
    writer: Once,
}

#[derive(Debug, Default)]
struct Pending {
    /// The newest snapshot not written yet.
    states: Option<Vec<BucketState>>,
    /// Every clone is gone: the writer thread ends.
    closed: bool,
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the pending snapshot, after any write under way.
    fn flush(&self) -> Result<(), BoxError> {
        self.write_pending(self.pending())
    }

    /// Writes what is left and lets the writer thread end.
    fn close(&self) -> Result<(), BoxError> {
        let mut pending = self.pending();
        pending.closed = true;
        let written = self.write_pending(pending);
        self.wake.notify_all();
        written
    }

    /// Takes the pending snapshot and writes it. The `pending` lock is let
    /// go only once the `writing` one is held, so whoever comes next waits
    /// for this write.
    fn write_pending(&self, mut pending: MutexGuard<'_, Pending>) -> Result<(), BoxError> {
        let taken = pending.states.take();
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        drop(pending);
        match taken {
            Some(states) => write_merged(&self.path, states),
            None => Ok(()),
        }
    }

    /// The writer thread: writes each newest snapshot until the store is closed.
    fn write_in_background(&self) {
        loop {
            let pending = self
                .wake
                .wait_while(self.pending(), |p| p.states.is_none() && !p.closed)
                .unwrap_or_else(|e| e.into_inner());
            if pending.states.is_none() {
                return; // closed, and nothing left to write
            }
            if let Err(e) = self.write_pending(pending) {
                tracing::warn!(error = %e, "could not persist rate-limit state");
            }
        }
    }
}

impl FileRateStateStore {
    /// A store at `path` (created on first save, with its parent folders).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileRateStateStore {
            handle: Arc::new(Handle {
                shared: Arc::new(Shared {
                    path: path.into(),
                    pending: Mutex::new(Pending::default()),
                    writing: Mutex::new(()),
                    wake: Condvar::new(),
                    writer: Once::new(),
                }),
            }),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.handle.shared.path
    }

    /// Starts the writer thread once; it ends when the last clone is dropped.
    fn start_writer(&self) {
        let shared = &self.handle.shared;
        shared.writer.call_once(|| {
            let shared = Arc::clone(shared);
            let spawned = std::thread::Builder::new()
                .name("rate-state-writer".into())
                .spawn(move || shared.write_in_background());
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "no rate-state writer thread; state is written on flush");
            }
        });
    }
}

impl RateStateStore for FileRateStateStore {
    fn load(&self) -> Result<Vec<BucketState>, BoxError> {
        // What this process saved and has not written yet counts too.
        self.flush()?;
        read(self.path())
    }

    fn save(&self, states: &[BucketState]) -> Result<(), BoxError> {
        self.start_writer();
        self.handle.shared.pending().states = Some(states.to_vec());
        self.handle.shared.wake.notify_one();
        Ok(())
    }

    fn flush(&self) -> Result<(), BoxError> {
        self.handle.shared.flush()
    }
}

fn read(path: &Path) -> Result<Vec<BucketState>, BoxError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Merges `states` into the file under an exclusive lock: per bucket the
/// later "full again" time wins, buckets already full are dropped, and the
/// file is replaced atomically (temp file + rename).
fn write_merged(path: &Path, states: Vec<BucketState>) -> Result<(), BoxError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let lock = std::fs::File::create(path.with_extension("lock"))?;
    lock.lock()?;
    let now_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let mut merged: BTreeMap<(String, String), u64> = BTreeMap::new();
    for state in read(path).unwrap_or_default().into_iter().chain(states) {
        let at = merged
            .entry((state.operation, state.key))
            .or_insert(state.full_at_unix_ms);
        *at = (*at).max(state.full_at_unix_ms);
    }
    let kept: Vec<BucketState> = merged
        .into_iter()
        .filter(|(_, at)| *at > now_ms)
        .map(|((operation, key), full_at_unix_ms)| BucketState {
            operation,
            key,
            full_at_unix_ms,
        })
        .collect();
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec_pretty(&kept)?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
