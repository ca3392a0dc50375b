//! Wakes idle runners when work is queued: one `LISTEN zimage_jobs` connection per process, fed
//! by the `NOTIFY` sent in the transaction that queues the work, on any replica. The payload
//! names the queue, so a generation job wakes the generation workers only, not the webhook
//! sender and the export builder as well (each woken runner looks at its table: on two cores,
//! two needless queries on the path of every generation).

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::db::generation::Queue;

/// One wake-up per queue; runners wait on their own.
#[derive(Default, Clone)]
pub struct Wakers {
    pub generation: Arc<Notify>,
    pub webhooks: Arc<Notify>,
    pub privacy: Arc<Notify>,
}

impl Wakers {
    fn all(&self) {
        self.generation.notify_waiters();
        self.webhooks.notify_waiters();
        self.privacy.notify_waiters();
    }

    /// Wakes the runners of the queue `payload` names; all of them for any other payload (an
    /// older replica's empty one, say), since a needless look is cheap and a missed one is not.
    fn wake(&self, payload: &str) {
        match Queue::parse(payload) {
            Some(Queue::Generation) => self.generation.notify_waiters(),
            Some(Queue::Webhooks) => self.webhooks.notify_waiters(),
            Some(Queue::Privacy) => self.privacy.notify_waiters(),
            None => self.all(),
        }
    }
}

/// Listens until the process ends, reconnecting after failures.
pub async fn listen(database_url: String, wakers: Wakers) {
    loop {
        match AsyncPgConnection::establish(&database_url).await {
            Ok(mut conn) => {
                if diesel::sql_query("LISTEN zimage_jobs")
                    .execute(&mut conn)
                    .await
                    .is_ok()
                {
                    // Work queued while we were not listening: every runner looks once.
                    wakers.all();
                    let mut notifications = std::pin::pin!(conn.notifications_stream());
                    while let Some(Ok(note)) = notifications.next().await {
                        wakers.wake(&note.payload);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_payload_wakes_its_queue_and_an_unknown_one_wakes_all() {
        let wakers = Wakers::default();
        let woken = |payload: &str| {
            let (g, w, p) = (
                wakers.generation.notified(),
                wakers.webhooks.notified(),
                wakers.privacy.notified(),
            );
            tokio::pin!(g, w, p);
            g.as_mut().enable();
            w.as_mut().enable();
            p.as_mut().enable();
            wakers.wake(payload);
            let poll = |f: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>| {
                futures_util::FutureExt::now_or_never(f).is_some()
            };
            [poll(g), poll(w), poll(p)]
        };
        assert_eq!(woken(Queue::Generation.as_str()), [true, false, false]);
        assert_eq!(woken(Queue::Webhooks.as_str()), [false, true, false]);
        assert_eq!(woken(Queue::Privacy.as_str()), [false, false, true]);
        assert_eq!(woken(""), [true, true, true]);
    }
}
