//! Migrations, `schema.rs` and `down.sql` agree.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use std::process::Command;

use crate::helpers::{create_database, create_empty_database};

#[tokio::test]
async fn committed_schema_matches_the_migrations() {
    let url = create_database().await;
    let output = Command::new("diesel")
        .args(["print-schema", "--database-url", &url])
        .env("DATABASE_URL", &url)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("diesel CLI is installed (`just test` installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    assert!(
        printed == committed,
        "api/src/db/schema.rs is stale; regenerate with `just schema`.\n--- printed ---\n{printed}"
    );
}

#[tokio::test]
async fn replicas_migrating_at_once_apply_each_migration_once() {
    let url = create_empty_database().await;
    let runs: Vec<Vec<String>> = join_all((0..3).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { zimage_api::db::migrate(&url).await.unwrap() })
    }))
    .await;
    let mut all: Vec<String> = runs.iter().flatten().cloned().collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(total, all.len(), "a migration was applied twice: {runs:?}");
    assert_eq!(
        runs.iter().filter(|r| !r.is_empty()).count(),
        1,
        "one process applied them all: {runs:?}"
    );
}

/// Awaits every spawned task.
async fn join_all<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn every_migration_reverts_cleanly_and_reapplies() {
    let url = create_empty_database().await;
    let applied = zimage_api::db::migrate(&url).await.unwrap();
    assert!(!applied.is_empty());
    let reverted = zimage_api::db::revert_all(&url).await.unwrap();
    assert_eq!(reverted, applied.len());
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let left = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(&mut conn)
    .await
    .unwrap();
    assert_eq!(left.n, 0, "tables left after reverting every migration");
    assert_eq!(
        zimage_api::db::migrate(&url).await.unwrap().len(),
        applied.len()
    );
}
