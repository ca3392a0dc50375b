//! Circuit breakers, one per provider in each process. A provider whose submissions keep failing
//! for reasons of its own (no answer, 5xx, 429, an unreadable answer) is given a rest: after
//! `failures` such submissions in a row the breaker opens, and this process claims none of that
//! provider's jobs for `cooldown` (they wait in the queue, in fair-share order). Then it is
//! half-open: one submission goes through as a probe, the others wait a little longer; a probe
//! that works closes the breaker, one that fails opens it again for twice as long, up to ten
//! times the cooldown. A refusal of the request itself (a rejected prompt) shows the provider
//! is up and counts as working. A probe never reported (its task canceled before its call came
//! back) stops counting as under way after ten cooldowns, and another goes.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When a breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Failed submissions in a row that open it; 0: never.
    pub failures: u32,
    pub cooldown: Duration,
}

impl BreakerSettings {
    /// Parses `FAILURES,COOLDOWN_MS`, e.g. `5,30000`; `0,…` switches the breaker off.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let (failures, cooldown) = text
            .split_once(',')
            .ok_or_else(|| anyhow::anyhow!("expected FAILURES,COOLDOWN_MS, e.g. 5,30000"))?;
        let failures: u32 = failures
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("FAILURES must be a whole number"))?;
        let cooldown: u64 = cooldown
            .trim()
            .parse()
            .ok()
            .filter(|ms| *ms > 0)
            .ok_or_else(|| anyhow::anyhow!("COOLDOWN_MS must be a positive whole number"))?;
        Ok(Self {
            failures,
            cooldown: Duration::from_millis(cooldown),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed {
        failed: u32,
    },
    Open {
        until: Instant,
        cooldown: Duration,
    },
    /// `probing`: since when a probe is under way.
    HalfOpen {
        probing: Option<Instant>,
        cooldown: Duration,
    },
}

/// What a submission may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Go,
    /// Go, as the one submission that tells whether the provider is back.
    Probe,
    /// Not now: the breaker is open (or another submission is the probe); ask again after this.
    Wait(Duration),
}

/// How a submission went, for the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Went {
    /// The provider answered (accepted, or refused the request itself).
    Answered,
    /// The provider failed: no answer, 5xx, 429, an unreadable answer.
    Failed,
}

#[derive(Debug)]
pub struct Breaker {
    settings: BreakerSettings,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(settings: BreakerSettings) -> Self {
        Self {
            settings,
            state: Mutex::new(State::Closed { failed: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the provider is resting now (open, its cooldown not over): claims pass it over.
    pub fn is_open(&self) -> bool {
        matches!(*self.lock(), State::Open { until, .. } if Instant::now() < until)
    }

    /// How long until an open breaker lets a probe through; `None` unless it is open.
    pub fn reopens_in(&self) -> Option<Duration> {
        match *self.lock() {
            State::Open { until, .. } => Some(until.saturating_duration_since(Instant::now())),
            _ => None,
        }
    }

    /// Asks to submit now.
    pub fn pass(&self) -> Pass {
        let mut state = self.lock();
        let now = Instant::now();
        match *state {
            State::Closed { .. } => Pass::Go,
            State::Open { until, .. } if now < until => Pass::Wait(until - now),
            // The probe is under way: look again in a tenth of the cooldown.
            State::HalfOpen {
                probing: Some(since),
                ..
            } if now.duration_since(since) < self.settings.cooldown * 10 => {
                Pass::Wait((self.settings.cooldown / 10).max(Duration::from_millis(200)))
            }
            State::Open { cooldown, .. } | State::HalfOpen { cooldown, .. } => {
                *state = State::HalfOpen {
                    probing: Some(now),
                    cooldown,
                };
                Pass::Probe
            }
        }
    }

    /// Records how a submission that was let through went.
    pub fn record(&self, pass: Pass, went: Went) {
        if self.settings.failures == 0 {
            return;
        }
        let mut state = self.lock();
        let base = self.settings.cooldown;
        *state = match (*state, went) {
            (_, Went::Answered) => State::Closed { failed: 0 },
            (State::Closed { failed }, Went::Failed) if failed + 1 >= self.settings.failures => {
                tracing::error!(
                    alert = true,
                    cooldown_ms = base.as_millis() as u64,
                    "a provider keeps failing; submissions to it pause (circuit breaker open)"
                );
                State::Open {
                    until: Instant::now() + base,
                    cooldown: base,
                }
            }
            (State::Closed { failed }, Went::Failed) => State::Closed { failed: failed + 1 },
            (State::HalfOpen { cooldown, .. }, Went::Failed) if pass == Pass::Probe => {
                let cooldown = (cooldown * 2).min(base * 10);
                tracing::error!(
                    alert = true,
                    cooldown_ms = cooldown.as_millis() as u64,
                    "the provider is still failing; the circuit breaker opens again"
                );
                State::Open {
                    until: Instant::now() + cooldown,
                    cooldown,
                }
            }
            // A submission let through before the breaker opened, ending after it did.
            (other, Went::Failed) => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_then_lets_one_probe_through() {
        let breaker = Breaker::new(BreakerSettings {
            failures: 3,
            cooldown: Duration::from_millis(40),
        });
        for _ in 0..2 {
            assert_eq!(breaker.pass(), Pass::Go);
            breaker.record(Pass::Go, Went::Failed);
        }
        breaker.record(Pass::Go, Went::Answered);
        for _ in 0..3 {
            assert_eq!(breaker.pass(), Pass::Go, "an answer reset the count");
            breaker.record(Pass::Go, Went::Failed);
        }
        assert!(breaker.is_open());
        assert!(matches!(breaker.pass(), Pass::Wait(_)));
        std::thread::sleep(Duration::from_millis(50));
        assert!(!breaker.is_open(), "half-open once the cooldown is over");
        assert_eq!(breaker.pass(), Pass::Probe);
        assert!(
            matches!(breaker.pass(), Pass::Wait(_)),
            "one probe at a time"
        );
        breaker.record(Pass::Probe, Went::Failed);
        assert!(breaker.is_open(), "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(50));
        assert!(breaker.is_open(), "for twice as long");
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(breaker.pass(), Pass::Probe);
        breaker.record(Pass::Probe, Went::Answered);
        assert_eq!(breaker.pass(), Pass::Go, "closed again");

        // A probe never reported is given up after ten cooldowns.
        let breaker = Breaker::new(BreakerSettings {
            failures: 1,
            cooldown: Duration::from_millis(100),
        });
        breaker.record(Pass::Go, Went::Failed);
        std::thread::sleep(Duration::from_millis(110));
        assert_eq!(breaker.pass(), Pass::Probe);
        assert!(matches!(breaker.pass(), Pass::Wait(_)), "still probing");
        std::thread::sleep(Duration::from_millis(1010));
        assert_eq!(breaker.pass(), Pass::Probe, "the lost probe is replaced");
        assert!(BreakerSettings::parse("5,30000").is_ok());
        for bad in ["5", "x,100", "5,0", "5,-1"] {
            assert!(BreakerSettings::parse(bad).is_err(), "{bad}");
        }
    }
}
