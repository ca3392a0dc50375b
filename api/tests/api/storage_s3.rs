//! The S3 store against a real S3-compatible server process (moto's server, from PyPI).

use std::process::{Child, Command, Stdio};
use zimage_api::config::Secret;
use zimage_api::storage::s3::{S3Config, S3Store};
use zimage_api::storage::{ObjectStore, StorageError};
use zimage_api::testing::{free_port, wait_for_port};

use crate::helpers::spawn_app_with;

pub(crate) struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server and creates `bucket` (moto does not check signatures on bucket creation).
pub(crate) async fn start_s3(bucket: &str) -> S3Server {
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with moto[server] is installed (`just test` installs it)");
    wait_for_port(port, "the S3 server");
    let endpoint = format!("http://127.0.0.1:{port}");
    zimage_api::providers::http::install_crypto();
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "creating the bucket: {}",
        created.status()
    );
    S3Server { child, endpoint }
}

#[tokio::test]
async fn objects_round_trip_through_a_real_s3_server() {
    let server = start_s3("zimage-test").await;
    let store = S3Store::new(&S3Config {
        endpoint: server.endpoint.clone(),
        region: "us-east-1".into(),
        bucket: "zimage-test".into(),
        access_key: "test-access".into(),
        secret_key: Secret::new("test-secret".into()),
        path_style: true,
    })
    .unwrap();
    let key = "users/u1/images/abc.webp";
    let bytes: Vec<u8> = (0..=255).cycle().take(70_000).collect();
    store.put(key, &bytes, "image/webp").await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), bytes);
    store.delete(key).await.unwrap();
    store.delete(key).await.unwrap();
    assert!(matches!(store.get(key).await, Err(StorageError::NotFound)));
    assert!(matches!(
        store.get("../escape").await,
        Err(StorageError::InvalidKey(_))
    ));
}

#[tokio::test]
async fn the_app_uses_s3_when_configured() {
    let server = start_s3("zimage-app").await;
    let app = spawn_app_with(&[
        ("ZIMAGE_STORAGE", "s3"),
        ("ZIMAGE_S3_ENDPOINT", server.endpoint.as_str()),
        ("ZIMAGE_S3_REGION", "us-east-1"),
        ("ZIMAGE_S3_BUCKET", "zimage-app"),
        ("ZIMAGE_S3_ACCESS_KEY", "test-access"),
        ("ZIMAGE_S3_SECRET_KEY", "test-secret"),
    ])
    .await;
    assert!(matches!(
        app.state.storage,
        zimage_api::storage::Storage::S3(_)
    ));
    app.state
        .storage
        .put("users/u2/x.png", b"png", "image/png")
        .await
        .unwrap();
    // Read back through a client of our own: the object is on the server, not on local disk.
    let independent = S3Store::new(&S3Config {
        endpoint: server.endpoint.clone(),
        region: "us-east-1".into(),
        bucket: "zimage-app".into(),
        access_key: "test-access".into(),
        secret_key: Secret::new("test-secret".into()),
        path_style: true,
    })
    .unwrap();
    assert_eq!(independent.get("users/u2/x.png").await.unwrap(), b"png");
    assert!(!app.data_dir.join("objects").exists());
}
