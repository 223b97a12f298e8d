mod common;

#[tokio::test]
async fn memory_store_conforms() {
    common::conformance(&blob_store::MemoryStore::new(), "").await;
}
