//! Fixed-window request budgets kept in process memory.
//!
//! Keys look like `login:ip:203.0.113.7`; one limiter serves every budget. With several
//! replicas each keeps its own windows, so the effective budget is per replica.

use crate::config::RateLimit;
use crate::error::ApiError;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a request left of a budget it was counted against, for the `RateLimit` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: RateLimit,
    pub remaining: u32,
    /// Seconds until the window starts over.
    pub reset: u64,
}

impl Quota {
    /// The headers telling a client where it stands (the IETF draft's `RateLimit` fields, in
    /// both its combined and its older separate forms, which clients in the wild read).
    pub fn headers(&self) -> [(&'static str, String); 5] {
        let Quota {
            limit,
            remaining,
            reset,
        } = *self;
        [
            (
                "RateLimit-Policy",
                format!("{};w={}", limit.count, limit.window.as_secs()),
            ),
            ("RateLimit-Limit", limit.count.to_string()),
            ("RateLimit-Remaining", remaining.to_string()),
            ("RateLimit-Reset", reset.to_string()),
            (
                "RateLimit",
                format!(
                    "limit={}, remaining={remaining}, reset={reset}",
                    limit.count
                ),
            ),
        ]
    }
}

tokio::task_local! {
    /// The tightest budget the request being handled on this task was counted against.
    static QUOTA: Cell<Option<Quota>>;
}

/// Runs a request's handling and returns, with its outcome, the tightest budget it was counted
/// against (`None` if none), so the response can carry the `RateLimit` headers.
pub async fn tracked<F: std::future::Future>(handling: F) -> (F::Output, Option<Quota>) {
    QUOTA
        .scope(Cell::new(None), async move {
            let output = handling.await;
            (output, QUOTA.with(Cell::get))
        })
        .await
}

/// Keeps `quota` for the response when it leaves less than any noted before.
fn note(quota: Quota) {
    let _ = QUOTA.try_with(|cell| {
        if cell.get().is_none_or(|q| quota.remaining < q.remaining) {
            cell.set(Some(quota));
        }
    });
}

/// Seconds until `window` starts over.
fn reset_of(window: &Window) -> u64 {
    window
        .length
        .saturating_sub(window.started.elapsed())
        .as_secs()
        .max(1)
}

struct Window {
    started: Instant,
    length: Duration,
    used: u32,
}

/// Counts requests per key and refuses those past the budget.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

/// When `window` has used its budget: the seconds until it has room again.
fn spent(window: &Window, limit: RateLimit) -> Option<u64> {
    (window.used >= limit.count).then(|| reset_of(window))
}

/// Entries kept before expired windows are swept.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one request against `key`; `Err` (429) when the budget is spent. One look under
    /// the lock, so concurrent requests cannot both take the last unit. What is left is noted
    /// for the response's `RateLimit` headers.
    pub fn check(&self, key: &str, limit: RateLimit) -> Result<(), ApiError> {
        let quota = self.take(key, limit)?;
        note(quota);
        Ok(())
    }

    /// [`Self::check`] without telling the client: for budgets that are not the caller's own
    /// (the mails one address may receive, whoever asks).
    pub fn check_quietly(&self, key: &str, limit: RateLimit) -> bool {
        self.take(key, limit).is_ok()
    }

    fn take(&self, key: &str, limit: RateLimit) -> Result<Quota, ApiError> {
        self.with_window(key, limit, |window| match spent(window, limit) {
            Some(wait) => Err(ApiError::rate_limited(limit, wait)),
            None => {
                window.used += 1;
                Ok(Quota {
                    limit,
                    remaining: limit.count - window.used,
                    reset: reset_of(window),
                })
            }
        })
    }

    fn with_window<T>(&self, key: &str, limit: RateLimit, f: impl FnOnce(&mut Window) -> T) -> T {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, w| now.duration_since(w.started) < w.length);
        }
        let window = windows.entry(key.to_string()).or_insert(Window {
            started: now,
            length: limit.window,
            used: 0,
        });
        if now.duration_since(window.started) >= window.length {
            *window = Window {
                started: now,
                length: limit.window,
                used: 0,
            };
        }
        f(window)
    }

    /// When `key` has spent its budget: the seconds until it has room again. Counts nothing.
    pub fn blocked(&self, key: &str, limit: RateLimit) -> Option<u64> {
        self.with_window(key, limit, |window| spent(window, limit))
    }

    /// Counts one against `key` (e.g. a failed sign-in), spent or not.
    pub fn count(&self, key: &str, limit: RateLimit) {
        self.with_window(key, limit, |window| {
            window.used = window.used.saturating_add(1)
        });
    }

    /// Takes back one counted against `key` (a reservation that turned out not to be a failure).
    pub fn uncount(&self, key: &str) {
        if let Some(window) = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_mut(key)
        {
            window.used = window.used.saturating_sub(1);
        }
    }

    /// Forgets what `key` counted (e.g. its failures, after a success).
    pub fn clear(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_per_key_and_refuses_past_the_count() {
        let limiter = RateLimiter::new();
        let limit = RateLimit::per(2, 60);
        assert!(limiter.check("a", limit).is_ok());
        assert!(limiter.check("a", limit).is_ok());
        assert!(limiter.check("a", limit).is_err());
        assert!(limiter.check("b", limit).is_ok());
    }

    #[test]
    fn failures_counted_apart_block_until_cleared() {
        let limiter = RateLimiter::new();
        let limit = RateLimit::per(2, 60);
        assert_eq!(limiter.blocked("a", limit), None);
        limiter.count("a", limit);
        limiter.count("a", limit);
        assert!(limiter.blocked("a", limit).is_some_and(|wait| wait <= 60));
        assert_eq!(limiter.blocked("b", limit), None);
        limiter.clear("a");
        assert_eq!(limiter.blocked("a", limit), None);
    }

    #[test]
    fn window_resets_after_its_length() {
        let limiter = RateLimiter::new();
        let limit = RateLimit {
            count: 1,
            window: Duration::from_millis(30),
        };
        assert!(limiter.check("a", limit).is_ok());
        assert!(limiter.check("a", limit).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.check("a", limit).is_ok());
    }
}
