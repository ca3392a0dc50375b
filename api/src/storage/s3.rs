//! Objects in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …) through rust-s3.

use s3::creds::Credentials;
use s3::{Bucket, Region};

use super::{ObjectStore, StorageError, check_key};
use crate::config::Secret;

/// Connection settings for an S3-compatible service.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: Secret<String>,
    /// `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (R2, MinIO).
    pub path_style: bool,
}

pub struct S3Store {
    bucket: Box<Bucket>,
}

fn io(message: String) -> StorageError {
    StorageError::Io(std::io::Error::other(message))
}

impl S3Store {
    pub fn new(config: &S3Config) -> anyhow::Result<Self> {
        let region = Region::Custom {
            region: config.region.clone(),
            endpoint: config.endpoint.trim_end_matches('/').to_string(),
        };
        let credentials = Credentials::new(
            Some(&config.access_key),
            Some(config.secret_key.expose()),
            None,
            None,
            None,
        )?;
        let mut bucket = Bucket::new(&config.bucket, region, credentials)?;
        if config.path_style {
            bucket = bucket.with_path_style();
        }
        Ok(Self { bucket })
    }
}

/// Turns a response status into our result.
fn check(status: u16, action: &str, key: &str) -> Result<(), StorageError> {
    match status {
        200..=299 => Ok(()),
        404 => Err(StorageError::NotFound),
        other => Err(io(format!("S3 {action} of {key} answered HTTP {other}"))),
    }
}

impl ObjectStore for S3Store {
    async fn put(&self, key: &str, bytes: &[u8], content_type: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let response = self
            .bucket
            .put_object_with_content_type(key, bytes, content_type)
            .await
            .map_err(|e| io(format!("S3 put failed: {e}")))?;
        check(response.status_code(), "put", key)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        check_key(key)?;
        let response = self
            .bucket
            .get_object(key)
            .await
            .map_err(|e| io(format!("S3 get failed: {e}")))?;
        check(response.status_code(), "get", key)?;
        Ok(response.bytes().to_vec())
    }

    async fn get_stream(&self, key: &str) -> Result<super::ByteStream, StorageError> {
        use futures_util::TryStreamExt;
        check_key(key)?;
        let response = self
            .bucket
            .get_object_stream(key)
            .await
            .map_err(|e| io(format!("S3 get failed: {e}")))?;
        check(response.status_code, "get", key)?;
        Ok(Box::pin(
            response
                .bytes
                .map_err(|e| io(format!("S3 read failed: {e}"))),
        ))
    }

    async fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        check_key(key)?;
        let mut file = tokio::fs::File::open(path).await?;
        let response = self
            .bucket
            .put_object_stream_with_content_type(&mut file, key, content_type)
            .await
            .map_err(|e| io(format!("S3 streamed put failed: {e}")))?;
        check(response.status_code(), "put", key)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let response = self
            .bucket
            .delete_object(key)
            .await
            .map_err(|e| io(format!("S3 delete failed: {e}")))?;
        match check(response.status_code(), "delete", key) {
            Err(StorageError::NotFound) => Ok(()),
            other => other,
        }
    }
}
