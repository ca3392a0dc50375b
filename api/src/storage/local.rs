//! Objects as files under one directory, written atomically (temporary file, then rename).

use std::path::PathBuf;

use super::{ObjectStore, StorageError, check_key};

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
            tokio::fs::create_dir_all(parent).await?;
        }
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&temp, bytes).await?;
        tokio::fs::rename(&temp, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        tokio::fs::read(self.path(key)?).await.map_err(not_found_as)
    }

    async fn put_file(
        &self,
        key: &str,
        source: &std::path::Path,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::copy(source, &temp).await?;
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
