mod common;

use blob_store::{BlobStore, Key, LocalStore, Metadata};

fn root(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("blob-store-{name}-{}", std::process::id()))
}

#[tokio::test]
async fn local_store_conforms() {
    let dir = root("conform");
    common::conformance(&LocalStore::new(&dir), "").await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn writes_are_atomic_and_stay_inside_the_root() {
    let dir = root("atomic");
    let store = LocalStore::new(&dir);
    let key = Key::new("x/y.bin").unwrap();
    store
        .put(
            &key,
            vec![7; 1 << 20],
            Metadata::for_bytes(&[], "application/octet-stream"),
        )
        .await
        .unwrap();
    // No temporary file is left beside the object, and temporaries are not listed.
    let names: Vec<_> = std::fs::read_dir(dir.join("x"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(store.list("").await.unwrap().len(), 1);
    assert!(Key::new("../outside").is_err());
    assert!(
        Key::new("x/y.bin.meta.json").is_err(),
        "metadata names are reserved"
    );
    std::fs::remove_dir_all(dir).ok();
}
