//! Object storage for generated images: a local directory by default, or S3/R2.

pub mod local;
pub mod s3;

use std::future::Future;
use std::pin::Pin;

use actix_web::web::Bytes;
use futures_util::Stream;

/// A stored object read piece by piece, never whole in memory.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, StorageError>> + Send>>;

/// A storage failure; `NotFound` is distinguished so callers can answer 404.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no object at that key")]
    NotFound,
    #[error("invalid object key {0:?}")]
    InvalidKey(String),
    #[error("storage I/O failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Keys are relative paths such as `users/<id>/images/<id>.png`: no `..`, no leading `/`.
pub fn check_key(key: &str) -> Result<(), StorageError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidKey(key.to_string()))
    }
}

/// Where image bytes live.
pub trait ObjectStore: Send + Sync {
    fn put(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;
    fn get(&self, key: &str) -> impl Future<Output = Result<Vec<u8>, StorageError>> + Send;
    /// Reads an object as a stream of pieces (large files: export archives).
    fn get_stream(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<ByteStream, StorageError>> + Send;
    /// Stores a local file's contents without reading it all into memory (large archives).
    fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        content_type: &str,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// Removes an object; a missing one is not an error.
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>> + Send;
}

/// Storage settings.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    Local(std::path::PathBuf),
    S3(s3::S3Config),
}

/// The configured store (enum dispatch keeps `ObjectStore` free of boxing).
pub enum Storage {
    Local(local::LocalStore),
    S3(s3::S3Store),
}

impl Storage {
    pub fn from_config(config: &StorageConfig) -> anyhow::Result<Self> {
        Ok(match config {
            StorageConfig::Local(root) => Self::Local(local::LocalStore::new(root.clone())),
            StorageConfig::S3(s3) => Self::S3(s3::S3Store::new(s3)?),
        })
    }
}

impl ObjectStore for Storage {
    async fn put(&self, key: &str, bytes: &[u8], content_type: &str) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.put(key, bytes, content_type).await,
            Self::S3(store) => store.put(key, bytes, content_type).await,
        }
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        match self {
            Self::Local(store) => store.get(key).await,
            Self::S3(store) => store.get(key).await,
        }
    }

    async fn get_stream(&self, key: &str) -> Result<ByteStream, StorageError> {
        match self {
            Self::Local(store) => store.get_stream(key).await,
            Self::S3(store) => store.get_stream(key).await,
        }
    }

    async fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.put_file(key, path, content_type).await,
            Self::S3(store) => store.put_file(key, path, content_type).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.delete(key).await,
            Self::S3(store) => store.delete(key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn keys_cannot_escape_their_root() {
        assert!(check_key("users/1/images/a.png").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "users/../../x",
            "users//x",
            "users/./x",
            "a b",
            "users/x\\y",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?} accepted");
        }
    }
}
