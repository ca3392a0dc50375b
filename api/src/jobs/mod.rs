//! Background work: the generation broker, the job-notification listener and the scheduler.
//!
//! The broker reads as its flow: `worker` claims queued jobs and submits them (a lease covers
//! the submission), `waiting` checks submitted tasks on each provider's schedule with no lease
//! and no per-check write, and `finishing` fetches, stores and settles a finished task (a lease
//! again). Waiting costs a few bytes of memory per task, so a process keeps thousands in flight.

pub mod deliverer;
pub mod finishing;
pub mod privacy;
pub mod routing;
pub mod scheduler;
pub mod waiting;
pub mod waker;
pub mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::state::AppState;

pub use routing::ROUTED;

/// What one process's broker parts share.
pub struct Broker {
    pub state: actix_web::web::Data<AppState>,
    /// This process's name on the jobs it holds (`locked_by`) and its heartbeat row.
    pub id: String,
    in_flight: Arc<AtomicUsize>,
    /// A task of this process ended, so it may have room (and its user a free place) again.
    freed: Arc<Notify>,
    /// Hands submitted tasks to this process's waiting loop.
    waiting: mpsc::UnboundedSender<waiting::Item>,
}

/// One task this process has taken on, from its claim until it ends or is handed on; dropping
/// it frees the place.
pub struct InFlight {
    count: Arc<AtomicUsize>,
    freed: Arc<Notify>,
    _counted: crate::metrics::TaskInFlight,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
        self.freed.notify_waiters();
    }
}

impl Broker {
    pub fn new(
        state: actix_web::web::Data<AppState>,
        id: String,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<waiting::Item>) {
        let (waiting, items) = mpsc::unbounded_channel();
        let broker = Arc::new(Self {
            state,
            id,
            in_flight: Arc::new(AtomicUsize::new(0)),
            freed: Arc::new(Notify::new()),
            waiting,
        });
        (broker, items)
    }

    /// Tasks this process holds now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// How many more tasks this process may take on.
    pub fn room(&self) -> usize {
        self.state
            .config
            .max_in_flight
            .saturating_sub(self.in_flight())
    }

    fn take_place(&self, provider: &str) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight {
            count: self.in_flight.clone(),
            freed: self.freed.clone(),
            _counted: crate::metrics::TaskInFlight::new(provider),
        }
    }

    /// Gives a submitted task to the waiting loop; when the loop has stopped (shutdown), hands
    /// the task on as the loop does with its own.
    async fn wait_on(&self, item: waiting::Item) {
        if let Err(refused) = self.waiting.send(item) {
            tracing::info!("the waiting loop has stopped; the submitted task is handed on");
            waiting::hand_back(self, vec![refused.0]).await;
        }
    }
}

/// Workers of this process and the switch that stops them.
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
    broker: Option<Arc<Broker>>,
}

impl WorkerPool {
    /// Starts the generation broker (when `count` > 0: the claim loop, the waiting loop and the
    /// heartbeat), one webhook sender, one export builder and the notification listener.
    pub fn start(state: actix_web::web::Data<AppState>, count: usize) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut handles = Vec::new();
        let mut generation = None;
        if count > 0 {
            let wakers = waker::Wakers::default();
            tokio::spawn(waker::listen(
                state.config.database_url.expose().clone(),
                wakers.clone(),
            ));
            // Several senders, so one slow receiver holds up only its own deliveries.
            for _ in 0..state.config.webhook_senders {
                handles.push(tokio::spawn(deliverer::run(
                    state.clone(),
                    wakers.webhooks.clone(),
                    stopped.clone(),
                )));
            }
            handles.push(tokio::spawn(privacy::run(
                state.clone(),
                wakers.privacy.clone(),
                stopped.clone(),
            )));
            let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
            let (broker, items) = Broker::new(state.clone(), id);
            generation = Some(broker.clone());
            handles.push(tokio::spawn(waiting::run(
                broker.clone(),
                items,
                stopped.clone(),
            )));
            handles.push(tokio::spawn(worker::run(
                broker,
                wakers.generation,
                stopped.clone(),
            )));
        }
        Self {
            stop,
            handles,
            broker: generation,
        }
    }

    /// Asks workers to stop and waits up to `grace` for them: tasks waiting on providers are
    /// handed to other processes at once, and a job being submitted or finished goes back to the
    /// queue when its lease lapses.
    pub async fn shutdown(self, grace: Duration) {
        let deadline = tokio::time::Instant::now() + grace;
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.handles);
        let mut stopped = tokio::time::timeout_at(deadline, all).await.is_ok();
        // Submissions and finishes under way end too (a submitted task hands itself on).
        if let Some(broker) = self.broker {
            while broker.in_flight() > 0 && stopped {
                stopped = tokio::time::Instant::now() < deadline;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        if !stopped {
            tracing::warn!(
                "workers did not stop in time; their leases will lapse and the jobs be retried"
            );
        }
    }
}
