//! Database access: the connection pool, embedded migrations, and queries per area.

pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod billing;
pub mod built_once;
pub mod collections;
pub mod credits;
pub mod email_changes;
pub mod events;
pub mod generation;
pub mod identities;
pub mod invitations;
pub mod jobs;
pub mod models;
pub mod moderation;
pub mod oauth;
pub mod objects;
pub mod passkeys;
pub mod prepared;
pub mod privacy;
pub mod prompts;
pub mod retention;
pub mod scheduled;
pub mod schema;
pub mod security;
pub mod sessions;
pub mod shares;
pub mod support;
pub mod tokens;
pub mod two_factor;
pub mod uploads;
pub mod users;
pub mod webhooks;

use anyhow::Context;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A `LIKE`/`ILIKE` pattern matching `text` anywhere, its `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

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

/// The database connections: a pool for each HTTP worker thread, and a shared one for the rest.
///
/// A pooled connection's socket is driven by a task on the thread that opened it. With one pool
/// shared by the server's worker threads, about half of all checkouts got a connection driven by
/// the other thread, and every query then crossed threads twice (a wake-up through the other
/// thread's event loop and a context switch each way: on the read benchmark, more than one
/// cross-thread wake-up per request). So each worker thread opens and reuses connections of its
/// own ([`Db::give_this_thread_a_pool`], called once per worker by the server); every other
/// thread (background runners, the CLI, tests) uses the shared pool.
#[derive(Clone)]
pub struct Db {
    /// Tells this `Db`'s thread pools from another's (tests run several servers in a process).
    id: usize,
    url: String,
    shared: DbPool,
    per_thread: usize,
    /// Every worker thread's pool, for [`Db::status`].
    threads: std::sync::Arc<std::sync::Mutex<Vec<DbPool>>>,
}

/// This process's database connections, all pools together.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Checked out now.
    pub in_use: usize,
    /// Open and waiting in a pool.
    pub idle: usize,
    /// Callers waiting for one.
    pub waiting: usize,
    /// The most the pools may open together.
    pub max: usize,
}

thread_local! {
    /// The calling thread's own pool, and the id of the `Db` it belongs to.
    static THREAD_POOL: std::cell::RefCell<Option<(usize, DbPool)>> =
        const { std::cell::RefCell::new(None) };
}

impl Db {
    /// `size` connections at most in the shared pool and `size` split among `threads` worker
    /// threads' pools (at least one each); all opened lazily.
    pub fn new(database_url: &str, size: usize, threads: usize) -> anyhow::Result<Db> {
        static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        Ok(Db {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            url: database_url.to_string(),
            shared: pool(database_url, size)?,
            per_thread: size.div_ceil(threads.max(1)).max(1),
            threads: Default::default(),
        })
    }

    /// The connections of every pool of this `Db`.
    pub fn status(&self) -> PoolStatus {
        let threads = self
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::iter::once(&self.shared)
            .chain(threads.iter())
            .map(Pool::status)
            .fold(PoolStatus::default(), |sum, s| PoolStatus {
                in_use: sum.in_use + s.size.saturating_sub(s.available),
                idle: sum.idle + s.available,
                waiting: sum.waiting + s.waiting,
                max: sum.max + s.max_size,
            })
    }

    /// The calling thread's pool: its own when it has one, else the shared one.
    pub fn pool(&self) -> DbPool {
        THREAD_POOL
            .with_borrow(|own| match own {
                Some((id, pool)) if *id == self.id => Some(pool.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.shared.clone())
    }

    /// A connection from the calling thread's pool.
    pub async fn get(&self) -> Result<DbConn, PoolError> {
        self.pool().get().await
    }

    /// Gives the calling thread a pool of its own (its share of the configured size).
    pub fn give_this_thread_a_pool(&self) -> anyhow::Result<()> {
        let own = pool(&self.url, self.per_thread)?;
        self.threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(own.clone());
        THREAD_POOL.set(Some((self.id, own)));
        Ok(())
    }
}

/// Held while migrating, so replicas starting together (or a migration job racing a starting
/// replica) apply each migration once, one after the other.
const MIGRATION_LOCK: i64 = 0x7a69_6d67_6d69_6772; // "zimgmigr"

/// Applies pending migrations; returns the versions applied. Any number of processes may call it
/// at once: they take turns, and the later ones find nothing left to apply.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("connecting to the database to migrate it")?;
        // A session lock: released by the unlock below, or when the connection closes.
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .execute(&mut conn)
            .context("waiting for another process's migrations")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"));
        let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .execute(&mut conn);
        applied
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

#[cfg(test)]
mod tests {
    use super::Db;

    const URL: &str = "postgres://nobody@127.0.0.1:9/none";

    #[test]
    fn a_thread_given_a_pool_uses_its_share_and_others_the_shared_pool() {
        let db = Db::new(URL, 5, 2).unwrap();
        let other = Db::new(URL, 7, 1).unwrap();
        assert_eq!(db.pool().status().max_size, 5, "no pool of its own yet");
        let (own, foreign) = std::thread::scope(|s| {
            s.spawn(|| {
                db.give_this_thread_a_pool().unwrap();
                // Another `Db` used on this thread keeps to its own (shared) pool.
                (db.pool().status().max_size, other.pool().status().max_size)
            })
            .join()
            .unwrap()
        });
        assert_eq!(own, 3, "5 connections split between 2 threads, rounded up");
        assert_eq!(foreign, 7);
        assert_eq!(
            db.pool().status().max_size,
            5,
            "this thread still uses the shared pool"
        );
    }
}
