//! Background work: generation workers, the job-notification listener and the scheduler.

pub mod deliverer;
pub mod privacy;
pub mod scheduler;
pub mod waker;
pub mod worker;

use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// Workers of this process and the switch that stops them.
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    /// Starts `count` job slots, one webhook sender, one export builder and the notification listener that wakes them.
    pub fn start(state: actix_web::web::Data<AppState>, count: usize) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut handles = Vec::new();
        if count > 0 {
            let wakers = waker::Wakers::default();
            tokio::spawn(waker::listen(
                state.config.database_url.expose().clone(),
                wakers.clone(),
            ));
            handles.push(tokio::spawn(deliverer::run(
                state.clone(),
                wakers.webhooks.clone(),
                stopped.clone(),
            )));
            handles.push(tokio::spawn(privacy::run(
                state.clone(),
                wakers.privacy.clone(),
                stopped.clone(),
            )));
            let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
            handles.push(tokio::spawn(worker::run(
                state.clone(),
                id,
                count,
                wakers.generation,
                stopped.clone(),
            )));
        }
        Self { stop, handles }
    }

    /// Asks workers to stop and waits up to `grace` for them: a job still running is handed back
    /// to the queue at the worker's next check, so another worker (or process) continues it.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.handles);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                "workers did not stop in time; their leases will lapse and the jobs be retried"
            );
        }
    }
}
