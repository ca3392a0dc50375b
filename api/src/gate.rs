//! Bounded admission for heavy CPU work from requests (password hashing, image decoding): a
//! fixed number run at once, a bounded queue waits behind them for a bounded time, and everyone
//! else gets 503 with `Retry-After` at once.
//!
//! Such work takes tens of milliseconds to seconds of CPU and megabytes of memory each, so a flood
//! must neither start it all at once (memory) nor queue it without end (every caller would time
//! out, and memory held by queued requests grows). A caller that gives up while queued leaves the
//! queue; work already started finishes on its own permit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use zimage_shared::ErrorCode;

use crate::error::ApiError;

pub struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
    /// What a refused caller is told.
    busy: &'static str,
}

/// Leaves the queue when dropped, also when the waiting request is abandoned.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A permit to run one piece of gated work; the slot frees when it is dropped.
pub struct Admitted(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl Gate {
    /// `concurrent` at once, at most `max_waiting` queued for at most `max_wait` each.
    pub fn new(
        concurrent: usize,
        max_waiting: usize,
        max_wait: Duration,
        busy: &'static str,
    ) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
            busy,
        }
    }

    /// The number of cores this process may use (2 when unknown).
    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(2, usize::from)
    }

    fn refused(&self) -> ApiError {
        ApiError::new(ErrorCode::ServiceUnavailable, self.busy)
    }

    /// Waits for a slot, or refuses when the queue is full or the wait runs out.
    pub async fn admit(&self) -> Result<Admitted, ApiError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Admitted(permit));
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(self.refused());
        }
        let _queued = Queued(&self.waiting);
        match tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Admitted(permit)),
            Ok(Err(closed)) => Err(ApiError::internal(closed)),
            Err(_) => Err(self.refused()),
        }
    }

    /// Runs `work` on a blocking thread once admitted.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let admitted = self.admit().await?;
        tokio::task::spawn_blocking(move || {
            let _admitted = admitted;
            work()
        })
        .await
        .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(
        gate: &Arc<Gate>,
    ) -> (
        tokio::task::JoinHandle<Result<bool, ApiError>>,
        impl FnOnce(),
    ) {
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Mutex::new(hold);
        let gate = gate.clone();
        let busy = tokio::spawn(async move {
            gate.run(move || hold.lock().map(|h| h.recv().is_ok()).unwrap_or(false))
                .await
        });
        (busy, move || {
            let _ = release.send(());
        })
    }

    #[tokio::test]
    async fn a_full_gate_refuses_at_once_and_frees_its_queue() {
        let gate = Arc::new(Gate::new(1, 2, Duration::from_secs(30), "busy"));
        let (busy, release) = held(&gate);
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Two fit in the queue behind the running one; the third is refused without waiting.
        let queued: Vec<_> = (0..2)
            .map(|n| {
                let gate = gate.clone();
                tokio::spawn(async move { gate.run(move || n).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = gate.run(|| 9).await.err().map(|e| e.code());
        assert_eq!(refused, Some(ErrorCode::ServiceUnavailable));
        release();
        assert!(busy.await.unwrap().unwrap());
        for (n, q) in queued.into_iter().enumerate() {
            assert_eq!(q.await.unwrap().unwrap(), n);
        }
        // The queue emptied, so the gate admits again.
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_caller_queued_past_the_deadline_is_refused() {
        let gate = Arc::new(Gate::new(1, 8, Duration::from_millis(100), "busy"));
        let (busy, release) = held(&gate);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = std::time::Instant::now();
        let refused = gate.run(|| 1).await.err().map(|e| e.code());
        assert_eq!(refused, Some(ErrorCode::ServiceUnavailable));
        assert!(started.elapsed() >= Duration::from_millis(100));
        release();
        assert!(busy.await.unwrap().unwrap());
        assert_eq!(gate.run(|| 2).await.unwrap(), 2);
    }
}
