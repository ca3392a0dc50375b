//! Database access: the connection pool, embedded migrations, and queries per area.

pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod billing;
pub mod credits;
pub mod events;
pub mod generation;
pub mod models;
pub mod moderation;
pub mod objects;
pub mod prepared;
pub mod privacy;
pub mod prompts;
pub mod retention;
pub mod schema;
pub mod security;
pub mod sessions;
pub mod shares;
pub mod support;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod webhooks;

use anyhow::Context;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Builds a pool; connections are opened lazily.
pub fn pool(database_url: &str, size: usize) -> anyhow::Result<DbPool> {
    // Fast recycling: no `SELECT 1` before every checkout (it cost a round trip per checkout,
    // two per authenticated request). A connection the server closed is known closed and
    // replaced; one that fails mid-query answers 503 (see `ApiError: From<diesel::Error>`).
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Applies pending migrations; returns the versions applied.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("connecting to the database to migrate it")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
    .context("migration task panicked")?
}

/// Reverts every migration (used by the down.sql test).
pub async fn revert_all(database_url: &str) -> anyhow::Result<usize> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        let reverted = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("reverting migrations: {e}"))?;
        Ok(reverted.len())
    })
    .await
    .context("revert task panicked")?
}
