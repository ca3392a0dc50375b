//! Objects as files under one directory, written atomically (temporary file, then rename).

use std::path::PathBuf;

use super::{ObjectStore, StorageError, check_key};

/// Bytes read at a time when streaming a file.
const PIECE: usize = 64 * 1024;

pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

/// Creates `dir` and any missing parents readable by this user only (0700): stored images,
/// uploads, archives and the mail outbox (reset links) are nobody else's business on the host.
pub async fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir).await
}

/// Creates a new file readable and writable by this user only (0600).
pub async fn private_file(path: &std::path::Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}

/// Writes `bytes` to a new private file.
pub async fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = private_file(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

fn not_found_as(err: std::io::Error) -> StorageError {
    if err.kind() == std::io::ErrorKind::NotFound {
        StorageError::NotFound
    } else {
        StorageError::Io(err)
    }
}

impl ObjectStore for LocalStore {
    async fn put(&self, key: &str, bytes: &[u8], _content_type: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            private_dir(parent).await?;
        }
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        write_private(&temp, bytes).await?;
        tokio::fs::rename(&temp, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        tokio::fs::read(self.path(key)?).await.map_err(not_found_as)
    }

    async fn get_stream(&self, key: &str) -> Result<super::ByteStream, StorageError> {
        use tokio::io::AsyncReadExt;
        let file = tokio::fs::File::open(self.path(key)?)
            .await
            .map_err(not_found_as)?;
        Ok(Box::pin(futures_util::stream::try_unfold(
            file,
            |mut file| async move {
                let mut piece = vec![0u8; PIECE];
                let n = file.read(&mut piece).await?;
                if n == 0 {
                    return Ok(None);
                }
                piece.truncate(n);
                Ok(Some((actix_web::web::Bytes::from(piece), file)))
            },
        )))
    }

    async fn put_file(
        &self,
        key: &str,
        source: &std::path::Path,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            private_dir(parent).await?;
        }
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        let mut from = tokio::fs::File::open(source).await?;
        let mut to = private_file(&temp).await?;
        tokio::io::copy(&mut from, &mut to).await?;
        tokio::io::AsyncWriteExt::flush(&mut to).await?;
        drop(to);
        tokio::fs::rename(&temp, &path).await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StorageError::Io(e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_delete_round_trip() {
        let root =
            std::env::temp_dir().join(format!("zimage-store-{}", uuid::Uuid::new_v4().simple()));
        let store = LocalStore::new(root.clone());
        store
            .put("users/u1/images/a.png", b"bytes", "image/png")
            .await
            .unwrap();
        assert_eq!(store.get("users/u1/images/a.png").await.unwrap(), b"bytes");
        store
            .put("users/u1/images/a.png", b"replaced", "image/png")
            .await
            .unwrap();
        assert_eq!(
            store.get("users/u1/images/a.png").await.unwrap(),
            b"replaced"
        );
        store.delete("users/u1/images/a.png").await.unwrap();
        store.delete("users/u1/images/a.png").await.unwrap();
        assert!(matches!(
            store.get("users/u1/images/a.png").await,
            Err(StorageError::NotFound)
        ));
        assert!(matches!(
            store.get("../outside").await,
            Err(StorageError::InvalidKey(_))
        ));
        let _ = std::fs::remove_dir_all(root);
    }
}
