//! S3 and S3-compatible servers (MinIO, moto, ...), feature `s3`.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use futures_util::future::BoxFuture;

use crate::{Blob, BlobStore, Error, Key, Metadata, ObjectInfo};

/// How to reach the bucket.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// The bucket.
    pub bucket: String,
    /// The region (`eu-west-2`; MinIO accepts any, `us-east-1` by convention).
    pub region: String,
    /// A custom endpoint (`http://localhost:9000` for MinIO); `None` for AWS.
    pub endpoint: Option<String>,
    /// Path-style addressing (`host/bucket/key`), which MinIO needs.
    pub path_style: bool,
    /// Explicit access key id and secret; `None` for the usual AWS chain
    /// (environment, profile, instance role).
    pub credentials: Option<(String, String)>,
    /// Create the bucket when it does not exist.
    pub create_bucket: bool,
}

impl S3Config {
    /// A bucket on AWS in `region`, credentials from the usual chain.
    pub fn aws(bucket: impl Into<String>, region: impl Into<String>) -> Self {
        S3Config {
            bucket: bucket.into(),
            region: region.into(),
            endpoint: None,
            path_style: false,
            credentials: None,
            create_bucket: false,
        }
    }

    /// A bucket on an S3-compatible server (MinIO) with explicit credentials and path-style addressing.
    pub fn compatible(
        endpoint: impl Into<String>,
        bucket: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        S3Config {
            bucket: bucket.into(),
            region: "us-east-1".into(),
            endpoint: Some(endpoint.into()),
            path_style: true,
            credentials: Some((access_key.into(), secret_key.into())),
            create_bucket: false,
        }
    }

    /// Creates the bucket on connect when missing.
    pub fn create_bucket(mut self, create: bool) -> Self {
        self.create_bucket = create;
        self
    }
}

/// Objects in an S3 bucket; metadata as `x-amz-meta-*` (non-ASCII values percent-encoded).
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
}

fn s3_error<E: std::error::Error>(operation: &'static str, error: E) -> Error {
    Error::S3 {
        operation,
        detail: DisplayErrorContext(&error).to_string(),
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn to_headers(metadata: &Metadata) -> HashMap<String, String> {
    let mut map = HashMap::from([("content-hash".to_owned(), metadata.content_hash.clone())]);
    for (name, value) in [
        ("original-filename", &metadata.original_filename),
        ("message-id", &metadata.message_id),
        ("merchant", &metadata.merchant),
    ] {
        if let Some(v) = value {
            map.insert(name.to_owned(), encode(v));
        }
    }
    map
}

fn from_headers(content_type: Option<&str>, map: Option<&HashMap<String, String>>) -> Metadata {
    let get = |name: &str| map.and_then(|m| m.get(name)).map(|v| decode(v));
    Metadata {
        content_type: content_type
            .unwrap_or("application/octet-stream")
            .to_owned(),
        content_hash: map
            .and_then(|m| m.get("content-hash"))
            .cloned()
            .unwrap_or_default(),
        original_filename: get("original-filename"),
        message_id: get("message-id"),
        merchant: get("merchant"),
    }
}

impl S3Store {
    /// Connects (and creates the bucket when asked to).
    pub async fn connect(config: S3Config) -> Result<Self, Error> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(config.region.clone()));
        if let Some((id, secret)) = &config.credentials {
            loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
                id,
                secret,
                None,
                None,
                "spend-blob-store",
            ));
        }
        let shared = loader.load().await;
        let mut builder =
            aws_sdk_s3::config::Builder::from(&shared).force_path_style(config.path_style);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        let client = Client::from_conf(builder.build());
        if config.create_bucket {
            let exists = client
                .head_bucket()
                .bucket(&config.bucket)
                .send()
                .await
                .is_ok();
            if !exists {
                client
                    .create_bucket()
                    .bucket(&config.bucket)
                    .send()
                    .await
                    .map_err(|e| s3_error("CreateBucket", e))?;
            }
        }
        Ok(S3Store {
            client,
            bucket: config.bucket,
        })
    }
}

impl BlobStore for S3Store {
    fn put<'a>(
        &'a self,
        key: &'a Key,
        bytes: Vec<u8>,
        metadata: Metadata,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key.as_str())
                .content_type(&metadata.content_type)
                .set_metadata(Some(to_headers(&metadata)))
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|e| s3_error("PutObject", e))?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<Blob>, Error>> {
        Box::pin(async move {
            let output = match self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key.as_str())
                .send()
                .await
            {
                Ok(o) => o,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                    return Ok(None);
                }
                Err(e) => return Err(s3_error("GetObject", e)),
            };
            let metadata = from_headers(output.content_type(), output.metadata());
            let bytes = output
                .body
                .collect()
                .await
                .map_err(|e| s3_error("GetObject", e))?
                .into_bytes()
                .to_vec();
            Ok(Some(Blob { bytes, metadata }))
        })
    }

    fn head<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<Option<ObjectInfo>, Error>> {
        Box::pin(async move {
            let output = match self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(key.as_str())
                .send()
                .await
            {
                Ok(o) => o,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
                    return Ok(None);
                }
                Err(e) => return Err(s3_error("HeadObject", e)),
            };
            Ok(Some(ObjectInfo {
                key: key.clone(),
                size: output
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                metadata: from_headers(output.content_type(), output.metadata()),
            }))
        })
    }

    fn delete<'a>(&'a self, key: &'a Key) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key.as_str())
                .send()
                .await
                .map_err(|e| s3_error("DeleteObject", e))?;
            Ok(())
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<ObjectInfo>, Error>> {
        Box::pin(async move {
            let mut keys = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(prefix)
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| s3_error("ListObjectsV2", e))?;
                keys.extend(
                    page.contents()
                        .iter()
                        .filter_map(|o| o.key().map(str::to_owned)),
                );
                match page.next_continuation_token() {
                    Some(next) if page.is_truncated() == Some(true) => {
                        token = Some(next.to_owned())
                    }
                    _ => break,
                }
            }
            crate::head_sorted(self, keys).await
        })
    }

    fn presigned_url<'a>(
        &'a self,
        key: &'a Key,
        expires: Duration,
    ) -> BoxFuture<'a, Result<Option<url::Url>, Error>> {
        Box::pin(async move {
            let config =
                PresigningConfig::expires_in(expires).map_err(|e| s3_error("Presign", e))?;
            let request = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key.as_str())
                .presigned(config)
                .await
                .map_err(|e| s3_error("Presign", e))?;
            Ok(url::Url::parse(request.uri()).ok())
        })
    }
}
