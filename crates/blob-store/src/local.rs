//! A folder on disk: the embedded default.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::BoxFuture;

use crate::{Blob, BlobStore, Error, Key, Metadata, ObjectInfo};

/// Files under a root folder; each object's metadata sits beside it in
/// `NAME.meta.json`. Writes are atomic and durable (a temporary file, synced,
/// then a rename; the bytes before their metadata), so a crash never leaves
/// half a file under a key.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), blob_store::Error> {
/// use blob_store::{BlobStore, Key, LocalStore, Metadata};
/// let root = std::env::temp_dir().join(format!("blob-doc-{}", std::process::id()));
/// let store = LocalStore::new(&root);
/// let key = Key::new("2024/03/12/msg/invoice.pdf")?;
/// store.put(&key, b"%PDF".to_vec(), Metadata::for_bytes(b"%PDF", "application/pdf")).await?;
/// assert_eq!(store.get(&key).await?.unwrap().bytes, b"%PDF");
/// # std::fs::remove_dir_all(root).ok(); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

const META: &str = ".meta.json";
const TMP: &str = ".tmp";

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

impl LocalStore {
    /// A store in `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &Key) -> PathBuf {
        key.as_str()
            .split('/')
            .fold(self.root.clone(), |p, s| p.join(s))
    }

    fn meta_path(&self, key: &Key) -> PathBuf {
        let mut p = self.path(key).into_os_string();
        p.push(META);
        PathBuf::from(p)
    }

    async fn write_atomic(&self, target: &Path, bytes: &[u8]) -> Result<(), Error> {
        let tmp_dir = self.root.join(TMP);
        tokio::fs::create_dir_all(&tmp_dir)
            .await
            .map_err(|e| io(&tmp_dir, e))?;
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| io(parent, e))?;
        }
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let tmp = tmp_dir.join(format!(
            "{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(&tmp)
                .await
                .map_err(|e| io(&tmp, e))?;
            file.write_all(bytes).await.map_err(|e| io(&tmp, e))?;
            // The bytes are on disk before the name points at them.
            file.sync_all().await.map_err(|e| io(&tmp, e))?;
        }
        tokio::fs::rename(&tmp, target)
            .await
            .map_err(|e| io(target, e))?;
        sync_dir(target.parent()).await
    }

    async fn read_meta(&self, key: &Key) -> Result<Option<Metadata>, Error> {
        let path = self.meta_path(key);
        match tokio::fs::read(&path).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Metadata {
                    key: key.to_string(),
                    detail: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path, e)),
        }
    }

    fn walk(&self, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io(dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(dir == self.root && name == TMP) {
                    self.walk(&path, out)?;
                }
            } else if !name.ends_with(META)
                && let Ok(relative) = path.strip_prefix(&self.root)
            {
                out.push(
                    relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
        Ok(())
    }
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
async fn sync_dir(dir: Option<&Path>) -> Result<(), Error> {
    #[cfg(unix)]
    if let Some(dir) = dir {
        let file = tokio::fs::File::open(dir).await.map_err(|e| io(dir, e))?;
        file.sync_all().await.map_err(|e| io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl BlobStore for LocalStore {
    fn put<'a>(
        &'a self,
        key: &'a Key,
        bytes: Vec<u8>,
        metadata: Metadata,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let meta = serde_json::to_vec_pretty(&metadata).map_err(|e| Error::Metadata {
                key: key.to_string(),
                detail: e.to_string(),
            })?;
            // Bytes first (synced), then the metadata that describes them: a
            // crash in between leaves bytes without metadata (read back with
            // default metadata), never metadata naming bytes that are not there.
            self.write_atomic(&self.path(key), &bytes).await?;
            self.write_atomic(&self.meta_path(key), &meta).await
        })
    }

    fn get<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<Blob>, Error>> {
        Box::pin(async move {
            let path = self.path(key);
            let bytes = match tokio::fs::read(&path).await {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&path, e)),
            };
            let metadata = self.read_meta(key).await?.unwrap_or_default();
            Ok(Some(Blob { bytes, metadata }))
        })
    }

    fn head<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<ObjectInfo>, Error>> {
        Box::pin(async move {
            let path = self.path(key);
            let size = match tokio::fs::metadata(&path).await {
                Ok(m) if m.is_file() => m.len(),
                Ok(_) => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&path, e)),
            };
            let metadata = self.read_meta(key).await?.unwrap_or_default();
            Ok(Some(ObjectInfo {
                key: key.clone(),
                size,
                metadata,
            }))
        })
    }

    fn delete<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            for path in [self.path(key), self.meta_path(key)] {
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(&path, e)),
                }
            }
            Ok(())
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<ObjectInfo>, Error>> {
        Box::pin(async move {
            let mut keys = Vec::new();
            self.walk(&self.root, &mut keys)?;
            keys.retain(|k| k.starts_with(prefix));
            crate::head_sorted(self, keys).await
        })
    }
}
