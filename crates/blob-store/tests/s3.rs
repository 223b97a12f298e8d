//! The S3 backend against a real S3 server (moto, started by `.ci/run`, which
//! sets `S3_TEST_ENDPOINT`). Skipped without it, except under `CI=true`.

mod common;

use std::time::Duration;

use blob_store::{BlobStore, Key, Metadata, S3Config, S3Store};

fn endpoint() -> Option<String> {
    match std::env::var("S3_TEST_ENDPOINT") {
        Ok(e) => Some(e),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but S3_TEST_ENDPOINT is not set: .ci/run must start the S3 server")
        }
        Err(_) => None,
    }
}

#[tokio::test]
async fn s3_store_conforms_against_a_real_server() {
    let Some(endpoint) = endpoint() else {
        eprintln!("skipped: S3_TEST_ENDPOINT not set (run .ci/run)");
        return;
    };
    let bucket = format!("spend-test-{}", std::process::id());
    let config = S3Config::compatible(&endpoint, &bucket, "testing", "testing").create_bucket(true);
    let store = S3Store::connect(config.clone()).await.unwrap();
    common::conformance(&store, "receipts/").await;

    // A presigned URL serves the object to a plain HTTP client.
    let key = Key::new("receipts/shared.pdf").unwrap();
    store
        .put(
            &key,
            b"%PDF shared".to_vec(),
            Metadata::for_bytes(b"%PDF shared", "application/pdf"),
        )
        .await
        .unwrap();
    let url = store
        .presigned_url(&key, Duration::from_secs(300))
        .await
        .unwrap()
        .unwrap();
    let body = reqwest::get(url.as_str())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"%PDF shared");

    // Connecting again to the existing bucket works (creation is idempotent).
    S3Store::connect(config).await.unwrap();
}

#[tokio::test]
async fn a_missing_bucket_is_a_typed_error() {
    let Some(endpoint) = endpoint() else { return };
    let store = S3Store::connect(S3Config::compatible(
        &endpoint,
        "no-such-bucket-spend",
        "testing",
        "testing",
    ))
    .await
    .unwrap();
    let err = store
        .put(&Key::new("a").unwrap(), b"x".to_vec(), Metadata::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            blob_store::Error::S3 {
                operation: "PutObject",
                ..
            }
        ),
        "{err:?}"
    );
}
