//! Helpers for tests of this crate and of the browser tests: a fresh, migrated database each.
//!
//! Databases are cloned from a template built once per set of migrations, so each test pays
//! for a `CREATE DATABASE … TEMPLATE`, not for running the migrations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod comfyui;
pub mod identity;
pub mod passkey;
pub mod providers;
pub mod proxy;
pub mod receiver;
pub mod replicate;
pub mod sdcpp;
pub mod stripe;

/// The server that holds test databases; `ZIMAGE_TEST_DATABASE_URL` overrides.
pub fn admin_url() -> String {
    std::env::var("ZIMAGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `admin_url` with another database name.
pub fn url_for(db: &str) -> String {
    let admin = admin_url();
    let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
    format!("{base}/{db}")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn migrations_fingerprint() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flat_map(|e| std::fs::read_dir(e.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    // The migrations this binary runs, too: a migration added on disk after the binary was
    // built must not name a template built without it.
    {
        use diesel::migration::MigrationSource;
        let embedded: Vec<diesel::migration::MigrationVersion<'static>> =
            MigrationSource::<diesel::pg::Pg>::migrations(&crate::db::MIGRATIONS)
                .unwrap_or_default()
                .iter()
                .map(|m| m.name().version().as_owned())
                .collect();
        for version in embedded {
            hasher.update(version.to_string().as_bytes());
        }
    }
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap());
    }
    hex::encode(&hasher.finalize()[..6])
}

/// Creates an empty database (no migrations) and returns its URL.
pub async fn create_empty_database() -> String {
    crate::providers::http::install_crypto();
    let name = format!("zimage_t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&admin_url())
        .await
        .expect("test PostgreSQL reachable");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    url_for(&name)
}

/// A new database with every migration applied, cloned from a per-migration-set template.
pub async fn create_database() -> String {
    // Every test starts here; its HTTP clients need the TLS crypto provider chosen.
    crate::providers::http::install_crypto();
    let template = format!("zimage_tpl_{}", migrations_fingerprint());
    let mut admin = AsyncPgConnection::establish(&admin_url())
        .await
        .expect("test PostgreSQL reachable");
    // Test processes run in parallel; one builds the template while the others wait.
    diesel::sql_query("SELECT pg_advisory_lock(72420001)")
        .execute(&mut admin)
        .await
        .unwrap();
    let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(&template)
        .get_result::<Count>(&mut admin)
        .await
        .unwrap()
        .n
        > 0;
    if !exists {
        let building = format!("{template}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
            .execute(&mut admin)
            .await
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut admin)
            .await
            .unwrap();
        crate::db::migrate(&url_for(&building)).await.unwrap();
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    diesel::sql_query("SELECT pg_advisory_unlock(72420001)")
        .execute(&mut admin)
        .await
        .unwrap();
    let name = format!("zimage_t_{}", uuid::Uuid::new_v4().simple());
    for attempt in 0.. {
        match diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin)
            .await
        {
            Ok(_) => break,
            Err(e) if attempt < 20 => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("cloning the template database: {e}"),
        }
    }
    url_for(&name)
}

/// A port that was free a moment ago, for a helper process that cannot bind port 0 itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`, panicking after 20 s.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
