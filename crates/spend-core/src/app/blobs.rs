//! Where a deployment keeps its blobs: a folder, or an S3 bucket (AWS S3,
//! MinIO) that workers on several machines share.

use std::path::Path;
use std::sync::Arc;

use blob_store::{BlobStore, LocalStore};

use super::AppError;

/// Opens the blob store `location` names: a folder, or `s3://BUCKET`
/// (feature `s3`) with `SPEND_S3_ENDPOINT` for an S3-compatible server such
/// as MinIO (the bucket is made if missing; keys from `AWS_ACCESS_KEY_ID`
/// and `AWS_SECRET_ACCESS_KEY`), else AWS's own credentials chain and
/// `AWS_REGION`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), spend_core::app::AppError> {
/// let blobs = spend_core::app::open_blobs(&std::env::temp_dir().join("spend-doc-blobs")).await?;
/// # let _ = blobs;
/// # Ok(()) }
/// ```
pub async fn open_blobs(location: &Path) -> Result<Arc<dyn BlobStore>, AppError> {
    let text = location.to_string_lossy();
    match text.strip_prefix("s3://") {
        Some(bucket) => s3(bucket.trim_end_matches('/')).await,
        None => Ok(Arc::new(LocalStore::new(location))),
    }
}

fn invalid(variable: &str, detail: impl std::fmt::Display) -> AppError {
    AppError::Environment {
        variable: variable.to_owned(),
        detail: detail.to_string(),
    }
}

#[cfg(feature = "s3")]
async fn s3(bucket: &str) -> Result<Arc<dyn BlobStore>, AppError> {
    use blob_store::{S3Config, S3Store};
    if bucket.is_empty() || bucket.contains('/') {
        return Err(invalid(
            "SPEND_BLOBS",
            format!("s3://{bucket}: expected s3://BUCKET (a bucket of its own, no prefix)"),
        ));
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let config = match env("SPEND_S3_ENDPOINT") {
        Some(endpoint) => {
            let (Some(key), Some(secret)) =
                (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"))
            else {
                return Err(invalid(
                    "SPEND_S3_ENDPOINT",
                    "an S3-compatible server needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                ));
            };
            S3Config::compatible(endpoint, bucket, key, secret).create_bucket(true)
        }
        None => S3Config::aws(
            bucket,
            env("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
        ),
    };
    let store = S3Store::connect(config)
        .await
        .map_err(|e| invalid("SPEND_BLOBS", format!("s3://{bucket}: {e}")))?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "s3"))]
async fn s3(bucket: &str) -> Result<Arc<dyn BlobStore>, AppError> {
    Err(invalid(
        "SPEND_BLOBS",
        format!("s3://{bucket}: this spend was built without S3 (feature `s3`)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_or_a_bucket_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("spend-blobs-{}", std::process::id()));
        assert!(open_blobs(&dir).await.is_ok());
        let nested = open_blobs(Path::new("s3://bucket/prefix")).await;
        assert!(matches!(nested, Err(AppError::Environment { .. })));
    }
}
