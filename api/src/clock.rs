//! The time scheduled work goes by. It is the system clock, shifted by an offset that tests (and
//! an operator rehearsing a retention run) can move forward, so "90 days later" needs no waiting.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this process's clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::days(90));
        let gap = clock.now() - before;
        assert!(gap >= Duration::days(90) && gap < Duration::days(90) + Duration::seconds(5));
    }
}
