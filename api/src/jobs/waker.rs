//! Wakes idle workers when a job is queued: one `LISTEN zimage_jobs` connection per process,
//! fed by the `NOTIFY` sent in the transaction that creates the job, on any replica.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Listens until the process ends, reconnecting after failures.
pub async fn listen(database_url: String, wake: Arc<Notify>) {
    loop {
        match AsyncPgConnection::establish(&database_url).await {
            Ok(mut conn) => {
                if diesel::sql_query("LISTEN zimage_jobs")
                    .execute(&mut conn)
                    .await
                    .is_ok()
                {
                    // Jobs queued while we were not listening are found by the workers' fallback poll.
                    wake.notify_waiters();
                    let mut notifications = std::pin::pin!(conn.notifications_stream());
                    while let Some(Ok(_)) = notifications.next().await {
                        wake.notify_waiters();
                    }
                }
                tracing::warn!("job notification listener disconnected; reconnecting");
            }
            Err(err) => {
                tracing::warn!(error = %err, "job notification listener cannot connect; retrying")
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
