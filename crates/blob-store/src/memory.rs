//! In memory (tests, short-lived tools).

use std::collections::BTreeMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use crate::{Blob, BlobStore, Error, Key, Metadata, ObjectInfo};

/// Objects in a map.
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<Key, (Vec<u8>, Metadata)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, (Vec<u8>, Metadata)>> {
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl BlobStore for MemoryStore {
    fn put<'a>(
        &'a self,
        key: &'a Key,
        bytes: Vec<u8>,
        metadata: Metadata,
    ) -> BoxFuture<'a, Result<(), Error>> {
        self.lock().insert(key.clone(), (bytes, metadata));
        Box::pin(async { Ok(()) })
    }

    fn get<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<Blob>, Error>> {
        let found = self.lock().get(key).map(|(bytes, metadata)| Blob {
            bytes: bytes.clone(),
            metadata: metadata.clone(),
        });
        Box::pin(async move { Ok(found) })
    }

    fn head<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<ObjectInfo>, Error>> {
        let found = self.lock().get(key).map(|(bytes, metadata)| ObjectInfo {
            key: key.clone(),
            size: bytes.len() as u64,
            metadata: metadata.clone(),
        });
        Box::pin(async move { Ok(found) })
    }

    fn delete<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<(), Error>> {
        self.lock().remove(key);
        Box::pin(async { Ok(()) })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<ObjectInfo>, Error>> {
        let found = self
            .lock()
            .iter()
            .filter(|(k, _)| k.as_str().starts_with(prefix))
            .map(|(k, (bytes, metadata))| ObjectInfo {
                key: k.clone(),
                size: bytes.len() as u64,
                metadata: metadata.clone(),
            })
            .collect();
        Box::pin(async move { Ok(found) })
    }
}
