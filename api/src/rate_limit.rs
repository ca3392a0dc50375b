//! Fixed-window request budgets kept in process memory.
//!
//! Keys look like `login:ip:203.0.113.7`; one limiter serves every budget. With several
//! replicas each keeps its own windows, so the effective budget is per replica.

use crate::config::RateLimit;
use crate::error::ApiError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Entries kept before expired windows are swept.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one request against `key`; `Err` (429) when the budget is spent.
    pub fn check(&self, key: &str, limit: RateLimit) -> Result<(), ApiError> {
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
        if window.used >= limit.count {
            let reset = window
                .length
                .saturating_sub(now.duration_since(window.started));
            return Err(ApiError::rate_limited(limit, reset.as_secs().max(1)));
        }
        window.used += 1;
        Ok(())
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
